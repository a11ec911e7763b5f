/** The real entry point in a child process: config errors at startup, and the SIGTERM drain. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import twilio from 'twilio';
import { FakeRealtimeServer } from '../fakes/fake-realtime-server.js';
import { FakeTwilioCaller } from '../fakes/fake-twilio-caller.js';
import { numberedAudio } from '../helpers/call-harness.js';
import { Recorded } from '../helpers/recorded.js';

const AUTH_TOKEN = 'process-test-token';
const PUBLIC_URL = 'https://voice.example.com';

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  waitFor(predicate: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function runMain(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = new Recorded<Record<string, unknown>>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.add(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // Not a log record (a stray line); the tests read records only.
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, lines: lines.items, exited, waitFor: (p) => lines.waitFor(p) };
}

let running: Running | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
});

describe('the server process', () => {
  it('refuses to start and lists every configuration problem with its file and field', async () => {
    running = runMain({
      PUBLIC_URL: 'ftp://x',
      CONFIG_DIR: 'config',
      AGENT_CONFIG: '/nowhere/agent.json',
    });
    expect(await running.exited).toBe(1);
    const fatal = running.lines.find((l) => l.level === 60) as {
      problems: { file: string; field: string }[];
    };
    expect(fatal.problems.map((p) => `${p.file} ${p.field}`)).toEqual(
      expect.arrayContaining([
        'environment PUBLIC_URL',
        'environment OPENAI_API_KEY',
        'environment TWILIO_AUTH_TOKEN',
        '/nowhere/agent.json /',
      ]),
    );
  });

  it('warns loudly at startup when Twilio signature checks are turned off', async () => {
    running = runMain({
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL,
      OPENAI_API_KEY: 'sk-process',
      INSECURE_SKIP_TWILIO_SIGNATURE: 'true',
      CONFIG_DIR: 'config',
      TOOLS_CONFIG: 'test/fixtures/tools.test.json',
    });
    const warning = await running.waitFor((l) =>
      String(l.msg).includes('INSECURE_SKIP_TWILIO_SIGNATURE'),
    );
    expect(warning.level).toBe(40);
    await running.waitFor((l) => l.msg === 'switchboard listening');
  });

  it('drains on SIGTERM: not ready, new calls busy, the call in progress finishes, then it exits 0', async () => {
    const fake = new FakeRealtimeServer();
    const realtimeUrl = await fake.listen();
    running = runMain({
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL,
      OPENAI_API_KEY: 'sk-process',
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      OPENAI_REALTIME_URL: realtimeUrl,
      CONFIG_DIR: 'config',
      TOOLS_CONFIG: 'test/fixtures/tools.test.json',
    });
    const listening = (await running.waitFor((l) => l.msg === 'switchboard listening')) as {
      address: string;
    };
    const base = `http://${listening.address}`;
    const caller = new FakeTwilioCaller({
      url: `ws://${listening.address}/twilio/media`,
      streamUrl: 'wss://voice.example.com/twilio/media',
      authToken: AUTH_TOKEN,
    });
    await caller.start();
    const model = await fake.connection(0);
    await model.waitFor('session.update');

    running.child.kill('SIGTERM');
    await running.waitFor((l) => l.msg === 'draining: no new calls');
    expect((await request(base).get('/readyz')).status).toBe(503);
    const params = { CallSid: `CA${'9'.repeat(32)}`, From: '+1555', To: '+1556' };
    const busy = await request(base)
      .post('/twilio/voice')
      .set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, params),
      )
      .type('form')
      .send(params);
    expect(busy.text).toContain('<Reject reason="busy"/>');

    // The call in progress still works while draining.
    caller.sendMedia(numberedAudio(20));
    await model.waitFor('input_audio_buffer.append');
    caller.stop();
    expect(await running.exited).toBe(0);
    expect(running.lines.some((l) => l.msg === 'stopped')).toBe(true);
    caller.close();
    await fake.close();
  });
});
