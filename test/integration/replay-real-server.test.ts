import { afterEach, describe, expect, it } from 'vitest';
import { replayCall } from '../../src/replay/twilio/replay-call.js';
import { toneUlaw, silenceUlaw } from '../../src/replay/simulator/synthetic-audio.js';
import { FakeRealtimeServer } from '../fakes/fake-realtime-server.js';
import {
  AUTH_TOKEN,
  PUBLIC_URL,
  startTestServer,
  type TestServer,
} from '../helpers/test-server.js';

const ADMIN_TOKEN = 'replay-admin-token';
/** The greeting the fake model speaks: 200 ms of µ-law (8 bytes per ms). */
const GREETING_BYTES = 200 * 8;

let realtime: FakeRealtimeServer | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  await realtime?.close();
  server = undefined;
  realtime = undefined;
});

describe('replayCall against the real app', () => {
  it('hears the greeting the model spoke and fetches the call record', async () => {
    realtime = new FakeRealtimeServer();
    const realtimeUrl = await realtime.listen();
    server = await startTestServer({ OPENAI_REALTIME_URL: realtimeUrl, ADMIN_TOKEN });
    // Two seconds of caller audio: the greeting arrives long before the call's silent tail ends.
    const recording = Buffer.concat([toneUlaw({ ms: 800, levelDbfs: -20 }), silenceUlaw(1200)]);
    const run = replayCall({
      recording,
      serverUrl: server.httpUrl,
      publicUrl: PUBLIC_URL,
      authToken: AUTH_TOKEN,
      adminToken: ADMIN_TOKEN,
      speed: 2,
      tailMs: 500,
    });
    const model = await realtime.connection();
    await model.waitFor('response.create');
    const responseId = model.startResponse();
    const itemId = model.addAudioItem(responseId);
    model.audioDelta(responseId, itemId, Buffer.alloc(GREETING_BYTES, 0x20), 'Hello!');
    model.finishResponse(responseId);
    const result = await run;
    expect(result.heardBytes).toBe(GREETING_BYTES);
    expect(result.marks.some((m) => !m.flushedByClear)).toBe(true);
    expect(result.callRecord?.callSid).toBe(result.callSid);
  });
});
