import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseToolsConfig } from '../../src/config/tools-config.js';
import { createHttpToolRunner } from '../../src/tools/http-tool-runner.js';
import type { ToolResult, ToolRunner } from '../../src/tools/tool-runner.js';
import { startRecordingApi, type RecordingApi } from '../helpers/business-api-server.js';

const SECRET = 'sekret-token-123';
const CALL = { sid: 'CA0123', from: '+15551234567', to: '+15557654321' };

let api: RecordingApi;
let logLines: Record<string, unknown>[];

beforeAll(async () => {
  api = await startRecordingApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  logLines = [];
});

const stringArg = { type: 'object', properties: { value: { type: 'string' } } };

function runnerFor(tools: unknown[]): ToolRunner {
  const { config, problems } = parseToolsConfig({ tools }, 'tools.json', {
    API: api.url,
    TOKEN: SECRET,
  });
  if (!config) throw new Error(JSON.stringify(problems));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return createHttpToolRunner(config, pino({ level: 'debug' }, sink));
}

function tool(http: Record<string, unknown>, parameters: object = stringArg, name = 't') {
  return { name, description: 'A test tool.', parameters, http };
}

function run(
  runner: ToolRunner,
  args: unknown,
  options: { name?: string; signal?: AbortSignal } = {},
): Promise<ToolResult> {
  return runner.run({
    name: options.name ?? 't',
    arguments: typeof args === 'string' ? args : JSON.stringify(args),
    call: CALL,
    signal: options.signal ?? new AbortController().signal,
  });
}

function output(result: ToolResult): Record<string, unknown> {
  return JSON.parse(result.output) as Record<string, unknown>;
}

describe('HTTP tool runner: requests', () => {
  it('fills a path template and returns the JSON answer', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/echo/orders/{{args.value}}' })]);
    const result = await run(runner, { value: '4217' });
    expect(api.requests[0]?.url).toBe('/echo/orders/4217');
    expect(result.status).toBe('ok');
    expect(output(result)).toMatchObject({ ok: true, status: 200, data: { method: 'GET' } });
  });

  it('fills query values and leaves out a parameter whose optional argument is absent', async () => {
    const parameters = {
      type: 'object',
      properties: { day: { type: 'string' }, lang: { type: 'string' } },
    };
    const http = {
      method: 'GET',
      url: '${API}/echo/hours?v=1',
      query: { day: '{{args.day}}', lang: '{{args.lang}}' },
    };
    await run(runnerFor([tool(http, parameters)]), { day: 'next friday' });
    expect(api.requests[0]?.url).toBe('/echo/hours?v=1&day=next%20friday');
  });

  it('keeps argument types in a JSON body template and interpolates longer strings', async () => {
    const parameters = {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        item: { type: 'object' },
        urgent: { type: 'boolean' },
      },
    };
    const body = {
      count: '{{args.count}}',
      item: '{{args.item}}',
      note: 'for {{call.from}} x{{args.count}}',
      flags: ['{{args.urgent}}'],
    };
    const runner = runnerFor([
      tool({ method: 'POST', url: '${API}/echo/callbacks', body }, parameters),
    ]);
    await run(runner, { count: 3, item: { sku: 'A', qty: 2 }, urgent: true });
    const received = api.requests[0];
    expect(received?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received?.body ?? '')).toEqual({
      count: 3,
      item: { sku: 'A', qty: 2 },
      note: 'for +15551234567 x3',
      flags: [true],
    });
  });

  it('sends a header secret taken from the environment', async () => {
    const http = {
      method: 'GET',
      url: '${API}/echo/x',
      headers: { Authorization: 'Bearer ${TOKEN}' },
    };
    await run(runnerFor([tool(http)]), {});
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('never writes the header secret or the arguments to the info log', async () => {
    const http = {
      method: 'GET',
      url: '${API}/echo/x',
      headers: { Authorization: 'Bearer ${TOKEN}' },
    };
    await run(runnerFor([tool(http)]), { value: 'caller-secret-data' });
    const info = logLines.filter((line) => line['level'] === 30);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ tool: 't', status: 'ok', httpStatus: 200, attempts: 1 });
    expect(JSON.stringify(logLines)).not.toContain(SECRET);
    expect(JSON.stringify(info)).not.toContain('caller-secret-data');
  });

  it('offers the tools, their filler lines and nothing else', () => {
    const runner = runnerFor([
      { ...tool({ method: 'GET', url: '${API}/echo/x' }), fillerMessage: 'One moment.' },
    ]);
    expect(runner.definitions()).toEqual([
      { name: 't', description: 'A test tool.', parameters: stringArg },
    ]);
    expect([runner.has('t'), runner.has('end_call')]).toEqual([true, false]);
    expect(runner.fillerFor('t')).toBe('One moment.');
  });
});

