/**
 * One HTTP attempt of a tool call, bounded in time (per-attempt timeout and the call's abort
 * signal) and in size (the body is read as a stream and dropped past the limit).
 */
import type { RenderedRequest } from './template.js';

/** What one attempt came to; never a thrown error. */
export type AttemptOutcome =
  | {
      kind: 'response';
      status: number;
      /** The body as text, complete and within the limit. */
      body: string;
      /** From a Retry-After header, when the server sent one we can read. */
      retryAfterMs?: number;
    }
  | { kind: 'too_large'; status: number }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'network_error'; reason: string };

/** Everything one attempt needs. */
export interface AttemptOptions {
  method: string;
  request: RenderedRequest;
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal;
  fetch: typeof fetch;
}

/** Makes one request and reads its body; classifies every failure. */
export async function attemptRequest(options: AttemptOptions): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    const response = await options.fetch(options.request.url, {
      method: options.method,
      headers: options.request.headers,
      ...(options.request.body === undefined ? {} : { body: options.request.body }),
      // A redirect could take our headers (secrets) elsewhere: report it instead of following.
      redirect: 'manual',
      signal,
    });
    const body = await readLimited(response, options.maxBytes);
    if (body === undefined) return { kind: 'too_large', status: response.status };
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    return {
      kind: 'response',
      status: response.status,
      body,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (error) {
    if (options.signal.aborted) return { kind: 'aborted' };
    if (timeout.aborted) return { kind: 'timeout' };
    return { kind: 'network_error', reason: describeNetworkError(error) };
  }
}

/** The body as UTF-8 text, or undefined when it is larger than `maxBytes`. */
async function readLimited(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return declared > maxBytes ? undefined : '';
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : 'unknown error';
}
