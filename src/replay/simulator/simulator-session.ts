/**
 * One simulated realtime session (one WebSocket): parses client events, runs the VAD on the
 * appended audio, answers with scripted responses, and keeps the log and the record.
 */
import type { Logger } from 'pino';
import { alawToPcm16, ulawToPcm16 } from '../../audio/g711.js';
import { pcm16FromLeBytes } from '../../audio/pcm16.js';
import {
  activeResponse,
  CANCEL_NOT_ACTIVE,
  invalidValue,
  missingParameter,
  type ApiError,
} from './api-errors.js';
import { Conversation, snapshot, type ConversationItem } from './conversation.js';
import { EventLog, type WireEvent } from './event-log.js';
import {
  createItem,
  deleteItem,
  retrieveItem,
  truncateItem,
  type ItemContext,
} from './item-events.js';
import { ResponseStream, type CancelReason, type Pacing } from './response-stream.js';
import {
  applySessionUpdate,
  bytesPerMs,
  defaultSession,
  isObject,
  vadConfigFor,
  type AudioFormat,
  type SessionState,
} from './session-config.js';
import { newSessionRecord, type ResponseRecord, type SessionRecord } from './session-record.js';
import type { ScriptedReply, SimulatorScript } from './simulator-script.js';
import { EnergyVad, type VadEvent } from './vad.js';

/** The client event types of the GA union, as the service lists them in its error. */
const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.truncate',
  'conversation.item.delete',
  'conversation.item.retrieve',
  'response.create',
  'response.cancel',
];
/** Shortest manual commit the service accepts: 100 ms of audio (its commit_empty message). */
const MIN_COMMIT_MS = 100;

/** What a session needs from the server that owns it. */
export interface SessionOptions {
  connectionId: number;
  model: string;
  endpoint: 'openai' | 'azure';
  script: SimulatorScript;
  pacing: Pacing;
  logger: Logger;
  /** Sends one JSON text frame to the client. */
  transmit(text: string): void;
  /** A log across sessions that every entry is copied to (the simulator's). */
  sharedLog?: EventLog;
}

type ReplyReason = { kind: 'turn'; turn: number } | { kind: 'after_tool_output'; turn: number };

