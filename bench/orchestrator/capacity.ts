/** The capacity search's rule: what a step must show to hold, and where the search stops. */
import type { ScenarioRecord } from './run-one.js';
import type { BenchScenario } from './scenarios.js';

/** One-way added latency p99 a step may reach and still hold, ms. */
export const CAPACITY_P99_MS = 20;

/** The worse direction's one-way p99, ms. */
export const oneWayP99 = (r: ScenarioRecord): number =>
  Math.max(r.result.inbound.latency.p99, r.result.outbound.latency.p99);

/** Frames lost, duplicated and reordered, both directions summed: the report prints them too. */
export function frameFaults(
  r: ScenarioRecord,
): [lost: number, duplicated: number, reordered: number] {
  const { inbound: i, outbound: o } = r.result;
  return [i.lost + o.lost, i.duplicated + o.duplicated, i.reordered + o.reordered];
}

/** No call failed, and no frame lost, duplicated or reordered either way. */
const noFaults = (r: ScenarioRecord): boolean =>
  r.result.callsFailed === 0 && frameFaults(r).every((n) => n === 0);

/** Every call up, none failed, and no frame lost, duplicated or reordered either way. */
export function clean(r: ScenarioRecord): boolean {
  return noFaults(r) && r.result.callsStarted >= r.scenario.calls;
}

export const holdsCapacity = (r: ScenarioRecord): boolean =>
  clean(r) && oneWayP99(r) <= CAPACITY_P99_MS;

/**
 * The call cap at work past the limit: exactly MAX_CONCURRENT_CALLS calls up, every other one
 * answered busy, none failed, and the calls taken holding a capacity step's latency and frames.
 */
export function holdsAdmission(r: ScenarioRecord): boolean {
  const cap = Number(r.scenario.env?.['MAX_CONCURRENT_CALLS']);
  const { callsStarted, callsRefused } = r.result;
  return (
    callsStarted === cap &&
    callsRefused === r.scenario.calls - cap &&
    noFaults(r) &&
    oneWayP99(r) <= CAPACITY_P99_MS
  );
}

/**
 * The capacity step already run that did not hold and is below `next`, if any: `next` is then
 * skipped, since it would only load the machine for a minute to fail again.
 */
export function failedStepBelow(
  next: BenchScenario,
  done: readonly ScenarioRecord[],
): ScenarioRecord | undefined {
  if (next.group !== 'capacity') return undefined;
  return done.find(
    (r) => r.scenario.group === 'capacity' && r.scenario.calls < next.calls && !holdsCapacity(r),
  );
}
