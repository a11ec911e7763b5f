/**
 * What the caller has heard of the bot's audio, from Twilio's mark echoes.
 *
 * Outbound audio is split into frames; after each frame goes a mark named
 * `g<generation>:m<seq>:<itemId>:<itemEndMs>`. Twilio echoes a mark when the audio queued before
 * it has played, so an echo pins the heard position of that item exactly. Between echoes the
 * position is interpolated on the wall clock (audio plays at 8 bytes/ms) but never past the next
 * mark: the estimate is always within one frame, and in real time within a few ms. Every `clear`
 * bumps the generation, so the echoes Twilio returns for flushed marks are not taken as "heard".
 */

import { ULAW_BYTES_PER_MS } from '../audio/g711.js';

/** Bytes encoded by padded base64 text (the model's deltas are plain, unwrapped base64). */
export function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor(text.length / 4) * 3 - padding;
}

/** An assistant audio item as played to the caller. */
export interface PlayedItem {
  responseId: string;
  itemId: string;
  contentIndex: number;
  /** Bytes received from the model and sent to the caller. */
  sentBytes: number;
  /** Bytes the caller has heard, as of the last mark echo. */
  heardBytes: number;
}

interface MarkRecord {
  seq: number;
  item: PlayedItem;
  /** Item bytes at the end of this frame. */
  itemEndBytes: number;
  /** Position in this generation's outbound stream at the end of this frame (bytes). */
  streamEndBytes: number;
  /** When the frame before this mark was handed to the socket (ms, tracker clock). */
  sentAt: number;
}

/** Where the caller is in one item at the moment of a barge-in. */
export interface HeardPosition {
  item: PlayedItem;
  heardBytes: number;
}

export interface OutboundSink {
  sendAudio(payloadBase64: string): void;
  sendMark(name: string): void;
}

export class PlaybackTracker {
  private generation = 1;
  private markSeq = 0;
  private streamBytes = 0;
  /** Marks sent in this generation and not yet echoed, oldest first. */
  private outstanding: MarkRecord[] = [];
  /** Last echo of this generation: stream position and when it came. */
  private anchor: { streamEndBytes: number; at: number } | undefined;
  private readonly items = new Map<string, PlayedItem>();

  constructor(
    private readonly sink: OutboundSink,
    private readonly frameBytes: number,
    private readonly now: () => number,
    private readonly onItemHeard: (item: PlayedItem) => void = () => {},
  ) {}

  /** Sends one model audio delta as frames, each followed by a mark; returns the frame count. */
  sendAudio(responseId: string, itemId: string, contentIndex: number, audioBase64: string): number {
    // Slicing needs whole base64 quanta; a model that ever sent anything else gets re-encoded.
    if (audioBase64.length % 4 !== 0)
      audioBase64 = Buffer.from(audioBase64, 'base64').toString('base64');
    const deltaBytes = base64Bytes(audioBase64);
    if (deltaBytes === 0) return 0;
    let item = this.items.get(itemId);
    if (!item) {
      item = { responseId, itemId, contentIndex, sentBytes: 0, heardBytes: 0 };
      this.items.set(itemId, item);
    }
    const at = this.now();
    // A delta of one frame or less goes out as the model sent it.
    if (deltaBytes <= this.frameBytes) {
      this.sendFrame(item, audioBase64, deltaBytes, at);
      return 1;
    }
    // Frames of a multiple of 3 bytes are whole base64 quanta: slice the text, no re-encoding.
    if (this.frameBytes % 3 === 0) {
      const chars = (this.frameBytes / 3) * 4;
      let frames = 0;
      for (let offset = 0; offset < audioBase64.length; offset += chars) {
        const frame = audioBase64.slice(offset, offset + chars);
        this.sendFrame(item, frame, base64Bytes(frame), at);
        frames += 1;
      }
      return frames;
    }
    const audio = Buffer.from(audioBase64, 'base64');
    let frames = 0;
    for (let offset = 0; offset < audio.length; offset += this.frameBytes) {
      const frame = audio.subarray(offset, Math.min(offset + this.frameBytes, audio.length));
      this.sendFrame(item, frame.toString('base64'), frame.length, at);
      frames += 1;
    }
    return frames;
  }

