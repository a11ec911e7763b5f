/**
 * The `conversation.item.*` client events: create (tool outputs), truncate, delete, retrieve,
 * with the service's checks and errors.
 */
import {
  invalidType,
  invalidValue,
  itemNotFound,
  missingParameter,
  type ApiError,
  audioShorterThan,
  NOT_AUDIO_OUTPUT,
} from './api-errors.js';
import { snapshot, type Conversation, type ConversationItem } from './conversation.js';
import type { WireEvent } from './event-log.js';
import type { SessionRecord } from './session-record.js';
import { isObject } from './session-config.js';

/** What the item handlers need from their session. */
export interface ItemContext {
  conversation: Conversation;
  record: SessionRecord;
  send(event: WireEvent): void;
  fail(error: ApiError): void;
  nextItemId(): string;
  /** Output audio bytes per ms in the session's output format. */
  outputBytesPerMs(): number;
  /** A function_call_output for an existing call was added. */
  onToolOutput(callId: string): void;
}

/** `conversation.item.truncate`: cuts an assistant audio item and its transcript. */
export function truncateItem(ctx: ItemContext, event: WireEvent): void {
  const { item_id: itemId, content_index: contentIndex, audio_end_ms: endMs } = event;
  if (typeof itemId !== 'string') return ctx.fail(missingParameter('item_id'));
  if (typeof endMs !== 'number' || !Number.isInteger(endMs) || endMs < 0) {
    return ctx.fail(invalidType('audio_end_ms', 'a non-negative integer'));
  }
  const stored = ctx.conversation.get(itemId);
  if (!stored) return ctx.fail(itemNotFound('item_id', itemId));
  const { item } = stored;
  if (item.type !== 'message' || item.role !== 'assistant' || stored.audioBytes === 0) {
    return ctx.fail(NOT_AUDIO_OUTPUT);
  }
  if ((contentIndex ?? 0) !== 0)
    return ctx.fail(invalidValue('content_index', contentIndex, ['0']));
  const bytesPerMs = ctx.outputBytesPerMs();
  const audioMs = Math.floor(stored.audioBytes / bytesPerMs);
  if (endMs > audioMs) {
    return ctx.fail(audioShorterThan(audioMs, endMs));
  }
  const part = item.content?.[0] ?? {};
  const before = typeof part.transcript === 'string' ? part.transcript : '';
  const after = cutTranscript(before, audioMs === 0 ? 0 : endMs / audioMs);
  item.content = [{ ...part, type: 'output_audio', transcript: after }];
  stored.audioBytes = endMs * bytesPerMs;
  ctx.record.truncations.push({
    itemId,
    audioEndMs: endMs,
    audioMs,
    transcriptBefore: before,
    transcriptAfter: after,
  });
  ctx.send({
    type: 'conversation.item.truncated',
    item_id: itemId,
    content_index: 0,
    audio_end_ms: endMs,
  });
}

/** The part of a transcript heard when `fraction` of its audio played (cut by characters). */
export function cutTranscript(transcript: string, fraction: number): string {
  const keep = Math.round(transcript.length * Math.min(1, Math.max(0, fraction)));
  return transcript.slice(0, keep).trimEnd();
}

/** `conversation.item.delete`. */
export function deleteItem(ctx: ItemContext, event: WireEvent): void {
  const id = event.item_id;
  if (typeof id !== 'string') return ctx.fail(missingParameter('item_id'));
  if (!ctx.conversation.delete(id)) return ctx.fail(itemNotFound('item_id', id));
  ctx.send({ type: 'conversation.item.deleted', item_id: id });
}

/** `conversation.item.retrieve`. */
export function retrieveItem(ctx: ItemContext, event: WireEvent): void {
  const id = event.item_id;
  if (typeof id !== 'string') return ctx.fail(missingParameter('item_id'));
  const stored = ctx.conversation.get(id);
  if (!stored) return ctx.fail(itemNotFound('item_id', id));
  ctx.send({ type: 'conversation.item.retrieved', item: snapshot(stored.item) });
}

