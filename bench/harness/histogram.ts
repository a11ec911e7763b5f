/** A latency histogram with fixed 10 µs buckets: constant memory however many samples. */
import type { LatencySummary } from './protocol.js';

/** Bucket width, ms: well below the 1 ms goals being checked. */
const BUCKET_MS = 0.01;
/** Samples above this land in the last bucket (their max is still exact), ms. */
const RANGE_MS = 2_000;

export class Histogram {
  private readonly buckets = new Uint32Array(Math.ceil(RANGE_MS / BUCKET_MS) + 1);
  private count = 0;
  private sum = 0;
  private max = 0;

  add(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    const i = Math.min(this.buckets.length - 1, Math.floor(v / BUCKET_MS));
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.count += 1;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The value below which `q` of the samples lie (upper edge of its bucket), ms. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= target) return Math.min(this.max, (i + 1) * BUCKET_MS);
    }
    return this.max;
  }

  summary(): LatencySummary {
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      count: this.count,
      p50: round(this.quantile(0.5)),
      p90: round(this.quantile(0.9)),
      p99: round(this.quantile(0.99)),
      p999: round(this.quantile(0.999)),
      max: round(this.max),
      mean: round(this.count ? this.sum / this.count : 0),
    };
  }
}
