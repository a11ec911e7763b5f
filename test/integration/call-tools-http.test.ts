/**
 * Operator-configured HTTP tools inside a live call: the real app, the fake realtime server
 * scripted to call tools, the fake Twilio caller, and a real business API on 127.0.0.1, reached
 * through `${VAR}` substitution in test/fixtures/tools.call-tools.json.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCall, type CallHarness } from '../helpers/call-harness.js';
import { Recorded } from '../helpers/recorded.js';

const API_TOKEN = 'shop-api-secret-8d1f';
const ADMIN_TOKEN = 'admin-token-for-tests';
const CALLER_NUMBER = '+15550001111';

interface SeenRequest {
  method: string;
  /** The request target as sent on the request line (still encoded). */
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A small shop API that records every request it receives, and lets a test wait for them. */
async function startShopApi() {
  const requests = new Recorded<SeenRequest>();
  const app = express();
  app.use(express.text({ type: () => true }));
  app.use((req, _res, next) => {
    requests.add({
      method: req.method,
      url: req.originalUrl,
      authorization: req.get('authorization'),
      contentType: req.get('content-type'),
      body: typeof req.body === 'string' ? req.body : '',
    });
    next();
  });
  app.get('/orders/:orderId', (req, res) => {
    const detail = typeof req.query.detail === 'string' ? req.query.detail : null;
    res.json({
      id: req.params.orderId,
      status: 'shipped',
      detail,
      internalNote: 'not for the model',
    });
  });
  app.post('/callbacks', (_req, res) => {
    res.status(201).json({ id: 'cb-7', queue: 'internal' });
  });
  app.get('/hang', () => {
    // Never answers: only the tool's timeout ends this request.
  });
  app.get('/fail', (_req, res) => {
    res.status(500).json({ error: 'database unavailable' });
  });
  app.get('/garbled', (_req, res) => {
    res.type('text/html').send('<html><body>Service Unavailable</body></html>');
  });
  app.get('/huge', (_req, res) => {
    res.json({ padding: 'x'.repeat(5000) });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'no such route' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: requests.items,
    /** Resolves with request number `index` (0-based) once it has arrived. */
    async request(index: number): Promise<SeenRequest> {
      return (await requests.waitForCount(() => true, index + 1))[index]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An address where nothing listens: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

let api: Awaited<ReturnType<typeof startShopApi>>;
let offlineUrl: string;
let call: CallHarness | undefined;

beforeAll(async () => {
  api = await startShopApi();
  offlineUrl = await deadUrl();
});
afterAll(async () => {
  await api.close();
});
afterEach(async () => {
  await call?.close();
  call = undefined;
  api.requests.length = 0;
});

async function startToolCall(): Promise<CallHarness> {
  call = await startCall({
    TOOLS_CONFIG: 'test/fixtures/tools.call-tools.json',
    CALL_TOOLS_API_URL: api.url,
    CALL_TOOLS_API_TOKEN: API_TOKEN,
    CALL_TOOLS_DEAD_URL: offlineUrl,
    ADMIN_TOKEN,
  });
  return call;
}

/** The model makes one function call in a response and finishes that response. */
function modelCalls(harness: CallHarness, name: string, args: unknown): string {
  const responseId = harness.model.startResponse();
  const { callId } = harness.model.functionCall(responseId, name, args);
  harness.model.finishResponse(responseId);
  return callId;
}

/** The `function_call_output` the server sent for `callId`, with its output parsed. */
async function outputFor(harness: CallHarness, callId: string): Promise<Record<string, unknown>> {
  const event = await harness.model.waitFor(
    'conversation.item.create',
    (e) => (e.item as { call_id?: string }).call_id === callId,
  );
  const item = event.item as { type: string; output: string };
  expect(item.type).toBe('function_call_output');
  return JSON.parse(item.output) as Record<string, unknown>;
}

const controlTypes = (harness: CallHarness) => harness.model.controlEvents().map((e) => e.type);

/** Asserts the model got exactly one output and then exactly one response.create. */
async function expectOneOutputThenOneResponse(harness: CallHarness): Promise<void> {
  await harness.model.waitFor('response.create');
  await harness.sync();
  expect(controlTypes(harness)).toEqual([
    'session.update',
    'conversation.item.create',
    'response.create',
  ]);
}

describe('an HTTP tool called during a call', () => {
  it('sends a GET with the path and query rendered from the arguments and returns the selected fields under the same call_id', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'lookup_order', { orderId: '4217', detail: 'full' });
    const output = await outputFor(harness, callId);
    expect(output).toEqual({
      ok: true,
      status: 200,
      data: { orderId: '4217', status: 'shipped', detail: 'full' },
    });
    expect(api.requests).toEqual([
      {
        method: 'GET',
        url: '/orders/4217?detail=full',
        authorization: `Bearer ${API_TOKEN}`,
        contentType: undefined,
        body: '',
      },
    ]);
    await expectOneOutputThenOneResponse(harness);
  });

  it('sends a POST whose body carries the caller number and the call SID from the call', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'schedule_callback', { reason: 'refund question' });
    const output = await outputFor(harness, callId);
    expect(output).toEqual({ ok: true, status: 201, data: { callbackId: 'cb-7' } });
    const seen = await api.request(0);
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/callbacks',
      contentType: 'application/json',
    });
    expect(JSON.parse(seen.body)).toEqual({
      phone: CALLER_NUMBER,
      reason: 'refund question',
      source: `phone call ${harness.caller.callSid}`,
    });
    await expectOneOutputThenOneResponse(harness);
  });

  it('sends the header secret from the environment and never logs it', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'lookup_order', { orderId: '1001' });
    await outputFor(harness, callId);
    expect((await api.request(0)).authorization).toBe(`Bearer ${API_TOKEN}`);
    await harness.server.logs.waitForMessage('tool call finished');
    expect(JSON.stringify(harness.server.logs.records)).not.toContain(API_TOKEN);
  });

  it('keeps path traversal and a host change in the arguments inside the one path segment', async () => {
    const harness = await startToolCall();
    const traversal = modelCalls(harness, 'lookup_order', { orderId: '../admin' });
    await outputFor(harness, traversal);
    const host = modelCalls(harness, 'lookup_order', { orderId: '@evil.host/x?detail=full' });
    await outputFor(harness, host);
    expect(api.requests.map((r) => r.url)).toEqual([
      '/orders/..%2Fadmin',
      '/orders/%40evil.host%2Fx%3Fdetail%3Dfull',
    ]);
  });
});

