/**
 * Built-in call control in a live call: end_call after the goodbye has played, transfer_call to
 * a configured destination only, and the TwiML Twilio gets from the `<Connect action>` route.
 */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { numberedAudio, startCall, type CallHarness } from '../helpers/call-harness.js';
import { callEndTwiml, controlLog, outputFor } from '../helpers/model-events.js';

const TWIML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const ADMIN_TOKEN = 'admin-token-for-tests';

let call: CallHarness | undefined;
afterEach(async () => {
  await call?.close();
  call = undefined;
});

async function startToolCall(): Promise<CallHarness> {
  call = await startCall({
    ADMIN_TOKEN,
    TOOLS_CONFIG: 'test/fixtures/tools.call-tools.json',
    // No HTTP tool is called here; nothing listens on the discard port.
    CALL_TOOLS_API_URL: 'http://127.0.0.1:9',
    CALL_TOOLS_API_TOKEN: 'unused',
    CALL_TOOLS_DEAD_URL: 'http://127.0.0.1:9',
  });
  return call;
}

/**
 * The model says `audioMs` of last words and calls `name` in the same response. Resolves once
 * all that audio (and its marks) reached the caller, unplayed.
 */
async function lastWordsThenCall(
  harness: CallHarness,
  audioMs: number,
  name: string,
  args: unknown,
): Promise<string> {
  const responseId = harness.model.startResponse();
  const itemId = harness.model.addAudioItem(responseId);
  harness.model.audioDelta(responseId, itemId, numberedAudio(audioMs), 'Goodbye!');
  const { callId } = harness.model.functionCall(responseId, name, args);
  harness.model.finishResponse(responseId);
  await harness.caller.waitForCount(
    (m) => m.event === 'mark',
    Math.ceil(audioMs / harness.server.config.playback.frameMs),
  );
  return callId;
}

describe('end_call', () => {
  it('closes the media stream only after the goodbye has played, then hangs up', async () => {
    const harness = await startToolCall();
    const callId = await lastWordsThenCall(harness, 200, 'end_call', { reason: 'caller is done' });
    expect(await outputFor(harness, callId)).toEqual({
      ok: true,
      message: 'The call will end after your goodbye.',
    });
    await harness.hear(100);
    await harness.sync();
    // Half the goodbye is still to play: the call is on.
    expect(harness.server.app.registry.activeCount).toBe(1);
    expect(harness.caller.ws.readyState).toBe(harness.caller.ws.OPEN);
    await harness.hear(100);
    expect(await harness.caller.closed).toEqual({
      code: 1000,
      reason: 'call handed back to TwiML',
    });
    const ended = await harness.server.logs.waitForMessage('call ended');
    expect(ended).toMatchObject({ reason: 'end_call: caller is done', outcome: 'hangup' });
    expect((await callEndTwiml(harness)).text).toBe(`${TWIML_HEAD}<Response><Hangup/></Response>`);
    // The model was told, and was not asked to say anything more.
    await harness.model.closed;
    expect(controlLog(harness)).toEqual(['session.update', `output:${callId}`]);
  });
});

describe('transfer_call', () => {
  it('dials the configured number with the caller id after the handoff line has played', async () => {
    const harness = await startToolCall();
    const callId = await lastWordsThenCall(harness, 40, 'transfer_call', {
      destination: 'billing',
      reason: 'refund',
    });
    expect(await outputFor(harness, callId)).toMatchObject({ ok: true });
    await harness.hear(40);
    await harness.caller.closed;
    expect((await callEndTwiml(harness)).text).toBe(
      `${TWIML_HEAD}<Response><Say>Transferring you to billing now.</Say>` +
        '<Dial callerId="+15005550001"><Number>+15005550006</Number></Dial></Response>',
    );
    const ended = await harness.server.logs.waitForMessage('call ended');
    expect(ended).toMatchObject({ reason: 'transfer_call: refund', outcome: 'transfer' });
  });

  it('refuses a number the model made up, and the call goes on with a response.create', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const { callId } = harness.model.functionCall(responseId, 'transfer_call', {
      destination: '+19005550199',
    });
    harness.model.finishResponse(responseId);
    expect(await outputFor(harness, callId)).toEqual({
      ok: false,
      error: 'transfer to "+19005550199" is not allowed',
    });
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(controlLog(harness)).toEqual(['session.update', `output:${callId}`, 'response.create']);
    expect(harness.server.app.registry.activeCount).toBe(1);
    expect(harness.caller.ws.readyState).toBe(harness.caller.ws.OPEN);
    await harness.server.logs.waitForMessage('transfer refused: not a configured destination');
  });

  it('refuses arguments that are JSON but not an object without failing the call', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const { callId } = harness.model.functionCall(responseId, 'transfer_call', null);
    harness.model.finishResponse(responseId);
    expect(await outputFor(harness, callId)).toEqual({
      ok: false,
      error: 'transfer to "" is not allowed',
    });
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(harness.server.app.registry.activeCount).toBe(1);
  });

  it('records the refused and the accepted transfer on the call', async () => {
    const harness = await startToolCall();
    const first = harness.model.startResponse();
    const refused = harness.model.functionCall(first, 'transfer_call', {
      destination: 'sales',
    }).callId;
    harness.model.finishResponse(first);
    await harness.model.waitFor('response.create');
    const second = harness.model.startResponse();
    const accepted = harness.model.functionCall(second, 'transfer_call', {
      destination: 'billing',
    }).callId;
    harness.model.finishResponse(second);
    await harness.caller.closed;
    const res = await request(harness.server.httpUrl)
      .get(`/calls/${harness.caller.callSid}`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    const tools = (res.body as { events: Record<string, unknown>[] }).events.filter(
      (e) => e.type === 'tool_call',
    );
    expect(tools).toEqual([
      expect.objectContaining({
        name: 'transfer_call',
        callId: refused,
        status: 'refused',
        durationMs: expect.any(Number),
        resultBytes: Buffer.byteLength(
          '{"ok":false,"error":"transfer to \\"sales\\" is not allowed"}',
        ),
      }),
      expect.objectContaining({
        name: 'transfer_call',
        callId: accepted,
        status: 'transferred',
        durationMs: expect.any(Number),
        resultBytes: expect.any(Number),
      }),
    ]);
    expect((res.body as { outcome: unknown }).outcome).toMatchObject({
      kind: 'transfer',
      to: '+15005550006',
      callerId: '+15005550001',
    });
  });
});
