/**
 * The demo call, start to finish, with no keys and no network: the example business API, the
 * realtime simulator speaking `demo-script.json`, the real server as a child process pointed at
 * both, and one recorded caller replayed through it like Twilio would. Everything it started is
 * stopped before it returns or throws.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealtimeSimulator } from '../replay/simulator/realtime-simulator.js';
import { loadSimulatorScript } from '../replay/simulator/simulator-script.js';
import { replayCall, type ReplayResult } from '../replay/twilio/replay-call.js';
import type { ReplayProgress } from '../replay/twilio/twilio-media-session.js';
import { writeReplayOutputs, type ReplayOutputs } from '../replay/timeline/write-replay-outputs.js';
import { DEMO_API_TOKEN, startBusinessApi } from './business-api.js';
import { checkDemoCall, type DemoCheck } from './demo-checks.js';
import { freePort, startScriptArgs, startServerProcess } from './server-process.js';

const DEMO_DIR = dirname(fileURLToPath(import.meta.url));
/** The repository root: the server runs from there, as `npm start` would. */
export const REPO_ROOT = resolve(DEMO_DIR, '../..');
/** The caller of the demo (src/demo/make-demo-audio.sh). */
export const DEMO_RECORDING = join(DEMO_DIR, 'audio/demo-caller.wav');
/** What the simulated model says (src/replay/simulator/README.md documents the format). */
export const DEMO_SCRIPT = join(DEMO_DIR, 'demo-script.json');
/** Twilio auth token shared by the server and the emulated Twilio: any value works offline. */
const DEMO_TWILIO_AUTH_TOKEN = 'demo-auth-token';
/**
 * The simulator's pace, its own defaults (src/replay/simulator/realtime-simulator.ts): first
 * audio after 300 ms, audio generated 4× faster than it plays.
 */
const FIRST_AUDIO_LATENCY_MS = 300;
const REALTIME_FACTOR = 4;
/** The server's SIGTERM drain limit, ms: the demo call is over when it stops the server. */
const DRAIN_TIMEOUT_MS = 2_000;

/** Options of `runDemoCall`. */
export interface DemoCallOptions {
  /** Where the replay's files go. */
  outDir: string;
  recording?: string;
  onProgress?: (progress: ReplayProgress) => void;
  /**
   * Run the server built, from this directory (`dist/` and `config/` beside production-only
   * `node_modules`, as the Docker image holds them), with `npm start`'s command line and
   * NODE_ENV=production. Unset: `src/main.ts` from the repository, through tsx.
   */
  appDir?: string;
}

/** What the demo call produced. */
export interface DemoCallResult {
  result: ReplayResult;
  outputs: ReplayOutputs;
  checks: DemoCheck[];
  /** Warnings and errors the server logged (pino JSON lines). */
  serverOutput: string[];
  wallMs: number;
}

/** Runs the demo call (see module doc). */
export async function runDemoCall(options: DemoCallOptions): Promise<DemoCallResult> {
  const started = performance.now();
  const stack: (() => Promise<void>)[] = [];
  try {
    const api = await startBusinessApi(0, '127.0.0.1', { token: DEMO_API_TOKEN });
    stack.push(() => api.close());
    const simulator = await startRealtimeSimulator({
      script: await loadSimulatorScript(DEMO_SCRIPT),
      firstAudioLatencyMs: FIRST_AUDIO_LATENCY_MS,
      realtimeFactor: REALTIME_FACTOR,
    });
    stack.push(() => simulator.close());
    const port = await freePort();
    const adminToken = randomBytes(16).toString('hex');
    const publicUrl = `http://127.0.0.1:${port}`;
    const server = await startServerProcess(
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        OPENAI_API_KEY: 'demo',
        OPENAI_REALTIME_URL: simulator.url,
        TWILIO_AUTH_TOKEN: DEMO_TWILIO_AUTH_TOKEN,
        TOOLS_CONFIG: 'config/tools.example.json',
        ACME_API_URL: api.url,
        ACME_API_TOKEN: DEMO_API_TOKEN,
        ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
        DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
        ...(options.appDir ? { NODE_ENV: 'production' } : {}),
      },
      options.appDir ?? REPO_ROOT,
      options.appDir ? startScriptArgs(options.appDir) : undefined,
    );
    stack.push(() => server.stop());
    const result = await replayCall({
      recording: options.recording ?? DEMO_RECORDING,
      serverUrl: server.url,
      publicUrl,
      authToken: DEMO_TWILIO_AUTH_TOKEN,
      adminToken,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const outputs = await writeReplayOutputs(result, options.outDir);
    return {
      result,
      outputs,
      checks: checkDemoCall(result),
      serverOutput: server.output(),
      wallMs: performance.now() - started,
    };
  } finally {
    for (const close of stack.reverse()) await close().catch(() => undefined);
  }
}
