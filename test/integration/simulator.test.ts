import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  buildSimulatorScript,
  silenceUlaw,
  startRealtimeSimulator,
  toneUlaw,
  type RealtimeSimulator,
  type RealtimeSimulatorOptions,
  type SimulatorScript,
  type WireEvent,
} from '../../src/replay/simulator/index.js';

const LONG_TEXT = 'This is a long scripted answer that keeps talking for many seconds. '.repeat(3);

async function script(greetingText = 'Hello, thanks for calling.'): Promise<SimulatorScript> {
  return buildSimulatorScript({
    greeting: { say: { text: greetingText } },
    turns: [
      {
        callerTranscript: 'I would like to check my order 4217',
        say: { text: 'Let me check that for you.' },
        functionCall: { name: 'lookup_order', arguments: { orderId: '4217' } },
        afterToolOutput: { say: { text: 'Your order shipped yesterday.' } },
      },
      { say: { text: LONG_TEXT } },
    ],
  });
}

const PCMU_SESSION = {
  type: 'realtime',
  audio: {
    input: {
      format: { type: 'audio/pcmu' },
      transcription: { model: 'gpt-4o-mini-transcribe' },
      turn_detection: {
        type: 'server_vad',
        threshold: 0.5,
        prefix_padding_ms: 300,
        silence_duration_ms: 500,
      },
    },
    output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
  },
};

let sim: RealtimeSimulator | undefined;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await sim?.close();
  sim = undefined;
});

async function start(
  options: Partial<RealtimeSimulatorOptions> & { script: SimulatorScript },
): Promise<RealtimeSimulator> {
  sim = await startRealtimeSimulator({ realtimeFactor: 1000, firstAudioLatencyMs: 0, ...options });
  return sim;
}

/** Opens a client; resolves once open, with the events it receives collected in `received`. */
async function connect(
  url: string,
  headers: Record<string, string> = { Authorization: 'Bearer sk-test' },
): Promise<{ ws: WebSocket; received: WireEvent[]; send(event: Record<string, unknown>): void }> {
  const ws = new WebSocket(url, { headers });
  clients.push(ws);
  const received: WireEvent[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as WireEvent));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, received, send: (event) => ws.send(JSON.stringify(event)) };
}

/** Appends µ-law in 20 ms frames (160 bytes), as the bridge forwards Twilio media. */
function sendAudio(send: (e: Record<string, unknown>) => void, ulaw: Buffer): void {
  for (let i = 0; i < ulaw.length; i += 160) {
    send({
      type: 'input_audio_buffer.append',
      audio: ulaw.subarray(i, i + 160).toString('base64'),
    });
  }
}

/** 500 ms silence, 800 ms of "speech", 800 ms silence: speech 200..1800 ms with the defaults. */
function utterance(): Buffer {
  return Buffer.concat([silenceUlaw(500), toneUlaw({ ms: 800, levelDbfs: -20 }), silenceUlaw(800)]);
}

function serverEvent(
  s: RealtimeSimulator,
  type: string,
  predicate?: (e: WireEvent) => boolean,
  after?: number,
) {
  return s.waitFor(type, predicate, {
    direction: 'server',
    ...(after !== undefined ? { after } : {}),
  });
}

async function configured(s: RealtimeSimulator, session: Record<string, unknown> = PCMU_SESSION) {
  const client = await connect(`${s.url}?model=gpt-realtime`);
  client.send({ type: 'session.update', session });
  await serverEvent(s, 'session.updated');
  return client;
}

function errorOf(entry: { event: WireEvent }): Record<string, unknown> {
  return entry.event.error as Record<string, unknown>;
}

/** Asks for a response and returns the id of its first output item, once it is done. */
async function firstOutputItem(
  s: RealtimeSimulator,
  send: (event: Record<string, unknown>) => void,
): Promise<string | undefined> {
  send({ type: 'response.create' });
  const done = await serverEvent(s, 'response.done');
  return (done.event.response as { output: Array<{ id: string }> }).output[0]?.id;
}

