/**
 * A recording business API for tool tests: real HTTP on 127.0.0.1, port 0. Every request is
 * recorded exactly as received (raw URL on the request line, headers, body text), so tests can
 * assert what an argument could and could not change.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Recorded } from './recorded.js';

/** One request as the server saw it. */
export interface ReceivedRequest {
  method: string;
  /** The request target exactly as sent (path and query, still encoded). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running recording API. */
export interface RecordingApi {
  url: string;
  requests: ReceivedRequest[];
  /** Resolves once at least `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Bytes of the `/big` answer: well past the runner's default 16 KiB limit. */
const BIG_BODY_BYTES = 100_000;

/** Starts the API. Routes: /echo/*, /status/:code, /hang, /big, /text, /empty, /flaky, /rate-limited, /redirect. */
export async function startRecordingApi(): Promise<RecordingApi> {
  const requests = new Recorded<ReceivedRequest>();
  let flakyCalls = 0;
  let rateLimitedCalls = 0;
  const app = express();
  app.use(express.text({ type: () => true, limit: '1mb' }));
  app.use((req, _res, next) => {
    const body = typeof req.body === 'string' ? req.body : '';
    requests.add({ method: req.method, url: req.originalUrl, headers: req.headers, body });
    next();
  });
  app.all('/echo/*rest', (req, res) => {
    res.json({ method: req.method, url: req.originalUrl, body: parseOrText(req.body) });
  });
  app.all('/status/:code', (req, res) => {
    res.status(Number(req.params.code)).json({ error: 'failed', code: Number(req.params.code) });
  });
  app.all('/hang', () => {
    // Never answers: the client's timeout or abort must end the request.
  });
  app.get('/big', (_req, res) => {
    res.type('application/json');
    // Written in chunks without Content-Length, so the limit must be enforced while streaming.
    res.write('{"padding":"');
    for (let i = 0; i < BIG_BODY_BYTES / 1000; i += 1) res.write('x'.repeat(1000));
    res.end('"}');
  });
  app.get('/text', (_req, res) => {
    res.type('text/plain').send('hello, this is not JSON');
  });
  app.all('/empty', (_req, res) => {
    res.status(204).end();
  });
  app.all('/flaky', (_req, res) => {
    flakyCalls += 1;
    if (flakyCalls === 1) res.status(503).json({ error: 'busy' });
    else res.json({ answer: 42 });
  });
  app.get('/rate-limited', (_req, res) => {
    rateLimitedCalls += 1;
    if (rateLimitedCalls === 1)
      res.status(429).set('Retry-After', '0').json({ error: 'slow down' });
    else res.json({ answer: 'after waiting' });
  });
  app.get('/redirect', (_req, res) => {
    res.redirect(302, 'http://example.invalid/elsewhere');
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: requests.items,
    waitForRequests: async (count) => {
      await requests.waitForCount(() => true, count);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // /hang leaves requests open: drop them instead of waiting for them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function parseOrText(body: unknown): unknown {
  if (typeof body !== 'string' || body === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
