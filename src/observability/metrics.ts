/**
 * Process-wide counters in Prometheus text format (GET /metrics). Counts only: no caller data.
 * Increments are plain integer additions, cheap enough for the per-frame path.
 */

import type { LoopDelayInterval } from './event-loop-delay.js';

/** What the call logic reports; implemented here, seen by call/ as an interface. */
export interface CallMetrics {
  callStarted(prewarmed: boolean): void;
  callEnded(outcome: string): void;
  framesIn(count: number): void;
  framesOut(count: number): void;
  badFrame(): void;
  /** A media stream went silent on the wire and its call was ended. */
  mediaStall(): void;
  bargeIn(truncated: number, deleted: number): void;
  /** A barge-in's `clear` was written; `speechReceivedAtMs` is its speech_started's read time. */
  clearSent(speechReceivedAtMs: number): void;
  /**
   * The call's first bot audio (its greeting) was written to the carrier. Times are
   * performance.now(): the stream start read, the greeting's response.create written, the
   * audio delta read; undefined ones (a start without a read time) skip the sample.
   */
  greetingAudioSent(
    startReadAtMs: number | undefined,
    createSentAtMs: number,
    deltaReadAtMs: number | undefined,
  ): void;
  toolCall(status: string): void;
  realtimeError(code: string | undefined): void;
}

export class Metrics implements CallMetrics {
  private readonly callsRefused = new Map<string, number>();
  private callsStarted = 0;
  private callsPrewarmed = 0;
  private readonly callsEnded = new Map<string, number>();
  private inFrames = 0;
  private outFrames = 0;
  private badFrames = 0;
  private mediaStalls = 0;
  private bargeIns = 0;
  private truncations = 0;
  private deletions = 0;
  private readonly toolCalls = new Map<string, number>();
  private readonly realtimeErrors = new Map<string, number>();
  private readonly reaction = new Histogram(REACTION_BUCKETS_S);
  private readonly firstAudio = new Histogram(FIRST_AUDIO_BUCKETS_S);
  private readonly greetingOverhead = new Histogram(GREETING_OVERHEAD_BUCKETS_S);

  constructor(
    private readonly gauges: () => {
      activeCalls: number;
      prewarmedSessions: number;
      /** MAX_CONCURRENT_CALLS; null = no cap. */
      maxCalls: number | null;
    },
    /** The event loop's delay since the previous scrape (undefined: not monitored). */
    private readonly loopDelay?: () => LoopDelayInterval,
  ) {}

