import { describe, expect, it } from 'vitest';
import { peerSection, type BenchReport } from '../../bench/orchestrator/report.js';
import type { ScenarioRecord } from '../../bench/orchestrator/run-one.js';
import { PEER_STEPS, peerScenarios } from '../../bench/orchestrator/scenarios.js';

const summary = (p99: number, count = 0) => ({ p50: p99 / 2, p99, max: p99, count });

/** A record with only what the peer table reads. */
function run(name: string, cpu: number, lostIn = 0): ScenarioRecord {
  const [kind, calls, repeat] = /^(\w+)-(\d+)(#\d+)?$/.exec(name)!.slice(1);
  const group = kind === 'peer' ? 'peer' : kind === 'noop' ? 'noop' : 'load';
  const direction = (lost: number) => ({ lost, sent: 1000, latency: summary(1) });
  return {
    scenario: {
      name,
      group,
      calls: Number(calls),
      ...(repeat ? { repeatOf: name.slice(0, name.indexOf('#')) } : {}),
    },
    server: { cpuMsPerCallSecond: cpu, rssKbPerCall: 50, idleRssKb: 80 * 1024 },
    result: {
      inbound: direction(lostIn),
      outbound: direction(0),
      bargeIn: { truncationErrorMs: summary(3, 10) },
      modelErrors: {},
      greetingOverhead: summary(5),
    },
  } as unknown as ScenarioRecord;
}

const report = (scenarios: ScenarioRecord[]) =>
  ({ peer: '/x/peer.mjs', scenarios }) as unknown as BenchReport;

/** The table row of one bridge, split into its cells. */
const rowOf = (lines: string[], bridge: string) =>
  lines
    .find((l) => l.startsWith(`| 100 | ${bridge} |`))!
    .split('|')
    .map((c) => c.trim());

describe('the bench beside another bridge (--peer)', () => {
  it('runs the peer, Switchboard and the relay in turn at each step, twice over', () => {
    const scenarios = peerScenarios('/x/peer.mjs');
    expect(scenarios.slice(0, 3).map((s) => [s.name, s.server])).toEqual([
      ['peer-100', 'peer'],
      ['load-100', 'switchboard'],
      ['noop-100', 'noop'],
    ]);
    const loads = scenarios.filter((s) => s.model.bargeInProbability < 0.5);
    expect(loads).toHaveLength(2 * 3 * PEER_STEPS.length);
    expect(
      scenarios.filter((s) => s.server === 'peer').every((s) => s.peerEntry === '/x/peer.mjs'),
    ).toBe(true);
  });

  it("ends with barge-in at 4× and 0.8× real time, the peer's run before Switchboard's", () => {
    const barge = peerScenarios('/x/peer.mjs').filter((s) => s.name.includes('bargein'));
    expect(barge.map((s) => [s.server, s.model.speed])).toEqual([
      ['peer', 4],
      ['switchboard', 4],
      ['peer', 0.8],
      ['switchboard', 0.8],
    ]);
    // Switchboard's runs stay barge-in scenarios, so the goals are judged on them as in a full run.
    expect(barge.filter((s) => s.server === 'switchboard').map((s) => s.group)).toEqual([
      'bargein',
      'bargein',
    ]);
  });

  it("divides each bridge's median CPU by Switchboard's at the same step", () => {
    const lines = peerSection(
      report([
        run('peer-100', 1.5),
        run('load-100', 1.0),
        run('noop-100', 0.9),
        run('peer-100#2', 1.7),
        run('load-100#2', 1.4),
        run('noop-100#2', 1.1),
      ]),
    );
    // Medians: peer 1.6, Switchboard 1.2, relay 1.0.
    expect(rowOf(lines, 'peer')[4]).toBe('1.33');
    expect(rowOf(lines, 'no-op relay')[4]).toBe('0.83');
  });

  it('counts the frames a bridge lost over all of its runs', () => {
    const lines = peerSection(
      report([run('peer-100', 1.5, 93), run('load-100', 1.0), run('peer-100#2', 1.5, 94)]),
    );
    expect(rowOf(lines, 'peer')[7]).toBe('187 of 2,000 / 0 of 2,000');
  });

  it('sets the truncates the model refused beside those it accepted, per model speed', () => {
    const barge = (name: string, accepted: number, refused: number) =>
      ({
        scenario: {
          name,
          group: name.startsWith('peer') ? 'peer' : 'bargein',
          calls: 100,
          model: { speed: 0.8 },
        },
        result: {
          bargeIn: {
            count: 60,
            truncationErrorMs: summary(2, accepted),
            truncationBiasMs: -1,
            speechToClearMs: summary(1),
          },
          modelErrors: refused ? { invalid_value: refused } : {},
        },
      }) as unknown as ScenarioRecord;
    const lines = peerSection(
      report([barge('peer-bargein-240ms-0.8x', 0, 58), barge('bargein-240ms-0.8x', 60, 0)]),
    );
    const cells = (bridge: string) =>
      lines
        .find((l) => l.startsWith(`| 0.8× | ${bridge} |`))!
        .split('|')
        .map((c) => c.trim());
    expect(cells('peer')[4]).toBe('0 / 58');
    expect(cells('Switchboard')[4]).toBe('60 / 0');
  });

  it('adds nothing to a run without a peer', () => {
    expect(peerSection(report([run('load-100', 1.0), run('noop-100', 0.9)]))).toEqual([]);
  });
});
