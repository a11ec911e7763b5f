import { describe, expect, it } from 'vitest';
import {
  failedStepBelow,
  holdsAdmission,
  holdsCapacity,
} from '../../bench/orchestrator/capacity.js';
import type { ScenarioRecord } from '../../bench/orchestrator/run-one.js';
import { fullScenarios, type BenchScenario } from '../../bench/orchestrator/scenarios.js';

const directions = (p99: number, lost = 0) => ({
  inbound: { latency: { p99 }, lost, duplicated: 0, reordered: 0 },
  outbound: { latency: { p99: p99 / 2 }, lost: 0, duplicated: 0, reordered: 0 },
});

/** A record with only what the capacity rule reads. */
function step(calls: number, p99: number, extra: { lost?: number; failed?: number } = {}) {
  return {
    scenario: { name: `capacity-${calls}`, group: 'capacity', calls },
    result: {
      callsStarted: calls,
      callsFailed: extra.failed ?? 0,
      ...directions(p99, extra.lost),
    },
  } as unknown as ScenarioRecord;
}

const capacity = (calls: number) =>
  ({ name: `capacity-${calls}`, group: 'capacity', calls }) as BenchScenario;

describe('the capacity search', () => {
  it('holds a step whose p99 is within 20 ms with every frame delivered', () => {
    expect(holdsCapacity(step(600, 17.9))).toBe(true);
  });

  it('does not hold a step whose p99 is over 20 ms', () => {
    expect(holdsCapacity(step(800, 20.1))).toBe(false);
  });

  it('does not hold a fast step that lost a frame', () => {
    expect(holdsCapacity(step(800, 3, { lost: 1 }))).toBe(false);
  });

  it('does not hold a fast step where a call failed', () => {
    expect(holdsCapacity(step(800, 3, { failed: 1 }))).toBe(false);
  });

  it('skips the steps above the first that did not hold', () => {
    const done = [step(600, 13), step(700, 31)];
    expect(failedStepBelow(capacity(800), done)?.scenario.calls).toBe(700);
  });

  it('runs the next step while every step below it held', () => {
    expect(failedStepBelow(capacity(700), [step(400, 2), step(600, 13)])).toBeUndefined();
  });

  it('never skips a scenario that is not a capacity step', () => {
    const load = { name: 'load-200', group: 'load', calls: 800 } as BenchScenario;
    expect(failedStepBelow(load, [step(600, 40)])).toBeUndefined();
  });

  it('lists its steps smallest first, so a failure is met before the steps above it', () => {
    const calls = fullScenarios()
      .filter((s) => s.group === 'capacity')
      .map((s) => s.calls);
    expect(calls).toEqual([...calls].sort((a, b) => a - b));
  });
});

/** 700 calls offered to a server capped at 400: `up` got a stream, `busy` heard busy. */
function admission(up: number, busy: number, p99: number) {
  return {
    scenario: {
      name: 'admission-700',
      group: 'admission',
      calls: 700,
      env: { MAX_CONCURRENT_CALLS: '400' },
    },
    result: { callsStarted: up, callsRefused: busy, callsFailed: 0, ...directions(p99) },
  } as unknown as ScenarioRecord;
}

describe('the call cap past the limit', () => {
  it('holds when exactly the cap is up, the rest heard busy, and the calls up kept their latency', () => {
    expect(holdsAdmission(admission(400, 300, 5.3))).toBe(true);
  });

  it('does not hold when more calls than the cap got a stream', () => {
    expect(holdsAdmission(admission(401, 299, 5.3))).toBe(false);
  });

  it('does not hold when the calls taken are late', () => {
    expect(holdsAdmission(admission(400, 300, 20.5))).toBe(false);
  });
});
