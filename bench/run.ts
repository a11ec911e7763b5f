/**
 * `npm run bench`: performance and barge-in accuracy of the server through its real entry point,
 * against fake Twilio callers and a fake OpenAI Realtime model in a separate harness process.
 * `--quick` for a smoke check (< 1 min), `--soak` for ten minutes of call churn, `--peer=FILE` for
 * another bridge measured beside Switchboard. Writes bench/results/latest.{json,md} (see
 * bench/README.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runOne, type ScenarioRecord } from './orchestrator/run-one.js';
import {
  type BenchScenario,
  fullScenarios,
  peerScenarios,
  quickScenarios,
  soakScenarios,
} from './orchestrator/scenarios.js';
import { summarizeProfile } from './orchestrator/cpu-profile.js';
import { failedStepBelow } from './orchestrator/capacity.js';
import { renderMarkdown, renderSvg } from './orchestrator/report.js';

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/; an existing build is kept if tsc fails. */
function ensureBuild(): void {
  const entry = 'dist/src/main.js';
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtimeMs('src')) return;
  console.log('building (npm run build) …');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (r.status !== 0) {
    if (!existsSync(entry)) throw new Error('npm run build failed and there is no dist/ to use');
    console.warn('! npm run build failed; benchmarking the existing dist/ build');
  }
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const valueOf = (flag: string) =>
    process.argv.find((a) => a.startsWith(flag))?.slice(flag.length);
  const peer = valueOf('--peer=');
  const peerEntry = peer ? resolve(peer) : undefined;
  // Checked before the build and the first scenario, not when the first peer fails to start.
  if (peerEntry !== undefined && !existsSync(peerEntry)) {
    throw new Error(`--peer: no file at ${peerEntry}`);
  }
  // One decision: the mode names the run (and its result files), and brings its scenarios.
  const [mode, planned]: [string, BenchScenario[]] =
    peerEntry !== undefined
      ? ['peer', peerScenarios(peerEntry)]
      : args.has('--soak')
        ? ['soak', soakScenarios()]
        : args.has('--quick')
          ? ['quick', quickScenarios()]
          : ['full', fullScenarios()];
  const only = valueOf('--only=');
  ensureBuild();
  const logDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  let scenarios = planned;
  // Extra server environment for every scenario, e.g. --server-env=NODE_OPTIONS=--max-semi-space-size=2
  const serverEnv = process.argv
    .filter((a) => a.startsWith('--server-env='))
    .map((a) => a.slice('--server-env='.length))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const);
  if (serverEnv.some(([k]) => !k)) throw new Error('--server-env wants KEY=VALUE');
  if (serverEnv.length) {
    scenarios = scenarios.map((s) => ({
      ...s,
      env: { ...s.env, ...Object.fromEntries(serverEnv) },
    }));
  }
  if (only) {
    const parts = only.split(',');
    scenarios = scenarios.filter((s) => parts.some((part) => s.name.includes(part)));
  }
  console.log(`bench ${mode}: ${scenarios.length} scenarios; server logs in ${logDir}`);
  const started = performance.now();
  const records: ScenarioRecord[] = [];
  for (const s of scenarios) {
    const failedStep = failedStepBelow(s, records);
    if (failedStep) {
      console.log(`▷ ${s.name} skipped: ${failedStep.scenario.name} did not hold`);
      continue;
    }
    const t0 = performance.now();
    console.log(`▶ ${s.name} (${s.calls} calls, ${s.steadyMs / 1000} s measured)`);
    const record = await runOne(s, logDir);
    records.push(record);
    const r = record.result;
    console.log(
      `  ${((performance.now() - t0) / 1000).toFixed(1)} s: cpu ${record.server.cpuMsPerCallSecond} ms/call-s, ` +
        `loop wakes ${record.server.sleepsPerSecond}/s, syscalls ${record.server.syscallsPerCallSecond}/call-s, ` +
        `in p99 ${r.inbound.latency.p99} ms, out p99 ${r.outbound.latency.p99} ms, ` +
        `lost ${r.inbound.lost}/${r.outbound.lost}, failed ${r.callsFailed}` +
        (r.bargeIn.count
          ? `, barge-ins ${r.bargeIn.count} err p99 ${r.bargeIn.truncationErrorMs.p99} ms`
          : ''),
    );
    for (const w of r.harnessWarnings.slice(0, 3)) console.log(`  ! ${w}`);
    for (const f of r.failures.slice(0, 3)) console.log(`  ! ${f}`);
  }
  const profileRecord = records.find((r) => r.server.profileFile);
  const profile = profileRecord?.server.profileFile
    ? summarizeProfile(profileRecord.server.profileFile)
    : undefined;
  const report = {
    mode,
    serverEnv: Object.fromEntries(serverEnv),
    ...(peerEntry ? { peer: peerEntry } : {}),
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    durationS: Math.round((performance.now() - started) / 1000),
    scenarios: records,
    profile,
  };
  const outDir = 'bench/results';
  mkdirSync(outDir, { recursive: true });
  const suffix = mode === 'full' && !only ? 'latest' : `latest-${mode}${only ? '-' + only : ''}`;
  const markdown = renderMarkdown(report);
  writeFileSync(join(outDir, `${suffix}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, `${suffix}.md`), markdown);
  const svg = renderSvg(report);
  if (svg) writeFileSync(join(outDir, `${suffix}-latency.svg`), svg);
  console.log('\n' + markdown);
  console.log(`written: ${outDir}/${suffix}.{json,md}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
