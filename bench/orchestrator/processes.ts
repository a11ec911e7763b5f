/**
 * Starting and stopping the processes of a run: the harness (fakes, IPC), and the server under
 * test — Switchboard through its real entry point `node dist/src/main.js`, the no-op forwarder,
 * or another bridge (`--peer`) — each on 127.0.0.1 with its stdout/stderr in a log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, startScriptArgs } from '../../src/demo/server-process.js';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { FromHarness } from '../harness/protocol.js';

/** Readiness poll period and limit for a starting server, ms. */
const HEALTH_POLL_MS = 50;
const HEALTH_TIMEOUT_MS = 15_000;
/** SIGTERM drain, then SIGKILL: a server that cannot stop in this long is a finding, ms. */
const STOP_TIMEOUT_MS = 20_000;

/** The public URL Twilio "calls"; signatures are computed over it, traffic goes to 127.0.0.1. */
export const PUBLIC_URL = 'https://bench.switchboard.test';
/** A throwaway Twilio auth token shared by the server and the fake Twilio. */
export const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';

export interface ServerUnderTest {
  kind: 'switchboard' | 'noop' | 'peer';
  proc: ChildProcess;
  pid: number;
  url: string;
  logFile: string;
}

/** Starts the server under test and resolves when GET /healthz answers 200. */
export async function startServer(options: {
  kind: 'switchboard' | 'noop' | 'peer';
  /** For a peer: its entry file, run as `node <file>` with the same environment. */
  peerEntry?: string;
  modelUrl: string;
  frameMs: number;
  env?: Record<string, string>;
  logDir: string;
  name: string;
  cpuProfDir?: string;
}): Promise<ServerUnderTest> {
  if (options.kind === 'peer' && !options.peerEntry) throw new Error('a peer needs its entry file');
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    OPENAI_API_KEY: 'sk-bench-not-a-key',
    OPENAI_REALTIME_URL: options.modelUrl,
    CONFIG_DIR: 'config',
    TOOLS_CONFIG: 'config/tools.example.json',
    ACME_API_URL: 'http://127.0.0.1:9',
    ACME_API_TOKEN: 'bench',
    LOG_LEVEL: 'info',
    PLAYBACK_FRAME_MS: String(options.frameMs),
    DRAIN_TIMEOUT_MS: '2000',
    ...options.env,
  };
  const args =
    options.kind === 'switchboard'
      ? [
          ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
          ...startScriptArgs(),
        ]
      : options.kind === 'peer'
        ? [options.peerEntry!]
        : ['--import', 'tsx', 'bench/noop-forwarder.ts'];
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'w');
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${options.kind} exited at start; see ${logFile}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${options.kind} not healthy after ${HEALTH_TIMEOUT_MS} ms; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
  }
  return { kind: options.kind, proc, pid: proc.pid!, url, logFile };
}

/** SIGTERM (the server drains and exits, writing its CPU profile), SIGKILL if it hangs. */
export function stopProcess(proc: ChildProcess): Promise<'exited' | 'killed'> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve('exited');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve('killed');
    }, STOP_TIMEOUT_MS);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve('exited');
    });
    proc.kill('SIGTERM');
  });
}

/**
 * The harness is the instrument: its own pauses land in every latency it measures.
 * - 4 MB semi-spaces: with V8's default young generation its scavenges held its loop long enough
 *   to add ~2-3 ms to the p99 at 200 calls (in/out 5.97/7.22 → 3.47/4.06 ms, same server build).
 * - 256 MB initial old space: the callers keep a turn of bot audio each (real-time playback), so
 *   ~1 MB/s reaches old space; with V8's default limit that meant a full GC every ~4 s, each a
 *   stall of every call at once. Harness GC traces then show no full GC inside a 30 s window.
 */
const HARNESS_NODE_FLAGS = ['--max-semi-space-size=4', '--initial-old-space-size=256'];

/** The harness process, with a queue of the messages it sends. */
export class HarnessProcess {
  readonly proc: ChildProcess;
  private readonly queue: FromHarness[] = [];
  private waiter: ((m: FromHarness) => void) | undefined;

  constructor() {
    this.proc = spawn(
      process.execPath,
      [...HARNESS_NODE_FLAGS, '--import', 'tsx', 'bench/harness/main.ts'],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.proc.on('message', (m) => this.push(m as FromHarness));
    this.proc.on('exit', (code) =>
      this.push({ type: 'failed', error: `harness exited (${code})` }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The next message from the harness. */
  next(): Promise<FromHarness> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  send(message: unknown): void {
    this.proc.send(message as never);
  }

  private push(m: FromHarness): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(m);
    else this.queue.push(m);
  }
}
