/**
 * One OpenAI (or Azure OpenAI) Realtime GA session over a WebSocket, as the call logic's
 * RealtimeSession. Parses server events at the edge; unknown ones are logged at debug and skipped.
 */
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { AgentConfig } from '../../config/app-config.js';
import type {
  FunctionCallRequest,
  RealtimeEvent,
  RealtimeListener,
  RealtimeSession,
  ToolDefinition,
} from '../realtime.js';
import { buildSession } from './session-config.js';
import type { RealtimeServerEvent } from './wire-types.js';

export interface OpenAIRealtimeOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  agent: AgentConfig;
  tools: ToolDefinition[];
  connectTimeoutMs: number;
  /** Heartbeat: a ping this often; one still unanswered at the next is a dead connection. */
  pingIntervalMs: number;
  /** Caller frames joined into one append (1 = each frame is sent as it came). */
  appendBatchFrames?: number;
  logger: Logger;
}

// Error codes after which the session cannot go on; everything else is reported and the call
// continues (the service keeps the session open after ordinary invalid_request_errors).
const FATAL_ERROR_CODES = new Set(['session_expired', 'invalid_api_key', 'insufficient_quota']);

/**
 * `input_audio_buffer.append`, written as text: 50 a second per call, and base64 never needs
 * JSON escaping, so JSON.stringify would only cost time. One home for both the frame and the batch.
 */
const appendEvent = (audioBase64: string): string =>
  `{"type":"input_audio_buffer.append","audio":"${audioBase64}"}`;

/** Realtime session over `ws`; pre-warmable: events wait for the first listener. */
export class OpenAIRealtimeSession implements RealtimeSession {
  private readonly ws: WebSocket;
  private listener: RealtimeListener | undefined;
  private readonly early: RealtimeEvent[] = [];
  /** Client events sent before `session.updated`, in order (caller audio included). */
  private pending: string[] = [];
  private isReady = false;
  private eventCounter = 0;
  private batch: string[] = [];
  private closed = false;
  private readonly connectTimer: NodeJS.Timeout;
  private heartbeat: NodeJS.Timeout | undefined;
  private awaitingPong = false;

