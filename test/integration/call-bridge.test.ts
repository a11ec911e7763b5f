import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { numberedAudio, startCall, type CallHarness } from '../helpers/call-harness.js';
import { callEndTwiml } from '../helpers/model-events.js';
import { AUTH_TOKEN, STREAM_URL } from '../helpers/test-server.js';
import { FakeTwilioCaller } from '../fakes/fake-twilio-caller.js';

let call: CallHarness | undefined;
afterEach(async () => {
  await call?.close();
  call = undefined;
});

const activeTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('a whole call', () => {
  it('configures the session with µ-law both ways and the configured turn detection', async () => {
    call = await startCall();
    const update = await call.model.waitFor('session.update');
    expect(update.session).toMatchObject({
      type: 'realtime',
      output_modalities: ['audio'],
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          turn_detection: {
            type: 'server_vad',
            threshold: 0.55,
            prefix_padding_ms: 300,
            silence_duration_ms: 600,
          },
        },
        output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
      },
    });
    expect(call.model.url).toContain('model=gpt-realtime-2.1');
    expect(call.model.headers.authorization).toBe('Bearer sk-test-key');
    expect(call.model.headers['openai-beta']).toBeUndefined();
  });

  it('greets first: response.create with the configured greeting, and its audio reaches the caller', async () => {
    call = await startCall({}, { greeting: true });
    const create = await call.model.waitFor('response.create');
    expect((create.response as { instructions: string }).instructions).toContain(
      'Thanks for calling Acme Outfitters',
    );
    const responseId = call.model.startResponse();
    const itemId = call.model.addAudioItem(responseId);
    const greeting = numberedAudio(20);
    call.model.audioDelta(responseId, itemId, greeting);
    const media = await call.caller.waitFor((m) => m.event === 'media');
    expect(Buffer.from(media.media!.payload, 'base64')).toEqual(greeting);
    const mark = await call.caller.waitFor((m) => m.event === 'mark');
    expect(mark.mark!.name).toMatch(new RegExp(`^g1:m1:${itemId}:20$`));
  });

  it('times the greeting from stream start read to first audio written in the /metrics histograms', async () => {
    call = await startCall({}, { greeting: true });
    await call.model.waitFor('response.create');
    const responseId = call.model.startResponse();
    call.model.audioDelta(responseId, call.model.addAudioItem(responseId), numberedAudio(20));
    await call.caller.waitFor((m) => m.event === 'media');
    const text = await (await fetch(`${call.server.httpUrl}/metrics`)).text();
    expect(text).toContain('switchboard_time_to_first_audio_seconds_count 1');
    expect(text).toContain('switchboard_greeting_overhead_seconds_count 1');
  });

  it('forwards caller audio to the model byte-exact and in order, including audio sent before session.updated', async () => {
    call = await startCall({}, { holdSessionUpdated: true });
    const frames = Array.from({ length: 30 }, (_, i) => numberedAudio(20, i));
    for (const frame of frames.slice(0, 10)) call.caller.sendMedia(frame);
    // Nothing may reach the model before the session is configured for µ-law.
    await call.server.logs.waitFor(() => true);
    call.model.releaseSessionUpdated();
    for (const frame of frames.slice(10)) call.caller.sendMedia(frame);
    const appends = await call.model.waitForCount('input_audio_buffer.append', 30);
    const received = Buffer.concat(appends.map((e) => Buffer.from(String(e.audio), 'base64')));
    expect(received).toEqual(Buffer.concat(frames));
    const firstAppend = call.model.received.findIndex(
      (e) => e.type === 'input_audio_buffer.append',
    );
    const update = call.model.received.findIndex((e) => e.type === 'session.update');
    expect(update).toBeLessThan(firstAppend);
  });

  it('sends the model every client event as a text frame', async () => {
    call = await startCall();
    for (let i = 0; i < 3; i++) call.caller.sendMedia(numberedAudio(20, i));
    await call.model.waitForCount('input_audio_buffer.append', 3);
    expect(call.model.received.map((e) => e.type)).toEqual([
      'session.update',
      'input_audio_buffer.append',
      'input_audio_buffer.append',
      'input_audio_buffer.append',
    ]);
    expect(call.model.binaryFrames).toBe(0);
  });

  it('splits a long model delta into 240 ms frames without changing a byte, marking the first and, at the response end, the last', async () => {
    call = await startCall();
    const responseId = call.model.startResponse();
    const itemId = call.model.addAudioItem(responseId);
    call.model.audioDelta(responseId, itemId, numberedAudio(500));
    call.model.finishResponse(responseId);
    await call.caller.waitForCount((m) => m.event === 'mark', 2);
    const events = call.caller.received.map((m) => m.event);
    expect(events).toEqual(['media', 'mark', 'media', 'media', 'mark']);
    const media = call.caller.received.filter((m) => m.event === 'media');
    const frames = media.map((m) => Buffer.from(m.media!.payload, 'base64'));
    expect(frames.map((f) => f.length)).toEqual([1920, 1920, 160]);
    expect(Buffer.concat(frames)).toEqual(numberedAudio(500));
    const marks = call.caller.received.filter((m) => m.event === 'mark');
    expect(marks.map((m) => m.mark!.name)).toEqual([`g1:m1:${itemId}:240`, `g1:m3:${itemId}:500`]);
  });

  it('sends a model delta no longer than a frame as it came, marked as the item’s first frame', async () => {
    call = await startCall();
    const responseId = call.model.startResponse();
    const itemId = call.model.addAudioItem(responseId);
    call.model.audioDelta(responseId, itemId, numberedAudio(200));
    await call.caller.waitForCount((m) => m.event === 'mark', 1);
    const media = call.caller.received.filter((m) => m.event === 'media');
    expect(media.map((m) => Buffer.from(m.media!.payload, 'base64'))).toEqual([numberedAudio(200)]);
    const marks = call.caller.received.filter((m) => m.event === 'mark');
    expect(marks.map((m) => m.mark!.name)).toEqual([`g1:m1:${itemId}:200`]);
  });

  it('ends the model session, its timers and sockets when Twilio sends stop', async () => {
    const timeoutsBefore = activeTimeouts();
    call = await startCall();
    call.caller.stop();
    await call.model.closed;
    await call.server.logs.waitForMessage('call ended');
    expect(call.fake.openSockets).toBe(0);
    expect(call.server.app.registry.activeCount).toBe(0);
    expect(activeTimeouts()).toBeLessThanOrEqual(timeoutsBefore);
  });

  it('apologises and hangs up when the realtime socket closes mid-call, with its code and reason logged', async () => {
    call = await startCall();
    call.model.ws.close(1011, 'upstream failure');
    const closed = await call.caller.closed;
    expect(closed.code).toBe(1000);
    const log = await call.server.logs.waitForMessage('realtime session closed mid-call');
    expect(log).toMatchObject({ code: 1011, reason: 'upstream failure' });
    const res = await callEndTwiml(call);
    expect(res.text).toContain('<Say>Sorry, we');
    expect(res.text).toContain('<Hangup/>');
    expect(call.server.app.registry.activeCount).toBe(0);
  });

  it('replaces the first stream when a second stream for the same call SID starts', async () => {
    call = await startCall();
    const second = new FakeTwilioCaller({
      url: call.server.mediaUrl,
      streamUrl: STREAM_URL,
      authToken: AUTH_TOKEN,
      callSid: call.caller.callSid,
      streamSid: `MZ${'2'.repeat(32)}`,
    });
    await second.start();
    await call.caller.closed;
    await call.fake.connection(1);
    expect(call.server.app.registry.activeCount).toBe(1);
    second.close();
  });

  it('counts calls and frames in Prometheus metrics', async () => {
    call = await startCall();
    for (let i = 0; i < 3; i++) call.caller.sendMedia(numberedAudio(20, i));
    await call.model.waitForCount('input_audio_buffer.append', 3);
    const res = await request(call.server.httpUrl).get('/metrics');
    expect(res.type).toBe('text/plain');
    expect(res.text).toContain('switchboard_active_calls 1');
    expect(res.text).toContain('switchboard_calls_started_total 1');
    expect(res.text).toContain('switchboard_frames_in_total 3');
    // The event loop is monitored from start-up: the delay gauges are always there.
    expect(res.text).toMatch(/^switchboard_event_loop_delay_p99_seconds \d/m);
    expect(res.text).toMatch(/^switchboard_process_resident_memory_bytes [1-9]\d+$/m);
    expect(res.text).toMatch(/^switchboard_heap_used_bytes [1-9]\d+$/m);
  });

  it('joins caller frames into larger appends when CALLER_AUDIO_BATCH_FRAMES is set, byte-exact', async () => {
    call = await startCall({ CALLER_AUDIO_BATCH_FRAMES: '2' });
    const frames = Array.from({ length: 6 }, (_, i) => numberedAudio(20, i));
    for (const frame of frames) call.caller.sendMedia(frame);
    const appends = await call.model.waitForCount('input_audio_buffer.append', 3);
    expect(appends.map((e) => Buffer.from(String(e.audio), 'base64').length)).toEqual([
      320, 320, 320,
    ]);
    expect(Buffer.concat(appends.map((e) => Buffer.from(String(e.audio), 'base64')))).toEqual(
      Buffer.concat(frames),
    );
  });
});
