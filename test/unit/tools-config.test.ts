import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseToolsConfig } from '../../src/config/tools-config.js';

const FILE = 'config/tools.json';
const ENV = { API: 'https://api.example.com', TOKEN: 'sekret-value' };
const example = JSON.parse(readFileSync('config/tools.example.json', 'utf8')) as unknown;
const schema = JSON.parse(readFileSync('config/tools.schema.json', 'utf8')) as object;

function tool(overrides: Record<string, unknown> = {}, http: Record<string, unknown> = {}) {
  return {
    name: 'lookup',
    description: 'Looks something up.',
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    http: { method: 'GET', url: '${API}/items/{{args.id}}', ...http },
    ...overrides,
  };
}

function problemsOf(json: unknown, env: Record<string, string> = ENV) {
  const { config, problems } = parseToolsConfig(json, FILE, env);
  expect(config).toBeUndefined();
  return problems.map((p) => ({ field: p.field, message: p.message, file: p.file }));
}

describe('parseToolsConfig', () => {
  it('accepts the example file and fills the defaults', () => {
    const env = { ACME_API_URL: 'http://127.0.0.1:4000', ACME_API_TOKEN: 'demo-token' };
    const { config, problems } = parseToolsConfig(example, FILE, env);
    expect(problems).toEqual([]);
    const lookup = config?.tools.find((t) => t.name === 'lookup_order');
    expect(lookup?.http).toMatchObject({
      origin: 'http://127.0.0.1:4000',
      retries: 2,
      timeoutMs: 3000,
      totalTimeoutMs: 10_000,
    });
    const callback = config?.tools.find((t) => t.name === 'schedule_callback');
    expect(callback?.http).toMatchObject({ retries: 0, maxResponseBytes: 16384 });
  });

  it('is checked by editors against the same schema the loader uses', () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(example)).toBe(true);
  });

  it('returns a deeply frozen configuration', () => {
    const { config } = parseToolsConfig({ tools: [tool()] }, FILE, ENV);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config?.tools[0]?.http.path)).toBe(true);
    expect(Object.isFrozen(config?.builtins.transferCall.destinations)).toBe(true);
  });

  it('reports every problem of a file together, each with the file and a field', () => {
    const problems = problemsOf({
      tools: [
        tool({ name: 'bad name!' }),
        tool({}, { method: 'FETCH', timeoutMs: -1 }),
        tool({ name: 'other' }, { url: 'https://{{args.id}}.example.com/x' }),
        tool({ name: 'third' }, { headers: { Authorization: 'Bearer ${MISSING_TOKEN}' } }),
      ],
      builtins: {
        transferCall: { enabled: true, destinations: [{ name: 'sales', number: '555-1234' }] },
      },
      extra: true,
    });
    expect(problems.every((p) => p.file === FILE)).toBe(true);
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining([
        '/tools/0/name',
        '/tools/1/http/method',
        '/tools/1/http/timeoutMs',
        '/tools/2/http/url',
        '/tools/3/http/headers/Authorization',
        '/builtins/transferCall/destinations/0/number',
        '/extra',
      ]),
    );
  });

  it('names a missing environment variable without printing any value', () => {
    const problems = problemsOf(
      { tools: [tool({}, { headers: { Authorization: 'Bearer ${CRM_TOKEN}' } })] },
      { API: 'https://api.example.com', OTHER: 'sekret-value' },
    );
    expect(problems).toEqual([
      {
        file: FILE,
        field: '/tools/0/http/headers/Authorization',
        message: 'environment variable CRM_TOKEN is not set',
      },
    ]);
  });

  it('names a missing environment variable used for the host in the URL', () => {
    const problems = problemsOf({
      tools: [tool({}, { url: '${ACME_API_URL}/items/{{args.id}}' })],
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: '/tools/0/http/url',
        message: 'environment variable ACME_API_URL is not set',
      }),
    ]);
  });

  it('reports an invalid parameters schema', () => {
    const problems = problemsOf({
      tools: [tool({ parameters: { type: 'object', properties: { id: { type: 'strng' } } } })],
    });
    expect(problems).toEqual([
      expect.objectContaining({ field: '/tools/0/parameters/properties/id/type' }),
    ]);
  });

  it('reports an unknown keyword in parameters (a typo) as a compile problem', () => {
    const parameters = { type: 'object', properties: { id: { type: 'string' } }, requried: ['id'] };
    const problems = problemsOf({ tools: [tool({ parameters })] });
    expect(problems).toEqual([
      expect.objectContaining({
        field: '/tools/0/parameters',
        message: expect.stringContaining('requried'),
      }),
    ]);
  });

  it.each([
    'https://{{args.id}}/x',
    'https://api.example.com:{{args.id}}/x',
    '{{args.id}}://api.example.com/x',
    'https://api.{{call.to}}',
  ])('refuses a placeholder in the scheme, host or port: %s', (url) => {
    const problems = problemsOf({ tools: [tool({}, { url })] });
    expect(problems).toEqual([
      expect.objectContaining({
        field: '/tools/0/http/url',
        message: 'placeholders may not appear in the scheme, host or port',
      }),
    ]);
  });

  it('reports an unknown "format" name in parameters (a format it could not check)', () => {
    const parameters = {
      type: 'object',
      properties: { id: { type: 'string' }, phone: { type: 'string', format: 'phone' } },
    };
    const problems = problemsOf({ tools: [tool({ parameters })] });
    expect(problems).toEqual([
      expect.objectContaining({
        field: '/tools/0/parameters',
        message: expect.stringContaining('unknown format "phone"'),
      }),
    ]);
  });

  it('refuses a placeholder in a query key', () => {
    const problems = problemsOf({ tools: [tool({}, { url: '${API}/x?{{args.id}}=1' })] });
    expect(problems[0]?.message).toContain('not in query keys');
  });

  it('refuses an argument placeholder not declared in parameters.properties', () => {
    const problems = problemsOf({ tools: [tool({}, { url: '${API}/items/{{args.orderId}}' })] });
    expect(problems).toEqual([
      expect.objectContaining({
        field: '/tools/0/http/url',
        message: '{{args.orderId}} is not declared in parameters.properties',
      }),
    ]);
  });

  it('refuses a nested argument placeholder whose field the object argument does not declare', () => {
    const parameters = {
      type: 'object',
      properties: { address: { type: 'object', properties: { zip: { type: 'string' } } } },
    };
    const ok = parseToolsConfig(
      { tools: [tool({ parameters }, { url: '${API}/zip/{{args.address.zip}}' })] },
      FILE,
      ENV,
    );
    expect(ok.problems).toEqual([]);
    const problems = problemsOf({
      tools: [tool({ parameters }, { url: '${API}/zip/{{args.address.city}}' })],
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: '/tools/0/http/url',
        message: '{{args.address.city}} is not declared in parameters.properties',
      }),
    ]);
  });

  it('refuses an unknown placeholder root in a body', () => {
    const problems = problemsOf({
      tools: [tool({}, { method: 'POST', body: { a: { b: '{{env.HOME}}' } } })],
    });
    expect(problems[0]?.field).toBe('/tools/0/http/body/a/b');
  });

  it('refuses duplicate tool names and built-in names', () => {
    const problems = problemsOf({ tools: [tool(), tool(), tool({ name: 'end_call' })] });
    expect(problems.map((p) => p.field)).toEqual(['/tools/1/name', '/tools/2/name']);
  });

  it('refuses a transfer destination that is not E.164', () => {
    const problems = problemsOf({
      tools: [],
      builtins: {
        transferCall: { enabled: true, destinations: [{ name: 'billing', number: '+0 555 123' }] },
      },
    });
    expect(problems).toEqual([
      {
        file: FILE,
        field: '/builtins/transferCall/destinations/0/number',
        message: 'must be an E.164 phone number such as +15005550006',
      },
    ]);
  });

  it('refuses transfer_call enabled without destinations', () => {
    const problems = problemsOf({ builtins: { transferCall: { enabled: true } } });
    expect(problems[0]?.field).toBe('/builtins/transferCall/destinations');
  });

  it('refuses a body on a GET request', () => {
    const problems = problemsOf({ tools: [tool({}, { body: { id: '{{args.id}}' } })] });
    expect(problems[0]).toMatchObject({ field: '/tools/0/http/body' });
  });

  it('gives a tool whose one attempt is longer than the default budget that attempt as its budget', () => {
    const { config } = parseToolsConfig({ tools: [tool({}, { timeoutMs: 30_000 })] }, FILE, ENV);
    expect(config?.tools[0]?.http.totalTimeoutMs).toBe(30_000);
  });

  it('refuses a totalTimeoutMs shorter than one attempt, naming the field', () => {
    const problems = problemsOf({
      tools: [tool({}, { timeoutMs: 3000, totalTimeoutMs: 2000 })],
    });
    expect(problems).toEqual([
      {
        file: FILE,
        field: '/tools/0/http/totalTimeoutMs',
        message: 'must be at least timeoutMs (3000): the first attempt always gets its full time',
      },
    ]);
  });

  it('refuses a URL that is not http or https', () => {
    const problems = problemsOf({ tools: [tool({}, { url: 'ftp://files.example.com/x' })] });
    expect(problems[0]?.message).toBe('must be an http:// or https:// URL');
  });

  it('reports a file that is not an object', () => {
    expect(problemsOf([1, 2])).toEqual([{ file: FILE, field: '', message: 'must be object' }]);
  });
});
