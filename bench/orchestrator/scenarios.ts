/**
 * The scenarios of a run. Quick: a smoke check in under a minute. Full: the numbers of the
 * README in about twelve minutes. Soak: ten minutes of call churn for memory flatness.
 */
import type { ModelScript, Scenario } from '../harness/protocol.js';

/** A scenario plus how the orchestrator runs it. */
export interface BenchScenario extends Scenario {
  group: 'load' | 'noop' | 'peer' | 'capacity' | 'admission' | 'bargein' | 'profile' | 'soak';
  /** What answers the calls: Switchboard, the no-op relay, or another bridge (`--peer`). */
  server: 'switchboard' | 'noop' | 'peer';
  /** For `server: 'peer'`: the bridge's entry file, run as `node <file>`. */
  peerEntry?: string;
  /** PLAYBACK_FRAME_MS of the server (outbound frame and mark spacing). */
  frameMs: number;
  /** Extra server environment (e.g. CALLER_AUDIO_BATCH_FRAMES). */
  env?: Record<string, string>;
  cpuProfile?: boolean;
  /** For the 2nd and later runs of a repeated scenario: the first run's name. */
  repeatOf?: string;
}

/**
 * The scenarios `times` times over, interleaved (a, b, a#2, b#2, …): on a shared VM the same run
 * varies by ±20% from one minute to the next, so the goals are judged on medians of runs taken
 * side by side rather than on one draw.
 */
function repeated(times: number, list: BenchScenario[]): BenchScenario[] {
  const out = [...list];
  for (let n = 2; n <= times; n++) {
    for (const s of list) out.push({ ...s, name: `${s.name}#${n}`, repeatOf: s.name });
  }
  return out;
}

/** The server's default PLAYBACK_FRAME_MS (src/config/env.ts): what load scenarios measure. */
export const DEFAULT_FRAME_MS = 240;

// A phone conversation: the greeting, then a bot turn of 2 s every 5 s (the bot talks ~40% of
// the time), audio generated 4× faster than real time in 200 ms deltas (what the service does
// on a good day), first audio 150 ms after response.create; a third of the turns interrupted.
const CONVERSATION: ModelScript = {
  firstDeltaMs: 150,
  chunkMs: 200,
  speed: 4,
  greetingAudioMs: 2_000,
  turnEveryMs: 5_000,
  turnAudioMs: 2_000,
  bargeInProbability: 0.3,
};

// Barge-in accuracy: a 2 s turn every 3 s, nearly every one interrupted at a random point.
const bargeScript = (speed: number): ModelScript => ({
  firstDeltaMs: 100,
  chunkMs: 200,
  speed,
  greetingAudioMs: 1_000,
  turnEveryMs: 3_000,
  turnAudioMs: 2_000,
  bargeInProbability: 0.95,
});

/** Realistic ringing between the webhook (pre-warm) and the media stream, ms. */
const RING_MS = 500;

function scenario(
  name: string,
  group: BenchScenario['group'],
  calls: number,
  steadyMs: number,
  model: ModelScript,
  extra: Partial<BenchScenario> = {},
): BenchScenario {
  return {
    name,
    group,
    server: 'switchboard',
    frameMs: DEFAULT_FRAME_MS,
    calls,
    // New calls at up to 50 per second: a busy line, not a thundering herd.
    rampMs: Math.max(1_000, calls * 20),
    ringMs: RING_MS,
    steadyMs,
    seed: 42,
    model,
    ...extra,
  };
}

function bargeSweep(calls: number, steadyMs: number, frames: number[]): BenchScenario[] {
  const out: BenchScenario[] = [];
  for (const speed of [4, 0.8]) {
    for (const frameMs of frames) {
      out.push(
        scenario(`bargein-${frameMs}ms-${speed}x`, 'bargein', calls, steadyMs, bargeScript(speed), {
          frameMs,
        }),
      );
    }
  }
  return out;
}

