/**
 * The JSON the model receives as a `function_call_output`. Always an object with `ok`; failures
 * carry a stable `error` code (the ToolStatus) and a sentence the model can act on.
 */
import type { ToolResult, ToolStatus } from './tool-runner.js';

/** Output of a successful call: `{"ok":true,"status":200,"data":…}`. */
export function okOutput(httpStatus: number, data: unknown): string {
  return JSON.stringify({ ok: true, status: httpStatus, data });
}

/** Output of a failed call: `{"ok":false,"error":"timeout","message":"…",…extra}`. */
export function errorOutput(
  error: Exclude<ToolStatus, 'ok'>,
  message: string,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({ ok: false, error, message, ...extra });
}

/** Wraps an output with what the log and the call need to know about it. */
export function toolResult(
  status: ToolStatus,
  output: string,
  meta: { durationMs: number; attempts: number; httpStatus?: number | undefined },
): ToolResult {
  return {
    status,
    output,
    ...(meta.httpStatus === undefined ? {} : { httpStatus: meta.httpStatus }),
    durationMs: meta.durationMs,
    attempts: meta.attempts,
    resultBytes: Buffer.byteLength(output, 'utf8'),
  };
}
