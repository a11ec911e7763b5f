/**
 * One fake OpenAI Realtime GA session, as cheap as possible: it speaks the events the bridge
 * uses, plays a scripted conversation (greeting on response.create, then a bot turn every few
 * seconds), stamps every 20 ms of its audio, checks the stamps of the caller audio it receives,
 * and interrupts its own turns with speech_started at random points while the caller is hearing
 * them.
 */
import type { WebSocket } from 'ws';
import type { BenchStats, StreamTally } from './bench-stats.js';
import { countFrame } from './bench-stats.js';
import { FRAME_BYTES, FRAME_MS } from '../../src/audio/g711.js';
import { readFrames, writeFrame } from './frame-stamp.js';
import type { ModelScript } from './protocol.js';

/** What the model may ask about the call it serves (found from the stamps of caller audio). */
export interface CallerView {
  isPlaying(): boolean;
  /** When the caller will hang up (harness clock, ms). */
  endsAtMs: number;
}

export interface ModelContext {
  stats: BenchStats;
  script: ModelScript;
  now: () => number;
  random: () => number;
  caller: (callIndex: number) => CallerView | undefined;
}

interface Response {
  id: string;
  itemId: string;
  key: string;
  item: number;
  tally: StreamTally;
  totalFrames: number;
  nextDeltaAtMs: number;
}

// The exact text the bridge sends for caller audio: matched as a prefix so the hot path never
// runs JSON.parse (the harness must stay cheaper than the server it measures).
const APPEND_PREFIX = '{"type":"input_audio_buffer.append","audio":"';
/** Margin before the caller hangs up in which no new bot turn starts, ms. */
const TURN_END_MARGIN_MS = 1_000;

/** The bot's audio content part, as the service lists it in an item (no transcript here). */
const AUDIO_PART = { type: 'output_audio', transcript: '' };

/** An assistant message item with the fields the service sends (the Agents SDK checks them). */
function assistantItem(id: unknown, status: string, content: object[]) {
  return { id, object: 'realtime.item', type: 'message', role: 'assistant', status, content };
}

