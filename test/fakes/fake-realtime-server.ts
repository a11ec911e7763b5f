/**
 * A fake OpenAI Realtime GA server for tests, faithful to protocols.md: auth on the upgrade,
 * session.created/conversation.created, session.update → session.updated, and the real errors for
 * response.create while active, response.cancel with nothing active, and bad truncations. The
 * test drives the model's side (responses, audio, speech events) through FakeRealtimeConnection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Recorded } from '../helpers/recorded.js';
import {
  activeResponse,
  audioShorterThan,
  CANCEL_NOT_ACTIVE,
  itemNotFound,
  missingParameter,
  NOT_AUDIO_OUTPUT,
  type ApiError,
} from '../../src/replay/simulator/api-errors.js';

export type ClientEvent = { type: string; event_id?: string; [key: string]: unknown };

interface FakeItem {
  id: string;
  kind: 'assistant_audio' | 'function_call' | 'user';
  responseId?: string;
  audioBytes: number;
  callId?: string;
  name?: string;
  arguments?: string;
}

let counter = 0;
const id = (prefix: string) => `${prefix}_${(++counter).toString(36).padStart(6, '0')}`;

export class FakeRealtimeConnection {
  private readonly events = new Recorded<ClientEvent>();
  readonly received = this.events.items;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly url: string;
  session: Record<string, unknown> = {};
  activeResponseId: string | undefined;
  private readonly items = new Map<string, FakeItem>();
  /** When true, session.update is recorded but session.updated waits for releaseSessionUpdated(). */
  holdSessionUpdated = false;
  private heldUpdate = false;
  /** Binary frames received: the service reads text frames only, so these are skipped. */
  binaryFrames = 0;
  readonly closed: Promise<void>;

  constructor(
    readonly ws: WebSocket,
    request: { headers: Record<string, string | string[] | undefined>; url: string },
    hold: boolean,
  ) {
    this.headers = request.headers;
    this.url = request.url;
    this.holdSessionUpdated = hold;
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames += 1;
      else this.onClientEvent(JSON.parse(data.toString()) as ClientEvent);
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    this.send({ type: 'session.created', session: { type: 'realtime', id: id('sess') } });
    this.send({
      type: 'conversation.created',
      conversation: { id: id('conv'), object: 'realtime.conversation' },
    });
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ event_id: id('event'), ...event }));
  }

  /**
   * Becomes a half-open peer: stops reading its socket, so nothing the bridge sends (events,
   * pings, a close) is read or answered, while the TCP connection stays up.
   */
  freeze(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  /** Resolves with the first client event (past or future) matching. */
  waitFor(type: string, predicate: (e: ClientEvent) => boolean = () => true): Promise<ClientEvent> {
    return this.events.waitFor((e) => e.type === type && predicate(e));
  }

  /** Resolves once `count` client events of `type` have arrived. */
  waitForCount(type: string, count: number): Promise<ClientEvent[]> {
    return this.events.waitForCount((e) => e.type === type, count);
  }

  /** Client events other than audio appends, in order: what a barge-in test asserts on. */
  controlEvents(): ClientEvent[] {
    return this.received.filter((e) => e.type !== 'input_audio_buffer.append');
  }

  releaseSessionUpdated(): void {
    this.holdSessionUpdated = false;
    if (this.heldUpdate) this.send({ type: 'session.updated', session: this.session });
  }

  /** An `error` event as the service sends it (`event_id` names the client event it refuses). */
  sendError(code: string, message: string, eventId?: string): void {
    this.send({
      type: 'error',
      error: { type: 'invalid_request_error', code, message, event_id: eventId ?? null },
    });
  }

  /** Starts a response as the model would (`response.created`). */
  startResponse(): string {
    const responseId = id('resp');
    this.activeResponseId = responseId;
    this.send({
      type: 'response.created',
      response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] },
    });
    return responseId;
  }

  /** Adds an assistant audio message item to a response. */
  addAudioItem(responseId: string, outputIndex = 0): string {
    const itemId = id('item');
    this.items.set(itemId, { id: itemId, kind: 'assistant_audio', responseId, audioBytes: 0 });
    const item = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [],
    };
    this.addOutputItem(responseId, outputIndex, item);
    this.send({
      type: 'response.content_part.added',
      response_id: responseId,
      item_id: itemId,
      output_index: outputIndex,
      content_index: 0,
      part: { type: 'audio', transcript: '' },
    });
    return itemId;
  }

  /** Sends one `response.output_audio.delta` (and its transcript delta). */
  audioDelta(
    responseId: string,
    itemId: string,
    audio: Buffer,
    transcript = '',
    outputIndex = 0,
  ): void {
    const item = this.items.get(itemId);
    if (item) item.audioBytes += audio.length;
    this.send({
      type: 'response.output_audio.delta',
      response_id: responseId,
      item_id: itemId,
      output_index: outputIndex,
      content_index: 0,
      delta: audio.toString('base64'),
    });
    if (transcript) {
      this.send({
        type: 'response.output_audio_transcript.delta',
        response_id: responseId,
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        delta: transcript,
      });
    }
  }

  /**
   * Adds a function call to a response (arguments as the model streams them, then done). With
   * `streamed: false` it appears only in the response's `response.done` output.
   */
  functionCall(
    responseId: string,
    name: string,
    args: unknown,
    outputIndex = 1,
    options: { streamed?: boolean } = {},
  ): { itemId: string; callId: string } {
    const itemId = id('item');
    const callId = id('call');
    const argumentsText = JSON.stringify(args);
    this.items.set(itemId, {
      id: itemId,
      kind: 'function_call',
      responseId,
      audioBytes: 0,
      callId,
      name,
      arguments: argumentsText,
    });
    if (options.streamed === false) return { itemId, callId };
    const item = {
      id: itemId,
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      call_id: callId,
      name,
      arguments: '',
    };
    this.addOutputItem(responseId, outputIndex, item);
    this.send({
      type: 'response.function_call_arguments.done',
      response_id: responseId,
      item_id: itemId,
      output_index: outputIndex,
      call_id: callId,
      name,
      arguments: argumentsText,
    });
    return { itemId, callId };
  }

  /** Ends a response (`response.done`), listing its function calls as the real one does. */
  finishResponse(
    responseId: string,
    status: 'completed' | 'cancelled' = 'completed',
    reason?: string,
  ): void {
    if (this.activeResponseId === responseId) this.activeResponseId = undefined;
    const output = [...this.items.values()]
      .filter((i) => i.responseId === responseId && i.kind === 'function_call')
      .map((i) => ({
        id: i.id,
        type: 'function_call',
        call_id: i.callId,
        name: i.name,
        arguments: i.arguments,
        status: 'completed',
      }));
    this.send({
      type: 'response.done',
      response: {
        id: responseId,
        object: 'realtime.response',
        status,
        status_details:
          status === 'cancelled'
            ? { type: 'cancelled', reason: reason ?? 'client_cancelled' }
            : null,
        output,
      },
    });
  }

  /** `response.output_item.added` then `conversation.item.added`, as the service sends them. */
  private addOutputItem(
    responseId: string,
    outputIndex: number,
    item: Record<string, unknown>,
  ): void {
    this.send({
      type: 'response.output_item.added',
      response_id: responseId,
      output_index: outputIndex,
      item,
    });
    this.send({ type: 'conversation.item.added', item });
  }

  /** VAD detected caller speech; with interrupt_response the service cancels on its own. */
  speechStarted(audioStartMs: number): void {
    this.send({
      type: 'input_audio_buffer.speech_started',
      audio_start_ms: audioStartMs,
      item_id: id('item'),
    });
    const td = (
      this.session.audio as
        { input?: { turn_detection?: { interrupt_response?: boolean } } } | undefined
    )?.input?.turn_detection;
    if (this.activeResponseId && td?.interrupt_response !== false) {
      this.finishResponse(this.activeResponseId, 'cancelled', 'turn_detected');
    }
  }

  /** Bytes of audio the fake has sent for an item (what truncation is checked against). */
  audioBytesOf(itemId: string): number {
    return this.items.get(itemId)?.audioBytes ?? 0;
  }

  /** The service's `error` event refusing `event` (the same errors the simulator sends). */
  private refuse(event: ClientEvent, error: ApiError): void {
    this.send({
      type: 'error',
      error: { type: 'invalid_request_error', ...error, event_id: event.event_id ?? null },
    });
  }

  private onClientEvent(event: ClientEvent): void {
    this.events.add(event);
    this.apply(event);
  }

  private apply(event: ClientEvent): void {
    switch (event.type) {
      case 'session.update': {
        const session = event.session as Record<string, unknown> | undefined;
        if (!session || session.type !== 'realtime') {
          this.refuse(event, missingParameter('session.type'));
          return;
        }
        this.session = { ...this.session, ...session };
        if (this.holdSessionUpdated) this.heldUpdate = true;
        else this.send({ type: 'session.updated', session: this.session });
        return;
      }
      case 'response.create':
        if (this.activeResponseId) {
          this.refuse(event, activeResponse(this.activeResponseId));
        }
        return;
      case 'response.cancel':
        if (!this.activeResponseId) {
          this.refuse(event, CANCEL_NOT_ACTIVE);
          return;
        }
        this.finishResponse(this.activeResponseId, 'cancelled', 'client_cancelled');
        return;
      case 'conversation.item.truncate': {
        const item = this.items.get(String(event.item_id));
        const endMs = Number(event.audio_end_ms);
        if (!item) {
          this.refuse(event, itemNotFound('item_id', event.item_id));
        } else if (item.kind !== 'assistant_audio' || item.audioBytes === 0) {
          this.refuse(event, NOT_AUDIO_OUTPUT);
        } else if (endMs > item.audioBytes / 8) {
          this.refuse(event, audioShorterThan(Math.floor(item.audioBytes / 8), endMs));
        } else {
          item.audioBytes = endMs * 8;
          this.send({
            type: 'conversation.item.truncated',
            item_id: item.id,
            content_index: 0,
            audio_end_ms: endMs,
          });
        }
        return;
      }
      case 'conversation.item.delete':
        if (!this.items.delete(String(event.item_id))) {
          this.refuse(event, itemNotFound('item_id', event.item_id));
        } else {
          this.send({ type: 'conversation.item.deleted', item_id: event.item_id });
        }
        return;
      case 'conversation.item.create': {
        const item = event.item as { type?: string; call_id?: string } | undefined;
        if (item?.type === 'function_call_output') {
          const known = [...this.items.values()].some((i) => i.callId === item.call_id);
          if (!known) {
            this.refuse(event, {
              code: 'invalid_value',
              message: `No function call found with call_id: ${String(item.call_id)}`,
              param: 'item.call_id',
            });
            return;
          }
        }
        this.send({ type: 'conversation.item.added', item: { id: id('item'), ...item } });
        return;
      }
      default:
        return;
    }
  }
}

