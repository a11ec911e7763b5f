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

/** A clear (Twilio side) and/or a server barge_in event, paired by time. */
export interface BargeIn {
  atMs: number;
  /** Bot audio of the interrupted generation heard / discarded at the clear, ms. */
  heardMs?: number;
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
