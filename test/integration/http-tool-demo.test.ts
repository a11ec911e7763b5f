import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToolsConfig } from '../../src/config/tools-config.js';
import { startBusinessApi } from '../../src/demo/business-api.js';
import { createHttpToolRunner } from '../../src/tools/http-tool-runner.js';
import type { ToolRunner } from '../../src/tools/tool-runner.js';

const CALL = { sid: 'CA42', from: '+15551230000', to: '+15005550001' };
// A Wednesday, so "tomorrow" is a Thursday.
const NOW = new Date(2026, 10, 18, 12, 0, 0);
const example = JSON.parse(readFileSync('config/tools.example.json', 'utf8')) as unknown;

let api: Awaited<ReturnType<typeof startBusinessApi>>;

beforeAll(async () => {
  api = await startBusinessApi(0, '127.0.0.1', { token: 'demo-token', now: () => NOW });
});
afterAll(async () => {
  await api.close();
});

function exampleRunner(token = 'demo-token'): ToolRunner {
  const env = { ACME_API_URL: api.url, ACME_API_TOKEN: token };
  const { config, problems } = parseToolsConfig(example, 'config/tools.example.json', env);
  if (!config) throw new Error(JSON.stringify(problems));
  return createHttpToolRunner(config, pino({ level: 'silent' }));
}

async function call(runner: ToolRunner, name: string, args: unknown) {
  const result = await runner.run({
    name,
    arguments: JSON.stringify(args),
    call: CALL,
    signal: new AbortController().signal,
  });
  return { status: result.status, output: JSON.parse(result.output) as unknown };
}

describe('the example tools against the demo business API', () => {
  it('looks up an order and gives the model only the selected fields', async () => {
    const result = await call(exampleRunner(), 'lookup_order', { orderId: '4217' });
    expect(result.output).toEqual({
      ok: true,
      status: 200,
      data: { orderId: '4217', status: 'shipped', arrives: 'Thursday' },
    });
  });

  it('passes the service explanation on for an unknown order', async () => {
    const result = await call(exampleRunner(), 'lookup_order', { orderId: '9999' });
    expect(result).toMatchObject({
      status: 'http_error',
      output: { status: 404, data: { error: 'not_found' } },
    });
  });

  it('refuses an order number that breaks the parameter pattern before calling the API', async () => {
    const result = await call(exampleRunner(), 'lookup_order', { orderId: '../hours' });
    expect(result.status).toBe('invalid_arguments');
  });

  it('asks for opening hours with a query parameter', async () => {
    const result = await call(exampleRunner(), 'opening_hours', { day: 'tomorrow' });
    expect(result.output).toMatchObject({
      ok: true,
      data: { day: 'thursday', isOpen: true, opens: '09:00', closes: '17:00' },
    });
  });

  it('schedules a callback to the caller number taken from the call', async () => {
    const result = await call(exampleRunner(), 'schedule_callback', {
      reason: 'billing question',
      preferredTime: 'Friday morning',
    });
    expect(result.output).toMatchObject({
      ok: true,
      status: 201,
      data: { scheduledFor: 'Friday morning', callbackId: expect.stringMatching(/^cb-/) },
    });
  });

  it('is refused by the API with a wrong token', async () => {
    const result = await call(exampleRunner('wrong'), 'lookup_order', { orderId: '4217' });
    expect(result).toMatchObject({ status: 'http_error', output: { status: 401 } });
  });
});
