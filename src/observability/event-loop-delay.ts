/**
 * How late the event loop runs, sampled by node:perf_hooks on a 10 ms timer. Every frame of every
 * call waits behind whatever the loop is busy with, so this is the server's own share of the
 * audio latency (the network's share is not in it). Each read covers the time since the previous
 * read: a scrape reports the interval since the last scrape.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelayInterval {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Sampling period of the monitor, ms: 100 wake-ups a second, nothing next to the audio's. */
const RESOLUTION_MS = 10;

export class EventLoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({
    resolution: RESOLUTION_MS,
  });

  constructor() {
    this.histogram.enable();
  }

  /** The delays since the previous call (zeros when none were sampled); starts a new interval. */
  takeInterval(): LoopDelayInterval {
    const h = this.histogram;
    // The monitor records the time between its timer's runs, the resolution included: the
    // delay is what exceeds it.
    const ms = (ns: number) =>
      h.count === 0 ? 0 : Math.max(0, Math.round(ns / 1e3) - RESOLUTION_MS * 1000) / 1000;
    const interval = { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    h.reset();
    return interval;
  }

  stop(): void {
    this.histogram.disable();
  }
}