describe('a failing HTTP tool during a call', () => {
  it('answers a tool that does not answer in time with a timeout output, then one response.create', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'slow_lookup', {});
    const output = await outputFor(harness, callId);
    expect(output).toEqual({
      ok: false,
      error: 'timeout',
      message: 'slow_lookup did not answer within 50 ms.',
    });
    expect(api.requests.map((r) => r.url)).toEqual(['/hang']);
    await expectOneOutputThenOneResponse(harness);
    const log = await harness.server.logs.waitFor((r) => r.msg === 'tool call finished');
    expect(log).toMatchObject({ tool: 'slow_lookup', status: 'timeout', attempts: 1 });
    expect(log.durationMs).toEqual(expect.any(Number));
  });

  it('answers HTTP 500 with an http_error output carrying the service explanation', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'broken_lookup', {});
    expect(await outputFor(harness, callId)).toEqual({
      ok: false,
      error: 'http_error',
      message: 'broken_lookup answered with HTTP 500.',
      status: 500,
      data: { error: 'database unavailable' },
    });
    await expectOneOutputThenOneResponse(harness);
    const log = await harness.server.logs.waitFor((r) => r.msg === 'tool call finished');
    expect(log).toMatchObject({ tool: 'broken_lookup', status: 'http_error', httpStatus: 500 });
  });

  it('answers a body that is not JSON with a bad_response output', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'garbled_lookup', {});
    expect(await outputFor(harness, callId)).toEqual({
      ok: false,
      error: 'bad_response',
      message: 'garbled_lookup answered with something that is not JSON.',
      status: 200,
    });
    await expectOneOutputThenOneResponse(harness);
  });

  it('answers a body over the size limit with a bad_response output', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'huge_lookup', {});
    expect(await outputFor(harness, callId)).toEqual({
      ok: false,
      error: 'bad_response',
      message: 'huge_lookup answered with more than 256 bytes.',
      status: 200,
    });
    await expectOneOutputThenOneResponse(harness);
  });

  it('answers a refused connection with a network_error output', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'offline_lookup', {});
    const output = await outputFor(harness, callId);
    expect(output).toMatchObject({ ok: false, error: 'network_error' });
    expect(output.message).toMatch(/^offline_lookup could not be reached/);
    await expectOneOutputThenOneResponse(harness);
    const log = await harness.server.logs.waitFor((r) => r.msg === 'tool call finished');
    expect(log).toMatchObject({ tool: 'offline_lookup', status: 'network_error' });
  });

  it('answers an unknown tool with an unknown_tool output naming the tools that exist', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'delete_everything', {});
    const output = await outputFor(harness, callId);
    expect(output).toMatchObject({ ok: false, error: 'unknown_tool' });
    expect(output.message).toContain('There is no tool named "delete_everything"');
    expect(output.message).toContain('lookup_order');
    await expectOneOutputThenOneResponse(harness);
    expect(api.requests).toEqual([]);
    const log = await harness.server.logs.waitFor((r) => r.msg === 'tool call finished');
    expect(log).toMatchObject({ tool: 'delete_everything', status: 'unknown_tool' });
  });

  it('answers arguments that break the schema with an invalid_arguments output and no request', async () => {
    const harness = await startToolCall();
    const callId = modelCalls(harness, 'lookup_order', { orderId: 4217, detail: 'everything' });
    const output = await outputFor(harness, callId);
    expect(output).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(output.message).toContain('"orderId" must be string');
    expect(output.message).toContain('"detail" must be equal to one of the allowed values');
    await expectOneOutputThenOneResponse(harness);
    expect(api.requests).toEqual([]);
  });
});

describe('the call record of a call with tools', () => {
  it('lists every invocation with its status, duration and result size', async () => {
    const harness = await startToolCall();
    const first = modelCalls(harness, 'lookup_order', { orderId: '4217' });
    const firstOutput = await harness.model.waitFor('conversation.item.create');
    const second = modelCalls(harness, 'broken_lookup', {});
    await outputFor(harness, second);
    const res = await request(harness.server.httpUrl)
      .get(`/calls/${harness.caller.callSid}`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    const tools = (res.body as { events: Record<string, unknown>[] }).events.filter(
      (e) => e.type === 'tool_call',
    );
    const okOutput = (firstOutput.item as { output: string }).output;
    expect(tools).toEqual([
      expect.objectContaining({
        name: 'lookup_order',
        callId: first,
        arguments: '{"orderId":"4217"}',
        status: 'ok',
        httpStatus: 200,
        durationMs: expect.any(Number),
        resultBytes: Buffer.byteLength(okOutput),
      }),
      expect.objectContaining({
        name: 'broken_lookup',
        callId: second,
        status: 'http_error',
        httpStatus: 500,
        durationMs: expect.any(Number),
        resultBytes: expect.any(Number),
      }),
    ]);
  });
});
