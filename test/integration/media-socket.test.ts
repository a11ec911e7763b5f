import { afterEach, describe, expect, it } from 'vitest';
import { FakeRealtimeServer } from '../fakes/fake-realtime-server.js';
import { FakeTwilioCaller } from '../fakes/fake-twilio-caller.js';
import {
  numberedAudio,
  openBareCall,
  startCall,
  type CallHarness,
} from '../helpers/call-harness.js';
import { AUTH_TOKEN, STREAM_URL, startTestServer } from '../helpers/test-server.js';

let call: CallHarness | undefined;
afterEach(async () => {
  await call?.close();
  call = undefined;
});

describe('media socket signature', () => {
  async function tryConnect(signature: string | null, url?: (base: string) => string) {
    const fake = new FakeRealtimeServer();
    const server = await startTestServer({ OPENAI_REALTIME_URL: await fake.listen() });
    const caller = new FakeTwilioCaller({
      url: url ? url(server.mediaUrl) : server.mediaUrl,
      streamUrl: STREAM_URL,
      authToken: AUTH_TOKEN,
      signature,
    });
    const outcome = await caller.opened.then(
      () => 'open',
      (err: Error) => err.message,
    );
    const result = { outcome, realtimeConnections: fake.connections.length, logs: server.logs };
    caller.close();
    await server.close();
    await fake.close();
    return result;
  }

  it('refuses an unsigned upgrade with 403 before any realtime session opens', async () => {
    const result = await tryConnect(null);
    expect(result.outcome).toBe('upgrade refused: 403');
    expect(result.realtimeConnections).toBe(0);
    await result.logs.waitForMessage('media socket refused: bad signature');
  });

  it('refuses an upgrade signed over the https URL instead of the wss URL', async () => {
    const twilio = (await import('twilio')).default;
    const wrong = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      'https://voice.example.com/twilio/media',
      {},
    );
    expect((await tryConnect(wrong)).outcome).toBe('upgrade refused: 403');
  });

  it('refuses a correctly signed upgrade whose path carries a query string', async () => {
    const result = await tryConnect(undefined as unknown as null, (base) => `${base}?token=x`);
    expect(result.outcome).toBe('upgrade refused: 403');
  });
});

describe('malformed media frames', () => {
  it('skips a binary frame, logs it, and keeps the call going', async () => {
    call = await startCall();
    call.caller.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    call.caller.sendMedia(numberedAudio(20));
    await call.server.logs.waitFor(
      (r) => r.msg === 'media frame skipped' && String(r.reason).includes('binary'),
    );
    const append = await call.model.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(numberedAudio(20));
  });

  it('skips a text frame that is not UTF-8, logs it, and keeps the call going', async () => {
    call = await startCall();
    call.caller.ws.send(Buffer.from('{"event":"mark\xff"}', 'latin1'), { binary: false });
    call.caller.sendMedia(numberedAudio(20, 2));
    await call.server.logs.waitFor((r) => r.reason === 'not UTF-8 text');
    const append = await call.model.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(numberedAudio(20, 2));
  });

  it('skips text that is not JSON and a JSON message with an unknown event', async () => {
    call = await startCall();
    call.caller.ws.send('{not json');
    call.caller.sendRaw({ event: 'teleport' });
    call.caller.sendMedia(numberedAudio(20, 3));
    await call.server.logs.waitFor((r) => r.reason === 'not JSON');
    await call.server.logs.waitFor((r) => r.reason === 'unknown event "teleport"');
    const append = await call.model.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(numberedAudio(20, 3));
  });

  it('skips an oversized frame without closing the socket', async () => {
    call = await startCall();
    call.caller.sendRaw({
      event: 'media',
      media: { track: 'inbound', payload: 'A'.repeat(100_000) },
    });
    call.caller.sendMedia(numberedAudio(20, 4));
    await call.server.logs.waitFor((r) => String(r.reason).startsWith('oversized frame'));
    const append = await call.model.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(numberedAudio(20, 4));
  });

  it('skips media whose payload is not base64 and a message with a replayed sequence number', async () => {
    call = await startCall();
    call.caller.sendRaw({ event: 'media', media: { track: 'inbound', payload: 'not base64!' } });
    call.caller.ws.send(
      JSON.stringify({
        event: 'media',
        sequenceNumber: '1',
        streamSid: call.caller.streamSid,
        media: { payload: numberedAudio(20, 9).toString('base64') },
      }),
    );
    call.caller.sendMedia(numberedAudio(20, 5));
    await call.server.logs.waitFor((r) => r.reason === 'media payload is not base64');
    await call.server.logs.waitFor((r) =>
      String(r.reason).startsWith('out-of-order sequenceNumber 1'),
    );
    const append = await call.model.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(numberedAudio(20, 5));
    expect(call.model.received.filter((e) => e.type === 'input_audio_buffer.append')).toHaveLength(
      1,
    );
  });

  it('skips media that arrives before start', async () => {
    const bare = await openBareCall();
    await bare.caller.opened;
    bare.caller.sendMedia(numberedAudio(20));
    await bare.server.logs.waitFor((r) => r.reason === 'media before start');
    expect(bare.fake.connections).toHaveLength(0);
    await bare.close();
  });

  it('ends the call and closes the model socket when Twilio stops before the session was ready', async () => {
    const bare = await openBareCall((fake) => (fake.holdSessionUpdated = true));
    await bare.caller.start();
    bare.caller.sendMedia(numberedAudio(20));
    const connection = await bare.fake.connection(0);
    bare.caller.stop();
    await connection.closed;
    await bare.server.logs.waitForMessage('call ended');
    expect(bare.server.app.registry.activeCount).toBe(0);
    expect(bare.fake.openSockets).toBe(0);
    const appends = connection.received.filter((e) => e.type === 'input_audio_buffer.append');
    expect(appends).toHaveLength(0);
    await bare.close();
  });
});

describe('realtime upgrade refused', () => {
  it('apologises when the realtime service refuses the key (401), logging the status', async () => {
    const bare = await openBareCall((fake) => (fake.refuseWithStatus = 401));
    await bare.caller.start();
    const closed = await bare.caller.closed;
    expect(closed.code).toBe(1000);
    const log = await bare.server.logs.waitForMessage('realtime session failed');
    expect(log.code).toBe('http_401');
    await bare.close();
  });
});