  constructor(private readonly options: OpenAIRealtimeOptions) {
    const log = options.logger;
    this.ws = new WebSocket(options.url, {
      headers: { ...options.headers },
      // The service does not compress, and deflating base64 audio costs CPU for little.
      perMessageDeflate: false,
      handshakeTimeout: options.connectTimeoutMs,
    });
    this.connectTimer = setTimeout(() => {
      if (!this.isReady) {
        this.fail('connect_timeout', `no session after ${options.connectTimeoutMs} ms`);
      }
    }, options.connectTimeoutMs);
    this.ws.on('open', () => {
      log.debug('realtime socket open');
      this.heartbeat = setInterval(() => this.beat(), options.pingIntervalMs);
      this.write(
        JSON.stringify({
          type: 'session.update',
          session: buildSession(options.agent, options.tools),
        }),
      );
    });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        log.warn('realtime sent a binary frame; skipped');
        return;
      }
      this.onMessage(data.toString(), performance.now());
    });
    this.ws.on('unexpected-response', (_req, res) => {
      // The upgrade was refused (401 bad key, 404 unknown model or deployment, 429 …).
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString().slice(0, 500)));
      res.on('end', () =>
        this.fail(`http_${res.statusCode}`, body.trim() || (res.statusMessage ?? '')),
      );
    });
    this.ws.on('pong', () => {
      this.awaitingPong = false;
    });
    this.ws.on('error', (err) => this.fail('socket_error', err.message));
    this.ws.on('close', (code, reason) => {
      this.stopTimers();
      if (this.closed) return;
      this.closed = true;
      this.emit({ type: 'closed', code, reason: reason.toString() || 'closed by the service' });
    });
  }

  get ready(): boolean {
    return this.isReady;
  }

  setListener(listener: RealtimeListener): void {
    this.listener = listener;
    for (const event of this.early.splice(0)) listener(event);
  }

  appendAudio(payloadBase64: string): void {
    const batchFrames = this.options.appendBatchFrames ?? 1;
    if (batchFrames <= 1) {
      this.send(appendEvent(payloadBase64));
      return;
    }
    this.batch.push(payloadBase64);
    if (this.batch.length >= batchFrames) this.flushBatch();
  }

  private flushBatch(): void {
    if (this.batch.length === 0) return;
    // 160-byte frames are not whole base64 quanta: join the bytes, not the text.
    const bytes = Buffer.concat(this.batch.map((b) => Buffer.from(b, 'base64')));
    this.batch = [];
    this.send(appendEvent(bytes.toString('base64')));
  }

  createResponse(instructions?: string): void {
    this.control(
      'response.create',
      instructions === undefined ? {} : { response: { instructions } },
    );
  }

  cancelResponse(): void {
    this.control('response.cancel', {});
  }

  truncateItem(itemId: string, contentIndex: number, audioEndMs: number): void {
    this.control('conversation.item.truncate', {
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }

  deleteItem(itemId: string): void {
    this.control('conversation.item.delete', { item_id: itemId });
  }

  sendFunctionOutput(callId: string, output: string): void {
    this.control('conversation.item.create', {
      item: { type: 'function_call_output', call_id: callId, output },
    });
  }

  /** Control events carry `<type>:<n>` ids: the service echoes the id in errors about them. */
  private control(type: string, fields: Record<string, unknown>): void {
    this.send(JSON.stringify({ type, event_id: `${type}:${++this.eventCounter}`, ...fields }));
  }

  close(): void {
    this.stopTimers();
    // The caller's last words of a batch still go to the model: no frame is ever dropped.
    this.flushBatch();
    this.closed = true;
    this.pending = [];
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, 'call ended');
  }

  /** The session's timers, stopped however it ends (closed by us or by the service). */
  private stopTimers(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.heartbeat);
  }

  private send(text: string): void {
    if (this.closed) return;
    // Until the session is configured, audio would be decoded in the service's default format:
    // hold everything, in order, and flush on session.updated.
    if (!this.isReady) {
      this.pending.push(text);
      return;
    }
    this.write(text);
  }

  /**
   * As bytes, `ws` masks a message into the frame's own buffer and writes it in one piece (a
   * string costs a second buffer and a writev of two: about 2% of CPU at 50 appends a second).
   * `binary: false` keeps it a text frame, the only kind the service reads.
   */
  private write(text: string): void {
    this.ws.send(Buffer.from(text), { binary: false });
  }

  /**
   * Every WebSocket peer answers a ping (RFC 6455 §5.5.2). Python's `websockets` pings every 20 s
   * by default and drops a connection whose pong does not come: the many realtime clients built
   * on it would not hold a session otherwise.
   */
  private beat(): void {
    if (this.awaitingPong) {
      const ms = this.options.pingIntervalMs;
      this.fail('heartbeat_timeout', `no pong from the realtime service in ${ms} ms`);
      // A dead peer never answers a close handshake either.
      this.ws.terminate();
      return;
    }
    this.awaitingPong = true;
    this.ws.ping();
  }

  private emit(event: RealtimeEvent): void {
    if (this.listener) this.listener(event);
    else this.early.push(event);
  }

  private fail(code: string, message: string): void {
    if (this.closed) return;
    this.emit({ type: 'error', code, message, fatal: true });
    this.close();
    this.emit({ type: 'closed', code: 1006, reason: `${code}: ${message}` });
  }

  private onMessage(text: string, receivedAtMs: number): void {
    let event: RealtimeServerEvent;
    try {
      event = JSON.parse(text) as RealtimeServerEvent;
    } catch {
      this.options.logger.warn(
        { bytes: text.length },
        'realtime sent a frame that is not JSON; skipped',
      );
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') {
      this.options.logger.warn('realtime sent an event without a type; skipped');
      return;
    }
    const mapped = this.map(event, receivedAtMs);
    if (mapped) this.emit(mapped);
  }

  /** One case per server event the call needs; the rest are known and ignored, or unknown. */
  private map(e: RealtimeServerEvent, receivedAtMs: number): RealtimeEvent | undefined {
    switch (e.type) {
      case 'response.output_audio.delta':
        return {
          type: 'audio',
          responseId: e.response_id,
          itemId: e.item_id,
          contentIndex: e.content_index,
          audio: e.delta,
          receivedAtMs,
        };
      case 'session.updated':
        if (!this.isReady) {
          this.isReady = true;
          clearTimeout(this.connectTimer);
          for (const text of this.pending.splice(0)) this.write(text);
          return { type: 'ready' };
        }
        return undefined;
      case 'response.created':
        return { type: 'response_created', responseId: e.response.id ?? '' };
      case 'response.done': {
        const r = e.response;
        const functionCalls: FunctionCallRequest[] = [];
        for (const item of r.output ?? []) {
          if (item.type === 'function_call' && item.call_id && item.name) {
            functionCalls.push({
              responseId: r.id ?? '',
              itemId: item.id ?? '',
              callId: item.call_id,
              name: item.name,
              arguments: item.arguments ?? '',
            });
          }
        }
        return {
          type: 'response_done',
          responseId: r.id ?? '',
          status: r.status ?? 'completed',
          reason: (r.status_details as { reason?: string } | undefined)?.reason,
          functionCalls,
        };
      }
      case 'response.function_call_arguments.done':
        return {
          type: 'function_call',
          call: {
            responseId: e.response_id,
            itemId: e.item_id,
            callId: e.call_id,
            name: e.name,
            arguments: e.arguments,
          },
        };
      case 'response.output_audio_transcript.delta':
        return {
          type: 'transcript_delta',
          responseId: e.response_id,
          itemId: e.item_id,
          delta: e.delta,
        };
      case 'input_audio_buffer.speech_started':
        return {
          type: 'speech_started',
          audioStartMs: e.audio_start_ms,
          itemId: e.item_id,
          receivedAtMs,
        };
      case 'input_audio_buffer.speech_stopped':
        return { type: 'speech_stopped', audioEndMs: e.audio_end_ms, itemId: e.item_id };
      case 'conversation.item.input_audio_transcription.completed':
        return { type: 'user_transcript', itemId: e.item_id, transcript: e.transcript };
      case 'error': {
        const err = e.error;
        const fatal = err.code != null && FATAL_ERROR_CODES.has(err.code);
        // Our control events carry `<type>:<n>` ids, so an error names what it refused.
        const failedEventType = err.event_id?.split(':')[0];
        return {
          type: 'error',
          code: err.code ?? undefined,
          message: err.message,
          fatal,
          ...(failedEventType ? { failedEventType } : {}),
        };
      }
      case 'session.created':
      case 'conversation.created':
      case 'conversation.item.added':
      case 'conversation.item.done':
      case 'conversation.item.created':
      case 'conversation.item.deleted':
      case 'conversation.item.truncated':
      case 'conversation.item.retrieved':
      case 'conversation.item.input_audio_transcription.delta':
      case 'conversation.item.input_audio_transcription.failed':
      case 'conversation.item.input_audio_transcription.segment':
      case 'input_audio_buffer.committed':
      case 'input_audio_buffer.cleared':
      case 'input_audio_buffer.timeout_triggered':
      case 'input_audio_buffer.dtmf_event_received':
      case 'response.output_item.added':
      case 'response.output_item.done':
      case 'response.content_part.added':
      case 'response.content_part.done':
      case 'response.output_audio.done':
      case 'response.output_audio_transcript.done':
      case 'response.output_text.delta':
      case 'response.output_text.done':
      case 'response.function_call_arguments.delta':
      case 'rate_limits.updated':
      case 'output_audio_buffer.started':
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
      case 'mcp_list_tools.in_progress':
      case 'mcp_list_tools.completed':
      case 'mcp_list_tools.failed':
      case 'response.mcp_call_arguments.delta':
      case 'response.mcp_call_arguments.done':
      case 'response.mcp_call.in_progress':
      case 'response.mcp_call.completed':
      case 'response.mcp_call.failed':
        return undefined;
      default: {
        const unknown = e as { type: string };
        this.options.logger.debug({ event: unknown.type }, 'unknown realtime event; skipped');
        return undefined;
      }
    }
  }
}