export class FakeRealtimeServer {
  private readonly opened = new Recorded<FakeRealtimeConnection>();
  readonly connections = this.opened.items;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  /** New connections hold session.updated until the test releases it. */
  holdSessionUpdated = false;
  /** When set, upgrades are refused with this HTTP status (401 bad key, 404 unknown model …). */
  refuseWithStatus: number | undefined;
  url = '';

  constructor() {
    this.server = createServer();
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const auth = req.headers.authorization ?? req.headers['api-key'];
      if (this.refuseWithStatus || !auth || req.headers['openai-beta']) {
        const status = this.refuseWithStatus ?? 401;
        const body = JSON.stringify({
          error: {
            type: 'invalid_request_error',
            code: 'invalid_api_key',
            message: 'Incorrect API key provided.',
          },
        });
        socket.end(
          `HTTP/1.1 ${status} Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const connection = new FakeRealtimeConnection(
          ws,
          { headers: req.headers, url: req.url ?? '' },
          this.holdSessionUpdated,
        );
        this.opened.add(connection);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/realtime`;
    return this.url;
  }

  /** Resolves with connection number `index` (0-based) once it exists. */
  async connection(index = 0): Promise<FakeRealtimeConnection> {
    return (await this.opened.waitForCount(() => true, index + 1))[index]!;
  }

  /** Open sockets right now (a leak check). */
  get openSockets(): number {
    return this.wss.clients.size;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
