import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import twilio from 'twilio';
import { FakeRealtimeServer } from '../fakes/fake-realtime-server.js';
import { FakeTwilioCaller } from '../fakes/fake-twilio-caller.js';
import {
  AUTH_TOKEN,
  PUBLIC_URL,
  STREAM_URL,
  startTestServer,
  type TestServer,
} from '../helpers/test-server.js';

const CALL_SID = 'CA0123456789abcdef0123456789abcdef';
const params = {
  CallSid: CALL_SID,
  AccountSid: `AC${'1'.repeat(32)}`,
  From: '+15550001111',
  To: '+15550002222',
  CallStatus: 'ringing',
};
const sign = (path: string, body: Record<string, string>) =>
  twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, body);
/** A signed voice webhook for `callSid` to the server at `url`. */
const ring = (url: string, callSid: string) => {
  const body = { ...params, CallSid: callSid };
  return request(url)
    .post('/twilio/voice')
    .set('X-Twilio-Signature', sign('/twilio/voice', body))
    .type('form')
    .send(body);
};
const CALL_A = `CA${'a'.repeat(32)}`;
const CALL_B = `CA${'b'.repeat(32)}`;
const CALL_C = `CA${'c'.repeat(32)}`;

describe('voice webhook', () => {
  let fake: FakeRealtimeServer;
  let server: TestServer;

  beforeAll(async () => {
    fake = new FakeRealtimeServer();
    server = await startTestServer({ OPENAI_REALTIME_URL: await fake.listen() });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it('answers a signed call with Connect/Stream TwiML carrying the call data as Parameters', async () => {
    const res = await request(server.httpUrl)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', sign('/twilio/voice', params))
      .type('form')
      .send(params);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/xml');
    expect(res.text).toContain(
      '<Connect action="https://voice.example.com/twilio/call-end" method="POST">',
    );
    expect(res.text).toContain('<Stream url="wss://voice.example.com/twilio/media">');
    expect(res.text).toContain('<Parameter name="from" value="+15550001111"/>');
    expect(res.text).toContain('<Parameter name="to" value="+15550002222"/>');
    expect(res.text).toContain(`<Parameter name="callSid" value="${CALL_SID}"/>`);
    expect(res.text).not.toContain('<Say');
  });

  it('opens the realtime session while the phone rings (pre-warm)', async () => {
    const before = fake.connections.length;
    await request(server.httpUrl)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', sign('/twilio/voice', params))
      .type('form')
      .send(params);
    const connection = await fake.connection(before);
    const update = await connection.waitFor('session.update');
    expect(update.session).toMatchObject({ type: 'realtime' });
  });

  it('refuses a webhook with a wrong signature with 403', async () => {
    const res = await request(server.httpUrl)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', sign('/twilio/voice', { ...params, From: '+19990000000' }))
      .type('form')
      .send(params);
    expect(res.status).toBe(403);
  });

  it('refuses a webhook without a signature with 403 and logs why', async () => {
    const res = await request(server.httpUrl).post('/twilio/voice').type('form').send(params);
    expect(res.status).toBe(403);
    await server.logs.waitForMessage('webhook without X-Twilio-Signature refused');
  });

  it('validates against the public URL even when a proxy changed the Host header', async () => {
    const res = await request(server.httpUrl)
      .post('/twilio/voice')
      .set('Host', 'internal-lb.local:8080')
      .set('X-Forwarded-Proto', 'http')
      .set('X-Twilio-Signature', sign('/twilio/voice', params))
      .type('form')
      .send(params);
    expect(res.status).toBe(200);
  });

  it('refuses a signature computed over the Host a proxy presents instead of the public URL', async () => {
    const wrong = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      'http://internal-lb.local:8080/twilio/voice',
      params,
    );
    const res = await request(server.httpUrl)
      .post('/twilio/voice')
      .set('Host', 'internal-lb.local:8080')
      .set('X-Twilio-Signature', wrong)
      .type('form')
      .send(params);
    expect(res.status).toBe(403);
  });

  it('answers a call while draining with a busy rejection and opens no session', async () => {
    const drainingServer = await startTestServer({ OPENAI_REALTIME_URL: fake.url });
    void drainingServer.app.registry.drain();
    const before = fake.connections.length;
    const res = await request(drainingServer.httpUrl)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', sign('/twilio/voice', params))
      .type('form')
      .send(params);
    expect(res.text).toContain('<Reject reason="busy"/>');
    expect(fake.connections.length).toBe(before);
    expect((await request(drainingServer.httpUrl).get('/metrics')).text).toContain(
      'switchboard_calls_refused_total{reason="draining"} 1',
    );
    const ready = await request(drainingServer.httpUrl).get('/readyz');
    expect(ready.status).toBe(503);
    await drainingServer.close();
  });

  describe('with MAX_CONCURRENT_CALLS=1', () => {
    let capped: TestServer;
    beforeEach(async () => {
      capped = await startTestServer({ OPENAI_REALTIME_URL: fake.url, MAX_CONCURRENT_CALLS: '1' });
    });
    afterEach(async () => {
      await capped.close();
    });

    it('answers a call busy while another rings, opens no session for it, and says so', async () => {
      expect((await ring(capped.httpUrl, CALL_A)).text).toContain('<Stream');
      const res = await ring(capped.httpUrl, CALL_B);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<Reject reason="busy"/>');
      const log = await capped.logs.waitForMessage('at MAX_CONCURRENT_CALLS');
      expect(log).toMatchObject({ level: 40, callSid: CALL_B, calls: 1, maxCalls: 1 });
      const metrics = (await request(capped.httpUrl).get('/metrics')).text;
      // CALL_A's session only: the webhook pre-warms before it answers, so B opened none.
      expect(metrics).toContain('switchboard_prewarmed_sessions 1');
      expect(metrics).toContain('switchboard_calls_refused_total{reason="at_capacity"} 1');
      expect(metrics).toContain('switchboard_max_concurrent_calls 1');
      // Still ready: the webhook answers busy itself (see health-routes.ts).
      expect((await request(capped.httpUrl).get('/readyz')).status).toBe(200);
    });

    it('answers a webhook retried for the call that holds the place, instead of busy', async () => {
      expect((await ring(capped.httpUrl, CALL_A)).text).toContain('<Stream');
      expect((await ring(capped.httpUrl, CALL_A)).text).toContain('<Stream');
      expect((await ring(capped.httpUrl, CALL_B)).text).toContain('<Reject reason="busy"/>');
    });

    it('takes a call again once the call holding the place has hung up', async () => {
      expect((await ring(capped.httpUrl, CALL_A)).text).toContain('<Stream');
      const caller = new FakeTwilioCaller({
        url: capped.mediaUrl,
        streamUrl: STREAM_URL,
        authToken: AUTH_TOKEN,
        callSid: CALL_A,
      });
      await caller.start();
      await capped.logs.waitForMessage('media stream started');
      expect((await ring(capped.httpUrl, CALL_B)).text).toContain('<Reject reason="busy"/>');
      caller.stop();
      await capped.logs.waitFor((r) => r.msg === 'call ended' && r.callSid === CALL_A);
      expect((await ring(capped.httpUrl, CALL_C)).text).toContain('<Stream');
      caller.close();
    });
  });

  it('reports alive and ready on the health routes', async () => {
    expect((await request(server.httpUrl).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(server.httpUrl).get('/readyz')).body).toMatchObject({ ready: true });
  });
});
