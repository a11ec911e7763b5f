/**
 * The barge-ins of a replayed call: each Twilio-side clear paired with the server's `barge_in`
 * event of the same moment, and per interrupted item what the caller had heard of it against
 * where the server truncated it.
 */
import type { CallRecordEvent } from '../../call/call-record.js';
import { heardAtClear } from '../twilio/heard-at-clear.js';
import type { ClearSnapshot } from '../twilio/playback-emulator.js';
import type { BargeIn, InterruptedItem } from './timeline-types.js';

/** A server barge_in this close to a Twilio-side clear is the same barge-in (media ms). */
const BARGE_IN_PAIRING_MS = 1_000;

type ServerBargeIn = Extract<CallRecordEvent, { type: 'barge_in' }>;

/** Pairs clears with server barge_in events (times on the call axis) and sorts them by time. */
export function buildBargeIns(clears: ClearSnapshot[], events: CallRecordEvent[]): BargeIn[] {
  const server = events.filter((e): e is ServerBargeIn => e.type === 'barge_in');
  const used = new Set<number>();
  const out: BargeIn[] = clears.map((clear) => {
    const i = server.findIndex(
      (e, k) => !used.has(k) && Math.abs(e.t - clear.atMs) <= BARGE_IN_PAIRING_MS,
    );
    const match = server[i];
    if (match) used.add(i);
    return {
      atMs: clear.atMs,
      items: interruptedItems(clear, match),
      discardedMs: clear.discardedMs,
      clear,
      ...(match ? serverSide(match) : {}),
    };
  });
  server.forEach((e, k) => {
    if (!used.has(k))
      out.push({ atMs: e.t, items: interruptedItems(undefined, e), ...serverSide(e) });
  });
  return out.sort((a, b) => a.atMs - b.atMs);
}

function serverSide(
  e: ServerBargeIn,
): Pick<BargeIn, 'truncated' | 'deleted' | 'responseCancelled'> {
  return { truncated: e.truncated, deleted: e.deleted, responseCancelled: e.responseCancelled };
}

/**
 * The items the clear cut (not played to their end; items of the same generation heard in full
 * before it are not interrupted), then any other item the server truncated or deleted.
 */
function interruptedItems(clear: ClearSnapshot | undefined, server: ServerBargeIn | undefined) {
  const items: InterruptedItem[] = (clear ? heardAtClear(clear) : [])
    .filter((item) => item.heardMs < item.sentMs)
    .map((item) => ({ ...item }));
  const entry = (itemId: string): InterruptedItem => {
    const found = items.find((item) => item.itemId === itemId);
    if (found) return found;
    const added: InterruptedItem = { itemId };
    items.push(added);
    return added;
  };
  for (const cut of server?.truncated ?? []) {
    const item = entry(cut.itemId);
    item.truncatedAtMs = cut.audioEndMs;
    if (item.heardMs !== undefined) item.differenceMs = cut.audioEndMs - item.heardMs;
  }
  for (const itemId of server?.deleted ?? []) entry(itemId).deleted = true;
  return items;
}
