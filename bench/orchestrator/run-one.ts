/**
 * Runs one scenario end to end: harness up (fake model listening), server up against it, idle
 * sample, play, CPU and RSS across the measured window, server stopped (profile written).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../harness/protocol.js';
import {
  cpuMs,
  cpuTimes,
  ioSyscalls,
  mainThreadSleeps,
  machineBusyMs,
  rssKb,
  RssSampler,
  runQueueWaitMs,
} from './proc-stats.js';
import { AUTH_TOKEN, HarnessProcess, PUBLIC_URL, startServer, stopProcess } from './processes.js';
import type { BenchScenario } from './scenarios.js';
import {
  parseLoopDelay,
  parseMemory,
  parseGreetingOverhead,
  parseReaction,
  scrapeMetrics,
  type LoopDelaySummary,
  type MemoryBreakdown,
  type HistogramSummary,
} from './server-metrics.js';

/** After the server is healthy, let it settle before the idle sample, ms. */
const IDLE_SETTLE_MS = 1_000;
/** After the last call, wait this long before the "after" RSS sample, ms. */
const AFTER_SETTLE_MS = 1_500;

/** The server's side of a scenario, as measured from outside. */
export interface ServerMeasure {
  idleRssKb: number;
  steadyRss: { meanKb: number; maxKb: number; minKb: number };
  afterRssKb: number;
  rssSamples: { atMs: number; rssKb: number }[];
  windowMs: number;
  serverCpuMs: number;
  harnessCpuMs: number;
  /** CPU used in the window by every other process on the machine (noise), ms. */
  otherCpuMs: number;
  /** Server CPU ms per second of one call, over the measured window. */
  cpuMsPerCallSecond: number;
  /** Share of the server's CPU spent in the kernel (syscalls, loopback TCP), 0–1. */
  kernelShare: number;
  /** Read- and write-family syscalls of the server per second of one call. */
  syscallsPerCallSecond: number;
  /** Times a second the server's main thread went to sleep (its event loop waiting for I/O). */
  sleepsPerSecond?: number;
  /** Time the server's main thread waited for a CPU, ms per second of the window. */
  runQueueWaitMsPerS: number;
  /** RSS above idle per active call, KB. */
  rssKbPerCall: number;
  /** From the server's /metrics: speech_started read → clear written (Switchboard only). */
  reaction?: HistogramSummary;
  /** From the server's /metrics: start read → first audio written, less the model's time. */
  greetingOverhead?: HistogramSummary;
  /** From the server's /metrics: its event loop delay over the measured window. */
  loopDelay?: LoopDelaySummary;
  /** The same over the ramp (calls being set up: webhooks, upgrades, greetings). */
  rampLoopDelay?: LoopDelaySummary;
  /** Per active call, KB: the window's end against idle, by kind (Switchboard only). */
  memoryPerCallKb?: MemoryBreakdown;
  stopped: 'exited' | 'killed';
  profileFile?: string;
}

