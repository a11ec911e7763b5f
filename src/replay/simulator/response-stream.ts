/**
 * One simulated response, streamed with the GA event sequence (protocols.md §1.5 "Typical VAD
 * turn order"): created → per item added/content part/deltas/done → response.done. Audio goes
 * out in deltas of `deltaMs`, paced at `realtimeFactor` × real time after `firstAudioLatencyMs`;
 * cancelling stops it at once (deltas already sent stay sent).
 */
import { pcm16ToAlaw, ulawToPcm16 } from '../../audio/g711.js';
import { pcm16ToLeBytes } from '../../audio/pcm16.js';
import { resamplePcm16 } from '../../audio/resample.js';
import { snapshot, type Conversation, type ConversationItem } from './conversation.js';
import type { WireEvent } from './event-log.js';
import type { ScriptedReply } from './simulator-script.js';
import { bytesPerMs, type AudioFormat } from './session-config.js';

/** How responses are paced (wall time; the input side runs on the audio clock). */
export interface Pacing {
  /** Audio per delta in ms (default 100). */
  deltaMs: number;
  /** Audio ms streamed per wall ms: 4 = four times real time; Infinity = no waiting. */
  realtimeFactor: number;
  /** Wall ms before the first delta of a response. */
  firstAudioLatencyMs: number;
}

/** What a response needs from its session. */
export interface ResponseContext {
  send(event: WireEvent): void;
  nextId(kind: 'item' | 'call'): string;
  conversation: Conversation;
  conversationId: string;
  pacing: Pacing;
  outputFormat: AudioFormat;
  voice: unknown;
  metadata: unknown;
  onFinished(stream: ResponseStream): void;
}

/** Why a response ended early, in `status_details.reason`. */
export type CancelReason = 'client_cancelled' | 'turn_detected';

/** Function-call arguments are streamed in deltas of this many characters (arbitrary, small). */
const ARGUMENT_DELTA_CHARS = 32;
/** Made-up token accounting for `usage`: 20 output audio tokens per second of audio. */
const AUDIO_TOKENS_PER_S = 20;
/** Made-up token accounting for `usage`: one text token per 4 characters. */
const CHARS_PER_TEXT_TOKEN = 4;

interface OpenAudio {
  item: ConversationItem;
  outputIndex: number;
  audio: Buffer;
  transcript: string;
  sentBytes: number;
  sentTranscript: string;
}

/** A response being streamed; `start()` once, `cancel()` any time before it is done. */
export class ResponseStream {
  status: 'in_progress' | 'completed' | 'cancelled' = 'in_progress';
  /** Audio bytes of this response sent so far. */
  audioSentBytes = 0;
  readonly #output: ConversationItem[] = [];
  #audio: OpenAudio | undefined;
  #timer: NodeJS.Timeout | undefined;
  #transcriptChars = 0;

  constructor(
    readonly id: string,
    readonly reply: ScriptedReply,
    private readonly ctx: ResponseContext,
  ) {}

  /** Sends `response.created` and starts streaming. */
  start(): void {
    this.ctx.send({ type: 'response.created', response: this.#responseObject(null) });
    if (this.reply.say) this.#openAudio(this.reply.say.audio, this.reply.say.transcript);
    this.#schedule(this.ctx.pacing.firstAudioLatencyMs, () => this.#step());
  }

  /** Stops streaming now and ends the response as cancelled. */
  cancel(reason: CancelReason): void {
    if (this.status !== 'in_progress') return;
    clearTimeout(this.#timer);
    if (this.#audio) this.#closeAudio('incomplete');
    this.#finish('cancelled', { type: 'cancelled', reason });
  }

  /** Call ids of the function calls this response made. */
  functionCallIds(): string[] {
    return this.#output.flatMap((item) =>
      item.type === 'function_call' && item.call_id ? [item.call_id] : [],
    );
  }

  /** Stops streaming without sending anything more (the socket is gone). */
  abort(): void {
    clearTimeout(this.#timer);
    if (this.status === 'in_progress') this.status = 'cancelled';
  }

  /** Output audio sent so far, in ms. */
  get audioSentMs(): number {
    return Math.floor(this.audioSentBytes / bytesPerMs(this.ctx.outputFormat));
  }

  #step(): void {
    const open = this.#audio;
    if (open && open.sentBytes < open.audio.length) {
      this.#sendDelta(open);
      const waitMs = this.ctx.pacing.deltaMs / this.ctx.pacing.realtimeFactor;
      this.#schedule(open.sentBytes < open.audio.length ? waitMs : 0, () => this.#step());
      return;
    }
    if (open) this.#closeAudio('completed');
    if (this.reply.functionCall) this.#functionCall(this.reply.functionCall);
    this.#finish('completed', null);
  }

  #schedule(delayMs: number, run: () => void): void {
    this.#timer = setTimeout(run, Number.isFinite(delayMs) ? Math.max(0, delayMs) : 0);
  }

  #openAudio(ulaw: Buffer, transcript: string): void {
    const item: ConversationItem = {
      id: this.ctx.nextId('item'),
      object: 'realtime.item',
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    const outputIndex = this.#addItem(item);
    const audio = encodeOutput(ulaw, this.ctx.outputFormat);
    this.#audio = { item, outputIndex, audio, transcript, sentBytes: 0, sentTranscript: '' };
    this.ctx.send({
      type: 'response.content_part.added',
      ...this.#where(item, outputIndex),
      part: { type: 'audio', transcript: '' },
    });
  }

  #sendDelta(open: OpenAudio): void {
    const chunkBytes = Math.max(1, this.ctx.pacing.deltaMs * bytesPerMs(this.ctx.outputFormat));
    const chunk = open.audio.subarray(open.sentBytes, open.sentBytes + chunkBytes);
    open.sentBytes += chunk.length;
    this.audioSentBytes += chunk.length;
    const stored = this.ctx.conversation.get(open.item.id);
    if (stored) stored.audioBytes += chunk.length;
    const where = this.#where(open.item, open.outputIndex);
    this.ctx.send({
      type: 'response.output_audio.delta',
      ...where,
      delta: chunk.toString('base64'),
    });
    const upTo = Math.round((open.transcript.length * open.sentBytes) / open.audio.length);
    const piece = open.transcript.slice(open.sentTranscript.length, upTo);
    open.sentTranscript += piece;
    open.item.content = [{ type: 'output_audio', transcript: open.sentTranscript }];
    if (piece)
      this.ctx.send({ type: 'response.output_audio_transcript.delta', ...where, delta: piece });
  }

  #closeAudio(status: 'completed' | 'incomplete'): void {
    const open = this.#audio;
    if (!open) return;
    this.#audio = undefined;
    const where = this.#where(open.item, open.outputIndex);
    const transcript = open.sentTranscript;
    this.#transcriptChars += transcript.length;
    this.ctx.send({ type: 'response.output_audio.done', ...where });
    this.ctx.send({ type: 'response.output_audio_transcript.done', ...where, transcript });
    this.ctx.send({
      type: 'response.content_part.done',
      ...where,
      part: { type: 'audio', transcript },
    });
    open.item.status = status;
    open.item.content = [{ type: 'output_audio', transcript }];
    this.#doneItem(open.item, open.outputIndex);
  }

