/**
 * How tool results are sequenced in a live call: parallel calls, one response.create per batch
 * and never while a response is active, aborts on hang-up and barge-in, and the audio path
 * flowing while a tool runs. The business API holds each answer until the test releases it, so
 * every ordering is set by the test, not by timing.
 */
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { numberedAudio, startCall, type CallHarness } from '../helpers/call-harness.js';
import { controlLog, itemCallId, outputFor } from '../helpers/model-events.js';

interface HeldRequest {
  key: string;
  res: Response;
  /** Resolves when the client went away before an answer (the request was aborted). */
  aborted: Promise<void>;
}

/** An API whose GET /held/:key answers only when the test calls `release(key)`. */
async function startHeldApi() {
  const held = new Map<string, HeldRequest>();
  const waiters: (() => void)[] = [];
  const app = express();
  app.get('/held/:key', (req, res) => {
    const aborted = new Promise<void>((resolve) =>
      res.once('close', () => {
        if (!res.writableFinished) resolve();
      }),
    );
    held.set(req.params.key, { key: req.params.key, res, aborted });
    for (const wake of waiters.splice(0)) wake();
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    /** Resolves once the request for `key` has arrived (it is held until released). */
    async arrived(key: string): Promise<HeldRequest> {
      while (!held.has(key)) await new Promise<void>((resolve) => waiters.push(resolve));
      return held.get(key)!;
    },
    release(key: string, body: unknown): void {
      held.get(key)!.res.json(body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let api: Awaited<ReturnType<typeof startHeldApi>>;
let call: CallHarness | undefined;

beforeAll(async () => {
  api = await startHeldApi();
});
afterAll(async () => {
  await api.close();
});
afterEach(async () => {
  await call?.close();
  call = undefined;
  api.held.clear();
});

async function startToolCall(): Promise<CallHarness> {
  call = await startCall({
    TOOLS_CONFIG: 'test/fixtures/tools.call-tools.json',
    CALL_TOOLS_API_URL: api.url,
    CALL_TOOLS_API_TOKEN: 'unused',
    CALL_TOOLS_DEAD_URL: 'http://127.0.0.1:9',
  });
  return call;
}

/** The realtime service never refused a response.create because one was active. */
function expectNoActiveResponseError(harness: CallHarness): void {
  const refused = harness.server.logs.records.filter(
    (r) => r.code === 'conversation_already_has_active_response',
  );
  expect(refused).toEqual([]);
}

describe('several tool calls in one response', () => {
  it('runs them in parallel and asks for one response only after response.done', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const a = harness.model.functionCall(responseId, 'held_lookup', { key: 'a' }, 1).callId;
    const b = harness.model.functionCall(responseId, 'held_lookup', { key: 'b' }, 2).callId;
    // Both requests are at the API before either is answered: they run side by side.
    await api.arrived('a');
    await api.arrived('b');
    api.release('b', { answer: 'B' });
    expect(await outputFor(harness, b)).toEqual({ ok: true, status: 200, data: { answer: 'B' } });
    api.release('a', { answer: 'A' });
    expect(await outputFor(harness, a)).toEqual({ ok: true, status: 200, data: { answer: 'A' } });
    await harness.sync();
    expect(controlLog(harness)).toEqual(['session.update', `output:${b}`, `output:${a}`]);
    harness.model.finishResponse(responseId);
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(controlLog(harness)).toEqual([
      'session.update',
      `output:${b}`,
      `output:${a}`,
      'response.create',
    ]);
  });

  it('asks for the response only once the last of them has answered', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const a = harness.model.functionCall(responseId, 'held_lookup', { key: 'a' }, 1).callId;
    const b = harness.model.functionCall(responseId, 'held_lookup', { key: 'b' }, 2).callId;
    harness.model.finishResponse(responseId);
    await api.arrived('a');
    await api.arrived('b');
    api.release('a', { answer: 'A' });
    await outputFor(harness, a);
    await harness.sync();
    expect(controlLog(harness)).toEqual(['session.update', `output:${a}`]);
    api.release('b', { answer: 'B' });
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(controlLog(harness)).toEqual([
      'session.update',
      `output:${a}`,
      `output:${b}`,
      'response.create',
    ]);
  });

  it('asks for one response after a refused transfer and an HTTP tool in the same response', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const transfer = harness.model.functionCall(
      responseId,
      'transfer_call',
      { destination: '+19005550199' },
      1,
    ).callId;
    const lookup = harness.model.functionCall(responseId, 'held_lookup', { key: 't' }, 2).callId;
    harness.model.finishResponse(responseId);
    expect(await outputFor(harness, transfer)).toMatchObject({ ok: false });
    await api.arrived('t');
    await harness.sync();
    // The model must not answer before the lookup is back: it would answer without it.
    expect(controlLog(harness)).toEqual(['session.update', `output:${transfer}`]);
    api.release('t', { answer: 'T' });
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(controlLog(harness)).toEqual([
      'session.update',
      `output:${transfer}`,
      `output:${lookup}`,
      'response.create',
    ]);
  });

  it('runs a call reported only in response.done, with its name and arguments from there', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const { callId } = harness.model.functionCall(responseId, 'held_lookup', { key: 'd' }, 0, {
      streamed: false,
    });
    harness.model.finishResponse(responseId);
    await api.arrived('d');
    api.release('d', { answer: 'D' });
    expect(await outputFor(harness, callId)).toEqual({
      ok: true,
      status: 200,
      data: { answer: 'D' },
    });
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(controlLog(harness)).toEqual(['session.update', `output:${callId}`, 'response.create']);
  });
});

describe('a tool result while another response is active', () => {
  it('waits for that response.done before asking for a response', async () => {
    const harness = await startToolCall();
    const first = harness.model.startResponse();
    const callId = harness.model.functionCall(first, 'held_lookup', { key: 'x' }).callId;
    harness.model.finishResponse(first);
    await api.arrived('x');
    // The caller speaks; server VAD starts a response of its own, and its audio reaches the
    // caller (so the server has seen response.created).
    const second = harness.model.startResponse();
    const itemId = harness.model.addAudioItem(second);
    harness.model.audioDelta(second, itemId, numberedAudio(20));
    await harness.caller.waitFor((m) => m.event === 'media');
    api.release('x', { answer: 'X' });
    await outputFor(harness, callId);
    await harness.sync();
    expect(controlLog(harness)).toEqual(['session.update', `output:${callId}`]);
    harness.model.finishResponse(second);
    await harness.model.waitFor('response.create');
    await harness.sync();
    expect(controlLog(harness)).toEqual(['session.update', `output:${callId}`, 'response.create']);
    expectNoActiveResponseError(harness);
  });
});

describe('a tool call whose result is no longer wanted', () => {
  it('aborts the request when the caller hangs up, and sends the model nothing', async () => {
    const harness = await startToolCall();
    const callId = harness.model.functionCall(harness.model.startResponse(), 'held_lookup', {
      key: 'h',
    }).callId;
    const held = await api.arrived('h');
    harness.caller.stop();
    await held.aborted;
    await harness.model.closed;
    const log = await harness.server.logs.waitFor(
      (r) => r.msg === 'tool call finished' && r.status === 'aborted',
    );
    expect(log).toMatchObject({ tool: 'held_lookup', status: 'aborted' });
    expect(harness.model.received.filter((e) => itemCallId(e) === callId)).toEqual([]);
    expect(controlLog(harness)).toEqual(['session.update']);
  });

  it('aborts the request when the caller barges in, and answers it as aborted without a response.create', async () => {
    const harness = await startToolCall();
    const responseId = harness.model.startResponse();
    const itemId = harness.model.addAudioItem(responseId);
    harness.model.audioDelta(responseId, itemId, numberedAudio(200), 'Let me check that.');
    const callId = harness.model.functionCall(responseId, 'held_lookup', { key: 'b' }).callId;
    const held = await api.arrived('b');
    await harness.caller.waitForCount(
      (m) => m.event === 'mark',
      Math.ceil(200 / harness.server.config.playback.frameMs),
    );
    harness.model.speechStarted(500);
    await held.aborted;
    expect(await outputFor(harness, callId)).toMatchObject({ ok: false, error: 'aborted' });
    await harness.sync();
    expect(harness.model.received.filter((e) => e.type === 'response.create')).toEqual([]);
  });
});

describe('the audio path while a tool runs', () => {
  it('keeps caller audio reaching the model and model audio reaching the caller', async () => {
    const harness = await startToolCall();
    const first = harness.model.startResponse();
    harness.model.functionCall(first, 'held_lookup', { key: 'slow' });
    harness.model.finishResponse(first);
    await api.arrived('slow');
    const spoken = numberedAudio(20, 5);
    harness.caller.sendMedia(spoken);
    const append = await harness.model.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(spoken);
    const second = harness.model.startResponse();
    const itemId = harness.model.addAudioItem(second);
    const reply = numberedAudio(20, 9);
    harness.model.audioDelta(second, itemId, reply);
    const media = await harness.caller.waitFor((m) => m.event === 'media');
    expect(Buffer.from(media.media!.payload, 'base64')).toEqual(reply);
    expect(api.held.get('slow')!.res.headersSent).toBe(false);
  });
});
