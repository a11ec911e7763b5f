/**
 * `npm run demo`: one whole phone call through the real server with no keys and no network.
 * A simulated model, an example business API and a recorded caller who asks about an order,
 * interrupts the answer and says goodbye; then what happened and where the files are.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, runDemoCall } from '../src/demo/demo-call.js';
import { progressPrinter, progressSeconds } from '../src/replay/progress-printer.js';

// Real time only. The server (a child process on the wall clock) walks the caller's playback at
// real-time pace between mark echoes, which come at item edges and once a second; a caller played
// faster than any real Twilio plays would leave its truncation behind what was heard (at 2×, 89 ms
// behind in the demo's barge-in), failing the check the demo exists to show.

const HELP = `Usage: npm run demo [-- --out <dir>]

Runs one phone call through the real Switchboard server, offline: the server (src/main.ts) is
started against a local realtime simulator and an example business API, and a recorded caller
is replayed the way Twilio would send it. The caller asks about order 4217 (a lookup_order tool
call), interrupts the answer to ask about opening hours (a barge-in), then says goodbye (end_call).

Options:
  --out <dir>       where the WAVs, timeline and picture go (default replay-out/demo-<timestamp>)
  --app-dir <dir>   run the server built, from <dir> as the Docker image lays it out (dist/,
                    config/, production node_modules), with npm start's command line
  -h, --help        this text

Exit code 0 when the greeting was heard in full, the tool was called, the barge-in truncated the
answer where the caller stopped hearing it, and end_call hung up; 1 otherwise.
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string' },
        'app-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`demo: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const outDir = values.out ?? defaultOutDir();
  const appDir = values['app-dir'];
  const server = appDir ? `built, in ${appDir}` : 'src/main.ts';
  console.log(
    `Starting the example business API, the realtime simulator and the server (${server})…`,
  );
  const progress = progressPrinter(
    (p) =>
      `▶ call ${progressSeconds(p.nowMs)} (caller audio ${progressSeconds(p.recordingMs)})  bot heard ${progressSeconds(p.heardMs)}  marks ${p.marks}  clears ${p.clears}`,
  );
  const demo = await runDemoCall({
    outDir,
    onProgress: progress.update,
    ...(appDir ? { appDir: resolve(appDir) } : {}),
  });
  progress.done();
  console.log('\n' + demo.outputs.summary);
  console.log('Demo checks:');
  for (const check of demo.checks)
    console.log(`  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  if (demo.serverOutput.length) {
    console.log('\nServer warnings and errors:');
    for (const line of demo.serverOutput) console.log(`  ${line}`);
  }
  const files = demo.outputs.files;
  const show = (path: string): string => relative(process.cwd(), path) || path;
  console.log(`\nFiles in ${show(demo.outputs.dir)}/:`);
  console.log(`  listen:  ${show(files.stereo)} (caller left, bot right), ${show(files.heard)}`);
  console.log(`  picture: ${show(files.svg)} (open it in a browser)`);
  console.log(
    `  read:    ${show(files.summary)}, ${show(files.transcript)}, ${show(files.timeline)}`,
  );
  const failed = demo.checks.filter((c) => !c.ok);
  const took = `${(demo.wallMs / 1000).toFixed(1)} s`;
  if (failed.length) {
    console.error(`\ndemo: FAILED (${took}): ${failed.map((c) => c.name).join(', ')}`);
    return 1;
  }
  console.log(`\nDemo OK (${took}). Next: README.md "Run it on a real phone number".`);
  return 0;
}

function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  return relative(process.cwd(), `${REPO_ROOT}/replay-out/demo-${stamp}`) || '.';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
