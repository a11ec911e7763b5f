/** Turns the last attempt of a tool call (or bad arguments) into what the model is told. */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { HttpToolConfig } from '../config/tools-config.js';
import type { AttemptOutcome } from './http-attempt.js';
import { resolveJsonPointer } from './json-pointer.js';
import { errorOutput, okOutput } from './tool-output.js';
import type { ToolStatus } from './tool-runner.js';

/** Status, model-facing output and HTTP status of a finished call. */
export interface OutcomeResult {
  status: ToolStatus;
  output: string;
  httpStatus?: number;
}

/**
 * Maps the final attempt to a result; `attempts` is how many were made, `outOfTime` whether a
 * timeout ended the tool's whole time budget (totalTimeoutMs) rather than one attempt's.
 */
export function outcomeResult(
  tool: HttpToolConfig,
  outcome: AttemptOutcome,
  attempts: number,
  outOfTime = false,
): OutcomeResult {
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  switch (outcome.kind) {
    case 'aborted':
      return fail('aborted', 'The call no longer needs this result; the request was cancelled.');
    case 'timeout':
      return fail(
        'timeout',
        outOfTime
          ? `${tool.name} did not answer within ${tool.http.totalTimeoutMs} ms in all${tries}.`
          : `${tool.name} did not answer within ${tool.http.timeoutMs} ms${tries}.`,
      );
    case 'network_error':
      return fail(
        'network_error',
        `${tool.name} could not be reached (${outcome.reason})${tries}.`,
      );
    case 'too_large':
      return fail(
        'bad_response',
        `${tool.name} answered with more than ${tool.http.maxResponseBytes} bytes.`,
        outcome.status,
      );
    case 'response':
      return responseResult(tool, outcome, tries);
  }
}

function responseResult(
  tool: HttpToolConfig,
  outcome: Extract<AttemptOutcome, { kind: 'response' }>,
  tries: string,
): OutcomeResult {
  const { status } = outcome;
  const data = parseJson(outcome.body);
  if (status < 200 || status > 299) {
    const message =
      status >= 300 && status < 400
        ? `${tool.name} answered with a redirect (${status}), which is not followed.`
        : `${tool.name} answered with HTTP ${status}${tries}.`;
    // The service's own error body (when JSON) often says what went wrong: "order not found".
    const extra = data.ok && data.value !== undefined ? { status, data: data.value } : { status };
    return {
      status: 'http_error',
      output: errorOutput('http_error', message, extra),
      httpStatus: status,
    };
  }
  if (!data.ok)
    return fail('bad_response', `${tool.name} answered with something that is not JSON.`, status);
  const selected = tool.http.select ? select(data.value ?? null, tool.http.select) : data.value;
  return { status: 'ok', output: okOutput(status, selected ?? null), httpStatus: status };
}

function fail(
  status: Exclude<ToolStatus, 'ok'>,
  message: string,
  httpStatus?: number,
): OutcomeResult {
  return {
    status,
    output: errorOutput(status, message, httpStatus === undefined ? {} : { status: httpStatus }),
    ...(httpStatus === undefined ? {} : { httpStatus }),
  };
}

/** An empty body is `undefined` (fine, e.g. 204); anything else must be JSON. */
function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  if (body.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

function select(
  data: unknown,
  pointers: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, pointer] of Object.entries(pointers)) {
    // Missing fields are null, so the model knows the service had no value rather than guessing.
    out[key] = resolveJsonPointer(data, pointer) ?? null;
  }
  return out;
}

/** Errors past this many add length, not help. */
const MAX_ARGUMENT_ERRORS = 5;

/** A sentence listing what is wrong with the arguments, in the model's terms. */
export function describeArgumentErrors(errors: readonly ErrorObject[]): string {
  const lines = errors.slice(0, MAX_ARGUMENT_ERRORS).map((error) => {
    const at = error.instancePath.slice(1).replaceAll('/', '.');
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    if (error.keyword === 'required') return `"${params.missingProperty}" is required`;
    if (error.keyword === 'additionalProperties') {
      return `"${params.additionalProperty}" is not a known argument`;
    }
    return `${at ? `"${at}"` : 'the arguments'} ${error.message ?? 'are invalid'}`;
  });
  return `The arguments do not match the tool's parameters: ${lines.join('; ')}.`;
}
