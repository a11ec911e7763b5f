import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from '../../bench/harness/ticker.js';
import { mainThreadSleeps } from '../../bench/orchestrator/proc-stats.js';

/** One turn of the event loop (the real setImmediate: only the intervals are faked). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

describe('the harness ticker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks its participants once per 1 ms interval by default', async () => {
    const ticker = new Ticker(() => 0);
    const asked = vi.fn();
    ticker.add(asked);
    await turns(5);
    expect(asked).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(asked).toHaveBeenCalledTimes(1);
    ticker.delete(asked);
  });

  it('asks its participants on every turn of the event loop with spread arrivals', async () => {
    const ticker = new Ticker(() => 0);
    ticker.arrivals = 'spread';
    const asked = vi.fn();
    ticker.add(asked);
    await turns(5);
    expect(asked.mock.calls.length).toBeGreaterThanOrEqual(4);
    ticker.delete(asked);
  });

  it('stops spinning when its last participant leaves', async () => {
    const ticker = new Ticker(() => 0);
    ticker.arrivals = 'spread';
    const first = vi.fn();
    ticker.add(first);
    await turns(2);
    ticker.delete(first);
    // Back to the interval: a spin left running would still ask the next participant every turn.
    ticker.arrivals = 'ticks';
    const next = vi.fn();
    ticker.add(next);
    await turns(5);
    expect(next).not.toHaveBeenCalled();
    ticker.delete(next);
  });
});

describe('the server process statistics', () => {
  it('count the times a thread went to sleep', async () => {
    const before = mainThreadSleeps(process.pid);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(mainThreadSleeps(process.pid)).toBeGreaterThan(before);
  });
});
