/** When a failed tool attempt is worth repeating, and after how long. */
import type { AttemptOutcome } from './http-attempt.js';

/** First backoff, doubled per retry (≈250, 500, 1000 ms): short, a caller is waiting on the line. */
const BASE_BACKOFF_MS = 250;
/** Longest Retry-After we honour; past it the caller would wait in silence, so we give up. */
export const MAX_RETRY_AFTER_MS = 2000;
/** Overloaded or gateway failures that a repeat may get past (4xx/500 will not change). */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/** Milliseconds to wait before the next attempt, or undefined to stop here. */
export function retryDelayMs(
  outcome: AttemptOutcome,
  retriesDone: number,
  maxRetries: number,
  random: () => number = Math.random,
): number | undefined {
  if (retriesDone >= maxRetries) return undefined;
  const retryable =
    outcome.kind === 'timeout' ||
    outcome.kind === 'network_error' ||
    (outcome.kind === 'response' && RETRY_STATUSES.has(outcome.status));
  if (!retryable) return undefined;
  const backoffMs = BASE_BACKOFF_MS * 2 ** retriesDone;
  // "Equal jitter": half fixed, half random, so many calls failing together do not retry together.
  const delayMs = backoffMs / 2 + (random() * backoffMs) / 2;
  if (outcome.kind !== 'response' || outcome.retryAfterMs === undefined) return delayMs;
  if (outcome.retryAfterMs > MAX_RETRY_AFTER_MS) return undefined;
  return Math.max(delayMs, outcome.retryAfterMs);
}