/** `conversation.item.create`: adds an item; never starts a response. */
export function createItem(ctx: ItemContext, event: WireEvent): void {
  const raw = event.item;
  if (!isObject(raw)) return ctx.fail(missingParameter('item'));
  const previous = event.previous_item_id;
  if (
    previous !== undefined &&
    previous !== null &&
    previous !== 'root' &&
    !ctx.conversation.has(String(previous))
  ) {
    return ctx.fail(itemNotFound('previous_item_id', previous));
  }
  if (raw.id !== undefined && (typeof raw.id !== 'string' || ctx.conversation.has(raw.id))) {
    return ctx.fail({
      code: 'invalid_value',
      message: `Item with id '${String(raw.id)}' already exists.`,
      param: 'item.id',
    });
  }
  const built = buildItem(ctx, raw);
  if ('error' in built) return ctx.fail(built.error);
  const item = built.item;
  const previousId = ctx.conversation.insert(
    item,
    typeof previous === 'string' ? previous : undefined,
  );
  ctx.send({ type: 'conversation.item.added', previous_item_id: previousId, item: snapshot(item) });
  ctx.send({ type: 'conversation.item.done', previous_item_id: previousId, item: snapshot(item) });
  if (item.type === 'function_call_output' && item.call_id !== undefined) {
    const call = ctx.conversation.functionCall(item.call_id);
    ctx.record.toolOutputs.push({
      callId: item.call_id,
      name: call?.name,
      output: item.output ?? '',
    });
    ctx.onToolOutput(item.call_id);
  }
}

function buildItem(
  ctx: ItemContext,
  raw: Record<string, unknown>,
): { item: ConversationItem } | { error: ApiError } {
  const id = typeof raw.id === 'string' ? raw.id : ctx.nextItemId();
  const base = { id, object: 'realtime.item' as const, status: 'completed' as const };
  switch (raw.type) {
    case 'function_call_output': {
      if (typeof raw.call_id !== 'string') return { error: missingParameter('item.call_id') };
      if (typeof raw.output !== 'string') return { error: invalidType('item.output', 'a string') };
      if (!ctx.conversation.functionCall(raw.call_id)) {
        // [U] wording: the service refuses outputs for calls it does not know.
        return {
          error: {
            code: 'invalid_value',
            message: `Invalid value: '${raw.call_id}'. No function call with this call_id exists in the conversation.`,
            param: 'item.call_id',
          },
        };
      }
      return {
        item: { ...base, type: 'function_call_output', call_id: raw.call_id, output: raw.output },
      };
    }
    case 'function_call': {
      if (typeof raw.call_id !== 'string') return { error: missingParameter('item.call_id') };
      const name = typeof raw.name === 'string' ? raw.name : '';
      const args = typeof raw.arguments === 'string' ? raw.arguments : '';
      return {
        item: { ...base, type: 'function_call', call_id: raw.call_id, name, arguments: args },
      };
    }
    case 'message':
      return buildMessage(base, raw);
    default:
      return {
        error: invalidValue('item.type', raw.type, [
          'message',
          'function_call',
          'function_call_output',
        ]),
      };
  }
}

function buildMessage(
  base: { id: string; object: 'realtime.item'; status: 'completed' },
  raw: Record<string, unknown>,
): { item: ConversationItem } | { error: ApiError } {
  if (raw.role !== 'user' && raw.role !== 'system' && raw.role !== 'assistant') {
    return { error: invalidValue('item.role', raw.role, ['user', 'system', 'assistant']) };
  }
  const content = Array.isArray(raw.content) ? (raw.content as Array<Record<string, unknown>>) : [];
  if (raw.role === 'assistant' && content.some((c) => c?.type === 'output_audio')) {
    // Assistant audio comes only from the model (protocols.md §1.4).
    return { error: invalidValue('item.content[0].type', 'output_audio', ['output_text']) };
  }
  return { item: { ...base, type: 'message', role: raw.role, content: structuredClone(content) } };
}
