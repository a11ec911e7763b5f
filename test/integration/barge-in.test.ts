/**
 * Barge-in scenarios over real sockets. The fake caller's playback runs on a clock the test
 * drives, so what the caller heard when `clear` arrived is exact ground truth; the server's
 * `audio_end_ms` must match it within one 20 ms frame.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { numberedAudio, startCall, type CallHarness } from '../helpers/call-harness.js';
import type { ClientEvent } from '../fakes/fake-realtime-server.js';

// The server's clock and the caller's playback share one clock, as with real-time playback, so
// the heard position is exact: the only difference allowed is audio_end_ms's rounding down to ms.
const ROUNDING_MS = 1;
let call: CallHarness | undefined;
afterEach(async () => {
  await call?.close();
  call = undefined;
});

/** Sends bot audio as one delta and waits until every frame of it reached the caller. */
async function botSays(
  c: CallHarness,
  responseId: string,
  itemId: string,
  ms: number,
  transcript = '',
): Promise<void> {
  const framesBefore = c.caller.received.filter((m) => m.event === 'media').length;
  c.model.audioDelta(responseId, itemId, numberedAudio(ms), transcript);
  const frames = Math.ceil(ms / c.server.config.playback.frameMs);
  await c.caller.waitForCount((m) => m.event === 'media', framesBefore + frames);
}

/** Starts a response with one audio item and sends `ms` of its audio to the caller. */
async function botTurn(c: CallHarness, ms: number, transcript = '') {
  const responseId = c.model.startResponse();
  const itemId = c.model.addAudioItem(responseId);
  await botSays(c, responseId, itemId, ms, transcript);
  return { responseId, itemId };
}

/** One response with two audio items of 200 ms each, all sent to the caller. */
async function twoItemTurn(c: CallHarness) {
  const responseId = c.model.startResponse();
  const first = c.model.addAudioItem(responseId, 0);
  await botSays(c, responseId, first, 200);
  const second = c.model.addAudioItem(responseId, 1);
  await botSays(c, responseId, second, 200);
  return { first, second };
}

/** The caller hears `playMs` more of the bot, then talks over it. */
async function interruptAfter(c: CallHarness, playMs: number, audioStartMs = 1000): Promise<void> {
  await c.hear(playMs);
  await callerSpeaks(c, audioStartMs);
}

/** The caller starts talking over the bot; resolves once the `clear` reached the caller. */
async function callerSpeaks(c: CallHarness, audioStartMs = 1000): Promise<void> {
  const before = clears(c).length;
  c.model.speechStarted(audioStartMs);
  await c.caller.waitForCount((m) => m.event === 'clear', before + 1);
}

const control = (c: CallHarness): ClientEvent[] =>
  c.model.controlEvents().filter((e) => e.type !== 'session.update');
const truncates = (c: CallHarness) =>
  control(c).filter((e) => e.type === 'conversation.item.truncate');
const clears = (c: CallHarness) => c.caller.received.filter((m) => m.event === 'clear');
const refusals = (c: CallHarness) =>
  c.server.logs.records.filter((r) => r.msg === 'realtime refused a request');

function expectHeardPosition(actualMs: number, groundTruthBytes: number): void {
  expect(Math.abs(actualMs - groundTruthBytes / 8)).toBeLessThanOrEqual(ROUNDING_MS);
}

