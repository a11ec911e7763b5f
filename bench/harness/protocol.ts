/**
 * What the orchestrator (bench/run.ts) and the harness process say to each other over IPC:
 * the scenario to play, the moments that bound the measured window, and the results.
 */

/** How the fake model behaves in a scenario. */
export interface ModelScript {
  /** Delay from response.create (or an own turn) to the first audio delta, ms. */
  firstDeltaMs: number;
  /** Audio per output_audio.delta, ms (a multiple of 20: the stamps are 20 ms frames). */
  chunkMs: number;
  /** Generation speed: 4 = four times faster than real time, 0.8 = slower than real time. */
  speed: number;
  /** Length of the greeting, ms of audio. */
  greetingAudioMs: number;
  /** A bot turn starts this long after the previous one started, ms. */
  turnEveryMs: number;
  /** Audio of one bot turn, ms. */
  turnAudioMs: number;
  /** Probability that a bot turn is interrupted by the caller (speech_started mid-playback). */
  bargeInProbability: number;
}

/** One benchmark scenario as played by the harness. */
export interface Scenario {
  name: string;
  /** Concurrent calls. */
  calls: number;
  /** Call starts are spread over this long, ms: one per slot of rampMs / calls. */
  rampMs: number;
  /**
   * Where in its slot a call starts. `random` (default): anywhere, as independent callers dial,
   * so calls' 20 ms frame clocks have random phases. `aligned`: at the slot's start, so every
   * call's frames fall in the same millisecond (a worst case that real traffic does not have).
   */
  phases?: 'random' | 'aligned';
  /**
   * How the harness times its sends. `ticks` (default): a 1 ms interval, so the frames due within
   * a millisecond leave together. `spread`: each at its own instant, as frames from many carrier
   * hosts arrive; the harness then spins a core (bench/harness/ticker.ts).
   */
  arrivals?: 'ticks' | 'spread';
  /** Webhook → media stream `start`: the phone ringing while the model pre-warms, ms. */
  ringMs: number;
  /** The measured window once every call is up, ms. */
  steadyMs: number;
  /** With churn: each call lasts this long, then its slot dials again (soak); else one call. */
  callLengthMs?: number;
  /** Seed of the harness's random choices (barge-in points), for repeatable runs. */
  seed: number;
  model: ModelScript;
}

/** Latency distribution, ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One direction of audio: every 20 ms frame accounted for. */
export interface FrameStats {
  sent: number;
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** One-way added latency, sender's send → receiver's message event. */
  latency: LatencySummary;
}

/** What the harness measured in one scenario. */
export interface ScenarioResult {
  name: string;
  calls: number;
  callsStarted: number;
  /** Webhooks answered busy: the server's MAX_CONCURRENT_CALLS at work, not a failure. */
  callsRefused: number;
  callsFailed: number;
  failures: string[];
  inbound: FrameStats;
  outbound: FrameStats;
  /** Messages server → caller: media, mark, clear. */
  messages: { media: number; mark: number; clear: number; botAudioMs: number };
  /** Stream `start` sent → first greeting audio, minus the model's configured delay. */
  greetingOverhead: LatencySummary;
  bargeIn: {
    count: number;
    /** speech_started sent while the caller was not playing (buffer dry): nothing to measure. */
    skipped: number;
    /** Barge-ins with a clear but no truncate, or the reverse. */
    unmatched: number;
    deletes: number;
    /** |audio_end_ms − ms the caller had actually played of the item at the clear|. */
    truncationErrorMs: LatencySummary;
    /** Signed mean of audio_end_ms − played: positive = the server claims more than was heard. */
    truncationBiasMs: number;
    /** speech_started sent by the model → clear received by the caller (two loopback hops). */
    speechToClearMs: LatencySummary;
  };
  /** Errors the fake model sent (e.g. a truncate past the audio sent). */
  modelErrors: Record<string, number>;
  harnessWarnings: string[];
}

/** Orchestrator → harness. */
export type ToHarness = {
  type: 'run';
  scenario: Scenario;
  serverUrl: string;
  authToken: string;
  publicUrl: string;
};

/** Harness → orchestrator. */
export type FromHarness =
  | { type: 'ready'; modelUrl: string }
  | { type: 'steady_start' }
  | { type: 'steady_end' }
  | { type: 'progress'; text: string }
  | { type: 'result'; result: ScenarioResult }
  | { type: 'failed'; error: string };
