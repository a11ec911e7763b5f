/**
 * Twilio's playback of a bidirectional stream, emulated: outbound audio is queued and played in
 * real time, a mark is echoed once the audio queued before it has played, and `clear` drops the
 * queue and echoes every pending mark. Positions are computed from the clock, not from timer
 * ticks, so the record of what the caller heard is sample-exact whatever the timer jitter.
 */
import { ULAW_BYTES_PER_MS, ULAW_SILENCE_BYTE } from '../../audio/g711.js';
import type { Clock } from './clock.js';

/** One outbound `media` payload and when it played on the call's media clock. */
export interface PlayedChunk {
  /** The segment (audio between two marks/clears) this payload belongs to. */
  segmentIndex: number;
  receivedAtMs: number;
  /** Media time its first sample played. */
  startMs: number;
  bytes: Buffer;
  /** Set when a clear cut it: bytes that had played at that instant. */
  cutAtBytes?: number;
}

/** Audio the server sent between two marks or clears: the unit a test can attribute. */
export interface OutboundSegment {
  index: number;
  /** The generation: number of clears before this segment. */
  generation: number;
  firstReceivedAtMs: number;
  /** The mark that closed the segment, when one did (the server names its marks). */
  endMark?: string;
  /** True when a clear closed the segment. */
  endedByClear: boolean;
  sentBytes: number;
}

/** A mark the server sent and when Twilio would have echoed it. */
export interface MarkEcho {
  name: string;
  receivedAtMs: number;
  /** When the audio queued before it finished playing (or the clear that flushed it). */
  dueAtMs: number;
  /** When the echo was actually sent (≥ dueAtMs with a real clock). */
  echoedAtMs?: number;
  /** Echoed by a clear: the audio before it did not (all) play. */
  flushedByClear: boolean;
  /** The last segment closed before this mark, if any. */
  afterSegment?: number;
}

/** How much of one segment had played at the instant of a clear. */
export interface SegmentPlayhead {
  index: number;
  endMark?: string;
  sentMs: number;
  playedMs: number;
}

/** A clear and the playhead at that instant, per segment of the generation it ended. */
export interface ClearSnapshot {
  atMs: number;
  /** The segment whose audio was playing at the instant of the clear, if any. */
  playingSegment?: number;
  segments: SegmentPlayhead[];
  flushedMarks: string[];
  /** Audio discarded without playing, ms. */
  discardedMs: number;
}

/** Options of the emulator: its clock and who receives mark echoes. */
export interface PlaybackEmulatorOptions {
  clock: Clock;
  onMarkEcho?: (echo: MarkEcho) => void;
}

/** Twilio's outbound playback queue with an injectable clock (see module doc). */
export class PlaybackEmulator {
  readonly chunks: PlayedChunk[] = [];
  readonly segments: OutboundSegment[] = [];
  readonly marks: MarkEcho[] = [];
  readonly clears: ClearSnapshot[] = [];
  readonly #clock: Clock;
  readonly #onMarkEcho: ((echo: MarkEcho) => void) | undefined;
  /** Media time at which everything queued so far has played. */
  #queueEndMs = 0;
  #pending: MarkEcho[] = [];
  #openSegment: OutboundSegment | undefined;
  /** First segment index not yet reported by a clear snapshot. */
  #generationStart = 0;

  constructor(options: PlaybackEmulatorOptions) {
    this.#clock = options.clock;
    this.#onMarkEcho = options.onMarkEcho;
  }

