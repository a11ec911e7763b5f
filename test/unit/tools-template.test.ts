import { describe, expect, it } from 'vitest';
import { parseToolsConfig, type HttpRequestConfig } from '../../src/config/tools-config.js';
import { renderRequest } from '../../src/tools/template.js';

const CALL = { sid: 'CA1', from: '+15551234567', to: '+15557654321' };

function http(spec: Record<string, unknown>): HttpRequestConfig {
  const parameters = {
    type: 'object',
    properties: {
      a: {},
      b: {},
      n: {},
      o: {},
      address: { type: 'object', properties: { zip: {}, geo: { properties: { lat: {} } } } },
    },
  };
  const { config, problems } = parseToolsConfig(
    { tools: [{ name: 't', description: 'd', parameters, http: { method: 'GET', ...spec } }] },
    'tools.json',
    { HOST: 'https://api.example.com', KEY: 'k{{args.a}}' },
  );
  if (!config?.tools[0]) throw new Error(JSON.stringify(problems));
  return config.tools[0].http;
}

function url(spec: Record<string, unknown>, args: Record<string, unknown>): string | undefined {
  const result = renderRequest(http(spec), args, CALL);
  return result.ok ? result.request.url : undefined;
}

describe('renderRequest', () => {
  it('encodes a path value as one segment, including + from the call', () => {
    expect(url({ url: '${HOST}/c/{{call.from}}/{{args.a}}' }, { a: 'x/y' })).toBe(
      'https://api.example.com/c/%2B15551234567/x%2Fy',
    );
  });

  it('refuses "%2e%2e", which URL parsers treat as ".."', () => {
    const result = renderRequest(
      http({ url: '${HOST}/x/{{args.a}}{{args.b}}' }),
      { a: '.', b: '.' },
      CALL,
    );
    expect(result.ok).toBe(false);
  });

  it('refuses an empty path value', () => {
    expect(url({ url: '${HOST}/x/{{args.a}}/y' }, { a: '' })).toBeUndefined();
  });

  it('renders numbers and booleans as text in the query', () => {
    expect(
      url({ url: '${HOST}/x', query: { n: '{{args.n}}', b: '{{args.b}}' } }, { n: 2.5, b: false }),
    ).toBe('https://api.example.com/x?n=2.5&b=false');
  });

  it('keeps URL query text as written and encodes templated values', () => {
    expect(url({ url: '${HOST}/x?q=a%20b&v={{args.a}}' }, { a: 'c d' })).toBe(
      'https://api.example.com/x?q=a%20b&v=c%20d',
    );
  });

  it('never reads an environment value as a placeholder', () => {
    const result = renderRequest(
      http({ url: '${HOST}/x', headers: { 'X-Key': '${KEY}' } }),
      { a: 'boom' },
      CALL,
    );
    expect(result.ok && result.request.headers['x-key']).toBe('k{{args.a}}');
  });

  it('omits a header whose placeholder has no value', () => {
    const result = renderRequest(
      http({ url: '${HOST}/x', headers: { 'X-A': 'v={{args.a}}' } }),
      {},
      CALL,
    );
    expect(result.ok && 'x-a' in result.request.headers).toBe(false);
  });

  it('refuses a header value outside Latin-1', () => {
    const result = renderRequest(
      http({ url: '${HOST}/x', headers: { 'X-A': '{{args.a}}' } }),
      { a: '日本' },
      CALL,
    );
    expect(result.ok).toBe(false);
  });

  it('drops absent body keys and turns absent array items into null', () => {
    const spec = {
      method: 'POST',
      url: '${HOST}/x',
      body: { a: '{{args.a}}', list: ['{{args.b}}', 1] },
    };
    const result = renderRequest(http(spec), { a: null }, CALL);
    expect(result.ok && JSON.parse(result.request.body ?? '')).toEqual({
      a: null,
      list: [null, 1],
    });
  });

  it('reads a field of an object argument, at any depth, into the path and the query', () => {
    const spec = { url: '${HOST}/zip/{{args.address.zip}}?lat={{args.address.geo.lat}}' };
    const args = { address: { zip: '94110', geo: { lat: 37.75 } } };
    expect(url(spec, args)).toBe('https://api.example.com/zip/94110?lat=37.75');
  });

  it("keeps a nested field's JSON type in a body and names it when a path needs it", () => {
    const body = { method: 'POST', url: '${HOST}/x', body: { geo: '{{args.address.geo}}' } };
    const result = renderRequest(http(body), { address: { geo: { lat: 1.5 } } }, CALL);
    expect(result.ok && JSON.parse(result.request.body ?? '')).toEqual({ geo: { lat: 1.5 } });
    const missing = renderRequest(http({ url: '${HOST}/zip/{{args.address.zip}}' }), {}, CALL);
    expect(missing).toEqual({ ok: false, message: 'The argument "address.zip" is required.' });
  });
});
