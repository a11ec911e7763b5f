import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from '../../src/tools/http-attempt.js';
import { MAX_RETRY_AFTER_MS, retryDelayMs } from '../../src/tools/retry-policy.js';

const fixed = () => 0.5;
const response = (status: number, retryAfterMs?: number) => ({
  kind: 'response' as const,
  status,
  body: '',
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('retryDelayMs', () => {
  it.each([502, 503, 504, 429])('retries HTTP %i', (status) => {
    expect(retryDelayMs(response(status), 0, 2, fixed)).toBeGreaterThan(0);
  });

  it.each([400, 404, 500])('does not retry HTTP %i', (status) => {
    expect(retryDelayMs(response(status), 0, 2, fixed)).toBeUndefined();
  });

  it('retries timeouts and network errors', () => {
    const delays = [
      retryDelayMs({ kind: 'timeout' }, 0, 1, fixed),
      retryDelayMs({ kind: 'network_error', reason: 'ECONNRESET' }, 0, 1, fixed),
    ];
    expect(delays.every((d) => d !== undefined)).toBe(true);
  });

  it('never retries an aborted call', () => {
    expect(retryDelayMs({ kind: 'aborted' }, 0, 2, fixed)).toBeUndefined();
  });

  it('stops when the retries are used up', () => {
    expect(retryDelayMs({ kind: 'timeout' }, 2, 2, fixed)).toBeUndefined();
  });

  it('doubles the backoff with each retry', () => {
    const first = retryDelayMs({ kind: 'timeout' }, 0, 3, fixed) ?? 0;
    expect(retryDelayMs({ kind: 'timeout' }, 1, 3, fixed)).toBe(first * 2);
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(retryDelayMs(response(429, 1500), 0, 2, fixed)).toBe(1500);
  });

  it('gives up when Retry-After asks for longer than the cap', () => {
    expect(retryDelayMs(response(429, MAX_RETRY_AFTER_MS + 1), 0, 2, fixed)).toBeUndefined();
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('2')).toBe(2000);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfterMs('Wed, 21 Oct 2026 07:28:03 GMT', now)).toBe(3000);
  });

  it('ignores a value it cannot read', () => {
    expect(parseRetryAfterMs('soon')).toBeUndefined();
  });
});
