/**
 * Ground truth of a barge-in from the Twilio side: how much of each bot item the caller had heard
 * at the instant of a `clear`, read from the emulated playback's snapshot. The server's marks are
 * named `g<generation>:m<seq>:<itemId>:<itemEndMs>` and the audio between two of them is one
 * item's (src/call/playback-tracker.ts marks an item's first frame), so the segment of outbound
 * audio before a mark belongs to that mark's item, and audio after the last mark to the same item
 * as the segment before it. This is the one implementation the timeline, the demo checks and the
 * tests' fake caller all read.
 */
import type { ClearSnapshot } from './playback-emulator.js';

/** The server's mark names; see the module doc. */
const MARK_NAME = /^g(\d+):m(\d+):(.+):(\d+)$/;

/** The parts of one of the server's mark names. */
export interface ServerMarkName {
  generation: number;
  seq: number;
  itemId: string;
  /** Position in the item at the end of the frame before the mark, ms. */
  itemEndMs: number;
}

/** The parts of one of the server's mark names, or undefined for any other name. */
export function parseMarkName(name: string): ServerMarkName | undefined {
  const match = MARK_NAME.exec(name);
  if (!match) return undefined;
  const [, generation, seq, itemId, itemEndMs] = match;
  return {
    generation: Number(generation),
    seq: Number(seq),
    itemId: itemId ?? '',
    itemEndMs: Number(itemEndMs),
  };
}

/** One bot item of the generation a clear ended: what was sent of it and what had played. */
export interface ItemHeardAtClear {
  itemId: string;
  /** Audio of this item sent to Twilio before the clear, ms. */
  sentMs: number;
  /** Audio of this item that had played when the clear came, ms (whole samples). */
  heardMs: number;
}

/**
 * Every item of the generation the clear ended, in the order its audio was sent, with how much of
 * THAT item had played. Audio before a mark that is not the server's, or before the generation's
 * first mark, cannot be attributed and is skipped (the server marks an item's first frame, so
 * there is none of the latter).
 */
export function heardAtClear(clear: ClearSnapshot): ItemHeardAtClear[] {
  const items = new Map<string, ItemHeardAtClear>();
  let previous: ItemHeardAtClear | undefined;
  for (const segment of clear.segments) {
    // A segment the clear cut has no mark: it goes on from the one before it.
    let item = previous;
    if (segment.endMark !== undefined) {
      const mark = parseMarkName(segment.endMark);
      item = mark && (items.get(mark.itemId) ?? { itemId: mark.itemId, sentMs: 0, heardMs: 0 });
    }
    previous = item;
    if (!item) continue;
    item.sentMs += segment.sentMs;
    item.heardMs += segment.playedMs;
    items.set(item.itemId, item);
  }
  return [...items.values()];
}

/** Ms of `itemId` heard at the clear, or undefined when the clear's generation has no such item. */
export function itemHeardAtClear(clear: ClearSnapshot, itemId: string): number | undefined {
  return heardAtClear(clear).find((item) => item.itemId === itemId)?.heardMs;
}