describe('barge-in', () => {
  it('deletes an item the caller has not heard at all when interrupted before the first mark echo', async () => {
    call = await startCall();
    const { itemId } = await botTurn(call, 200);
    await callerSpeaks(call);
    expect(clears(call)).toHaveLength(1);
    await call.model.waitFor('conversation.item.delete');
    expect(control(call).map((e) => e.type)).toEqual(['conversation.item.delete']);
    expect(call.caller.heardAtClear(itemId)).toBe(0);
    expect(refusals(call)).toEqual([]);
  });

  it('truncates mid-item at exactly the position the caller had heard', async () => {
    call = await startCall();
    const { itemId } = await botTurn(call, 400);
    await interruptAfter(call, 130);
    const truncate = await call.model.waitFor('conversation.item.truncate');
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0 });
    expectHeardPosition(Number(truncate.audio_end_ms), call.caller.heardAtClear(itemId));
    expect(clears(call)).toHaveLength(1);
    // interrupt_response is on: the service cancels by itself, a second cancel would be refused.
    expect(control(call).some((e) => e.type === 'response.cancel')).toBe(false);
  });

  it('truncates at what played when all audio was sent but had not finished playing', async () => {
    call = await startCall();
    const { responseId, itemId } = await botTurn(call, 300);
    call.model.finishResponse(responseId);
    await call.server.logs.waitFor(() => true);
    await interruptAfter(call, 210);
    const truncate = await call.model.waitFor('conversation.item.truncate');
    expectHeardPosition(Number(truncate.audio_end_ms), call.caller.heardAtClear(itemId));
    expect(Number(truncate.audio_end_ms)).toBeLessThanOrEqual(300);
    expect(control(call).some((e) => e.type === 'response.cancel')).toBe(false);
  });

  it('takes a normal turn without clear, cancel or truncate when all bot audio was heard', async () => {
    call = await startCall();
    const { responseId } = await botTurn(call, 200);
    call.model.finishResponse(responseId);
    await call.hear(200);
    call.model.speechStarted(1000);
    // Anything the server would send in reaction would be in flight before this sync returns.
    await call.sync();
    expect(clears(call)).toHaveLength(0);
    expect(control(call)).toEqual([]);
    expect(call.server.logs.records.some((r) => r.msg === 'caller barged in')).toBe(false);
  });

  it('truncates the playing item and deletes the unheard one when a response has two audio items', async () => {
    call = await startCall();
    const { first, second } = await twoItemTurn(call);
    await interruptAfter(call, 90);
    await call.model.waitFor('conversation.item.delete');
    const truncate = await call.model.waitFor('conversation.item.truncate');
    expect(truncate.item_id).toBe(first);
    expectHeardPosition(Number(truncate.audio_end_ms), call.caller.heardAtClear(first));
    expect(
      control(call)
        .filter((e) => e.type === 'conversation.item.delete')
        .map((e) => e.item_id),
    ).toEqual([second]);
    expect(refusals(call)).toEqual([]);
  });

  it('skips the fully heard first item and truncates only the second of two items', async () => {
    call = await startCall();
    const { first, second } = await twoItemTurn(call);
    await interruptAfter(call, 310);
    const truncate = await call.model.waitFor('conversation.item.truncate');
    expect(truncate.item_id).toBe(second);
    expectHeardPosition(Number(truncate.audio_end_ms), call.caller.heardAtClear(second));
    expect(call.caller.heardAtClear(first)).toBe(200 * 8);
    expect(truncates(call)).toHaveLength(1);
  });

  it('ignores the marks Twilio echoes because of a clear', async () => {
    call = await startCall();
    // 2.5 s: marks after the first frame, a second later, and after the last.
    const { itemId: itemA } = await botTurn(call, 2_500);
    await interruptAfter(call, 100);
    const truncateA = await call.model.waitFor('conversation.item.truncate');
    // The clear made the caller echo every pending mark of item A; none of them may count.
    expect(call.caller.playback.marks.filter((m) => m.flushedByClear).length).toBeGreaterThan(2);
    await call.sync();
    const { itemId: itemB } = await botTurn(call, 200);
    await interruptAfter(call, 50, 3000);
    await call.model.waitForCount('conversation.item.truncate', 2);
    const truncateB = truncates(call)[1]!;
    expect(truncateB.item_id).toBe(itemB);
    expectHeardPosition(Number(truncateB.audio_end_ms), call.caller.heardAtClear(itemB, 1));
    expect(Number(truncateA.audio_end_ms)).toBeLessThanOrEqual(120);
    const record = call.server.app.registry.record(call.caller.callSid)!;
    const finishedA = record.events.find(
      (e) => e.type === 'bot_item_finished' && e.itemId === itemA,
    );
    expect(finishedA).toMatchObject({ interrupted: true, heardMs: Number(truncateA.audio_end_ms) });
  });

  it('drops audio deltas of the interrupted response that arrive after the cancel', async () => {
    call = await startCall({ AGENT_CONFIG: 'test/fixtures/agent.no-interrupt.json' });
    const { responseId, itemId } = await botTurn(call, 200);
    await call.hear(60);
    const mediaBefore = call.caller.received.filter((m) => m.event === 'media').length;
    call.model.speechStarted(1000);
    await call.model.waitFor('response.cancel');
    // The service had these in flight when the cancel arrived.
    call.model.audioDelta(responseId, itemId, numberedAudio(100), 'late');
    await call.sync();
    await call.caller.waitFor((m) => m.event === 'clear');
    expect(call.caller.received.filter((m) => m.event === 'media').length).toBe(mediaBefore);
  });

  it('handles two barge-ins in a row, each truncated at its own heard position', async () => {
    call = await startCall();
    const { itemId: itemA } = await botTurn(call, 300);
    await interruptAfter(call, 70);
    await call.model.waitFor('conversation.item.truncate');
    const { itemId: itemB } = await botTurn(call, 300);
    await interruptAfter(call, 150, 2000);
    await call.model.waitForCount('conversation.item.truncate', 2);
    const [ta, tb] = truncates(call);
    expectHeardPosition(Number(ta!.audio_end_ms), call.caller.heardAtClear(itemA, 0));
    expectHeardPosition(Number(tb!.audio_end_ms), call.caller.heardAtClear(itemB, 1));
    expect(clears(call)).toHaveLength(2);
    expect(refusals(call)).toEqual([]);
  });

  it('sends response.cancel itself when the server does not cancel (interrupt_response off), before truncating', async () => {
    call = await startCall({ AGENT_CONFIG: 'test/fixtures/agent.no-interrupt.json' });
    await botTurn(call, 300);
    await interruptAfter(call, 110);
    await call.model.waitFor('conversation.item.truncate');
    expect(control(call).map((e) => e.type)).toEqual([
      'response.cancel',
      'conversation.item.truncate',
    ]);
    await call.server.logs.waitFor(() => true);
    expect(refusals(call)).toEqual([]);
  });

  it('does not send response.cancel when the response had already finished', async () => {
    call = await startCall({ AGENT_CONFIG: 'test/fixtures/agent.no-interrupt.json' });
    const { responseId } = await botTurn(call, 300);
    call.model.finishResponse(responseId);
    await interruptAfter(call, 40);
    await call.model.waitFor('conversation.item.truncate');
    expect(control(call).map((e) => e.type)).toEqual(['conversation.item.truncate']);
  });

  it('aborts a pending tool call of the interrupted response and answers it without asking for a response', async () => {
    const pending: ServerResponse[] = [];
    let aborted!: () => void;
    const requestAborted = new Promise<void>((resolve) => (aborted = resolve));
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const api = createServer((req: IncomingMessage, res: ServerResponse) => {
      pending.push(res);
      arrived();
      req.on('close', () => aborted());
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    call = await startCall({ TOOLS_CONFIG: 'test/fixtures/tools.slow.json', SLOW_API_URL: apiUrl });
    const { responseId } = await botTurn(call, 300, 'Let me check that for you.');
    const { callId } = call.model.functionCall(responseId, 'slow_lookup', { q: '4217' });
    await requestArrived;
    await interruptAfter(call, 100);
    const output = await call.model.waitFor('conversation.item.create');
    expect(output.item).toMatchObject({ type: 'function_call_output', call_id: callId });
    expect(JSON.parse((output.item as { output: string }).output)).toMatchObject({
      ok: false,
      error: 'aborted',
    });
    await requestAborted;
    expect(control(call).map((e) => e.type)).toEqual([
      'conversation.item.truncate',
      'conversation.item.create',
    ]);
    for (const res of pending) res.destroy();
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });

  it('keeps the assistant transcript as heard, cut at the heard position and flagged interrupted', async () => {
    call = await startCall();
    const responseId = call.model.startResponse();
    const itemId = call.model.addAudioItem(responseId);
    const transcript = 'Order four two one seven shipped yesterday and arrives Thursday.';
    await botSays(call, responseId, itemId, 400, transcript);
    await interruptAfter(call, 200);
    await call.model.waitFor('conversation.item.truncate');
    const record = call.server.app.registry.record(call.caller.callSid)!;
    const finished = record.events.find((e) => e.type === 'bot_item_finished');
    expect(finished).toMatchObject({ interrupted: true, transcript, sentMs: 400 });
    const heard = (finished as { heardTranscriptEstimate: string }).heardTranscriptEstimate;
    expect(transcript.startsWith(heard)).toBe(true);
    expect(heard.length).toBeGreaterThan(transcript.length * 0.3);
    expect(heard.length).toBeLessThan(transcript.length * 0.6);
    expect(record.events.find((e) => e.type === 'barge_in')).toMatchObject({
      responseCancelled: false,
    });
  });

  it('records the caller speech before the barge-in it caused', async () => {
    call = await startCall();
    await botTurn(call, 200);
    await interruptAfter(call, 50);
    await call.model.waitFor('conversation.item.truncate');
    const types = call.server.app.registry.record(call.caller.callSid)!.events.map((e) => e.type);
    expect(types.indexOf('caller_speech_started')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('caller_speech_started')).toBeLessThan(types.indexOf('barge_in'));
  });

  it('times each barge-in from speech_started read to clear written in the /metrics histogram', async () => {
    call = await startCall();
    await botTurn(call, 200);
    await interruptAfter(call, 50);
    const res = await fetch(`${call.server.httpUrl}/metrics`);
    const text = await res.text();
    expect(text).toContain('# TYPE switchboard_barge_in_reaction_seconds histogram');
    expect(text).toContain('switchboard_barge_in_reaction_seconds_count 1');
    expect(text).toContain('switchboard_barge_in_reaction_seconds_bucket{le="+Inf"} 1');
  });
});