describe('HTTP tool runner: arguments cannot change the request', () => {
  const pathTool = () =>
    runnerFor([tool({ method: 'GET', url: '${API}/echo/orders/{{args.value}}' })]);

  it.each(['../admin', '@evil.host', '%2F', 'a/b', '?x=1', '#frag', 'a b+c'])(
    'keeps "%s" inside one path segment',
    async (value) => {
      const result = await run(pathTool(), { value });
      const received = api.requests[0]?.url ?? '';
      expect(result.status).toBe('ok');
      expect(received.startsWith('/echo/orders/')).toBe(true);
      const segment = received.slice('/echo/orders/'.length);
      expect(segment).not.toMatch(/[/?#]/);
      expect(decodeURIComponent(segment)).toBe(value);
    },
  );

  it.each(['..', '.'])(
    'refuses "%s" as a whole path segment without sending a request',
    async (value) => {
      const result = await run(pathTool(), { value });
      expect(result.status).toBe('invalid_arguments');
      expect(api.requests).toHaveLength(0);
    },
  );

  it('keeps the query keys fixed whatever a query value holds', async () => {
    const http = { method: 'GET', url: '${API}/echo/q', query: { day: '{{args.value}}' } };
    const value = 'x&admin=1#frag?y=2';
    await run(runnerFor([tool(http)]), { value });
    const params = new URL(api.requests[0]?.url ?? '', api.url).searchParams;
    expect([...params.keys()]).toEqual(['day']);
    expect(params.get('day')).toBe(value);
  });

  it('refuses a header value with CR/LF without sending a request', async () => {
    const http = {
      method: 'GET',
      url: '${API}/echo/h',
      headers: { 'X-Customer': '{{args.value}}' },
    };
    const result = await run(runnerFor([tool(http)]), { value: 'a\r\nX-Injected: 1' });
    expect(result.status).toBe('invalid_arguments');
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a 10 000-character path value that would make the URL too long', async () => {
    const result = await run(pathTool(), { value: 'a'.repeat(10_000) });
    expect(output(result)).toMatchObject({ error: 'invalid_arguments' });
    expect(api.requests).toHaveLength(0);
  });

  it('sends a 10 000-character value in a JSON body intact', async () => {
    const http = { method: 'POST', url: '${API}/echo/b', body: { v: '{{args.value}}' } };
    const value = `${'a'.repeat(9_990)}"}\r\n{{x}}`;
    await run(runnerFor([tool(http)]), { value });
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({ v: value });
  });
});

describe('HTTP tool runner: failures become results', () => {
  it('reports a timeout when the server never answers', async () => {
    const runner = runnerFor([
      tool({ method: 'GET', url: '${API}/hang', timeoutMs: 200, retries: 0 }),
    ]);
    const result = await run(runner, {});
    expect(result.status).toBe('timeout');
    expect(output(result)).toMatchObject({ ok: false, error: 'timeout' });
    expect(output(result)['message']).toContain('200 ms');
  });

  it("stops retrying a hanging API once the tool's total time budget is spent", async () => {
    const runner = runnerFor([
      tool({ method: 'GET', url: '${API}/hang', timeoutMs: 200, retries: 5, totalTimeoutMs: 500 }),
    ]);
    const result = await run(runner, {});
    expect(result.status).toBe('timeout');
    // Six attempts without the budget; 200 ms, a backoff of 125-250 ms, then at most one more.
    expect(result.attempts).toBeLessThanOrEqual(2);
    expect(api.requests.length).toBe(result.attempts);
    expect(output(result)['message']).toContain('within 500 ms in all');
  });

  it('retries a GET answered with 503 and reports the last status', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/status/503' })]);
    const result = await run(runner, {});
    expect(result).toMatchObject({ status: 'http_error', httpStatus: 503, attempts: 3 });
    expect(api.requests).toHaveLength(3);
  });

  it('does not retry a POST answered with 503', async () => {
    const runner = runnerFor([tool({ method: 'POST', url: '${API}/status/503', body: {} })]);
    const result = await run(runner, {});
    expect(result).toMatchObject({ status: 'http_error', attempts: 1 });
    expect(api.requests).toHaveLength(1);
  });

  it('succeeds when a retry gets past a 503', async () => {
    const api2 = await startRecordingApi();
    try {
      const { config } = parseToolsConfig(
        { tools: [tool({ method: 'GET', url: `${api2.url}/flaky` })] },
        'tools.json',
        {},
      );
      const runner = createHttpToolRunner(config!, pino({ level: 'silent' }));
      const result = await run(runner, {});
      expect(result).toMatchObject({ status: 'ok', attempts: 2 });
    } finally {
      await api2.close();
    }
  });

  it('retries a 429 after its Retry-After', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/rate-limited' })]);
    const result = await run(runner, {});
    expect(result).toMatchObject({ status: 'ok', attempts: 2 });
  });

  it('does not retry a 500 and passes the service error body on', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/status/500' })]);
    const result = await run(runner, {});
    expect(result).toMatchObject({ status: 'http_error', httpStatus: 500, attempts: 1 });
    expect(output(result)).toMatchObject({ error: 'http_error', status: 500, data: { code: 500 } });
  });

  it('reports a body that is not JSON as a bad response', async () => {
    const result = await run(runnerFor([tool({ method: 'GET', url: '${API}/text' })]), {});
    expect(result).toMatchObject({ status: 'bad_response', httpStatus: 200 });
  });

  it('stops reading a body past maxBytes and reports a bad response', async () => {
    const result = await run(runnerFor([tool({ method: 'GET', url: '${API}/big' })]), {});
    expect(result.status).toBe('bad_response');
    expect(output(result)['message']).toContain('16384 bytes');
  });

  it('does not follow a redirect', async () => {
    const result = await run(runnerFor([tool({ method: 'GET', url: '${API}/redirect' })]), {});
    expect(result).toMatchObject({ status: 'http_error', httpStatus: 302 });
    expect(api.requests).toHaveLength(1);
  });

  it('reports an empty 204 answer as success with null data', async () => {
    const result = await run(runnerFor([tool({ method: 'DELETE', url: '${API}/empty' })]), {});
    expect(output(result)).toEqual({ ok: true, status: 204, data: null });
  });

  it('reports a refused connection as a network error', async () => {
    const closed = await startRecordingApi();
    await closed.close();
    const { config } = parseToolsConfig(
      { tools: [tool({ method: 'GET', url: `${closed.url}/x`, retries: 0 })] },
      'tools.json',
      {},
    );
    const result = await run(createHttpToolRunner(config!, pino({ level: 'silent' })), {});
    expect(result.status).toBe('network_error');
    expect(output(result)['message']).toContain('ECONNREFUSED');
  });

  it('answers an unknown tool with the list of tools', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/echo/x' })]);
    const result = await run(runner, {}, { name: 'delete_everything' });
    expect(result).toMatchObject({ status: 'unknown_tool', attempts: 0 });
    expect(output(result)['message']).toContain('Available tools: t');
  });

  it('refuses arguments that do not match the parameters schema', async () => {
    const parameters = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/echo/{{args.id}}' }, parameters)]);
    const result = await run(runner, { id: 7 });
    expect(result.status).toBe('invalid_arguments');
    expect(output(result)['message']).toContain('"id" must be string');
    expect(api.requests).toHaveLength(0);
  });

  it('refuses an argument that breaks its declared format without sending a request', async () => {
    const parameters = {
      type: 'object',
      properties: { day: { type: 'string', format: 'date' } },
      required: ['day'],
    };
    const runner = runnerFor([
      tool({ method: 'GET', url: '${API}/echo/{{args.day}}' }, parameters),
    ]);
    const result = await run(runner, { day: 'next Tuesday' });
    expect(result.status).toBe('invalid_arguments');
    expect(output(result)['message']).toContain('"day" must match format "date"');
    expect(api.requests).toHaveLength(0);
    expect((await run(runner, { day: '2026-11-24' })).status).toBe('ok');
  });

  it('refuses arguments that are not JSON', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/echo/x' })]);
    const result = await run(runner, '{"value": ');
    expect(result.status).toBe('invalid_arguments');
  });

  it('reports aborted when the signal fires mid-request', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/hang', timeoutMs: 15_000 })]);
    const controller = new AbortController();
    const pending = run(runner, {}, { signal: controller.signal });
    await api.waitForRequests(1);
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ status: 'aborted', attempts: 1 });
  });

  it('sends nothing when the signal is already aborted', async () => {
    const runner = runnerFor([tool({ method: 'GET', url: '${API}/echo/x' })]);
    const result = await run(runner, {}, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'aborted', attempts: 0 });
    expect(api.requests).toHaveLength(0);
  });

  it('gives the model only the selected fields', async () => {
    const http = {
      method: 'POST',
      url: '${API}/echo/s',
      body: { order: { status: 'shipped', items: [{ sku: 'A/1' }] } },
      response: {
        select: { status: '/body/order/status', first: '/body/order/items/0/sku', gone: '/nope' },
      },
    };
    const result = await run(runnerFor([tool(http)]), {});
    expect(output(result)).toEqual({
      ok: true,
      status: 200,
      data: { status: 'shipped', first: 'A/1', gone: null },
    });
  });
});
