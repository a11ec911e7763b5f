import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import {
  parseGreetingOverhead,
  parseLoopDelay,
  parseReaction,
} from '../../bench/orchestrator/server-metrics.js';

const metrics = () => new Metrics(() => ({ activeCalls: 0, prewarmedSessions: 0, maxCalls: null }));
/** The cumulative count of a histogram's bucket in /metrics text. */
const bucket = (text: string, name: string, le: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${name}_bucket{le="${le}"}`))
    ?.split(' ')[1];

describe('barge-in reaction histogram', () => {
  it('puts a reaction in every bucket whose bound it does not exceed (cumulative buckets)', () => {
    const m = metrics();
    // speech_started read 0.3 ms ago on the same clock the histogram reads.
    m.clearSent(performance.now() - 0.3);
    const text = m.render();
    const count = (le: string) => bucket(text, 'switchboard_barge_in_reaction_seconds', le);
    expect(count('0.00025')).toBe('0');
    expect(count('0.001')).toBe('1');
    expect(count('+Inf')).toBe('1');
  });

  it('renders buckets, sum and count that the benchmark reads back as percentile bounds', () => {
    const text = [
      'switchboard_barge_in_reaction_seconds_bucket{le="0.0001"} 90',
      'switchboard_barge_in_reaction_seconds_bucket{le="0.0005"} 99',
      'switchboard_barge_in_reaction_seconds_bucket{le="0.001"} 100',
      'switchboard_barge_in_reaction_seconds_bucket{le="+Inf"} 100',
      'switchboard_barge_in_reaction_seconds_sum 0.01',
      'switchboard_barge_in_reaction_seconds_count 100',
    ].join('\n');
    expect(parseReaction(text)).toEqual({
      count: 100,
      meanMs: 0.1,
      p50AtMostMs: 0.1,
      p99AtMostMs: 0.5,
    });
  });

  it('reports no reaction summary when no barge-in happened', () => {
    expect(parseReaction(metrics().render())).toBeUndefined();
  });
});

describe('greeting histograms', () => {
  it("counts the time to first audio from the start's read and the overhead without the model's time", () => {
    const m = metrics();
    const now = performance.now();
    // Start read 300 ms ago, response.create written 299 ms ago, the first delta read 0.5 ms
    // ago: the model took 298.5 ms of the 300, the bridge the other 1.5.
    m.greetingAudioSent(now - 300, now - 299, now - 0.5);
    const text = m.render();
    expect(bucket(text, 'switchboard_time_to_first_audio_seconds', '0.25')).toBe('0');
    expect(bucket(text, 'switchboard_time_to_first_audio_seconds', '0.5')).toBe('1');
    expect(bucket(text, 'switchboard_greeting_overhead_seconds', '0.001')).toBe('0');
    expect(bucket(text, 'switchboard_greeting_overhead_seconds', '0.0025')).toBe('1');
  });

  it('skips a greeting whose stream start has no read time', () => {
    const m = metrics();
    m.greetingAudioSent(undefined, performance.now() - 2, performance.now() - 1);
    expect(m.render()).toContain('switchboard_greeting_overhead_seconds_count 0');
    expect(parseGreetingOverhead(m.render())).toBeUndefined();
  });

  it('renders the overhead so that the benchmark reads its percentiles back', () => {
    const m = metrics();
    const greet = (bridgeMs: number) => {
      // Times read anew for each sample, so the few µs between them stay far from a bound.
      const t = performance.now();
      m.greetingAudioSent(t - 200, t - 200, t - bridgeMs);
    };
    for (let i = 0; i < 99; i++) greet(1.5);
    greet(50);
    expect(parseGreetingOverhead(m.render())).toMatchObject({
      count: 100,
      p50AtMostMs: 2.5,
      p99AtMostMs: 2.5,
    });
  });
});

describe('call admission', () => {
  it('counts busy answers by reason and shows the cap as a gauge', () => {
    const m = new Metrics(() => ({ activeCalls: 3, prewarmedSessions: 1, maxCalls: 4 }));
    m.callRefused('at_capacity');
    m.callRefused('at_capacity');
    m.callRefused('draining');
    const text = m.render();
    expect(text).toMatch(/^switchboard_calls_refused_total\{reason="at_capacity"\} 2$/m);
    expect(text).toMatch(/^switchboard_calls_refused_total\{reason="draining"\} 1$/m);
    expect(text).toMatch(/^switchboard_max_concurrent_calls 4$/m);
  });

  it('leaves the cap gauge out when there is no cap, where 0 would read as "no call allowed"', () => {
    expect(metrics().render()).not.toContain('switchboard_max_concurrent_calls');
  });
});

describe('event loop delay gauges', () => {
  it('reports the interval the monitor hands over, in seconds, and the benchmark reads them back in ms', () => {
    const m = new Metrics(
      () => ({ activeCalls: 0, prewarmedSessions: 0, maxCalls: null }),
      () => ({ p50Ms: 0.25, p99Ms: 1.5, maxMs: 4 }),
    );
    const text = m.render();
    expect(text).toContain('switchboard_event_loop_delay_p99_seconds 0.0015');
    expect(parseLoopDelay(text)).toEqual({ p50Ms: 0.25, p99Ms: 1.5, maxMs: 4 });
  });

  it('prints delays as whole microseconds, without binary rounding noise', () => {
    const m = new Metrics(
      () => ({ activeCalls: 0, prewarmedSessions: 0, maxCalls: null }),
      // What the monitor hands over after taking its 10 ms resolution out of 10.158 ms.
      () => ({ p50Ms: 10.158 - 10, p99Ms: 2.124, maxMs: 0.1 + 0.2 }),
    );
    const text = m.render();
    expect(text).toMatch(/^switchboard_event_loop_delay_p50_seconds 0\.000158$/m);
    expect(text).toMatch(/^switchboard_event_loop_delay_p99_seconds 0\.002124$/m);
    expect(text).toMatch(/^switchboard_event_loop_delay_max_seconds 0\.0003$/m);
  });

  it('leaves the gauges out when the loop is not monitored', () => {
    expect(metrics().render()).not.toContain('event_loop_delay');
    expect(parseLoopDelay(metrics().render())).toBeUndefined();
  });
});
