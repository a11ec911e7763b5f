/**
 * The timeline of one replayed call, as written to `timeline.json`: what the Twilio side saw
 * (ground truth of what the caller heard) merged with the server's own call record when it was
 * fetched. All times are media ms since the stream's `start`.
 */
import type { CallRecordEvent } from '../../call/call-record.js';
import type { ClearSnapshot } from '../twilio/playback-emulator.js';

/** A span of time on the call's axis. */
export interface Interval {
  startMs: number;
  endMs: number;
}

/** One caller turn and how long the caller waited for the bot. */
export interface Turn {
  index: number;
  caller: Interval;
  /** First bot audio heard after the caller stopped, if any came before the next turn. */
  botHeardAtMs?: number;
  /** botHeardAtMs − caller.endMs. */
  latencyMs?: number;
  callerText?: string;
}

/**
 * One bot item a barge-in cut: how much of THAT item the caller had heard at the clear (Twilio
 * side, ground truth) next to where the server truncated it in its call record.
 */
export interface InterruptedItem {
  itemId: string;
  /** Audio of this item sent to Twilio before the clear, ms (absent without a clear). */
  sentMs?: number;
  /** Audio of this item that had played at the clear, ms (absent without a clear). */
  heardMs?: number;
  /** The server's truncation `audio_end_ms` for this item, from its call record. */
  truncatedAtMs?: number;
  /** truncatedAtMs − heardMs: positive when the server believes more was heard than played. */
  differenceMs?: number;
  /** The server deleted this item rather than truncating it (nothing heard, by its count). */
  deleted?: boolean;
}

/** A clear (Twilio side) and/or a server barge_in event, paired by time. */
export interface BargeIn {
  atMs: number;
  /** The items the barge-in cut: not fully played at the clear, or truncated/deleted by the server. */
  items: InterruptedItem[];
  /** Queued bot audio the clear discarded without playing, ms. */
  discardedMs?: number;
  clear?: ClearSnapshot;
  truncated?: { itemId: string; audioEndMs: number }[];
  deleted?: string[];
  responseCancelled?: boolean;
}

/** A tool call from the server record; times on the call axis. */
export interface ToolCallSpan {
  startMs: number;
  endMs: number;
  name: string;
  arguments: string;
  status: string;
  httpStatus?: number;
  durationMs: number;
  output: string;
}

/** A line of the call's transcript. */
export interface TranscriptLine {
  atMs: number;
  who: 'caller' | 'bot';
  text: string;
  /** For bot lines cut short: the estimated part the caller heard. */
  heardText?: string;
  interrupted?: boolean;
  heardMs?: number;
  sentMs?: number;
}

/** The whole timeline (see module doc). */
export interface Timeline {
  callSid: string;
  streamSid: string;
  startedAt: string;
  speed: number;
  durationMs: number;
  recordingMs: number;
  endReason: string;
  outcome: { by: 'server' | 'caller'; description: string; twiml?: string };
  /** Where caller speech comes from: the server's VAD events or energy detection here. */
  callerSpeechSource: 'server_vad' | 'energy';
  callerSpeech: Interval[];
  /** Bot audio as the caller heard it (contiguous playback merged). */
  botHeard: Interval[];
  botHeardMs: number;
  turns: Turn[];
  bargeIns: BargeIn[];
  toolCalls: ToolCallSpan[];
  transcript: TranscriptLine[];
  marks: { name: string; receivedAtMs: number; echoedAtMs?: number; flushedByClear: boolean }[];
  hasServerRecord: boolean;
  /** The server's events with `t` moved to the call axis (× speed). */
  serverEvents: CallRecordEvent[];
  warnings: string[];
}
