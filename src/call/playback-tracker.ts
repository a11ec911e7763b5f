/**
 * What the caller has heard of the bot's audio, from send times and Twilio's mark echoes.
 *
 * Outbound audio is split into frames, each remembered with its send time. Twilio plays what it
 * is sent in order and without a gap while it has audio, so the heard position is a walk over the
 * unheard frames: each starts when the one before it ends, or when it was sent if the buffer had
 * run dry by then. A mark named `g<generation>:m<seq>:<itemId>:<itemEndMs>` goes after an item's
 * first frame, after its last, and after a frame once a second of audio in between; Twilio echoes
 * it when the audio before it has played, which re-anchors the walk on Twilio's own clock and
 * tells when an item has been heard to its end. Every `clear` bumps the generation, so the
 * echoes Twilio returns for flushed marks are not taken as "heard".
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

/** One frame sent and not yet heard. */
interface SentFrame {
  /** The name a mark after this frame carries. */
  seq: number;
  item: PlayedItem;
  /** Item bytes at the end of this frame. */
  itemEndBytes: number;
  /** Position in this generation's outbound stream at the end of this frame (bytes). */
  streamEndBytes: number;
  /** When the frame was handed to the socket (ms, tracker clock). */
  sentAt: number;
}

/**
 * Audio between two marks, at most. Between echoes the walk over send times is exact, so a mark
 * buys no accuracy inside audio; an echo a second keeps the walk on Twilio's clock over long
 * turns. Each mark is one more message each way: a mark per 240 ms frame was 2.46 each way per
 * call-second in the benchmark's conversation, against 0.73 like this.
 */
const MARK_EVERY_BYTES = 1_000 * ULAW_BYTES_PER_MS;

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
  /** Audio sent since the last mark (bytes). */
  private unmarkedBytes = 0;
  /** Frames sent in this generation and not yet echoed, oldest first. */
  private outstanding: SentFrame[] = [];
  /** Last echo of this generation: stream position and when it came. */
  private anchor: { streamEndBytes: number; at: number } | undefined;
  private readonly items = new Map<string, PlayedItem>();

  constructor(
    private readonly sink: OutboundSink,
    private readonly frameBytes: number,
    private readonly now: () => number,
    private readonly onItemHeard: (item: PlayedItem) => void = () => {},
  ) {}

  /** Sends one model audio delta as frames; returns the frame count. */
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
    // The audio between two marks is one item's: an item's first frame closes the stretch
    // before it and is marked itself, so the mark names say which audio was which item's (the
    // Twilio emulator's ground truth reads them).
    const firstOfItem = item.sentBytes === 0;
    if (firstOfItem) this.markLastFrame();
    item.sentBytes += bytes;
    this.streamBytes += bytes;
    this.outstanding.push({
      seq: ++this.markSeq,
      item,
      itemEndBytes: item.sentBytes,
      streamEndBytes: this.streamBytes,
      sentAt: at,
    });
    this.sink.sendAudio(payload);
    this.unmarkedBytes += bytes;
    if (firstOfItem || this.unmarkedBytes >= MARK_EVERY_BYTES) this.markLastFrame();
  }

  /**
   * A mark after the last frame sent, unless it has one. At the end of a response too: its echo
   * tells when the caller has heard all of it (a call that ends waits for that to hang up).
   */
  markLastFrame(): void {
    const last = this.outstanding.at(-1);
    if (!last || this.unmarkedBytes === 0) return;
    this.unmarkedBytes = 0;
    const itemEndMs = Math.floor(last.itemEndBytes / ULAW_BYTES_PER_MS);
    this.sink.sendMark(`g${this.generation}:m${last.seq}:${last.item.itemId}:${itemEndMs}`);
  }

  /** Handles Twilio's echo of a mark; returns false for marks that are not ours or are stale. */
  onMarkEcho(name: string): boolean {
    const match = /^g(\d+):m(\d+):/.exec(name);
    if (!match) return false;
    // Echoes of marks flushed by a clear belong to an earlier generation: not heard.
    if (Number(match[1]) !== this.generation) return false;
    const seq = Number(match[2]);
    let echoed: SentFrame | undefined;
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
   * The heard position of every item with unheard audio, right now: a walk over the unheard
   * frames from the last echo (or, with nothing echoed since the last clear, from the first
   * frame's send time), at real-time speed, restarting at a frame's send time where the buffer
   * had run dry before it, and never past the audio sent. Against the playhead at the moment our
   * `clear` lands, a send time is exact; an echo is late by a network round trip.
   */
  heardPositions(): HeardPosition[] {
    const positions = new Map<string, HeardPosition>();
    for (const frame of this.outstanding) {
      if (!positions.has(frame.item.itemId)) {
        positions.set(frame.item.itemId, { item: frame.item, heardBytes: frame.item.heardBytes });
      }
    }
    const now = this.now();
    let playedUntil = this.anchor?.at ?? -Infinity;
    let streamBytes = this.anchor?.streamEndBytes ?? 0;
    for (const frame of this.outstanding) {
      const bytes = frame.streamEndBytes - streamBytes;
      const startedAt = Math.max(playedUntil, frame.sentAt);
      const played = Math.min(
        bytes,
        Math.max(0, Math.floor((now - startedAt) * ULAW_BYTES_PER_MS)),
      );
      positions.get(frame.item.itemId)!.heardBytes = frame.itemEndBytes - bytes + played;
      if (played < bytes) break;
      playedUntil = startedAt + bytes / ULAW_BYTES_PER_MS;
      streamBytes = frame.streamEndBytes;
    }
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
    this.unmarkedBytes = 0;
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
