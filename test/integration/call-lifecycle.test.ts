import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import twilio from 'twilio';
import { FakeRealtimeServer } from '../fakes/fake-realtime-server.js';
import { FakeTwilioCaller } from '../fakes/fake-twilio-caller.js';
import { numberedAudio, startCall, type CallHarness } from '../helpers/call-harness.js';
import {
  AUTH_TOKEN,
  PUBLIC_URL,
  STREAM_URL,
  startTestServer,
  type TestServer,
} from '../helpers/test-server.js';

const CALL_SID = 'CAfeedfacefeedfacefeedfacefeedface';
const webhook = {
  CallSid: CALL_SID,
  AccountSid: `AC${'1'.repeat(32)}`,
  From: '+15557654321',
  To: '+15550002222',
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function serverWithFake(
  env: Record<string, string> = {},
): Promise<{ fake: FakeRealtimeServer; server: TestServer }> {
  const fake = new FakeRealtimeServer();
  const server = await startTestServer({ OPENAI_REALTIME_URL: await fake.listen(), ...env });
  cleanup.push(
    () => fake.close(),
    () => server.close(),
  );
  return { fake, server };
}

function ring(server: TestServer) {
  return request(server.httpUrl)
    .post('/twilio/voice')
    .set(
      'X-Twilio-Signature',
      twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, webhook),
    )
    .type('form')
    .send(webhook);
}

/** The media stream Twilio opens for the call that rang. */
async function answer(server: TestServer): Promise<FakeTwilioCaller> {
  const caller = new FakeTwilioCaller({
    url: server.mediaUrl,
    streamUrl: STREAM_URL,
    authToken: AUTH_TOKEN,
    callSid: CALL_SID,
  });
  cleanup.push(async () => caller.close());
  await caller.start();
  return caller;
}

