/** The report of a run: a markdown summary against the goals, and an SVG of latency vs calls. */
import {
  CAPACITY_P99_MS,
  frameFaults,
  holdsAdmission,
  holdsCapacity,
  oneWayP99,
} from './capacity.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { ScenarioRecord } from './run-one.js';
import { DEFAULT_FRAME_MS } from './scenarios.js';
import { startScriptArgs } from '../../src/demo/server-process.js';

export interface BenchReport {
  mode: string;
  /** Environment given to the server of every scenario with --server-env. */
  serverEnv?: Record<string, string>;
  /** The entry file of the other bridge measured with --peer. */
  peer?: string;
  date: string;
  node: string;
  cpus: number;
  durationS: number;
  scenarios: ScenarioRecord[];
  profile: ProfileSummary | undefined;
}

const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const pct = (cpuMs: number, windowMs: number) => `${Math.round((100 * cpuMs) / windowMs)}%`;
const frames = (r: ScenarioRecord) => frameFaults(r).join('/');
const p99InOut = (r: ScenarioRecord) =>
  `in / out p99 ${f(r.result.inbound.latency.p99)} / ${f(r.result.outbound.latency.p99)} ms`;

/** The record of the scenario called `name` (a first run, not a repeat). */
const named = (report: BenchReport, name: string): ScenarioRecord | undefined =>
  report.scenarios.find((s) => s.scenario.name === name);