  /** A voice webhook answered busy: `draining` or `at_capacity`. */
  callRefused(reason: string): void {
    bump(this.callsRefused, reason);
  }
  callStarted(prewarmed: boolean): void {
    this.callsStarted += 1;
    if (prewarmed) this.callsPrewarmed += 1;
  }
  callEnded(outcome: string): void {
    bump(this.callsEnded, outcome);
  }
  framesIn(count: number): void {
    this.inFrames += count;
  }
  framesOut(count: number): void {
    this.outFrames += count;
  }
  badFrame(): void {
    this.badFrames += 1;
  }
  mediaStall(): void {
    this.mediaStalls += 1;
  }
  bargeIn(truncated: number, deleted: number): void {
    this.bargeIns += 1;
    this.truncations += truncated;
    this.deletions += deleted;
  }
  clearSent(speechReceivedAtMs: number): void {
    this.reaction.observe((performance.now() - speechReceivedAtMs) / 1000);
  }
  greetingAudioSent(
    startReadAtMs: number | undefined,
    createSentAtMs: number,
    deltaReadAtMs: number | undefined,
  ): void {
    if (startReadAtMs === undefined || deltaReadAtMs === undefined) return;
    const totalMs = performance.now() - startReadAtMs;
    this.firstAudio.observe(totalMs / 1000);
    // What is left once the model's own time (create written → first delta read) is taken out.
    this.greetingOverhead.observe(Math.max(0, totalMs - (deltaReadAtMs - createSentAtMs)) / 1000);
  }
  toolCall(status: string): void {
    bump(this.toolCalls, status);
  }
  realtimeError(code: string | undefined): void {
    bump(this.realtimeErrors, code ?? 'unknown');
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const { activeCalls, prewarmedSessions, maxCalls } = this.gauges();
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const gauge = (name: string, help: string, value: number) =>
      metric(name, 'gauge', help, [['', value]]);
    const counter = (name: string, help: string, value: number) =>
      metric(name, 'counter', help, [['', value]]);
    const labelled = (label: string, map: Map<string, number>): [string, number][] =>
      [...map].map(([k, v]) => [`{${label}="${k.replace(/["\\\n]/g, '_')}"}`, v]);

    gauge('switchboard_active_calls', 'Calls with a media stream now.', activeCalls);
    gauge(
      'switchboard_prewarmed_sessions',
      'Realtime sessions waiting for their stream.',
      prewarmedSessions,
    );
    // Only with a cap: a gauge of 0 would read as "no call allowed".
    if (maxCalls !== null) {
      gauge(
        'switchboard_max_concurrent_calls',
        'MAX_CONCURRENT_CALLS: ringing and active calls past which new ones hear busy.',
        maxCalls,
      );
    }
    // Where the resident memory is: V8's heap (committed / live), and memory outside it
    // (Buffers' backing stores, native objects).
    const memory = process.memoryUsage();
    gauge('switchboard_process_resident_memory_bytes', 'Resident set size.', memory.rss);
    gauge('switchboard_heap_committed_bytes', 'V8 heap committed.', memory.heapTotal);
    gauge(
      'switchboard_heap_used_bytes',
      'V8 heap in use (live and not yet collected).',
      memory.heapUsed,
    );
    gauge(
      'switchboard_external_memory_bytes',
      'Memory held by JS objects outside the V8 heap.',
      memory.external,
    );
    if (this.loopDelay) {
      const d = this.loopDelay();
      const help = (q: string) => `Event loop delay, ${q} since the previous scrape (s).`;
      // Whole microseconds over 1e6 print as 0.000158, not 0.00015799999999999948.
      const seconds = (ms: number) => Math.round(ms * 1000) / 1e6;
      gauge('switchboard_event_loop_delay_p50_seconds', help('median'), seconds(d.p50Ms));
      gauge('switchboard_event_loop_delay_p99_seconds', help('99th percentile'), seconds(d.p99Ms));
      gauge('switchboard_event_loop_delay_max_seconds', help('maximum'), seconds(d.maxMs));
    }
    metric(
      'switchboard_calls_refused_total',
      'counter',
      'Voice webhooks answered busy, by reason (draining, at_capacity).',
      labelled('reason', this.callsRefused),
    );
    counter('switchboard_calls_started_total', 'Media streams started.', this.callsStarted);
    counter(
      'switchboard_calls_prewarmed_total',
      'Calls that found their session pre-warmed.',
      this.callsPrewarmed,
    );
    metric(
      'switchboard_calls_ended_total',
      'counter',
      'Calls ended, by outcome.',
      labelled('outcome', this.callsEnded),
    );
    counter(
      'switchboard_frames_in_total',
      'Caller audio frames forwarded to the model.',
      this.inFrames,
    );
    counter('switchboard_frames_out_total', 'Bot audio frames sent to the caller.', this.outFrames);
    counter('switchboard_bad_frames_total', 'Carrier frames skipped as malformed.', this.badFrames);
    counter(
      'switchboard_media_stalls_total',
      'Media streams ended because no frame came for MEDIA_STALL_TIMEOUT_MS.',
      this.mediaStalls,
    );
    counter('switchboard_barge_ins_total', 'Caller interruptions of bot audio.', this.bargeIns);
    counter('switchboard_truncations_total', 'Items truncated at a barge-in.', this.truncations);
    counter('switchboard_deletions_total', 'Unheard items deleted at a barge-in.', this.deletions);
    const histogram = (name: string, help: string, h: Histogram) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`, ...h.render(name));
    histogram(
      'switchboard_barge_in_reaction_seconds',
      'speech_started read from the model → Twilio clear written, in the server.',
      this.reaction,
    );
    histogram(
      'switchboard_time_to_first_audio_seconds',
      "Twilio stream start read → the call's first bot audio (its greeting) written, the model's time included.",
      this.firstAudio,
    );
    histogram(
      'switchboard_greeting_overhead_seconds',
      "The same, less the model's own time (response.create written → first audio delta read): the bridge's share.",
      this.greetingOverhead,
    );
    metric(
      'switchboard_tool_calls_total',
      'counter',
      'Tool calls, by status.',
      labelled('status', this.toolCalls),
    );
    metric(
      'switchboard_realtime_errors_total',
      'counter',
      'Realtime error events, by code.',
      labelled('code', this.realtimeErrors),
    );
    return `${lines.join('\n')}\n`;
  }
}

// The goal is a 1 ms reaction; the buckets resolve well below it and show when it is missed.
const REACTION_BUCKETS_S = [0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.1];
// What a caller waits for: the model's first audio comes hundreds of ms after the request.
const FIRST_AUDIO_BUCKETS_S = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
// The bridge's own share of it; the goal is 5 ms.
const GREETING_OVERHEAD_BUCKETS_S = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/** A Prometheus histogram: cumulative buckets by upper bound, sum and count. */
class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) this.counts[i]! += 1;
  }

  render(name: string): string[] {
    let cumulative = 0;
    const lines = this.bounds.map((b, i) => {
      cumulative += this.counts[i]!;
      return `${name}_bucket{le="${b}"} ${cumulative}`;
    });
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`);
    lines.push(`${name}_sum ${this.sum}`, `${name}_count ${this.count}`);
    return lines;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