  private sendFrame(item: PlayedItem, payload: string, bytes: number, at: number): void {
    item.sentBytes += bytes;
    this.streamBytes += bytes;
    const seq = ++this.markSeq;
    this.outstanding.push({
      seq,
      item,
      itemEndBytes: item.sentBytes,
      streamEndBytes: this.streamBytes,
      sentAt: at,
    });
    this.sink.sendAudio(payload);
    this.sink.sendMark(
      `g${this.generation}:m${seq}:${item.itemId}:${Math.floor(item.sentBytes / ULAW_BYTES_PER_MS)}`,
    );
  }

  /** Handles Twilio's echo of a mark; returns false for marks that are not ours or are stale. */
  onMarkEcho(name: string): boolean {
    const match = /^g(\d+):m(\d+):/.exec(name);
    if (!match) return false;
    // Echoes of marks flushed by a clear belong to an earlier generation: not heard.
    if (Number(match[1]) !== this.generation) return false;
    const seq = Number(match[2]);
    let echoed: MarkRecord | undefined;
    // Twilio echoes in order; anything before this mark has played too.
    while (this.outstanding.length > 0 && this.outstanding[0]!.seq <= seq) {
      echoed = this.outstanding.shift()!;
      echoed.item.heardBytes = echoed.itemEndBytes;
      if (echoed.item.heardBytes === echoed.item.sentBytes) this.onItemHeard(echoed.item);
    }
    if (!echoed) return false;
    this.anchor = { streamEndBytes: echoed.streamEndBytes, at: this.now() };
    return true;
  }

  /** True while audio has been sent that the caller has not yet heard. */
  get hasUnheardAudio(): boolean {
    return this.outstanding.length > 0;
  }

  /**
   * The heard position of every item with unheard audio, right now: exact at the last echo,
   * interpolated since then at real-time speed, capped at the next mark.
   */
  heardPositions(): HeardPosition[] {
    const next = this.outstanding[0];
    if (!next) return [];
    // Playback runs from the last echo, or — when the buffer had run dry, or nothing has been
    // echoed since the last clear — from when the next frame was sent. Against the playhead at
    // the moment our `clear` lands, that start is exact; an echo is late by a network round trip.
    const startedAt = Math.max(this.anchor?.at ?? -Infinity, next.sentAt);
    const gap = next.streamEndBytes - (this.anchor?.streamEndBytes ?? 0);
    const extraBytes = Math.min(
      gap,
      Math.max(0, Math.floor((this.now() - startedAt) * ULAW_BYTES_PER_MS)),
    );
    const positions = new Map<string, HeardPosition>();
    for (const record of this.outstanding) {
      if (!positions.has(record.item.itemId)) {
        positions.set(record.item.itemId, {
          item: record.item,
          heardBytes: record.item.heardBytes,
        });
      }
    }
    // `next` is the frame right after the last echo (or the generation's first frame).
    const frameStartInItem = next.itemEndBytes - gap;
    positions.get(next.item.itemId)!.heardBytes = frameStartInItem + extraBytes;
    return [...positions.values()];
  }

  /**
   * The caller barged in: fences off every outstanding mark (their echoes are stale from now on)
   * and returns where each unheard item stood. The caller must send Twilio `clear` itself.
   */
  interrupt(): HeardPosition[] {
    const positions = this.heardPositions();
    for (const p of positions) p.item.heardBytes = p.heardBytes;
    this.generation += 1;
    this.outstanding = [];
    this.anchor = undefined;
    this.streamBytes = 0;
    return positions;
  }

  /** The items played so far in this call (for the call record at the end). */
  playedItems(): PlayedItem[] {
    return [...this.items.values()];
  }

  /** Forgets an item (its record is final). */
  forget(itemId: string): void {
    this.items.delete(itemId);
  }
}