/** One session's state machine. */
export class SimulatorSession {
  readonly log = new EventLog();
  readonly record: SessionRecord;
  readonly #options: SessionOptions;
  readonly #conversation = new Conversation();
  readonly #counters = { event: 0, item: 0, call: 0, response: 0 };
  #session: SessionState;
  #inputMs = 0;
  #bufferStartMs = 0;
  #vad: { vad: EnergyVad; offsetMs: number; key: string } | undefined;
  #speech: { itemId: string; startMs: number } | undefined;
  #active: { stream: ResponseStream; record: ResponseRecord } | undefined;
  #pendingAutoResponse = false;
  #greeted = false;
  #committedTurns = 0;
  readonly #queue: ReplyReason[] = [];
  /** call_id → script turn whose afterToolOutput answers it. */
  readonly #callTurns = new Map<string, number>();
  #clientEvent: WireEvent | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#session = defaultSession(`sess_${pad(options.connectionId)}`, options.model);
    this.record = newSessionRecord(options.connectionId, options.model, options.endpoint);
    this.#rebuildVad();
  }

  /** Caller audio appended so far, in ms. */
  get inputAudioMs(): number {
    return this.#inputMs;
  }

  /** The session object as the client would see it now. */
  get session(): SessionState {
    return structuredClone(this.#session);
  }

  /** Sends `session.created` and `conversation.created`. */
  open(): void {
    this.#send({ type: 'session.created', session: this.session });
    this.#send({
      type: 'conversation.created',
      conversation: { id: this.#conversationId(), object: 'realtime.conversation' },
    });
  }

  /** Sends an error the connection layer decided on (e.g. the beta header). */
  sendError(error: ApiError): void {
    this.#fail(error);
  }

  /** Handles one text frame from the client; bad input becomes an `error` event. */
  receive(text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      this.#clientEvent = undefined;
      return this.#fail({
        code: 'invalid_json',
        message: 'The server could not parse the event as JSON.',
        param: null,
      });
    }
    if (!isObject(event) || typeof event.type !== 'string') {
      this.#clientEvent = undefined;
      return this.#fail(missingParameter('type'));
    }
    const wire = event as WireEvent;
    this.#clientEvent = wire;
    this.#logEntry('client', wire);
    try {
      this.#dispatch(wire);
    } catch (err) {
      this.#options.logger.error(
        { err, type: wire.type },
        'simulator failed to handle a client event',
      );
      this.#fail({
        code: 'server_error',
        message: 'The simulator failed to handle this event.',
        param: null,
      });
    } finally {
      this.#clientEvent = undefined;
    }
  }

  /** Stops timers when the socket is gone. */
  close(): void {
    this.#active?.stream.abort();
    if (this.#active) this.#active.record.status = 'cancelled';
    this.#active = undefined;
  }

  #dispatch(event: WireEvent): void {
    switch (event.type) {
      case 'session.update':
        return this.#sessionUpdate(event);
      case 'input_audio_buffer.append':
        return this.#append(event);
      case 'input_audio_buffer.commit':
        return this.#manualCommit();
      case 'input_audio_buffer.clear':
        return this.#clear();
      case 'response.create':
        return this.#responseCreate(event);
      case 'response.cancel':
        return this.#responseCancel(event);
      case 'conversation.item.create':
        return createItem(this.#itemContext(), event);
      case 'conversation.item.truncate':
        return truncateItem(this.#itemContext(), event);
      case 'conversation.item.delete':
        return deleteItem(this.#itemContext(), event);
      case 'conversation.item.retrieve':
        return retrieveItem(this.#itemContext(), event);
      default:
        return this.#fail(invalidValue('type', event.type, CLIENT_EVENT_TYPES));
    }
  }

  #sessionUpdate(event: WireEvent): void {
    const result = applySessionUpdate(this.#session, event.session);
    if ('error' in result) return this.#fail(result.error);
    this.#session = result.session;
    this.#warnOnFormats();
    this.#rebuildVad();
    this.#send({ type: 'session.updated', session: this.session });
  }

  #warnOnFormats(): void {
    const { input, output } = this.#session.audio;
    for (const [side, format] of [
      ['input', input.format],
      ['output', output.format],
    ] as const) {
      if (format.type === 'audio/pcmu') continue;
      const warning = `audio.${side}.format is ${format.type}, not audio/pcmu (a phone bridge needs µ-law)`;
      if (!this.record.warnings.includes(warning)) this.record.warnings.push(warning);
    }
  }

  /** A new VAD when the turn detection or input format changed; its clock starts at `now`. */
  #rebuildVad(): void {
    const { turn_detection: td, format } = this.#session.audio.input;
    const config = vadConfigFor(td);
    const key = JSON.stringify([config, format]);
    if (this.#vad?.key === key) return;
    this.#vad = config
      ? {
          vad: new EnergyVad(config, format.type === 'audio/pcm' ? format.rate : 8000),
          offsetMs: this.#inputMs,
          key,
        }
      : undefined;
    if (!config) this.#speech = undefined;
  }

  #append(event: WireEvent): void {
    if (typeof event.audio !== 'string') return this.#fail(missingParameter('audio'));
    const bytes = Buffer.from(event.audio, 'base64');
    const format = this.#session.audio.input.format;
    this.#inputMs += bytes.length / bytesPerMs(format);
    if (!this.#vad) return;
    const { vad, offsetMs } = this.#vad;
    for (const vadEvent of vad.push(decodeInput(bytes, format))) this.#onVad(vadEvent, offsetMs);
  }

  #onVad(event: VadEvent, offsetMs: number): void {
    const td = this.#session.audio.input.turn_detection;
    if (event.type === 'speech_started') {
      const startMs = Math.round(Math.max(this.#bufferStartMs, offsetMs + event.audioStartMs));
      this.#speech = { itemId: this.#nextId('item'), startMs };
      this.#send({
        type: 'input_audio_buffer.speech_started',
        audio_start_ms: startMs,
        item_id: this.#speech.itemId,
      });
      if (this.#active && td?.interrupt_response) this.#cancel('turn_detected');
      return;
    }
    const speech = this.#speech;
    if (!speech) return;
    this.#speech = undefined;
    const endMs = Math.round(offsetMs + event.audioEndMs);
    this.#send({
      type: 'input_audio_buffer.speech_stopped',
      audio_end_ms: endMs,
      item_id: speech.itemId,
    });
    this.#commit(speech.itemId, 'vad', endMs, speech.startMs);
    if (td?.create_response) this.#autoResponse();
  }

  #manualCommit(): void {
    const bufferMs = this.#inputMs - this.#bufferStartMs;
    if (bufferMs < MIN_COMMIT_MS) {
      return this.#fail({
        code: 'input_audio_buffer_commit_empty',
        message: `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${bufferMs.toFixed(2)}ms of audio.`,
        param: null,
      });
    }
    const itemId = this.#speech?.itemId ?? this.#nextId('item');
    this.#speech = undefined;
    this.#vad?.vad.resetTurn();
    this.#commit(itemId, 'client', this.#inputMs);
  }

  #commit(itemId: string, by: 'vad' | 'client', atMs: number, speechStartMs?: number): void {
    this.#bufferStartMs = atMs;
    const item: ConversationItem = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    const previous = this.#conversation.insert(item);
    this.#send({
      type: 'input_audio_buffer.committed',
      previous_item_id: previous,
      item_id: itemId,
    });
    this.#send({
      type: 'conversation.item.added',
      previous_item_id: previous,
      item: snapshot(item),
    });
    this.#send({
      type: 'conversation.item.done',
      previous_item_id: previous,
      item: snapshot(item),
    });
    const turn = this.#committedTurns++;
    this.#queue.push({ kind: 'turn', turn });
    this.record.callerTurns.push({
      itemId,
      committedBy: by,
      ...(by === 'vad' ? { speechStartMs, speechEndMs: atMs } : {}),
      committedAtMs: Math.round(this.#inputMs),
      scriptTurn: turn,
    });
    this.#transcribe(item, turn, speechStartMs, atMs);
  }

  /** With input transcription configured, the scripted caller transcript stands in for STT. */
  #transcribe(
    item: ConversationItem,
    turn: number,
    startMs: number | undefined,
    endMs: number,
  ): void {
    if (!this.#session.audio.input.transcription) return;
    const transcript = this.#options.script.turns[turn]?.callerTranscript ?? '';
    item.content = [{ type: 'input_audio', transcript }];
    const seconds = Math.max(0, endMs - (startMs ?? this.#bufferStartMs)) / 1000;
    this.#send({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: item.id,
      content_index: 0,
      transcript,
      usage: { type: 'duration', seconds },
    });
  }

  #clear(): void {
    this.#bufferStartMs = this.#inputMs;
    this.#speech = undefined;
    this.#vad?.vad.resetTurn();
    this.#send({ type: 'input_audio_buffer.cleared' });
  }

  /** VAD asked for a response; one already running is left to finish first [U]. */
  #autoResponse(): void {
    if (this.#active) this.#pendingAutoResponse = true;
    else this.#startResponse('vad', undefined);
  }

  #responseCreate(event: WireEvent): void {
    if (this.#active) {
      return this.#fail(activeResponse(this.#active.stream.id));
    }
    this.#startResponse('client', isObject(event.response) ? event.response : undefined);
  }

  #startResponse(trigger: 'vad' | 'client', params: Record<string, unknown> | undefined): void {
    const { reply, record } = this.#chooseReply();
    const id = `resp_${pad(++this.#counters.response)}`;
    const responseRecord: ResponseRecord = {
      id,
      ...record,
      trigger,
      status: 'in_progress',
      audioSentMs: 0,
      ...(typeof params?.instructions === 'string' ? { instructions: params.instructions } : {}),
    };
    this.record.responses.push(responseRecord);
    const output = this.#session.audio.output;
    const stream = new ResponseStream(id, reply, {
      send: (e) => this.#send(e),
      nextId: (kind) => this.#nextId(kind),
      conversation: this.#conversation,
      conversationId: this.#conversationId(),
      pacing: this.#options.pacing,
      outputFormat: output.format,
      voice: output.voice,
      metadata: params?.metadata,
      onFinished: (s) => this.#onResponseFinished(s, responseRecord, record.scriptTurn),
    });
    this.#active = { stream, record: responseRecord };
    stream.start();
  }

  #chooseReply(): { reply: ScriptedReply; record: Pick<ResponseRecord, 'reply' | 'scriptTurn'> } {
    const { script } = this.#options;
    const reason = this.#queue.shift();
    if (reason?.kind === 'after_tool_output') {
      const reply = script.turns[reason.turn]?.afterToolOutput;
      if (reply) return { reply, record: { reply: 'after_tool_output', scriptTurn: reason.turn } };
    }
    if (reason?.kind === 'turn') {
      const reply = script.turns[reason.turn];
      if (reply) return { reply, record: { reply: 'turn', scriptTurn: reason.turn } };
    }
    if (!reason && !this.#greeted && this.#committedTurns === 0 && script.greeting) {
      this.#greeted = true;
      return { reply: script.greeting, record: { reply: 'greeting', scriptTurn: null } };
    }
    return { reply: script.fallback, record: { reply: 'fallback', scriptTurn: null } };
  }

  #onResponseFinished(stream: ResponseStream, record: ResponseRecord, turn: number | null): void {
    record.status = stream.status;
    record.audioSentMs = stream.audioSentMs;
    if (this.#active?.stream === stream) this.#active = undefined;
    if (
      turn !== null &&
      record.reply === 'turn' &&
      this.#options.script.turns[turn]?.afterToolOutput
    ) {
      for (const call of stream.functionCallIds()) this.#callTurns.set(call, turn);
    }
    if (this.#pendingAutoResponse) {
      this.#pendingAutoResponse = false;
      this.#startResponse('vad', undefined);
    }
  }

  #responseCancel(event: WireEvent): void {
    const active = this.#active;
    const wanted = event.response_id;
    if (!active || (typeof wanted === 'string' && wanted !== active.stream.id)) {
      return this.#fail(CANCEL_NOT_ACTIVE);
    }
    this.#cancel('client_cancelled');
  }

  #cancel(reason: CancelReason): void {
    const active = this.#active;
    if (!active) return;
    this.record.cancellations.push({
      responseId: active.stream.id,
      reason,
      audioSentMs: active.stream.audioSentMs,
      atInputMs: Math.round(this.#inputMs),
    });
    active.stream.cancel(reason);
  }

  #itemContext(): ItemContext {
    return {
      conversation: this.#conversation,
      record: this.record,
      send: (e) => this.#send(e),
      fail: (error) => this.#fail(error),
      nextItemId: () => this.#nextId('item'),
      outputBytesPerMs: () => bytesPerMs(this.#session.audio.output.format),
      onToolOutput: (callId) => {
        const turn = this.#callTurns.get(callId);
        if (turn === undefined) return;
        this.#callTurns.delete(callId);
        this.#queue.push({ kind: 'after_tool_output', turn });
      },
    };
  }

  #fail(error: ApiError): void {
    const clientEvent = this.#clientEvent;
    this.record.errors.push({
      code: error.code,
      message: error.message,
      clientEventType: clientEvent?.type,
    });
    this.#send({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: error.code,
        message: error.message,
        param: error.param,
        event_id: typeof clientEvent?.event_id === 'string' ? clientEvent.event_id : null,
      },
    });
  }

  #send(event: WireEvent): void {
    const { type, ...rest } = event;
    const wire: WireEvent = { type, event_id: `event_${pad(++this.#counters.event, 4)}`, ...rest };
    this.#logEntry('server', wire);
    this.#options.transmit(JSON.stringify(wire));
  }

  #logEntry(direction: 'client' | 'server', event: WireEvent): void {
    const entry = {
      connectionId: this.#options.connectionId,
      direction,
      event,
      inputAudioMs: this.#inputMs,
    };
    this.log.add(entry);
    this.#options.sharedLog?.add(entry);
  }

  #nextId(kind: 'item' | 'call'): string {
    return `${kind}_${pad(++this.#counters[kind])}`;
  }

  #conversationId(): string {
    return `conv_${pad(this.#options.connectionId)}`;
  }
}

function pad(n: number, width = 3): string {
  return String(n).padStart(width, '0');
}

/** Appended bytes as PCM16 samples for the VAD, per the session's input format. */
function decodeInput(bytes: Buffer, format: AudioFormat): Int16Array {
  if (format.type === 'audio/pcmu') return ulawToPcm16(bytes);
  if (format.type === 'audio/pcma') return alawToPcm16(bytes);
  return pcm16FromLeBytes(bytes);
}