export interface ScenarioRecord {
  scenario: BenchScenario;
  result: ScenarioResult;
  server: ServerMeasure;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runOne(s: BenchScenario, logDir: string): Promise<ScenarioRecord> {
  const harness = new HarnessProcess();
  try {
    const ready = await harness.next();
    if (ready.type !== 'ready') throw new Error(`harness: ${JSON.stringify(ready)}`);
    const profDir = s.cpuProfile ? mkdtempSync(join(logDir, 'prof-')) : undefined;
    const server = await startServer({
      kind: s.server,
      ...(s.peerEntry ? { peerEntry: s.peerEntry } : {}),
      modelUrl: ready.modelUrl,
      frameMs: s.frameMs,
      ...(s.env ? { env: s.env } : {}),
      logDir,
      name: s.name,
      ...(profDir ? { cpuProfDir: profDir } : {}),
    });
    try {
      await sleep(IDLE_SETTLE_MS);
      const idleRssKb = rssKb(server.pid);
      const idleText = s.server === 'switchboard' ? await scrapeMetrics(server.url) : undefined;
      harness.send({
        type: 'run',
        scenario: s,
        serverUrl: server.url,
        authToken: AUTH_TOKEN,
        publicUrl: PUBLIC_URL,
      });
      type Mark = {
        t: number;
        cpu: number;
        kernel: number;
        syscalls: number;
        sleeps: number;
        waited: number;
        hcpu: number;
        busy: number;
      };
      let start: Mark | undefined;
      let end: Mark | undefined;
      let sampler: RssSampler | undefined;
      let steadyRss = { meanKb: NaN, maxKb: NaN, minKb: NaN };
      const mark = (): Mark => {
        const own = cpuTimes(server.pid);
        return {
          t: performance.now(),
          cpu: own.totalMs,
          kernel: own.kernelMs,
          syscalls: ioSyscalls(server.pid),
          sleeps: mainThreadSleeps(server.pid),
          waited: runQueueWaitMs(server.pid),
          hcpu: cpuMs(harness.pid),
          busy: machineBusyMs(),
        };
      };
      let result: ScenarioResult | undefined;
      let windowMetrics: Promise<string | undefined> = Promise.resolve(undefined);
      let rampMetrics: Promise<string | undefined> = Promise.resolve(undefined);
      while (!result) {
        const m = await harness.next();
        if (m.type === 'steady_start') {
          start = mark();
          // Closes the ramp's loop-delay interval (opened by the idle scrape) and opens the
          // window's (Switchboard only).
          if (s.server === 'switchboard') rampMetrics = scrapeMetrics(server.url);
          sampler = new RssSampler(server.pid, s.group === 'soak' ? 10_000 : 500);
        } else if (m.type === 'steady_end') {
          end = mark();
          if (s.server === 'switchboard') windowMetrics = scrapeMetrics(server.url);
          steadyRss = sampler!.stop();
        } else if (m.type === 'progress') {
          console.log(`  ${m.text}`);
        } else if (m.type === 'result') {
          result = m.result;
        } else if (m.type === 'failed') {
          throw new Error(`harness failed: ${m.error}`);
        }
      }
      await sleep(AFTER_SETTLE_MS);
      const afterRssKb = rssKb(server.pid);
      if (!start || !end) throw new Error('the harness never reported its measured window');
      const windowMs = end.t - start.t;
      const serverCpuMs = end.cpu - start.cpu;
      // The calls the server held: all of them, but for those answered busy by its call cap.
      const heldCalls = s.calls - result.callsRefused;
      const callSeconds = heldCalls * (windowMs / 1000);
      const rampText = await rampMetrics;
      const rampLoopDelay = rampText === undefined ? undefined : parseLoopDelay(rampText);
      const windowText = await windowMetrics;
      const loopDelay = windowText === undefined ? undefined : parseLoopDelay(windowText);
      const memoryPerCallKb = perCallKb(
        idleText === undefined ? undefined : parseMemory(idleText),
        windowText === undefined ? undefined : parseMemory(windowText),
        heldCalls,
      );
      const endText = s.server === 'switchboard' ? await scrapeMetrics(server.url) : undefined;
      const reaction = endText === undefined ? undefined : parseReaction(endText);
      const greetingOverhead = endText === undefined ? undefined : parseGreetingOverhead(endText);
      const stopped = await stopProcess(server.proc);
      const profile = profDir ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : '';
      return {
        scenario: s,
        result,
        server: {
          idleRssKb,
          steadyRss,
          afterRssKb,
          rssSamples: sampler?.samples ?? [],
          windowMs: Math.round(windowMs),
          serverCpuMs: Math.round(serverCpuMs),
          harnessCpuMs: Math.round(end.hcpu - start.hcpu),
          otherCpuMs: Math.round(end.busy - start.busy - serverCpuMs - (end.hcpu - start.hcpu)),
          cpuMsPerCallSecond: round3(serverCpuMs / callSeconds),
          kernelShare: round3((end.kernel - start.kernel) / serverCpuMs),
          syscallsPerCallSecond: Math.round((end.syscalls - start.syscalls) / callSeconds),
          sleepsPerSecond: Math.round((end.sleeps - start.sleeps) / (windowMs / 1000)),
          runQueueWaitMsPerS: round3((end.waited - start.waited) / (windowMs / 1000)),
          rssKbPerCall: Math.round((steadyRss.meanKb - idleRssKb) / heldCalls),
          ...(reaction ? { reaction } : {}),
          ...(greetingOverhead ? { greetingOverhead } : {}),
          ...(loopDelay ? { loopDelay } : {}),
          ...(rampLoopDelay ? { rampLoopDelay } : {}),
          ...(memoryPerCallKb ? { memoryPerCallKb } : {}),
          stopped,
          ...(profile && profDir ? { profileFile: join(profDir, profile) } : {}),
        },
      };
    } finally {
      await stopProcess(server.proc);
    }
  } finally {
    harness.proc.kill('SIGTERM');
  }
}

function perCallKb(
  idle: MemoryBreakdown | undefined,
  loaded: MemoryBreakdown | undefined,
  calls: number,
): MemoryBreakdown | undefined {
  if (!idle || !loaded) return undefined;
  const kb = (k: keyof MemoryBreakdown) => Math.round((loaded[k] - idle[k]) / 1024 / calls);
  return {
    rss: kb('rss'),
    heapCommitted: kb('heapCommitted'),
    heapUsed: kb('heapUsed'),
    external: kb('external'),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
