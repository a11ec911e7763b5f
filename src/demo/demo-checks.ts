/**
 * What `npm run demo` must show, checked on the replayed call: the greeting heard in full, the
 * order lookup with its arguments and result, a barge-in that truncated the interrupted answer
 * where the caller stopped hearing it, and the hang-up by `end_call` after the goodbye.
 */
import type { CallRecord, CallRecordEvent } from '../call/call-record.js';
import type { ReplayResult } from '../replay/twilio/replay-call.js';
import { itemHeardAtClear } from '../replay/twilio/heard-at-clear.js';

/** One Twilio media frame, ms: the resolution of the server's heard-position marks. */
export const FRAME_TOLERANCE_MS = 20;

/** One checked fact, with the detail a newcomer reads. */
export interface DemoCheck {
  name: string;
  ok: boolean;
  detail: string;
}

type EventOf<T extends CallRecordEvent['type']> = Extract<CallRecordEvent, { type: T }>;

/** Runs every check on a replayed call; each says what it saw or what was missing. */
export function checkDemoCall(result: ReplayResult, toolName = 'lookup_order'): DemoCheck[] {
  const record = result.callRecord;
  if (!record) {
    const why = result.callRecordError ?? 'not fetched';
    return [{ name: 'call record', ok: false, detail: `no server call record: ${why}` }];
  }
  return [
    checkGreeting(record),
    checkToolCall(record, toolName),
    checkBargeIn(record, result),
    checkHangUp(record, result),
  ];
}

function eventsOf<T extends CallRecordEvent['type']>(record: CallRecord, type: T): EventOf<T>[] {
  return record.events.filter((e): e is EventOf<T> => e.type === type);
}

/** The first bot item of the call is the greeting; heard in full means nothing was cut. */
export function greetingItem(record: CallRecord): EventOf<'bot_item_finished'> | undefined {
  const first = eventsOf(record, 'bot_audio_started')[0];
  if (!first) return undefined;
  return eventsOf(record, 'bot_item_finished').find((e) => e.itemId === first.itemId);
}

function checkGreeting(record: CallRecord): DemoCheck {
  const item = greetingItem(record);
  const name = 'greeting heard in full';
  if (!item) return { name, ok: false, detail: 'the bot never spoke a greeting' };
  const ok = !item.interrupted && item.sentMs - item.heardMs <= FRAME_TOLERANCE_MS;
  return {
    name,
    ok,
    detail: `heard ${item.heardMs} ms of ${item.sentMs} ms: "${item.heardTranscriptEstimate}"`,
  };
}

function checkToolCall(record: CallRecord, toolName: string): DemoCheck {
  const call = eventsOf(record, 'tool_call').find((e) => e.name === toolName);
  const name = `tool call ${toolName}`;
  if (!call) return { name, ok: false, detail: `the model never called ${toolName}` };
  const http = call.httpStatus === undefined ? '' : ` HTTP ${call.httpStatus}`;
  return {
    name,
    ok: call.status === 'ok',
    detail: `${toolName}(${call.arguments}) → ${call.status}${http} in ${call.durationMs} ms: ${call.output}`,
  };
}

function checkBargeIn(record: CallRecord, result: ReplayResult): DemoCheck {
  const name = 'barge-in truncated at the heard position';
  const bargeIns = eventsOf(record, 'barge_in').filter((b) => b.truncated.length > 0);
  if (bargeIns.length === 0) {
    return { name, ok: false, detail: 'the server truncated nothing: no barge-in happened' };
  }
  const lines: string[] = [];
  let ok = true;
  for (const bargeIn of bargeIns) {
    for (const cut of bargeIn.truncated) {
      const heard = heardAtClear(result, cut.itemId);
      const off = heard === undefined ? Infinity : Math.abs(heard - cut.audioEndMs);
      ok &&= off <= FRAME_TOLERANCE_MS;
      const truth = heard === undefined ? 'no Twilio clear to compare' : `caller heard ${heard} ms`;
      lines.push(`${cut.itemId} truncated at ${cut.audioEndMs} ms (${truth})`);
    }
  }
  return { name, ok, detail: lines.join('; ') };
}

function checkHangUp(record: CallRecord, result: ReplayResult): DemoCheck {
  const name = 'end_call hang-up';
  const endCall = eventsOf(record, 'tool_call').find((e) => e.name === 'end_call');
  const hungUp = record.outcome?.kind === 'hangup' && result.endReason === 'server_closed';
  const detail = endCall
    ? `end_call(${endCall.arguments}) → ${endCall.status}; ${result.outcome.description}`
    : `no end_call; ${result.outcome.description}`;
  return { name, ok: Boolean(endCall) && endCall?.status === 'ended_call' && hungUp, detail };
}

/**
 * What the caller had heard of `itemId` when Twilio cleared it (ground truth), or undefined if
 * no clear cut that item. An item's audio belongs to one generation, so at most one clear has it.
 */
export function heardAtClear(result: ReplayResult, itemId: string): number | undefined {
  for (const clear of result.clears) {
    const heard = itemHeardAtClear(clear, itemId);
    if (heard !== undefined) return heard;
  }
  return undefined;
}
