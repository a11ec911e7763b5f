/**
 * Runs the real server as a child process, exactly as an operator would (`src/main.ts` through
 * tsx, or a built `dist/` with `npm start`'s command line; configured only by environment), and
 * waits until `/readyz` says it takes calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** How long the server may take to start: tsx compiles on first load, a few seconds at most. */
const START_TIMEOUT_MS = 30_000;
/** Pause between `/readyz` polls while the server starts, ms. */
const READY_POLL_INTERVAL_MS = 100;
/** After SIGTERM the server drains (no calls are left by then); then it is killed, ms. */
const STOP_TIMEOUT_MS = 5_000;
/** Lines of the server's output kept for an error message. */
const KEPT_OUTPUT_LINES = 40;

/** A running server process. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  /** The server's output lines (its pino JSON logs), the last few kept. */
  output(): string[];
  /** SIGTERM (the server drains and exits), then SIGKILL if it does not. */
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1 (the OS picks it; the server takes it a moment later). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The node arguments of `npm start` in `dir`'s package.json (flags and entry point): the command
 * line the server runs with in production. The Dockerfile's CMD is the same (a test checks).
 */
export function startScriptArgs(dir = '.'): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`npm start is not a plain node command: ${command}`);
  return args;
}

/**
 * Starts the server in `cwd` with `env` (PORT must be set) and resolves once it is ready. By
 * default `src/main.ts` through tsx; `nodeArgs` runs something else, such as a built `dist/`.
 */
export async function startServerProcess(
  env: Record<string, string>,
  cwd: string,
  // `node --import tsx` instead of the tsx CLI: one process, so its pid is the server's own.
  nodeArgs: string[] = ['--import', 'tsx', 'src/main.ts'],
): Promise<ServerProcess> {
  const port = Number(env['PORT']);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    lines.splice(0, Math.max(0, lines.length - KEPT_OUTPUT_LINES));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const handle: ServerProcess = {
    url,
    port,
    output: () => [...lines],
    stop: () => stopChild(child, exited),
  };
  try {
    await waitReady(url, exited, () => lines);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

async function waitReady(
  url: string,
  exited: Promise<number | null>,
  output: () => string[],
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `the server exited (code ${exitCode}) before it was ready:\n${output().join('\n')}`,
      );
    }
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_INTERVAL_MS));
  }
  throw new Error(`the server was not ready after ${START_TIMEOUT_MS} ms:\n${output().join('\n')}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
