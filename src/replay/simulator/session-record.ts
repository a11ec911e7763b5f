/**
 * What happened in one simulated session, in the terms QA asks about: caller turns (in ms of
 * appended audio), responses, cancellations, truncations, tool outputs and errors.
 */

/** A caller turn committed by the VAD or by the client. */
export interface CallerTurnRecord {
  itemId: string;
  committedBy: 'vad' | 'client';
  /** `speech_started.audio_start_ms` (VAD turns only). */
  speechStartMs?: number;
  /** `speech_stopped.audio_end_ms` (VAD turns only). */
  speechEndMs?: number;
  /** Input audio ms when the turn was committed. */
  committedAtMs: number;
  /** Index into the script's turns (the n-th committed turn takes turn n). */
  scriptTurn: number;
}

/** A response and how it ended. */
export interface ResponseRecord {
  id: string;
  reply: 'greeting' | 'turn' | 'after_tool_output' | 'fallback';
  scriptTurn: number | null;
  trigger: 'vad' | 'client';
  status: 'in_progress' | 'completed' | 'cancelled';
  audioSentMs: number;
  instructions?: string;
}

/** A response cancelled by the client or by the caller's speech. */
export interface CancellationRecord {
  responseId: string;
  reason: 'client_cancelled' | 'turn_detected';
  audioSentMs: number;
  atInputMs: number;
}

/** A truncation the simulator applied. */
export interface TruncationRecord {
  itemId: string;
  audioEndMs: number;
  /** The item's audio before truncating, in ms. */
  audioMs: number;
  transcriptBefore: string;
  transcriptAfter: string;
}

/** A function_call_output the client sent. */
export interface ToolOutputRecord {
  callId: string;
  name: string | undefined;
  output: string;
}

/** An error event the simulator sent. */
export interface ErrorRecord {
  code: string | null;
  message: string;
  clientEventType: string | undefined;
}

/** Everything QA tooling prints about one session. */
export interface SessionRecord {
  connectionId: number;
  model: string;
  endpoint: 'openai' | 'azure';
  callerTurns: CallerTurnRecord[];
  responses: ResponseRecord[];
  cancellations: CancellationRecord[];
  truncations: TruncationRecord[];
  toolOutputs: ToolOutputRecord[];
  errors: ErrorRecord[];
  /** Things the real service would accept but the bridge should not do (e.g. PCM formats). */
  warnings: string[];
}

/** An empty record for a new session. */
export function newSessionRecord(
  connectionId: number,
  model: string,
  endpoint: 'openai' | 'azure',
): SessionRecord {
  return {
    connectionId,
    model,
    endpoint,
    callerTurns: [],
    responses: [],
    cancellations: [],
    truncations: [],
    toolOutputs: [],
    errors: [],
    warnings: [],
  };
}
