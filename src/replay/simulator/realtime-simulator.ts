/**
 * An offline OpenAI Realtime GA endpoint on loopback, for the demo and the QA scenario tests:
 * `ws://host:port/v1/realtime?model=…` (Bearer) and the Azure shape
 * `/openai/v1/realtime?model=<deployment>` (`api-key` or Bearer). QA tooling only: the
 * production server never imports it.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer, WebSocket } from 'ws';
import { EventLog, type LogEntry, type WaitOptions, type WireEvent } from './event-log.js';
import type { Pacing } from './response-stream.js';
import type { SessionRecord } from './session-record.js';
import { SimulatorSession } from './simulator-session.js';
import type { SimulatorScript } from './simulator-script.js';

/** Options of `startRealtimeSimulator`. */
export interface RealtimeSimulatorOptions {
  script: SimulatorScript;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Audio ms streamed per wall ms (default 4, about the real model's pace; Infinity = no waiting). */
  realtimeFactor?: number;
  /** Wall ms before a response's first audio delta (default 300, a typical real first-audio latency). */
  firstAudioLatencyMs?: number;
  /** Audio per delta in ms (default 100). */
  deltaMs?: number;
  logger?: Logger;
}

/** A running simulator. */
export interface RealtimeSimulator {
  /** `ws://host:port/v1/realtime` (add `?model=…`). */
  readonly url: string;
  /** `ws://host:port/openai/v1/realtime` (Azure GA shape; add `?model=<deployment>`). */
  readonly azureUrl: string;
  readonly port: number;
  /** Every event of every session, in order. */
  readonly log: EventLog;
  /** Sessions in the order they connected. */
  readonly sessions: readonly SimulatorSession[];
  /** Resolves with the n-th session (0-based) once it has connected. */
  waitForSession(index?: number): Promise<SimulatorSession>;
  /** Resolves with the first logged event of `type` (any session) matching `predicate`. */
  waitFor(
    type: string,
    predicate?: (event: WireEvent) => boolean,
    options?: WaitOptions,
  ): Promise<LogEntry>;
  /** What happened in each session, for QA output. */
  records(): SessionRecord[];
  /** Closes every socket and the server. */
  close(): Promise<void>;
}

/** Defaults for pacing; see the option docs for where the values come from. */
const DEFAULT_PACING: Pacing = { deltaMs: 100, realtimeFactor: 4, firstAudioLatencyMs: 300 };
/** The service's answer to the beta header since the beta shut down (see README.md). */
const BETA_ERROR = {
  code: 'beta_api_shape_disabled',
  message: 'The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.',
  param: null,
};
/** Close code the service uses after a fatal session error (observed with the beta header). */
const FATAL_CLOSE_CODE = 4000;

/** Starts the simulator; resolves once it listens. */
export async function startRealtimeSimulator(
  options: RealtimeSimulatorOptions,
): Promise<RealtimeSimulator> {
  const logger = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'realtime-simulator',
  });
  const pacing: Pacing = {
    deltaMs: options.deltaMs ?? DEFAULT_PACING.deltaMs,
    realtimeFactor: options.realtimeFactor ?? DEFAULT_PACING.realtimeFactor,
    firstAudioLatencyMs: options.firstAudioLatencyMs ?? DEFAULT_PACING.firstAudioLatencyMs,
  };
  if (!(pacing.deltaMs > 0) || !(pacing.realtimeFactor > 0) || !(pacing.firstAudioLatencyMs >= 0)) {
    throw new RangeError(
      'simulator pacing: deltaMs and realtimeFactor must be > 0, firstAudioLatencyMs >= 0',
    );
  }
  const log = new EventLog();
  const sessions: SimulatorSession[] = [];
  const emitter = new EventEmitter();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer((_req, res) => {
    res
      .writeHead(426, { 'content-type': 'application/json' })
      .end(errorBody('Upgrade to a WebSocket.', 'upgrade_required'));
  });

  server.on('upgrade', (req, socket, head) => {
    const admitted = admit(req);
    if ('status' in admitted) {
      logger.info(
        { status: admitted.status, path: req.url?.split('?')[0] },
        'refused a realtime connection',
      );
      return refuse(socket, admitted.status, admitted.body);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SimulatorSession({
        connectionId: sessions.length + 1,
        model: admitted.model,
        endpoint: admitted.endpoint,
        script: options.script,
        pacing,
        logger,
        sharedLog: log,
        transmit: (text) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(text);
        },
      });
      sessions.push(session);
      attach(ws, session, admitted.beta, logger);
      emitter.emit('session');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  logger.info({ port }, 'realtime simulator listening');

  return {
    url: `ws://${host}:${port}/v1/realtime`,
    azureUrl: `ws://${host}:${port}/openai/v1/realtime`,
    port,
    log,
    sessions,
    waitForSession: (index = 0) =>
      new Promise((resolve) => {
        const check = (): void => {
          const session = sessions[index];
          if (!session) return;
          emitter.off('session', check);
          resolve(session);
        };
        emitter.on('session', check);
        check();
      }),
    waitFor: (type, predicate, waitOptions) => log.waitFor(type, predicate, waitOptions),
    records: () => sessions.map((s) => structuredClone(s.record)),
    close: () => closeAll(server, wss),
  };
}

function attach(ws: WebSocket, session: SimulatorSession, beta: boolean, logger: Logger): void {
  ws.on('error', (err) => logger.warn({ err }, 'simulator socket error'));
  ws.on('close', () => session.close());
  if (beta) {
    // A GA-only model refuses the beta protocol: one error event, then close 4000.
    session.sendError(BETA_ERROR);
    ws.close(FATAL_CLOSE_CODE, `invalid_request_error.${BETA_ERROR.code}`);
    return;
  }
  ws.on('message', (data, isBinary) => {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (isBinary) logger.warn('binary frame from the client; the service expects text frames');
    session.receive(text);
  });
  session.open();
}

type Admission =
  { endpoint: 'openai' | 'azure'; model: string; beta: boolean } | { status: number; body: string };

/** Checks path, auth and model like the service's upgrade handler. */
function admit(req: IncomingMessage): Admission {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const endpoint =
    url.pathname === '/v1/realtime'
      ? 'openai'
      : url.pathname === '/openai/v1/realtime'
        ? 'azure'
        : undefined;
  if (!endpoint)
    return { status: 404, body: errorBody(`Invalid URL (GET ${url.pathname})`, 'not_found') };
  const bearer = /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
  const apiKey =
    endpoint === 'azure' &&
    (Boolean(req.headers['api-key']) || Boolean(url.searchParams.get('api-key')));
  if (!bearer && !apiKey) {
    const how =
      endpoint === 'azure'
        ? 'an api-key header or Bearer auth'
        : 'an Authorization header using Bearer auth';
    return {
      status: 401,
      body: errorBody(
        `You didn't provide an API key. You need to provide your API key in ${how}.`,
        null,
      ),
    };
  }
  if (endpoint === 'azure' && url.searchParams.has('api-version')) {
    // protocols.md §3.1: the Azure GA endpoint answers 401 when an api-version is sent.
    return {
      status: 401,
      body: errorBody(
        'api-version is not supported on the GA (v1) endpoint.',
        'unsupported_api_version',
      ),
    };
  }
  const model = url.searchParams.get('model');
  if (!model)
    return {
      status: 400,
      body: errorBody("Missing required parameter: 'model'.", 'missing_required_parameter'),
    };
  const beta = /realtime=v1/i.test(String(req.headers['openai-beta'] ?? ''));
  return { endpoint, model, beta };
}

function errorBody(message: string, code: string | null): string {
  return JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });
}

function refuse(socket: Duplex, status: number, body: string): void {
  const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function closeAll(server: Server, wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