  /** Queues an outbound `media` payload (raw µ-law bytes). */
  playAudio(bytes: Buffer): void {
    const now = this.update();
    if (bytes.length === 0) return;
    const segment = this.#openSegment ?? this.#newSegment(now);
    segment.sentBytes += bytes.length;
    const startMs = Math.max(now, this.#queueEndMs);
    this.chunks.push({ segmentIndex: segment.index, receivedAtMs: now, startMs, bytes });
    this.#queueEndMs = startMs + bytes.length / ULAW_BYTES_PER_MS;
  }

  /** Queues an outbound `mark`; echoed at once if nothing is left to play. */
  mark(name: string): void {
    const now = this.update();
    const closed = this.#openSegment;
    if (closed) closed.endMark = name;
    this.#openSegment = undefined;
    const echo: MarkEcho = {
      name,
      receivedAtMs: now,
      dueAtMs: Math.max(now, this.#queueEndMs),
      flushedByClear: false,
      afterSegment: closed?.index ?? this.segments.at(-1)?.index,
    };
    this.marks.push(echo);
    this.#pending.push(echo);
    this.update();
  }

  /** Handles an outbound `clear`: drops queued audio and echoes every pending mark. */
  clear(): ClearSnapshot {
    const now = this.update();
    const snapshot = this.#snapshot(now);
    for (const chunk of this.#unfinishedChunks(now)) chunk.cutAtBytes = playedBytes(chunk, now);
    if (this.#openSegment) this.#openSegment.endedByClear = true;
    this.#openSegment = undefined;
    this.#generationStart = this.segments.length;
    this.#queueEndMs = now;
    const flushed = this.#pending;
    this.#pending = [];
    for (const echo of flushed) {
      echo.dueAtMs = now;
      echo.flushedByClear = true;
      this.#echo(echo, now);
    }
    this.clears.push(snapshot);
    return snapshot;
  }

  /** Echoes the marks that are due; returns the current media time. Call it from any timer. */
  update(): number {
    const now = this.#clock.now();
    while (this.#pending[0] && this.#pending[0].dueAtMs <= now) {
      this.#echo(this.#pending.shift() as MarkEcho, now);
    }
    return now;
  }

  /** Media time of the next mark echo, if one is pending. */
  nextMarkDueMs(): number | undefined {
    return this.#pending[0]?.dueAtMs;
  }

  /** Media time at which all audio queued so far will have played. */
  get queueEndMs(): number {
    return this.#queueEndMs;
  }

  /** True while queued audio is still playing. */
  isPlaying(): boolean {
    return this.#clock.now() < this.#queueEndMs;
  }

  /** Outbound audio that had played by `atMs` (default now), in bytes. */
  heardBytes(atMs = this.#clock.now()): number {
    return this.chunks.reduce((sum, chunk) => sum + playedBytes(chunk, atMs), 0);
  }

  /** Bytes of a segment that had played by `atMs`. */
  segmentPlayedBytes(index: number, atMs = this.#clock.now()): number {
    let sum = 0;
    for (const chunk of this.chunks)
      if (chunk.segmentIndex === index) sum += playedBytes(chunk, atMs);
    return sum;
  }

  /** What the caller heard from 0 to `untilMs`: µ-law on the call's time axis, silence between. */
  heardAudio(untilMs = this.#clock.now()): Buffer {
    const out = Buffer.alloc(Math.ceil(untilMs * ULAW_BYTES_PER_MS), ULAW_SILENCE_BYTE);
    for (const chunk of this.chunks) {
      const played = playedBytes(chunk, untilMs);
      const offset = Math.round(chunk.startMs * ULAW_BYTES_PER_MS);
      if (played > 0 && offset < out.length) chunk.bytes.copy(out, offset, 0, played);
    }
    return out;
  }

  #newSegment(now: number): OutboundSegment {
    const segment: OutboundSegment = {
      index: this.segments.length,
      generation: this.clears.length,
      firstReceivedAtMs: now,
      endedByClear: false,
      sentBytes: 0,
    };
    this.segments.push(segment);
    this.#openSegment = segment;
    return segment;
  }

  #unfinishedChunks(now: number): PlayedChunk[] {
    return this.chunks.filter(
      (c) => c.cutAtBytes === undefined && playedBytes(c, now) < c.bytes.length,
    );
  }

  #snapshot(now: number): ClearSnapshot {
    const playing = this.chunks.find((c) => {
      const played = playedBytes(c, now);
      return c.cutAtBytes === undefined && played > 0 && played < c.bytes.length;
    });
    const segments = this.segments.slice(this.#generationStart).map((s) => ({
      index: s.index,
      ...(s.endMark === undefined ? {} : { endMark: s.endMark }),
      sentMs: s.sentBytes / ULAW_BYTES_PER_MS,
      playedMs: this.segmentPlayedBytes(s.index, now) / ULAW_BYTES_PER_MS,
    }));
    const discardedBytes = this.#unfinishedChunks(now).reduce(
      (sum, c) => sum + c.bytes.length - playedBytes(c, now),
      0,
    );
    return {
      atMs: now,
      ...(playing ? { playingSegment: playing.segmentIndex } : {}),
      segments,
      flushedMarks: this.#pending.map((m) => m.name),
      discardedMs: discardedBytes / ULAW_BYTES_PER_MS,
    };
  }

  #echo(echo: MarkEcho, now: number): void {
    echo.echoedAtMs = now;
    this.#onMarkEcho?.(echo);
  }
}

/** Bytes of a chunk played by `atMs`: whole samples only, capped by a clear's cut. */
export function playedBytes(chunk: PlayedChunk, atMs: number): number {
  const elapsed = Math.floor((atMs - chunk.startMs) * ULAW_BYTES_PER_MS + 1e-9);
  const played = Math.min(Math.max(elapsed, 0), chunk.bytes.length);
  return chunk.cutAtBytes === undefined ? played : Math.min(played, chunk.cutAtBytes);
}