function truncate(
  send: (event: Record<string, unknown>) => void,
  itemId: unknown,
  audioEndMs: number,
): void {
  send({
    type: 'conversation.item.truncate',
    item_id: itemId,
    content_index: 0,
    audio_end_ms: audioEndMs,
  });
}

describe('realtime simulator connection', () => {
  it('refuses an upgrade without credentials with 401 and a JSON error', async () => {
    const s = await start({ script: await script() });
    const ws = new WebSocket(`${s.url}?model=gpt-realtime`);
    clients.push(ws);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
    expect(JSON.parse(body).error.type).toBe('invalid_request_error');
  });

  it('sends session.created then conversation.created on connect', async () => {
    const s = await start({ script: await script() });
    await connect(`${s.url}?model=gpt-realtime`);
    await serverEvent(s, 'conversation.created');
    expect(s.log.entries.map((e) => e.event.type)).toEqual([
      'session.created',
      'conversation.created',
    ]);
  });

  it('accepts the Azure path with an api-key header', async () => {
    const s = await start({ script: await script() });
    await connect(`${s.azureUrl}?model=my-deployment`, { 'api-key': 'k' });
    const created = await serverEvent(s, 'session.created');
    expect((created.event.session as { model: string }).model).toBe('my-deployment');
  });

  it('answers the beta header with beta_api_shape_disabled and closes with 4000', async () => {
    const s = await start({ script: await script() });
    const ws = new WebSocket(`${s.url}?model=gpt-realtime`, {
      headers: { Authorization: 'Bearer k', 'OpenAI-Beta': 'realtime=v1' },
    });
    clients.push(ws);
    const codes: string[] = [];
    ws.on('message', (d) => codes.push(JSON.parse(String(d)).error?.code));
    const closeCode = await new Promise<number>((resolve) =>
      ws.on('close', (code) => resolve(code)),
    );
    expect(closeCode).toBe(4000);
    expect(codes).toEqual(['beta_api_shape_disabled']);
  });
});

describe('realtime simulator session.update', () => {
  it('keeps µ-law when a later update omits audio', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    const mark = s.log.mark();
    client.send({
      type: 'session.update',
      session: { type: 'realtime', instructions: 'Be brief.' },
    });
    const updated = await serverEvent(s, 'session.updated', undefined, mark);
    const session = updated.event.session as {
      instructions: string;
      audio: { input: { format: unknown } };
    };
    expect(session.instructions).toBe('Be brief.');
    expect(session.audio.input.format).toEqual({ type: 'audio/pcmu' });
  });

  it('refuses an update without session.type and echoes the client event_id', async () => {
    const s = await start({ script: await script() });
    const client = await connect(`${s.url}?model=gpt-realtime`);
    client.send({ type: 'session.update', event_id: 'evt_1', session: { instructions: 'x' } });
    const error = errorOf(await serverEvent(s, 'error'));
    expect(error).toMatchObject({
      code: 'missing_required_parameter',
      param: 'session.type',
      event_id: 'evt_1',
    });
  });

  it('refuses a model change', async () => {
    const s = await start({ script: await script() });
    const client = await connect(`${s.url}?model=gpt-realtime`);
    client.send({
      type: 'session.update',
      session: { type: 'realtime', model: 'gpt-realtime-mini' },
    });
    expect(errorOf(await serverEvent(s, 'error')).param).toBe('session.model');
  });

  it('refuses an unknown audio format type', async () => {
    const s = await start({ script: await script() });
    const client = await connect(`${s.url}?model=gpt-realtime`);
    client.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { format: { type: 'g711_ulaw' } } } },
    });
    expect(errorOf(await serverEvent(s, 'error')).code).toBe('invalid_value');
  });

  it('answers an unknown client event type with invalid_value on type', async () => {
    const s = await start({ script: await script() });
    const client = await connect(`${s.url}?model=gpt-realtime`);
    client.send({ type: 'ping' });
    expect(errorOf(await serverEvent(s, 'error'))).toMatchObject({
      code: 'invalid_value',
      param: 'type',
    });
  });
});

