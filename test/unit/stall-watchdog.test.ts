import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StallWatchdog } from '../../src/http/stall-watchdog.js';

const PERIOD_MS = 1_000;

describe('StallWatchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a stall once a whole period has passed without a frame', () => {
    const onStall = vi.fn();
    new StallWatchdog(PERIOD_MS, onStall);
    vi.advanceTimersByTime(PERIOD_MS); // the period the stream started in
    expect(onStall).not.toHaveBeenCalled();
    vi.advanceTimersByTime(PERIOD_MS);
    expect(onStall).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * PERIOD_MS);
    expect(onStall).toHaveBeenCalledTimes(1);
  });

  it('stays quiet while a frame comes in every period', () => {
    const onStall = vi.fn();
    const watchdog = new StallWatchdog(PERIOD_MS, onStall);
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(PERIOD_MS / 2);
      watchdog.seen();
    }
    expect(onStall).not.toHaveBeenCalled();
    watchdog.stop();
  });

  it('never reports after it was stopped', () => {
    const onStall = vi.fn();
    new StallWatchdog(PERIOD_MS, onStall).stop();
    vi.advanceTimersByTime(10 * PERIOD_MS);
    expect(onStall).not.toHaveBeenCalled();
  });
});
