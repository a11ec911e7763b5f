import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/config-problem.js';

const BASE_ENV = {
  PUBLIC_URL: 'https://voice.example.com',
  OPENAI_API_KEY: 'sk-test',
  TWILIO_AUTH_TOKEN: 'token',
  CONFIG_DIR: 'config',
  TOOLS_CONFIG: 'test/fixtures/tools.test.json',
};

function problemsOf(env: Record<string, string | undefined>) {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function agentFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  const path = join(dir, 'agent.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('loads the shipped agent with phone-tuned defaults and freezes the result', () => {
    const config = loadConfig(BASE_ENV);
    expect(config.agent.turnDetection).toEqual({
      type: 'server_vad',
      threshold: 0.55,
      prefixPaddingMs: 300,
      silenceDurationMs: 600,
      idleTimeoutMs: null,
      createResponse: true,
      interruptResponse: true,
    });
    expect(config.server.mediaStreamUrl).toBe('wss://voice.example.com/twilio/media');
    expect(config.realtime.url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime-2.1');
    expect(Object.isFrozen(config.agent.turnDetection)).toBe(true);
  });

  it('reports every problem at once, each with its file and field', () => {
    const agent = agentFile({
      instructions: '',
      voice: 'robot',
      turnDetection: { threshold: 2 },
      extra: 1,
    });
    const problems = problemsOf({
      PUBLIC_URL: 'not a url',
      PORT: 'eighty',
      TWILIO_AUTH_TOKEN: 'token',
      AGENT_CONFIG: agent,
      TOOLS_CONFIG: 'test/fixtures/tools.test.json',
    });
    const where = problems.map((p) => `${p.file} ${p.field}`);
    expect(where).toEqual(
      expect.arrayContaining([
        'environment PUBLIC_URL',
        'environment PORT',
        'environment OPENAI_API_KEY',
        `${agent} /instructions`,
        `${agent} /voice`,
        `${agent} /turnDetection/threshold`,
        `${agent} /extra`,
      ]),
    );
    expect(problems.find((p) => p.field === '/extra')?.message).toBe('is not a known setting');
  });

  it('reads MAX_CONCURRENT_CALLS as a cap, 0 and unset as none, and names a bad value', () => {
    expect(loadConfig({ ...BASE_ENV, MAX_CONCURRENT_CALLS: '400' }).server.maxConcurrentCalls).toBe(
      400,
    );
    expect(loadConfig({ ...BASE_ENV, MAX_CONCURRENT_CALLS: '0' }).server.maxConcurrentCalls).toBe(
      null,
    );
    expect(loadConfig(BASE_ENV).server.maxConcurrentCalls).toBe(null);
    expect(problemsOf({ ...BASE_ENV, MAX_CONCURRENT_CALLS: '-5' })).toEqual([
      {
        file: 'environment',
        field: 'MAX_CONCURRENT_CALLS',
        message: 'must be a whole number from 0 to 100000, got "-5"',
      },
    ]);
  });

  it('names a missing agent file and an unreadable JSON file', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'sb-config-')), 'agent.json');
    writeFileSync(broken, '{ nope');
    const problems = problemsOf({ ...BASE_ENV, AGENT_CONFIG: broken });
    expect(problems).toEqual([
      expect.objectContaining({
        file: broken,
        field: '/',
        message: expect.stringContaining('not valid JSON'),
      }),
    ]);
    const missing = problemsOf({ ...BASE_ENV, AGENT_CONFIG: '/nonexistent/agent.json' });
    expect(missing[0]).toMatchObject({
      file: '/nonexistent/agent.json',
      message: 'cannot be read (ENOENT)',
    });
  });

  it('requires the Twilio auth token unless signatures are explicitly skipped', () => {
    expect(problemsOf({ ...BASE_ENV, TWILIO_AUTH_TOKEN: undefined }).map((p) => p.field)).toEqual([
      'TWILIO_AUTH_TOKEN',
    ]);
    const config = loadConfig({
      ...BASE_ENV,
      TWILIO_AUTH_TOKEN: undefined,
      INSECURE_SKIP_TWILIO_SIGNATURE: 'true',
    });
    expect(config.twilio.validateSignatures).toBe(false);
  });

  it('builds the Azure GA URL with the deployment as model, the api-key header and no api-version', () => {
    const config = loadConfig({
      ...BASE_ENV,
      OPENAI_API_KEY: undefined,
      REALTIME_PROVIDER: 'azure',
      AZURE_OPENAI_ENDPOINT: 'https://my-res.openai.azure.com',
      AZURE_OPENAI_API_KEY: 'az-key',
      AZURE_OPENAI_DEPLOYMENT: 'my-realtime',
    });
    expect(config.realtime.url).toBe(
      'wss://my-res.openai.azure.com/openai/v1/realtime?model=my-realtime',
    );
    expect(config.realtime.headers).toEqual({ 'api-key': 'az-key' });
  });

  it('reports server_vad-only fields set on semantic_vad', () => {
    const agent = agentFile({
      instructions: 'hi',
      turnDetection: { type: 'semantic_vad', silenceDurationMs: 500 },
    });
    expect(problemsOf({ ...BASE_ENV, AGENT_CONFIG: agent })).toEqual([
      {
        file: agent,
        field: '/turnDetection/silenceDurationMs',
        message: 'applies to server_vad only',
      },
    ]);
  });
});
