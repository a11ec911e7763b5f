/** Starts the real app on 127.0.0.1:0 against a fake realtime server, with logs captured. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, type SwitchboardApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ToolRunner } from '../../src/tools/tool-runner.js';
import { Recorded } from './recorded.js';

export const AUTH_TOKEN = 'twilio-test-auth-token';
export const PUBLIC_URL = 'https://voice.example.com';
export const STREAM_URL = 'wss://voice.example.com/twilio/media';

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestServer {
  config: AppConfig;
  app: SwitchboardApp;
  httpUrl: string;
  mediaUrl: string;
  logs: LogCapture;
  close(): Promise<void>;
}

/** Options of `startTestServer`, passed on to createApp. */
export interface TestServerOptions {
  tools?: ToolRunner;
  /** The server's clock, ms (default performance.now): a replay at speed s runs it s× faster. */
  now?: () => number;
}

export async function startTestServer(
  env: Record<string, string>,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const config = loadConfig({
    PUBLIC_URL,
    OPENAI_API_KEY: 'sk-test-key',
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    CONFIG_DIR: 'config',
    TOOLS_CONFIG: 'test/fixtures/tools.test.json',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs = new LogCapture();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) logs.add(JSON.parse(line) as LogRecord);
      done();
    },
  });
  const logger = createLogger(config.log, sink);
  const app = createApp({
    config,
    logger,
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    config,
    app,
    httpUrl: `http://127.0.0.1:${port}`,
    mediaUrl: `ws://127.0.0.1:${port}/twilio/media`,
    logs,
    async close() {
      app.registry.closeAll();
      app.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The server's log records, parsed, with a way to wait for one. */
export class LogCapture extends Recorded<LogRecord> {
  get records(): LogRecord[] {
    return this.items;
  }

  /** Resolves with the first record whose message contains `text`. */
  waitForMessage(text: string): Promise<LogRecord> {
    return this.waitFor((r) => r.msg.includes(text));
  }
}