describe('call lifecycle', () => {
  it('hands the session pre-warmed at the webhook to the media stream: one realtime connection per call', async () => {
    const { fake, server } = await serverWithFake();
    await ring(server);
    const model = await fake.connection(0);
    await model.waitFor('session.update');
    const caller = await answer(server);
    caller.sendMedia(numberedAudio(20));
    await model.waitFor('input_audio_buffer.append');
    expect(fake.connections).toHaveLength(1);
    expect(await server.logs.waitForMessage('media stream started')).toMatchObject({
      prewarmed: true,
      callSid: CALL_SID,
    });
  });

  it('closes a pre-warmed session when no media stream claims it in time', async () => {
    const { fake, server } = await serverWithFake({ PREWARM_TIMEOUT_MS: '1000' });
    await ring(server);
    const model = await fake.connection(0);
    await model.closed;
    await server.logs.waitForMessage('no media stream arrived for a pre-warmed session');
    expect(server.app.registry.prewarmedCount).toBe(0);
  });

  it('ends a call whose media stream goes silent on the wire, and closes its model session', async () => {
    const { fake, server } = await serverWithFake({ MEDIA_STALL_TIMEOUT_MS: '1000' });
    await ring(server);
    const model = await fake.connection(0);
    const caller = await answer(server);
    caller.sendMedia(numberedAudio(20));
    await model.waitFor('input_audio_buffer.append');
    // The caller's side goes quiet without closing, as a half-open connection does.
    await model.closed;
    await caller.closed;
    expect(await server.logs.waitForMessage('media stream stalled')).toMatchObject({
      level: 40,
      timeoutMs: 1000,
    });
    const ended = server.app.registry.record(CALL_SID)?.events.at(-1);
    expect(ended).toMatchObject({ type: 'stream_ended', reason: expect.stringMatching(/stalled/) });
    const metrics = await request(server.httpUrl).get('/metrics');
    expect(metrics.text).toMatch(/^switchboard_media_stalls_total 1$/m);
    expect(metrics.text).toMatch(/^switchboard_calls_ended_total\{outcome="media_stalled"\} 1$/m);
  });

  it('ends the call with an apology on a fatal realtime error', async () => {
    const call: CallHarness = await startCall();
    cleanup.push(() => call.close());
    call.model.sendError('session_expired', 'Your session hit the maximum duration of 60 minutes.');
    await call.caller.closed;
    const log = await call.server.logs.waitForMessage('realtime session failed');
    expect(log).toMatchObject({ code: 'session_expired' });
    expect(call.server.app.registry.record(call.caller.callSid)?.outcome).toMatchObject({
      kind: 'apologize_and_hangup',
    });
  });

  it('ends the call with an apology when the model connection stops answering pings', async () => {
    const call: CallHarness = await startCall({ REALTIME_PING_INTERVAL_MS: '1000' });
    cleanup.push(() => call.close());
    call.model.freeze();
    await call.caller.closed;
    expect(await call.server.logs.waitForMessage('realtime session failed')).toMatchObject({
      code: 'heartbeat_timeout',
    });
    expect(call.server.app.registry.record(call.caller.callSid)?.outcome).toMatchObject({
      kind: 'apologize_and_hangup',
    });
  });

  it('keeps a call whose model connection answers its pings', async () => {
    const call: CallHarness = await startCall({ REALTIME_PING_INTERVAL_MS: '1000' });
    cleanup.push(() => call.close());
    // The bridge pings again only after the previous pong came: a third ping means two answered.
    await new Promise<void>((resolve) => {
      let pings = 0;
      call.model.ws.on('ping', () => {
        if (++pings === 3) resolve();
      });
    });
    expect(call.server.app.registry.activeCount).toBe(1);
    expect(call.server.logs.records.some((r) => r.msg === 'realtime session failed')).toBe(false);
  });

  it('tolerates an unknown realtime event, logging it at debug, and the call goes on', async () => {
    const call: CallHarness = await startCall();
    cleanup.push(() => call.close());
    call.model.send({ type: 'response.future_thing', response_id: 'resp_x' });
    const log = await call.server.logs.waitForMessage('unknown realtime event');
    expect(log).toMatchObject({ level: 20, event: 'response.future_thing' });
    call.caller.sendMedia(numberedAudio(20));
    await call.model.waitFor('input_audio_buffer.append');
  });

  it('logs a non-fatal realtime refusal at warn and keeps the call', async () => {
    const call: CallHarness = await startCall();
    cleanup.push(() => call.close());
    call.model.sendError(
      'response_cancel_not_active',
      'Cancellation failed: no active response found',
      'response.cancel:7',
    );
    const log = await call.server.logs.waitForMessage('realtime refused a request');
    expect(log).toMatchObject({
      level: 40,
      code: 'response_cancel_not_active',
      failedEvent: 'response.cancel',
    });
    expect(call.server.app.registry.activeCount).toBe(1);
  });

  it('never logs keys or tokens, and logs caller numbers only at debug under the caller key', async () => {
    const { fake, server } = await serverWithFake();
    await ring(server);
    await fake.connection(0);
    const caller = await answer(server);
    caller.stop();
    await server.logs.waitForMessage('call ended');
    const text = server.logs.records.map((r) => JSON.stringify(r));
    for (const secret of ['sk-test-key', AUTH_TOKEN])
      expect(text.some((line) => line.includes(secret))).toBe(false);
    const withNumber = server.logs.records.filter((r) =>
      JSON.stringify(r).includes('+15557654321'),
    );
    expect(withNumber.length).toBeGreaterThan(0);
    for (const record of withNumber) {
      expect(record.level).toBe(20);
      expect(record).toHaveProperty('caller');
    }
  });

  it('redacts caller data everywhere when LOG_REDACT_CALLER_DATA is set', async () => {
    const { fake, server } = await serverWithFake({ LOG_REDACT_CALLER_DATA: 'true' });
    await ring(server);
    await fake.connection(0);
    await server.logs.waitForMessage('incoming call answered');
    expect(server.logs.records.some((r) => JSON.stringify(r).includes('+15557654321'))).toBe(false);
    expect(server.logs.records.find((r) => r.msg === 'caller')).toMatchObject({
      caller: '[redacted]',
    });
  });

  it('records a DTMF key press on the call without ending it', async () => {
    const call: CallHarness = await startCall();
    cleanup.push(() => call.close());
    call.caller.sendRaw({ event: 'dtmf', dtmf: { track: 'inbound_track', digit: '5' } });
    await call.server.logs.waitForMessage('caller pressed a key');
    expect(
      call.server.app.registry
        .record(call.caller.callSid)
        ?.events.some((e) => e.type === 'dtmf' && e.digit === '5'),
    ).toBe(true);
  });
});