describe('realtime simulator exchange', () => {
  it('plays the greeting in the GA event order', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    client.send({ type: 'response.create' });
    const done = await serverEvent(s, 'response.done');
    const response = done.event.response as {
      status: string;
      output: Array<{ content: Array<{ transcript: string }> }>;
    };
    expect(response.status).toBe('completed');
    expect(response.output[0]?.content[0]?.transcript).toBe('Hello, thanks for calling.');
    const order = [
      ...new Set(
        s.log.entries.filter((e) => e.seq > 3 && e.direction === 'server').map((e) => e.event.type),
      ),
    ];
    expect(order).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio.delta',
      'response.output_audio_transcript.delta',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
  });

  it('turns caller speech into a committed turn with VAD offsets and a scripted transcript', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    sendAudio(client.send, utterance());
    const started = await serverEvent(s, 'input_audio_buffer.speech_started');
    const stopped = await serverEvent(s, 'input_audio_buffer.speech_stopped');
    const transcript = await serverEvent(
      s,
      'conversation.item.input_audio_transcription.completed',
    );
    expect(started.event.audio_start_ms).toBe(200);
    expect(stopped.event.audio_end_ms).toBe(1800);
    expect(transcript.event.transcript).toBe('I would like to check my order 4217');
    expect(s.records()[0]?.callerTurns[0]).toMatchObject({
      speechStartMs: 200,
      speechEndMs: 1800,
      scriptTurn: 0,
    });
  });

  it('makes a function call and answers the tool output with afterToolOutput', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    sendAudio(client.send, utterance());
    const args = await serverEvent(s, 'response.function_call_arguments.done');
    await serverEvent(s, 'response.done');
    expect(args.event).toMatchObject({ name: 'lookup_order', arguments: '{"orderId":"4217"}' });
    const mark = s.log.mark();
    client.send({
      type: 'conversation.item.create',
      item: {
        type: 'function_call_output',
        call_id: args.event.call_id,
        output: '{"status":"shipped"}',
      },
    });
    client.send({ type: 'response.create' });
    const done = await serverEvent(s, 'response.done', undefined, mark);
    const output = (
      done.event.response as { output: Array<{ content: Array<{ transcript: string }> }> }
    ).output;
    expect(output[0]?.content[0]?.transcript).toBe('Your order shipped yesterday.');
    expect(s.records()[0]?.toolOutputs).toEqual([
      { callId: args.event.call_id, name: 'lookup_order', output: '{"status":"shipped"}' },
    ]);
  });

  it('refuses a function_call_output for an unknown call_id', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    client.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_x', output: '{}' },
    });
    expect(errorOf(await serverEvent(s, 'error')).param).toBe('item.call_id');
  });

  it('answers response.cancel without an active response with response_cancel_not_active', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    client.send({ type: 'response.cancel' });
    expect(errorOf(await serverEvent(s, 'error'))).toMatchObject({
      code: 'response_cancel_not_active',
      message: 'Cancellation failed: no active response found',
    });
  });

  it('refuses an empty manual commit with input_audio_buffer_commit_empty', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    client.send({ type: 'input_audio_buffer.commit' });
    expect(errorOf(await serverEvent(s, 'error')).code).toBe('input_audio_buffer_commit_empty');
  });

  it('refuses a truncate past the end of the item audio', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    const itemId = await firstOutputItem(s, client.send);
    truncate(client.send, itemId, 99_999);
    // "Hello, thanks for calling." is 26 characters: 26 × 60 ms of synthetic speech.
    expect(errorOf(await serverEvent(s, 'error')).message).toBe(
      'Audio content of 1560ms is already shorter than 99999ms',
    );
  });

  it('refuses to truncate a user item', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    sendAudio(client.send, utterance());
    const committed = await serverEvent(s, 'input_audio_buffer.committed');
    truncate(client.send, committed.event.item_id, 0);
    expect(errorOf(await serverEvent(s, 'error')).message).toBe(
      'Only model output audio messages can be truncated',
    );
  });

  it('truncates an assistant item and cuts its transcript proportionally', async () => {
    const s = await start({ script: await script() });
    const client = await configured(s);
    const itemId = await firstOutputItem(s, client.send);
    truncate(client.send, itemId, 780);
    const truncated = await serverEvent(s, 'conversation.item.truncated');
    expect(truncated.event).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 780 });
    expect(s.records()[0]?.truncations[0]).toMatchObject({
      audioMs: 1560,
      transcriptAfter: 'Hello, thanks',
    });
  });
});

