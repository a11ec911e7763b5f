/**
 * The model boundary. The call logic sees a realtime session as this interface and a small event
 * union; the OpenAI/Azure wire protocol lives in realtime/openai/.
 */

/** A function tool as offered to the model. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A function call the model made, complete with its arguments (a JSON string, unparsed). */
export interface FunctionCallRequest {
  responseId: string;
  itemId: string;
  callId: string;
  name: string;
  arguments: string;
}

/** Events of one realtime session, as the call logic needs them. */
export type RealtimeEvent =
  /** The session is configured (`session.updated` after our `session.update`). */
  | { type: 'ready' }
  | { type: 'response_created'; responseId: string }
  | {
      type: 'audio';
      responseId: string;
      itemId: string;
      contentIndex: number;
      /** Base64 µ-law exactly as the model sent it. */
      audio: string;
      /** performance.now() when the server read the delta off the socket (greeting metric). */
      receivedAtMs?: number;
    }
  | { type: 'transcript_delta'; responseId: string; itemId: string; delta: string }
  | { type: 'function_call'; call: FunctionCallRequest }
  | {
      type: 'response_done';
      responseId: string;
      status: 'completed' | 'cancelled' | 'failed' | 'incomplete' | 'in_progress';
      reason?: string;
      /** Function calls found in the final response (also reported one by one as they finish). */
      functionCalls: FunctionCallRequest[];
    }
  | {
      type: 'speech_started';
      audioStartMs: number;
      itemId: string;
      /** performance.now() when the server read the event off the socket (reaction metric). */
      receivedAtMs?: number;
    }
  | { type: 'speech_stopped'; audioEndMs: number; itemId: string }
  | { type: 'user_transcript'; itemId: string; transcript: string }
  | {
      type: 'error';
      code: string | undefined;
      message: string;
      /** Fatal errors end the session; the rest are reported and the call goes on. */
      fatal: boolean;
      /** The `type` of the client event that failed, when the service said which one. */
      failedEventType?: string;
    }
  | { type: 'closed'; code: number; reason: string };

export type RealtimeListener = (event: RealtimeEvent) => void;

/** One realtime model session, bound to one phone call. */
export interface RealtimeSession {
  /** True once `session.updated` confirmed the configuration. */
  readonly ready: boolean;
  /** Appends caller audio (base64 µ-law); buffered by the adapter until the session is ready. */
  appendAudio(payloadBase64: string): void;
  /** Asks for a response; `instructions` overrides the session instructions for this one. */
  createResponse(instructions?: string): void;
  cancelResponse(): void;
  truncateItem(itemId: string, contentIndex: number, audioEndMs: number): void;
  deleteItem(itemId: string): void;
  sendFunctionOutput(callId: string, output: string): void;
  /** Replaces the listener; events before the first listener are kept and replayed to it. */
  setListener(listener: RealtimeListener): void;
  close(): void;
}

/** Opens realtime sessions (one per call). */
export interface RealtimeConnector {
  open(context: { callSid: string; tools: ToolDefinition[] }): RealtimeSession;
}