export class ModelSession {
  private callIndex: number | undefined;
  private inbound: StreamTally | undefined;
  private itemCounter = 0;
  private response: Response | undefined;
  private nextTurnAtMs = Infinity;
  private eventCounter = 0;
  /** The next interruption: its bot item and when the caller "starts speaking". */
  private barge: { r: Response; atMs: number } | undefined;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly ctx: ModelContext,
  ) {
    this.event('session.created', { session: { type: 'realtime', id: `sess_${id}` } });
  }

  onMessage(text: string): void {
    if (text.startsWith(APPEND_PREFIX)) {
      this.onAudio(text.slice(APPEND_PREFIX.length, text.length - 2));
      return;
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.ctx.stats.warn('model: a client frame that is not JSON');
      return;
    }
    this.onControl(msg);
  }

  /** Sends what is due: audio deltas, a barge-in, a new bot turn. */
  tick(now: number): void {
    if (this.barge && now >= this.barge.atMs) this.bargeIn(this.barge.r, now);
    const r = this.response;
    if (r && now >= r.nextDeltaAtMs) this.sendDelta(r, now);
    if (!this.response && now >= this.nextTurnAtMs) this.startTurn(now);
  }

  /** The socket closed: items still playing are not counted as complete. */
  close(): void {
    this.response = undefined;
    this.barge = undefined;
    this.nextTurnAtMs = Infinity;
  }

  private onAudio(b64: string): void {
    const now = this.ctx.now();
    const { stats } = this.ctx;
    readFrames(Buffer.from(b64, 'base64'), (s) => {
      if (this.callIndex === undefined) {
        this.callIndex = s.stream;
        this.inbound = stats.tally(stats.inbound, s.stream);
      }
      if (s.stream !== this.callIndex) {
        stats.warn(
          `model ${this.id}: audio of call ${s.stream} on the socket of ${this.callIndex}`,
        );
        return;
      }
      countFrame(this.inbound!, s.seq);
      if (stats.measuring) stats.inboundLatency.add(now - s.sentAtMs);
    });
  }

  private onControl(msg: Record<string, unknown>): void {
    switch (msg.type) {
      case 'session.update':
        this.event('session.updated', { session: msg.session });
        return;
      case 'response.create':
        if (this.response) {
          this.error('conversation_already_has_active_response', msg);
          return;
        }
        if (this.itemCounter === 0) this.ctx.stats.greetingRequestedAt.set(this.id, this.ctx.now());
        this.startResponse(this.ctx.now(), this.ctx.script.greetingAudioMs);
        return;
      case 'response.cancel':
        if (!this.response) return this.error('response_cancel_not_active', msg);
        this.finishResponse(this.response, 'cancelled');
        return;
      case 'conversation.item.truncate':
        this.onTruncate(msg);
        return;
      case 'conversation.item.create':
        // A bridge that greets through a user item (Twilio's sample, with --peer) sends one.
        this.event('conversation.item.added', {
          previous_item_id: null,
          item: { id: `item_client_${this.id}_${++this.eventCounter}`, ...(msg.item as object) },
        });
        return;
      case 'conversation.item.retrieve':
        // The Agents SDK asks for an item after truncating it (with --peer).
        this.event('conversation.item.retrieved', {
          item: assistantItem(msg.item_id, 'incomplete', [AUDIO_PART]),
        });
        return;
      case 'conversation.item.delete':
        this.ctx.stats.deletes.add(this.keyOf(String(msg.item_id)));
        this.event('conversation.item.deleted', { item_id: msg.item_id });
        return;
      default:
        this.ctx.stats.warn(`model: unexpected client event ${String(msg.type)}`);
    }
  }

  private onTruncate(msg: Record<string, unknown>): void {
    const key = this.keyOf(String(msg.item_id));
    const endMs = Number(msg.audio_end_ms);
    const sentMs = ((this.ctx.stats.outbound.get(key)?.sent ?? 0) * FRAME_BYTES) / 8;
    if (!(endMs <= sentMs)) return this.error('invalid_value', msg);
    this.ctx.stats.truncates.set(key, endMs);
    this.event('conversation.item.truncated', {
      item_id: msg.item_id,
      content_index: msg.content_index,
      audio_end_ms: endMs,
    });
  }

  private startTurn(now: number): void {
    const caller = this.callIndex === undefined ? undefined : this.ctx.caller(this.callIndex);
    const { script } = this.ctx;
    const playMs = script.turnAudioMs / Math.min(1, script.speed);
    if (!caller || now + script.firstDeltaMs + playMs + TURN_END_MARGIN_MS > caller.endsAtMs) {
      this.nextTurnAtMs = Infinity;
      return;
    }
    this.startResponse(now, script.turnAudioMs);
  }

  private startResponse(now: number, audioMs: number): void {
    const item = ++this.itemCounter;
    const key = `${this.id}:${item}`;
    const r: Response = {
      id: `resp_${this.id}_${item}`,
      itemId: `item_${this.id}_${item}`,
      key,
      item,
      tally: this.ctx.stats.tally(this.ctx.stats.outbound, key),
      totalFrames: Math.ceil(audioMs / FRAME_MS),
      nextDeltaAtMs: now + this.ctx.script.firstDeltaMs,
    };
    this.response = r;
    this.nextTurnAtMs = now + this.ctx.script.turnEveryMs;
    this.event('response.created', {
      response: { id: r.id, object: 'realtime.response', status: 'in_progress', output: [] },
    });
    const item0 = assistantItem(r.itemId, 'in_progress', []);
    this.event('response.output_item.added', { response_id: r.id, output_index: 0, item: item0 });
    this.event('response.content_part.added', {
      response_id: r.id,
      item_id: r.itemId,
      output_index: 0,
      content_index: 0,
      part: { type: 'audio', transcript: '' },
    });
  }

  private sendDelta(r: Response, now: number): void {
    const { script } = this.ctx;
    const frames = Math.min(script.chunkMs / FRAME_MS, r.totalFrames - r.tally.sent);
    const audio = Buffer.allocUnsafe(frames * FRAME_BYTES);
    for (let i = 0; i < frames; i++) {
      writeFrame(audio, i * FRAME_BYTES, {
        stream: this.id,
        item: r.item,
        seq: r.tally.sent + i,
        sentAtMs: now,
      });
    }
    if (r.tally.sent === 0) this.planBargeIn(r, now);
    r.tally.sent += frames;
    this.ws.send(
      `{"type":"response.output_audio.delta","event_id":"ev_${++this.eventCounter}","response_id":"${r.id}","item_id":"${r.itemId}","output_index":0,"content_index":0,"delta":"${audio.toString('base64')}"}`,
    );
    // Paced on the schedule, not on the tick: generation speed stays exact under load.
    r.nextDeltaAtMs += script.chunkMs / script.speed;
    if (r.tally.sent >= r.totalFrames) this.finishResponse(r, 'completed');
  }

  private planBargeIn(r: Response, now: number): void {
    const { script, random } = this.ctx;
    if (r.item === 1 || random() >= script.bargeInProbability) return;
    const playMs = (r.totalFrames * FRAME_MS) / Math.min(1, script.speed);
    // Anywhere in the turn's playback except its very edges.
    this.barge = { r, atMs: now + playMs * (0.05 + 0.9 * random()) };
  }

  private bargeIn(r: Response, now: number): void {
    this.barge = undefined;
    const caller = this.ctx.caller(this.callIndex ?? -1);
    if (!caller?.isPlaying()) {
      this.ctx.stats.bargeInsSkipped += 1;
      return;
    }
    this.event('input_audio_buffer.speech_started', {
      audio_start_ms: 0,
      item_id: `item_user_${this.id}_${r.item}`,
    });
    this.ctx.stats.bargeIns.set(r.key, now);
    // With interrupt_response (the bridge's setting) the service cancels the response itself.
    if (this.response === r) this.finishResponse(r, 'cancelled');
  }

  private finishResponse(r: Response, status: 'completed' | 'cancelled'): void {
    this.response = undefined;
    r.tally.complete = status === 'completed';
    this.event('response.output_audio.done', {
      response_id: r.id,
      item_id: r.itemId,
      output_index: 0,
      content_index: 0,
    });
    this.event('response.done', {
      response: {
        id: r.id,
        object: 'realtime.response',
        status,
        ...(status === 'cancelled'
          ? { status_details: { type: 'cancelled', reason: 'turn_detected' } }
          : {}),
        output: [assistantItem(r.itemId, status, [AUDIO_PART])],
      },
    });
  }

  private keyOf(itemId: string): string {
    const m = /^item_(\d+)_(\d+)$/.exec(itemId);
    return m ? `${m[1]}:${m[2]}` : itemId;
  }

  private error(code: string, failed: Record<string, unknown>): void {
    this.ctx.stats.modelError(code);
    this.event('error', {
      error: { type: 'invalid_request_error', code, message: code, event_id: failed.event_id },
    });
  }

  private event(type: string, fields: Record<string, unknown>): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify({ type, event_id: `ev_${++this.eventCounter}`, ...fields }));
  }
}