describe('realtime simulator with a response in progress', () => {
  /** Real-time pacing and a greeting of about 13 s: the response stays active during the test. */
  async function slow(options: Partial<RealtimeSimulatorOptions> = {}): Promise<RealtimeSimulator> {
    return start({ script: await script(LONG_TEXT), realtimeFactor: 1, ...options });
  }

  it('refuses response.create while a response is active, without a second response.created', async () => {
    const s = await slow();
    const client = await configured(s);
    client.send({ type: 'response.create' });
    const created = await serverEvent(s, 'response.output_audio.delta');
    client.send({ type: 'response.create' });
    const error = errorOf(await serverEvent(s, 'error'));
    expect(error.code).toBe('conversation_already_has_active_response');
    expect(error.message).toContain(`in progress: ${String(created.event.response_id)}`);
    expect(s.log.ofType('response.created')).toHaveLength(1);
  });

  it('cancels the active response on response.cancel and stops its audio', async () => {
    const s = await slow();
    const client = await configured(s);
    client.send({ type: 'response.create' });
    await serverEvent(s, 'response.output_audio.delta');
    client.send({ type: 'response.cancel' });
    const done = await serverEvent(s, 'response.done');
    expect(done.event.response).toMatchObject({
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'client_cancelled' },
    });
    const doneAudio = s.log.entries.findIndex((e) => e.event.type === 'response.output_audio.done');
    const lastDelta = s.log.entries.findLastIndex(
      (e) => e.event.type === 'response.output_audio.delta',
    );
    expect(lastDelta).toBeLessThan(doneAudio);
  });

  it('refuses to truncate an assistant item before its first audio delta', async () => {
    const s = await slow({ firstAudioLatencyMs: 60_000 });
    const client = await configured(s);
    client.send({ type: 'response.create' });
    const added = await serverEvent(s, 'response.content_part.added');
    truncate(client.send, added.event.item_id, 0);
    expect(errorOf(await serverEvent(s, 'error')).message).toBe(
      'Only model output audio messages can be truncated',
    );
  });

  it('cancels the response with turn_detected when the caller speaks and interrupt_response is true', async () => {
    const s = await slow();
    const client = await configured(s);
    client.send({ type: 'response.create' });
    await serverEvent(s, 'response.output_audio.delta');
    sendAudio(client.send, utterance());
    const started = await serverEvent(s, 'input_audio_buffer.speech_started');
    const done = await serverEvent(s, 'response.done');
    expect(done.seq).toBeGreaterThan(started.seq);
    expect(done.event.response).toMatchObject({
      status: 'cancelled',
      status_details: { reason: 'turn_detected' },
    });
    expect(s.records()[0]?.cancellations[0]?.reason).toBe('turn_detected');
  });

  it('keeps the response going when the caller speaks and interrupt_response is false', async () => {
    const s = await slow();
    const session = structuredClone(PCMU_SESSION);
    Object.assign(session.audio.input.turn_detection, { interrupt_response: false });
    const client = await configured(s, session);
    client.send({ type: 'response.create' });
    await serverEvent(s, 'response.output_audio.delta');
    sendAudio(client.send, utterance());
    const stopped = await serverEvent(s, 'input_audio_buffer.speech_stopped');
    expect(s.log.ofType('response.done')).toEqual([]);
    // The turn's own response waits for the active one: cancel it, and the next one starts.
    client.send({ type: 'response.cancel' });
    const next = await serverEvent(s, 'response.created', undefined, stopped.seq);
    expect(s.log.ofType('response.created')).toHaveLength(2);
    expect(next.seq).toBeGreaterThan((await serverEvent(s, 'response.done')).seq);
  });
});
