/**
 * Ground truth of a barge-in from the Twilio side: how much of each bot item the caller had
 * heard at the instant of a `clear`, read from the emulated playback. The server names its marks
 * `g<generation>:m<seq>:<itemId>:<itemEndMs>` (src/call/playback-tracker.ts), so every segment of
 * outbound audio maps to the item it belongs to and to its position in that item.
 */
import type { ClearSnapshot } from '../replay/twilio/playback-emulator.js';

/** The server's mark names; see the module doc. */
const MARK_NAME = /^g(\d+):m(\d+):(.+):(\d+)$/;

/** The parts of one of the server's mark names, or undefined for any other name. */
export function parseMarkName(
  name: string,
): { generation: number; seq: number; itemId: string; itemEndMs: number } | undefined {
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

/**
 * Per item id: the position in that item (ms) up to which the caller had heard it when the clear
 * came. Items of the generation whose audio had not started playing map to 0.
 */
export function heardPositionsAtClear(clear: ClearSnapshot): Map<string, number> {
  const heard = new Map<string, number>();
  for (const segment of clear.segments) {
    const mark = segment.endMark === undefined ? undefined : parseMarkName(segment.endMark);
    if (!mark) continue;
    const startInItemMs = mark.itemEndMs - segment.sentMs;
    const reachedMs = segment.playedMs > 0 ? startInItemMs + segment.playedMs : 0;
    heard.set(mark.itemId, Math.max(heard.get(mark.itemId) ?? 0, reachedMs));
  }
  return heard;
}
