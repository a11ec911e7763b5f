/**
 * The tools boundary: the call logic hands a model's function call to a ToolRunner and gets back
 * a result to give the model. A runner never throws and never hangs: every failure is a result.
 */
import type { ToolDefinition } from '../realtime/realtime.js';

/** What the call knows about itself that a tool template may use (`{{call.from}}`, …). */
export interface CallContext {
  sid: string;
  from: string;
  to: string;
}

export interface ToolInvocation {
  name: string;
  /** The model's arguments, a JSON string as the model sent it (not yet validated). */
  arguments: string;
  call: CallContext;
  /** Aborted when the result is no longer wanted (hang-up, barge-in). */
  signal: AbortSignal;
}

export type ToolStatus =
  | 'ok'
  | 'unknown_tool'
  | 'invalid_arguments'
  | 'timeout'
  | 'network_error'
  | 'http_error'
  | 'bad_response'
  | 'aborted';

export interface ToolResult {
  status: ToolStatus;
  /** JSON text given to the model as the `function_call_output`. */
  output: string;
  /** HTTP status of the last attempt, when one was made. */
  httpStatus?: number;
  durationMs: number;
  attempts: number;
  /** Bytes of `output`. */
  resultBytes: number;
}

export interface ToolRunner {
  /** The HTTP tools offered to the model (built-in call control is added by the call). */
  definitions(): ToolDefinition[];
  has(name: string): boolean;
  /** A short line the bot may say while this tool's slow call runs, if configured. */
  fillerFor(name: string): string | undefined;
  run(invocation: ToolInvocation): Promise<ToolResult>;
}