/** A scenario's record and those of its repeats. */
function runsOf(report: BenchReport, first: ScenarioRecord | undefined): ScenarioRecord[] {
  if (!first) return [];
  const name = first.scenario.name;
  return report.scenarios.filter((r) => r.scenario.name === name || r.scenario.repeatOf === name);
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The median of a measure over runs, written with every run's value when there are several. */
function spread(
  runs: ScenarioRecord[],
  measure: (r: ScenarioRecord) => number,
  digits = 2,
): { median: number; text: string } {
  const values = runs.map(measure);
  const m = median(values);
  const text =
    values.length > 1
      ? `${f(m, digits)} (${values.map((v) => f(v, digits)).join(', ')})`
      : f(m, digits);
  return { median: m, text };
}

/** The server in its default configuration at each call count (no extra env, random phases). */
function capacitySteps(report: BenchReport): ScenarioRecord[] {
  return report.scenarios
    .filter(
      ({ scenario: s }) =>
        (s.group === 'capacity' || s.group === 'load') &&
        s.server === 'switchboard' &&
        s.env === undefined &&
        s.phases !== 'aligned' &&
        s.arrivals === undefined &&
        s.repeatOf === undefined,
    )
    .sort((a, b) => a.scenario.calls - b.scenario.calls);
}

function goals(report: BenchReport): string[] {
  const load = runsOf(
    report,
    report.scenarios.find((s) => s.scenario.group === 'load'),
  );
  const noop = runsOf(
    report,
    report.scenarios.find((s) => s.scenario.group === 'noop'),
  );
  const barge = report.scenarios.filter(
    (s) => s.scenario.group === 'bargein' && s.scenario.frameMs === DEFAULT_FRAME_MS,
  );
  const steps = capacitySteps(report);
  const rows = ['| Goal | Target | Result | |', '|---|---|---|---|'];
  const row = (goal: string, target: string, result: string, ok: boolean | undefined) =>
    rows.push(
      `| ${goal} | ${target} | ${result} | ${ok === undefined ? '' : ok ? 'ok' : '**missed**'} |`,
    );
  if (load.length) {
    const calls = load[0]!.scenario.calls;
    const runs = load.length > 1 ? `median of ${load.length} runs` : 'one run';
    const cpu = spread(load, (r) => r.server.cpuMsPerCallSecond, 3);
    const noopCpu = noop.length
      ? `; no-op relay ${spread(noop, (r) => r.server.cpuMsPerCallSecond, 3).text}`
      : '';
    row(
      `Server CPU per call-second (${calls} calls, all features, info logs; ${runs})`,
      '≤ 1.0 ms',
      `${cpu.text} ms → ~${Math.floor(1000 / cpu.median)} calls per core${noopCpu}`,
      cpu.median <= 1,
    );
    const rss = spread(load, (r) => r.server.rssKbPerCall, 0);
    row(
      `RSS per active call above idle (${calls} calls; ${runs})`,
      '≤ 100 KB',
      `${rss.text} KB`,
      rss.median <= 100,
    );
    const inP99 = spread(load, (r) => r.result.inbound.latency.p99);
    const outP99 = spread(load, (r) => r.result.outbound.latency.p99);
    const noopLatency = noop.length
      ? ` (no-op forwarder: ${spread(noop, (r) => r.result.inbound.latency.p99).text} / ${spread(noop, (r) => r.result.outbound.latency.p99).text} ms)`
      : '';
    row(
      `One-way added latency p99 (${calls} calls; ${runs}) in / out`,
      '≤ 2 ms',
      `${inP99.text} / ${outP99.text} ms${noopLatency}`,
      Math.max(inP99.median, outP99.median) <= 2,
    );
    const inServer = spread(load, (r) => r.server.greetingOverhead?.p99AtMostMs ?? NaN);
    const greeting = spread(load, (r) => r.result.greetingOverhead.p99);
    const noopGreeting = noop.length
      ? `; the no-op relay, pre-warmed the same way: ${spread(noop, (r) => r.result.greetingOverhead.p99).text} ms`
      : '';
    const rampDelay = spread(load, (r) => r.server.rampLoopDelay?.p99Ms ?? NaN);
    row(
      `Greeting: stream start → first audio, minus the model's own time, p99 in the server (/metrics histogram; ${runs})`,
      '≤ 5 ms',
      `≤ ${inServer.text} ms; end to end with two loopback hops and the harness: ${greeting.text} ms (p50 ${f(median(load.map((r) => r.result.greetingOverhead.p50)))})${noopGreeting}; the server's loop delay p99 during the ramp: ${rampDelay.text} ms`,
      inServer.median <= 5,
    );
  }
  const all = report.scenarios.filter((s) => s.scenario.server === 'switchboard');
  const lostAll = all.reduce((n, r) => n + r.result.inbound.lost + r.result.outbound.lost, 0);
  const badAll = all.reduce(
    (n, r) =>
      n +
      r.result.inbound.duplicated +
      r.result.outbound.duplicated +
      r.result.inbound.reordered +
      r.result.outbound.reordered,
    0,
  );
  const framesAll = all.reduce((n, r) => n + r.result.inbound.sent + r.result.outbound.sent, 0);
  row(
    'Frames lost / duplicated+reordered (every scenario, first frames included)',
    '0',
    `${lostAll} / ${badAll} of ${framesAll.toLocaleString('en')}`,
    lostAll === 0 && badAll === 0,
  );
  for (const b of barge) {
    const e = b.result.bargeIn.truncationErrorMs;
    row(
      `Truncation error p99, ${b.scenario.model.speed}× real time (${e.count} barge-ins)`,
      '≤ 5 ms (issue 3: ≤ 20)',
      `${f(e.p99)} ms (p50 ${f(e.p50)}, max ${f(e.max)})`,
      e.p99 <= 5,
    );
    const r = b.server.reaction;
    const c = b.result.bargeIn.speechToClearMs;
    row(
      `speech_started → clear p99 in the server, ${b.scenario.model.speed}× (/metrics histogram)`,
      '≤ 1 ms',
      r
        ? `≤ ${f(r.p99AtMostMs, 3)} ms (p50 ≤ ${f(r.p50AtMostMs, 3)}, mean ${f(r.meanMs, 3)}, ${r.count} clears); end to end with two loopback hops and the harness: p99 ${f(c.p99)} ms (p50 ${f(c.p50)})`
        : `not in /metrics; end to end with two loopback hops and the harness: p99 ${f(c.p99)} ms`,
      r ? r.p99AtMostMs <= 1 : undefined,
    );
  }
  if (steps.length) {
    const held = steps.filter(holdsCapacity);
    const most = held.at(-1);
    const over = steps.find(
      (s) => !holdsCapacity(s) && s.scenario.calls > (most?.scenario.calls ?? 0),
    );
    const core = (r: ScenarioRecord) => pct(r.server.serverCpuMs, r.server.windowMs);
    const harness = (r: ScenarioRecord) => pct(r.server.harnessCpuMs, r.server.windowMs);
    const heldText = most
      ? `${most.scenario.calls} calls (p99 ${f(oneWayP99(most))} ms; server ${core(most)}, harness ${harness(most)} of a core)`
      : 'none';
    const overText = over
      ? `; ${over.scenario.calls} did not hold: ${p99InOut(over)}, ${frames(over)} lost/dup/reord, ${over.result.callsFailed} calls failed, server ${core(over)} and harness ${harness(over)} of a core, the server's own loop delay p99 ${over.server.loopDelay ? f(over.server.loopDelay.p99Ms) : '—'} ms`
      : '; no step failed: the limit is above the last step';
    row(
      `Capacity: most concurrent calls with p99 ≤ ${CAPACITY_P99_MS} ms and no loss (harness on the same cores)`,
      'steps ' + steps.map((s) => s.scenario.calls).join('/'),
      heldText + overText,
      undefined,
    );
  }
  const admission = report.scenarios.find((s) => s.scenario.group === 'admission');
  if (admission) {
    const a = admission.result;
    const cap = admission.scenario.env?.['MAX_CONCURRENT_CALLS'];
    row(
      `Past the limit with MAX_CONCURRENT_CALLS=${cap}: the calls taken keep their latency`,
      `${cap} up, the rest busy; p99 ≤ ${CAPACITY_P99_MS} ms, no loss`,
      `${a.calls} offered: ${a.callsStarted} up, ${a.callsRefused} answered busy, ${a.callsFailed} failed; ${p99InOut(admission)}; ${frames(admission)} lost/dup/reord`,
      holdsAdmission(admission),
    );
  }
  return rows;
}

function memoryCell(m: ScenarioRecord['server']['memoryPerCallKb']): string {
  return m ? `${m.rss} / ${m.heapCommitted} / ${m.heapUsed} / ${m.external}` : '—';
}

function loadTable(report: BenchReport): string[] {
  const rows = [
    '| Scenario | Calls | Server CPU | CPU ms / call-s | Kernel share | Syscalls / call-s (loop wakes / s) | RSS/call KB | In p50 / p99 / max ms | Out p50 / p99 / max ms | Server loop delay p99 / max ms | Server waited for a CPU, ms/s | Per call at the end, KB: RSS / heap committed / heap used / external | Lost/dup/reord | Greeting +ms p50 / p99 (in the server: p99 ≤) | Harness CPU | Other CPU |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.scenarios.filter((s) => s.scenario.group !== 'bargein')) {
    const { inbound: i, outbound: o } = r.result;
    rows.push(
      `| ${r.scenario.name} | ${r.result.callsStarted}/${r.scenario.calls}${r.result.callsRefused ? ` (${r.result.callsRefused} busy)` : ''} | ${pct(r.server.serverCpuMs, r.server.windowMs)} | ${f(r.server.cpuMsPerCallSecond, 3)} | ${pct(r.server.kernelShare, 1)} | ${r.server.syscallsPerCallSecond}${r.server.sleepsPerSecond === undefined ? '' : ` (${r.server.sleepsPerSecond})`} | ${r.server.rssKbPerCall} | ${f(i.latency.p50)} / ${f(i.latency.p99)} / ${f(i.latency.max)} | ${f(o.latency.p50)} / ${f(o.latency.p99)} / ${f(o.latency.max)} | ${r.server.loopDelay ? `${f(r.server.loopDelay.p99Ms)} / ${f(r.server.loopDelay.maxMs)}` : '—'} | ${f(r.server.runQueueWaitMsPerS, 1)} | ${memoryCell(r.server.memoryPerCallKb)} | ${frames(r)} | ${f(r.result.greetingOverhead.p50)} / ${f(r.result.greetingOverhead.p99)}${r.server.greetingOverhead ? ` (${f(r.server.greetingOverhead.p99AtMostMs)})` : ''} | ${pct(r.server.harnessCpuMs, r.server.windowMs)} | ${pct(r.server.otherCpuMs, r.server.windowMs)} |`,
    );
  }
  return rows;
}

function bargeTable(report: BenchReport): string[] {
  const rows = [
    '| Frame ms | Speed | Msgs/s of bot audio | Barge-ins (skipped) | Trunc. error p50 / p99 / max ms | Bias ms | speech→clear p50 / p99 ms, end to end | in the server: p99 ≤ ms | Out p99 ms | Lost/dup/reord | Other CPU |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.scenarios.filter((s) => s.scenario.group === 'bargein')) {
    const b = r.result.bargeIn;
    const m = r.result.messages;
    const rate = (m.media + m.mark + m.clear) / Math.max(1e-9, m.botAudioMs / 1000);
    rows.push(
      `| ${r.scenario.frameMs} | ${r.scenario.model.speed}× | ${f(rate, 1)} | ${b.count} (${b.skipped}) | ${f(b.truncationErrorMs.p50)} / ${f(b.truncationErrorMs.p99)} / ${f(b.truncationErrorMs.max)} | ${f(b.truncationBiasMs)} | ${f(b.speechToClearMs.p50)} / ${f(b.speechToClearMs.p99)} | ${f(r.server.reaction?.p99AtMostMs ?? NaN, 3)} | ${f(r.result.outbound.latency.p99)} | ${frames(r)} | ${pct(r.server.otherCpuMs, r.server.windowMs)} |`,
    );
  }
  return rows;
}

/** `--peer`: the other bridge, Switchboard and the relay at each step, medians of their runs. */
export function peerSection(report: BenchReport): string[] {
  const peerRuns = report.scenarios.filter((s) => s.scenario.group === 'peer');
  const steps = peerRuns.filter((s) => s.scenario.name === `peer-${s.scenario.calls}`);
  if (!peerRuns.length) return [];
  const rows = ['', `## Beside another bridge: \`${report.peer ?? 'peer'}\``];
  if (steps.length) {
    rows.push(
      '',
      'Medians of the runs at each step (the runs in brackets), measured in turn within the same minutes.',
      '',
      "| Calls | Bridge | CPU ms / call-s | ÷ Switchboard's | RSS/call KB | Idle RSS MB | Frames lost of sent, in / out | In / out p99 ms | Truncation error p99 ms (truncates accepted) | Errors from the model | Greeting +ms p99 |",
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
  }
  const byName = (name: string) => runsOf(report, named(report, name));
  for (const step of steps) {
    const n = step.scenario.calls;
    const ours = byName(`load-${n}`);
    const ourCpu = median(ours.map((r) => r.server.cpuMsPerCallSecond));
    const bridges: [string, ScenarioRecord[]][] = [
      ['Switchboard', ours],
      ['peer', runsOf(report, step)],
      ['no-op relay', byName(`noop-${n}`)],
    ];
    for (const [label, runs] of bridges) {
      if (!runs.length) continue;
      const cpu = spread(runs, (r) => r.server.cpuMsPerCallSecond, 3);
      const sum = (pick: (r: ScenarioRecord) => number) => runs.reduce((t, r) => t + pick(r), 0);
      const mid = (pick: (r: ScenarioRecord) => number, digits?: number) =>
        f(median(runs.map(pick)), digits);
      const lost = `${sum((r) => r.result.inbound.lost)} of ${sum((r) => r.result.inbound.sent).toLocaleString('en')} / ${sum((r) => r.result.outbound.lost)} of ${sum((r) => r.result.outbound.sent).toLocaleString('en')}`;
      const accepted = sum((r) => r.result.bargeIn.truncationErrorMs.count);
      const errors = sum((r) => Object.values(r.result.modelErrors).reduce((t, e) => t + e, 0));
      rows.push(
        `| ${n} | ${label} | ${cpu.text} | ${f(cpu.median / ourCpu)} | ${spread(runs, (r) => r.server.rssKbPerCall, 0).text} | ${mid((r) => r.server.idleRssKb / 1024, 1)} | ${lost} | ${mid((r) => r.result.inbound.latency.p99)} / ${mid((r) => r.result.outbound.latency.p99)} | ${label === 'no-op relay' ? '—' : `${mid((r) => r.result.bargeIn.truncationErrorMs.p99)} (${accepted})`} | ${errors} | ${mid((r) => r.result.greetingOverhead.p99)} |`,
      );
    }
  }
  return [...rows, ...peerBargeRows(report, peerRuns)];
}

/** Barge-in accuracy of the peer beside Switchboard's run of the same scenario. */
function peerBargeRows(report: BenchReport, peerRuns: ScenarioRecord[]): string[] {
  const barges = peerRuns.filter((s) => s.scenario.name.startsWith('peer-bargein'));
  if (!barges.length) return [];
  const rows = [
    '',
    `Barge-in, ${barges[0]!.scenario.calls} calls, nearly every bot turn interrupted:`,
    '',
    '| Model speed | Bridge | Barge-ins | Truncates accepted / refused as past the audio sent | Truncation error p99 / max ms (accepted) | Bias ms | speech→clear p99 ms, end to end |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const peer of barges) {
    const ours = named(report, peer.scenario.name.slice('peer-'.length));
    const bridges: [string, ScenarioRecord | undefined][] = [
      ['Switchboard', ours],
      ['peer', peer],
    ];
    for (const [label, r] of bridges) {
      if (!r) continue;
      const b = r.result.bargeIn;
      rows.push(
        `| ${r.scenario.model.speed}× | ${label} | ${b.count} | ${b.truncationErrorMs.count} / ${r.result.modelErrors['invalid_value'] ?? 0} | ${f(b.truncationErrorMs.p99)} / ${f(b.truncationErrorMs.max)} | ${f(b.truncationBiasMs)} | ${f(b.speechToClearMs.p99)} |`,
      );
    }
  }
  return rows;
}

function profileSection(p: ProfileSummary | undefined): string[] {
  if (!p) return [];
  const out = [
    '',
    `## Where the server's CPU goes (--cpu-prof, ${p.busyMs} ms busy, ${p.idleMs} ms idle)`,
    '',
    '| Area | Self ms | % of busy |',
    '|---|---|---|',
    ...p.byArea.map((r) => `| ${r.name} | ${r.selfMs} | ${r.percent} |`),
    '',
    '| Function (self time) | Self ms | % of busy |',
    '|---|---|---|',
    ...p.topFunctions.map((r) => `| \`${r.name}\` | ${r.selfMs} | ${r.percent} |`),
  ];
  return out;
}

function soakSection(report: BenchReport): string[] {
  const soak = report.scenarios.find((s) => s.scenario.group === 'soak');
  if (!soak) return [];
  const samples = soak.server.rssSamples;
  const half = samples.slice(Math.floor(samples.length / 2));
  const first = half[0];
  const last = half.at(-1);
  const slope =
    first && last && last.atMs > first.atMs
      ? ((last.rssKb - first.rssKb) / (last.atMs - first.atMs)) * 60_000
      : NaN;
  return [
    '',
    `## Soak (${soak.scenario.calls} concurrent calls of ${(soak.scenario.callLengthMs ?? 0) / 1000} s, redialled, ${soak.scenario.steadyMs / 60_000} min)`,
    '',
    `RSS every 10 s (MB): ${samples.map((s) => f(s.rssKb / 1024, 1)).join(' ')}`,
    '',
    `Second-half slope: ${f(slope, 0)} KB/min; after the calls: ${f(soak.server.afterRssKb / 1024, 1)} MB (idle was ${f(soak.server.idleRssKb / 1024, 1)} MB).`,
  ];
}

/** The whole report as markdown. */
export function renderMarkdown(report: BenchReport): string {
  return [
    `# Switchboard benchmark (${report.mode})`,
    '',
    `${report.date}, Node ${report.node}, ${report.cpus} CPUs shared by the server under test and the harness, ${report.durationS} s. Server: \`node ${startScriptArgs().join(' ')}\` (as \`npm start\`), LOG_LEVEL=info, signatures on, marks and playback tracking on${
      Object.keys(report.serverEnv ?? {}).length
        ? `, plus ${Object.entries(report.serverEnv ?? {})
            .map(([k, v]) => `\`${k}=${v}\``)
            .join(' ')}`
        : ''
    }. See bench/README.md for what each number means.`,
    '',
    '## Goals',
    '',
    ...goals(report),
    '',
    '## Load, capacity and the no-op baseline',
    '',
    ...loadTable(report),
    '',
    '## Barge-in accuracy and frame/mark spacing (PLAYBACK_FRAME_MS)',
    '',
    ...bargeTable(report),
    ...peerSection(report),
    ...profileSection(report.profile),
    ...soakSection(report),
    '',
  ].join('\n');
}

/** Latency p50/p99 (worse direction) against concurrent calls, or undefined with < 2 steps. */
export function renderSvg(report: BenchReport): string | undefined {
  const steps = capacitySteps(report);
  if (steps.length < 2) return undefined;
  const W = 640,
    H = 360,
    L = 60,
    B = 40,
    T = 30,
    R = 20;
  const maxCalls = Math.max(...steps.map((s) => s.scenario.calls));
  // The axis stops a little above the capacity line: a failed step's p99 of 50-100 ms would
  // otherwise flatten the 1-2 ms of every step that held. Points above it sit on the top edge,
  // labelled with their value.
  const maxMs = Math.min(
    Math.max(2, ...steps.map((s) => oneWayP99(s))) * 1.15,
    CAPACITY_P99_MS * 1.25,
  );
  const x = (c: number) => L + ((W - L - R) * c) / maxCalls;
  const y = (ms: number) => H - B - ((H - B - T) * Math.min(ms, maxMs)) / maxMs;
  const line = (pick: (s: ScenarioRecord) => number, color: string, label: string, dy: number) => {
    const pts = steps.map((s) => `${f(x(s.scenario.calls), 1)},${f(y(pick(s)), 1)}`).join(' ');
    return (
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>` +
      steps
        .map(
          (s) =>
            `<circle cx="${f(x(s.scenario.calls), 1)}" cy="${f(y(pick(s)), 1)}" r="3" fill="${color}"/>` +
            (pick(s) > maxMs
              ? `<text x="${f(x(s.scenario.calls) - 4, 1)}" y="${T - 4}" fill="${color}" font-size="11" text-anchor="end">${f(pick(s), 0)} ms</text>`
              : ''),
        )
        .join('') +
      `<text x="${L + 10}" y="${T + dy}" fill="${color}" font-size="12">${label}</text>`
    );
  };
  const ticks = steps
    .map(
      (s) =>
        `<text x="${f(x(s.scenario.calls), 1)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${s.scenario.calls}</text>`,
    )
    .join('');
  const yTicks = [0, maxMs / 2, maxMs]
    .map(
      (v) =>
        `<text x="${L - 6}" y="${f(y(v) + 4, 1)}" font-size="11" text-anchor="end">${f(v, 1)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="18" font-size="14" text-anchor="middle">One-way added latency vs concurrent calls (worse direction)</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
${ticks}${yTicks}
<text x="${W / 2}" y="${H - 6}" font-size="12" text-anchor="middle">concurrent calls</text>
<text x="14" y="${H / 2}" font-size="12" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">ms</text>
${line((s) => Math.max(s.result.inbound.latency.p50, s.result.outbound.latency.p50), '#2b6cb0', 'p50', 0)}
${maxMs > CAPACITY_P99_MS ? `<line x1="${L}" y1="${f(y(CAPACITY_P99_MS), 1)}" x2="${W - R}" y2="${f(y(CAPACITY_P99_MS), 1)}" stroke="#718096" stroke-dasharray="4 4"/><text x="${L + 60}" y="${f(y(CAPACITY_P99_MS) - 4, 1)}" font-size="11" fill="#718096">capacity limit: p99 ${CAPACITY_P99_MS} ms</text>` : ''}
${line(oneWayP99, '#c53030', 'p99', 16)}
</svg>
`;
}
