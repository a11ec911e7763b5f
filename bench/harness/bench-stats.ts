/**
 * Everything both fakes record, in one place so the two sides can be joined at the end: frames
 * per item on each side, clears seen by callers, truncates seen by the model, barge-ins sent.
 */
import { Histogram } from './histogram.js';

/** Frames of one stream (a call's caller audio, or one bot item) as the receiver saw them. */
export interface StreamTally {
  sent: number;
  /** Frames received in order (each new one is the next expected). */
  received: number;
  /** A frame numbered below the next expected one (seen twice, or late). */
  duplicated: number;
  /** A frame numbered above the next expected one (a gap: lost or overtaken). */
  reordered: number;
  next: number;
  /** Bot items: all frames sent and the response finished without interruption. */
  complete: boolean;
}

/** A new, empty tally. */
export function newTally(): StreamTally {
  return { sent: 0, received: 0, duplicated: 0, reordered: 0, next: 0, complete: false };
}

/** Accounts one received frame number in a tally. */
export function countFrame(tally: StreamTally, seq: number): void {
  if (seq === tally.next) {
    tally.received += 1;
    tally.next += 1;
  } else if (seq < tally.next) {
    tally.duplicated += 1;
  } else {
    tally.reordered += 1;
    tally.received += 1;
    tally.next = seq + 1;
  }
}

export class BenchStats {
  /** Latency is sampled only inside the measured window. */
  measuring = false;
  readonly inboundLatency = new Histogram();
  readonly outboundLatency = new Histogram();
  readonly greetingOverhead = new Histogram();
  /** When each model session (by id) read the greeting's response.create, harness ms. */
  readonly greetingRequestedAt = new Map<number, number>();
  /** Caller audio per call index. */
  readonly inbound = new Map<number, StreamTally>();
  /** Bot audio per `<session>:<item>`. */
  readonly outbound = new Map<string, StreamTally>();
  readonly messages = { media: 0, mark: 0, clear: 0, botAudioBytes: 0 };
  /** `<session>:<item>` → ms of that item the caller had played when the clear came, and when. */
  readonly clears = new Map<string, { playedMs: number; atMs: number }>();
  /** `<session>:<item>` → audio_end_ms of the truncate the model received. */
  readonly truncates = new Map<string, number>();
  readonly deletes = new Set<string>();
  /** `<session>:<item>` → when the model sent speech_started. */
  readonly bargeIns = new Map<string, number>();
  bargeInsSkipped = 0;
  readonly modelErrors: Record<string, number> = {};
  readonly warnings: string[] = [];
  callsStarted = 0;
  /** Webhooks answered busy (`<Reject reason="busy"/>`): the server's MAX_CONCURRENT_CALLS. */
  callsRefused = 0;
  callsFailed = 0;
  readonly failures: string[] = [];

  tally<K>(map: Map<K, StreamTally>, key: K): StreamTally {
    let t = map.get(key);
    if (!t) {
      t = newTally();
      map.set(key, t);
    }
    return t;
  }

  warn(text: string): void {
    // Bounded: a systematic problem shows in the first few lines.
    if (this.warnings.length < 20) this.warnings.push(text);
  }

  fail(text: string): void {
    this.callsFailed += 1;
    if (this.failures.length < 10) this.failures.push(text);
  }

  modelError(code: string): void {
    this.modelErrors[code] = (this.modelErrors[code] ?? 0) + 1;
  }
}