  #functionCall(call: { name: string; arguments: string }): void {
    const item: ConversationItem = {
      id: this.ctx.nextId('item'),
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      call_id: this.ctx.nextId('call'),
      name: call.name,
      arguments: '',
    };
    const outputIndex = this.#addItem(item);
    const base = {
      response_id: this.id,
      item_id: item.id,
      output_index: outputIndex,
      call_id: item.call_id,
    };
    for (let i = 0; i < call.arguments.length; i += ARGUMENT_DELTA_CHARS) {
      const delta = call.arguments.slice(i, i + ARGUMENT_DELTA_CHARS);
      this.ctx.send({ type: 'response.function_call_arguments.delta', ...base, delta });
    }
    this.ctx.send({
      type: 'response.function_call_arguments.done',
      ...base,
      name: call.name,
      arguments: call.arguments,
    });
    item.arguments = call.arguments;
    item.status = 'completed';
    this.#doneItem(item, outputIndex);
  }

  #addItem(item: ConversationItem): number {
    const outputIndex = this.#output.length;
    this.#output.push(item);
    const previous = this.ctx.conversation.insert(item);
    const sent = snapshot(item);
    this.ctx.send({
      type: 'response.output_item.added',
      response_id: this.id,
      output_index: outputIndex,
      item: sent,
    });
    this.ctx.send({
      type: 'conversation.item.added',
      previous_item_id: previous,
      item: snapshot(item),
    });
    return outputIndex;
  }

  #doneItem(item: ConversationItem, outputIndex: number): void {
    this.ctx.send({
      type: 'response.output_item.done',
      response_id: this.id,
      output_index: outputIndex,
      item: snapshot(item),
    });
    this.ctx.send({
      type: 'conversation.item.done',
      previous_item_id: this.ctx.conversation.previousOf(item.id),
      item: snapshot(item),
    });
  }

  #where(item: ConversationItem, outputIndex: number): Record<string, unknown> {
    return { response_id: this.id, item_id: item.id, output_index: outputIndex, content_index: 0 };
  }

  #finish(status: 'completed' | 'cancelled', details: unknown): void {
    this.status = status;
    this.ctx.send({ type: 'response.done', response: this.#responseObject(details) });
    this.ctx.onFinished(this);
  }

  #responseObject(details: unknown): Record<string, unknown> {
    const done = this.status !== 'in_progress';
    return {
      object: 'realtime.response',
      id: this.id,
      status: this.status,
      status_details: details,
      output: done ? this.#output.map(snapshot) : [],
      conversation_id: this.ctx.conversationId,
      output_modalities: ['audio'],
      max_output_tokens: 'inf',
      audio: { output: { format: this.ctx.outputFormat, voice: this.ctx.voice } },
      usage: done ? this.#usage() : null,
      metadata: this.ctx.metadata ?? null,
    };
  }

  #usage(): Record<string, unknown> {
    const audioTokens = Math.ceil((this.audioSentMs / 1000) * AUDIO_TOKENS_PER_S);
    const textTokens = Math.ceil(
      (this.#transcriptChars + (this.reply.functionCall?.arguments.length ?? 0)) /
        CHARS_PER_TEXT_TOKEN,
    );
    return {
      total_tokens: audioTokens + textTokens,
      input_tokens: 0,
      output_tokens: audioTokens + textTokens,
      input_token_details: {
        text_tokens: 0,
        audio_tokens: 0,
        image_tokens: 0,
        cached_tokens: 0,
        cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
      },
      output_token_details: { text_tokens: textTokens, audio_tokens: audioTokens },
    };
  }
}

/** Script audio is µ-law 8 kHz; a session asking for another output format gets it converted. */
function encodeOutput(ulaw: Buffer, format: AudioFormat): Buffer {
  if (format.type === 'audio/pcmu') return ulaw;
  const pcm = ulawToPcm16(ulaw);
  if (format.type === 'audio/pcma') return pcm16ToAlaw(pcm);
  return pcm16ToLeBytes(resamplePcm16(pcm, 8000, format.rate));
}
