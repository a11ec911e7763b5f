/**
 * What a call leaves behind: a timeline of what the caller said and heard, barge-ins and tool
 * calls. Logged at the end of a call, served to QA replay, and the base of call records later.
 * `t` is ms since the media stream started (server clock).
 */
import type { ToolStatus } from '../tools/tool-runner.js';
import type { CallOutcome } from '../telephony/telephony.js';

/** How a tool call ended: an HTTP tool's status, or what built-in call control did. */
export type ToolCallStatus = ToolStatus | 'ended_call' | 'transferred' | 'refused';

export type CallRecordEvent =
  | { t: number; type: 'stream_started' }
  | { t: number; type: 'caller_speech_started'; audioStartMs: number }
  | { t: number; type: 'caller_speech_stopped'; audioEndMs: number }
  | { t: number; type: 'caller_transcript'; itemId: string; text: string }
  | { t: number; type: 'bot_audio_started'; responseId: string; itemId: string }
  | {
      t: number;
      type: 'bot_item_finished';
      itemId: string;
      /** Audio of this item received from the model and sent to the caller, ms. */
      sentMs: number;
      /** Audio of this item the caller heard, ms (from Twilio's mark echoes). */
      heardMs: number;
      interrupted: boolean;
      /** The model's transcript of the whole item. */
      transcript: string;
      /**
       * The transcript cut at the heard position, estimated from the proportion of audio heard
       * (characters × heardMs / sentMs): an estimate, not a word alignment.
       */
      heardTranscriptEstimate: string;
    }
  | {
      t: number;
      type: 'barge_in';
      /** Items cut short and the audio_end_ms each was truncated at. */
      truncated: { itemId: string; audioEndMs: number }[];
      /** Items of which nothing was heard (deleted from the model's memory). */
      deleted: string[];
      responseCancelled: boolean;
    }
  | {
      t: number;
      type: 'tool_call';
      name: string;
      callId: string;
      arguments: string;
      status: ToolCallStatus;
      httpStatus?: number;
      durationMs: number;
      resultBytes: number;
      output: string;
    }
  | { t: number; type: 'dtmf'; digit: string }
  | { t: number; type: 'error'; code: string | undefined; message: string }
  | { t: number; type: 'stream_ended'; reason: string };

export interface CallRecord {
  callSid: string;
  streamSid: string;
  startedAt: string;
  endedAt?: string;
  outcome?: CallOutcome;
  events: CallRecordEvent[];
}
