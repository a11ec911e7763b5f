import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import twilio from 'twilio';
import { FakeRealtimeServer } from '../fakes/fake-realtime-server.js';
import {
  AUTH_TOKEN,
  PUBLIC_URL,
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
    const ready = await request(drainingServer.httpUrl).get('/readyz');
    expect(ready.status).toBe(503);
    await drainingServer.close();
  });

  it('reports alive and ready on the health routes', async () => {
    expect((await request(server.httpUrl).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(server.httpUrl).get('/readyz')).body).toMatchObject({ ready: true });
  });
});
