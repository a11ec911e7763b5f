/**
 * Plays one scenario against a server: dials every call (spread over the ramp), marks the
 * measured window, hangs up, waits for the server to close every model socket, then joins what
 * both fakes recorded into a ScenarioResult.
 */
import type { ScaledClock } from '../../src/replay/twilio/clock.js';
import { BenchStats, type StreamTally } from './bench-stats.js';
import { FakeCaller } from './fake-caller.js';
import type { FakeModelServer } from './fake-model-server.js';
import { Histogram } from './histogram.js';
import type { FrameStats, Scenario, ScenarioResult } from './protocol.js';
import type { Ticker } from './ticker.js';

export interface RunTarget {
  serverUrl: string;
  publicUrl: string;
  authToken: string;
}

/** After the last stream start, let connections settle before measuring, ms. */
const WARMUP_MS = 1_000;
/** Calls hang up this long after the measured window closes, ms. */
const HANGUP_AFTER_WINDOW_MS = 500;
/** How long the server gets to close every model socket after the last hang-up, ms. */
const DRAIN_WAIT_MS = 10_000;

/** Mulberry32: a tiny seeded PRNG, so the barge-in points repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runScenario(
  scenario: Scenario,
  target: RunTarget,
  model: FakeModelServer,
  ticker: Ticker,
  clock: ScaledClock,
  signal: (phase: 'steady_start' | 'steady_end') => void,
): Promise<ScenarioResult> {
  const stats = new BenchStats();
  const callers = new Map<number, FakeCaller>();
  ticker.arrivals = scenario.arrivals ?? 'ticks';
  model.context = {
    stats,
    script: scenario.model,
    now: () => clock.now(),
    random: seededRandom(scenario.seed),
    caller: (i) => callers.get(i),
  };
  // Offsets from now (timers), and the hang-up as a time on the harness clock (callers).
  const steadyStartMs = scenario.rampMs + scenario.ringMs + WARMUP_MS;
  const steadyEndMs = steadyStartMs + scenario.steadyMs;
  const hangUpMs = clock.now() + steadyEndMs + HANGUP_AFTER_WINDOW_MS;
  const timers = [
    setTimeout(() => {
      stats.measuring = true;
      signal('steady_start');
    }, steadyStartMs),
    setTimeout(() => {
      stats.measuring = false;
      signal('steady_end');
    }, steadyEndMs),
  ];
  let callIndex = 0;
  // Its own stream of the seed, so the barge-in points do not change with the arrival times.
  const arrival = seededRandom(scenario.seed + 1);
  const slot = async (slotIndex: number): Promise<void> => {
    const inSlot = scenario.phases === 'aligned' ? 0 : arrival();
    await sleep((scenario.rampMs * (slotIndex + inSlot)) / scenario.calls);
    // Without churn one call per slot; with churn (soak) the slot dials again until the end.
    do {
      const index = ++callIndex;
      const length = scenario.callLengthMs ?? Infinity;
      const endsAtMs = Math.min(hangUpMs, clock.now() + scenario.ringMs + length);
      const caller = new FakeCaller({
        index,
        ...target,
        ringMs: scenario.ringMs,
        endsAtMs,
        stats,
        clock,
        ticker,
      });
      callers.set(index, caller);
      await caller.run();
      callers.delete(index);
    } while (scenario.callLengthMs !== undefined && clock.now() < hangUpMs - 2_000);
  };
  await Promise.all(Array.from({ length: scenario.calls }, (_, i) => slot(i)));
  for (const t of timers) clearTimeout(t);
  const drainDeadline = clock.now() + DRAIN_WAIT_MS;
  while (model.openSessions > 0 && clock.now() < drainDeadline) await sleep(50);
  if (model.openSessions > 0) stats.warn(`${model.openSessions} model sockets still open`);
  model.context = undefined;
  return summarize(scenario, stats);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function frameStats(tallies: Iterable<StreamTally>, latency: Histogram): FrameStats {
  const s = { sent: 0, received: 0, lost: 0, duplicated: 0, reordered: 0 };
  for (const t of tallies) {
    s.sent += t.sent;
    s.received += t.received;
    s.lost += Math.max(0, t.sent - t.received);
    s.duplicated += t.duplicated;
    s.reordered += t.reordered;
  }
  return { ...s, latency: latency.summary() };
}

function summarize(scenario: Scenario, stats: BenchStats): ScenarioResult {
  const error = new Histogram();
  const speechToClear = new Histogram();
  let bias = 0;
  let matched = 0;
  let unmatched = 0;
  for (const [key, sentAt] of stats.bargeIns) {
    const clear = stats.clears.get(key);
    const endMs = stats.truncates.get(key);
    if (clear) speechToClear.add(clear.atMs - sentAt);
    if (!clear || endMs === undefined) {
      if (!stats.deletes.has(key)) unmatched += 1;
      continue;
    }
    error.add(Math.abs(endMs - clear.playedMs));
    bias += endMs - clear.playedMs;
    matched += 1;
  }
  return {
    name: scenario.name,
    calls: scenario.calls,
    callsStarted: stats.callsStarted,
    callsRefused: stats.callsRefused,
    callsFailed: stats.callsFailed,
    failures: stats.failures,
    inbound: frameStats(stats.inbound.values(), stats.inboundLatency),
    outbound: frameStats(stats.outbound.values(), stats.outboundLatency),
    messages: {
      media: stats.messages.media,
      mark: stats.messages.mark,
      clear: stats.messages.clear,
      botAudioMs: stats.messages.botAudioBytes / 8,
    },
    greetingOverhead: stats.greetingOverhead.summary(),
    bargeIn: {
      count: stats.bargeIns.size,
      skipped: stats.bargeInsSkipped,
      unmatched,
      deletes: stats.deletes.size,
      truncationErrorMs: error.summary(),
      truncationBiasMs: matched ? Math.round((bias / matched) * 1000) / 1000 : 0,
      speechToClearMs: speechToClear.summary(),
    },
    modelErrors: stats.modelErrors,
    harnessWarnings: stats.warnings,
  };
}
