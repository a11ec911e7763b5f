/**
 * What the server says about itself on GET /metrics that the harness cannot see from outside:
 * the barge-in reaction time inside the server (speech_started read → Twilio clear written), the
 * greeting's overhead inside the server (start read → first audio written, less the model's
 * time), and how late its event loop ran (the server's own share of every frame's latency).
 */

/** A histogram read back from Prometheus buckets: percentiles are the bucket's upper bound. */
export interface HistogramSummary {
  count: number;
  meanMs: number;
  /** Upper bound of the bucket holding the median / the 99th percentile, ms. */
  p50AtMostMs: number;
  p99AtMostMs: number;
}

const BUCKET_LINE_RE = /^(\w+)_bucket\{le="([^"]+)"\} (\d+)$/gm;

/** The value of an unlabelled sample `name value` in /metrics text; undefined when absent. */
function sample(metricsText: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText);
  return m ? Number(m[1]) : undefined;
}

/** Reads the reaction histogram from /metrics text; undefined without barge-ins. */
export function parseReaction(metricsText: string): HistogramSummary | undefined {
  return parseHistogram(metricsText, 'switchboard_barge_in_reaction_seconds');
}

/** Reads the greeting-overhead histogram from /metrics text; undefined without greetings. */
export function parseGreetingOverhead(metricsText: string): HistogramSummary | undefined {
  return parseHistogram(metricsText, 'switchboard_greeting_overhead_seconds');
}

function parseHistogram(metricsText: string, name: string): HistogramSummary | undefined {
  const buckets = [...metricsText.matchAll(BUCKET_LINE_RE)]
    .filter((m) => m[1] === name)
    .map((m) => ({ le: Number(m[2]), count: Number(m[3]) }));
  const sum = sample(metricsText, `${name}_sum`) ?? NaN;
  const count = sample(metricsText, `${name}_count`) ?? 0;
  if (count === 0) return undefined;
  const atMost = (q: number) => 1000 * (buckets.find((b) => b.count >= q * count)?.le ?? Infinity);
  return {
    count,
    meanMs: Math.round((1e6 * sum) / count) / 1000,
    p50AtMostMs: atMost(0.5),
    p99AtMostMs: atMost(0.99),
  };
}

/** The server's event loop delay since the previous scrape, ms. */
export interface LoopDelaySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Reads the event-loop delay gauges from /metrics text; undefined when they are missing. */
export function parseLoopDelay(metricsText: string): LoopDelaySummary | undefined {
  const gauge = (q: string) => {
    const seconds = sample(metricsText, `switchboard_event_loop_delay_${q}_seconds`);
    return seconds === undefined ? undefined : Math.round(seconds * 1e6) / 1e3;
  };
  const [p50Ms, p99Ms, maxMs] = [gauge('p50'), gauge('p99'), gauge('max')];
  if (p50Ms === undefined || p99Ms === undefined || maxMs === undefined) return undefined;
  return { p50Ms, p99Ms, maxMs };
}

/** The server's memory by kind, bytes (process.memoryUsage() as /metrics reports it). */
export interface MemoryBreakdown {
  rss: number;
  heapCommitted: number;
  heapUsed: number;
  external: number;
}

export function parseMemory(metricsText: string): MemoryBreakdown | undefined {
  // Byte counts: whole and non-negative, or the reading is not used.
  const gauge = (name: string) => {
    const bytes = sample(metricsText, `switchboard_${name}`);
    return bytes !== undefined && Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : NaN;
  };
  const memory = {
    rss: gauge('process_resident_memory_bytes'),
    heapCommitted: gauge('heap_committed_bytes'),
    heapUsed: gauge('heap_used_bytes'),
    external: gauge('external_memory_bytes'),
  };
  return Object.values(memory).every(Number.isFinite) ? memory : undefined;
}

/** GET /metrics of a running server (each scrape also starts a new loop-delay interval). */
export async function scrapeMetrics(serverUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${serverUrl}/metrics`);
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}