/**
 * Call counts of the capacity search (the 200-call load is a step too), smallest first. bench/run.ts
 * skips the steps above the first that does not hold, so the search ends where it fails rather than
 * at a fixed ceiling: 400 calls, the old ceiling, held with p99 2.5 ms and said nothing of the limit.
 */
export const CAPACITY_STEPS = [50, 100, 300, 400, 500, 600, 700, 800, 1000];

/** Calls offered past this VM's limit (600 failed), and the MAX_CONCURRENT_CALLS that meets them. */
export const ADMISSION = { offered: 700, cap: 400 };

export function quickScenarios(): BenchScenario[] {
  return [
    scenario('load-20', 'load', 20, 6_000, CONVERSATION),
    scenario('noop-20', 'noop', 20, 6_000, CONVERSATION, { server: 'noop' }),
    ...bargeSweep(40, 6_000, [DEFAULT_FRAME_MS]),
  ];
}

export function fullScenarios(): BenchScenario[] {
  return [
    ...repeated(3, [
      scenario('load-200', 'load', 200, 30_000, CONVERSATION),
      scenario('noop-200', 'noop', 200, 15_000, CONVERSATION, { server: 'noop' }),
      // The same load with each frame sent at its own instant, as frames from many carrier hosts
      // arrive, instead of the harness's 1 ms bursts (the harness spins a core for it).
      scenario('spread-200', 'load', 200, 15_000, CONVERSATION, { arrivals: 'spread' }),
      scenario('noop-spread-200', 'noop', 200, 15_000, CONVERSATION, {
        server: 'noop',
        arrivals: 'spread',
      }),
    ]),
    scenario('aligned-200', 'load', 200, 15_000, CONVERSATION, { phases: 'aligned' }),
    scenario('batch2-200', 'load', 200, 30_000, CONVERSATION, {
      env: { CALLER_AUDIO_BATCH_FRAMES: '2' },
    }),
    ...CAPACITY_STEPS.map((n) => scenario(`capacity-${n}`, 'capacity', n, 12_000, CONVERSATION)),
    // Past the limit with the cap an operator would set below it: the calls taken keep their
    // latency, the rest hear busy (README "Operations").
    scenario(
      `admission-${ADMISSION.offered}`,
      'admission',
      ADMISSION.offered,
      12_000,
      CONVERSATION,
      {
        env: { MAX_CONCURRENT_CALLS: String(ADMISSION.cap) },
      },
    ),
    ...bargeSweep(100, 10_000, [20, 60, 120, 240]),
    scenario('profile-200', 'profile', 200, 10_000, CONVERSATION, { cpuProfile: true }),
  ];
}

/** Call counts at which `--peer` measures another bridge beside Switchboard and the relay. */
export const PEER_STEPS = [100, 200, 300];

/**
 * Another bridge on the same harness (`--peer=FILE`): it, Switchboard and the no-op relay at each
 * step, interleaved and twice over, so the three are compared within the same minutes of the VM;
 * then barge-in accuracy, the peer and Switchboard in turn, with the model 4× and 0.8× real time.
 */
export function peerScenarios(peerEntry: string): BenchScenario[] {
  const peer = { server: 'peer' as const, peerEntry };
  const list: BenchScenario[] = [];
  for (const n of PEER_STEPS) {
    list.push(
      scenario(`peer-${n}`, 'peer', n, 15_000, CONVERSATION, peer),
      scenario(`load-${n}`, 'load', n, 15_000, CONVERSATION),
      scenario(`noop-${n}`, 'noop', n, 15_000, CONVERSATION, { server: 'noop' }),
    );
  }
  const barge = bargeSweep(100, 10_000, [DEFAULT_FRAME_MS]).flatMap((s) => [
    { ...s, name: `peer-${s.name}`, group: 'peer' as const, ...peer },
    s,
  ]);
  return [...repeated(2, list), ...barge];
}

export function soakScenarios(): BenchScenario[] {
  return [scenario('soak-100', 'soak', 100, 600_000, CONVERSATION, { callLengthMs: 60_000 })];
}
