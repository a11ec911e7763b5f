/**
 * The simulated default conversation: items in order, plus how much audio each assistant item
 * has, which is what `conversation.item.truncate` is judged against.
 */

/** A conversation item as the GA service sends it (`object: 'realtime.item'`). */
export interface ConversationItem {
  id: string;
  object: 'realtime.item';
  type: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
  role?: string;
  content?: Array<Record<string, unknown>>;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string;
  [key: string]: unknown;
}

/** An item and the audio bookkeeping the simulator keeps next to it. */
export interface StoredItem {
  item: ConversationItem;
  /** Bytes of output audio streamed for an assistant item (after truncation: what is left). */
  audioBytes: number;
}

/** Ordered items of the default conversation. */
export class Conversation {
  readonly #order: string[] = [];
  readonly #items = new Map<string, StoredItem>();

  /** The id of the last item, or null for an empty conversation. */
  lastId(): string | null {
    return this.#order.at(-1) ?? null;
  }

  has(id: string): boolean {
    return this.#items.has(id);
  }

  get(id: string): StoredItem | undefined {
    return this.#items.get(id);
  }

  /**
   * Inserts an item after `previousId` ('root' = at the start, undefined = at the end);
   * returns the id of the item before it (null at the start).
   */
  insert(item: ConversationItem, previousId?: string): string | null {
    let index = this.#order.length;
    if (previousId === 'root') index = 0;
    else if (previousId !== undefined) index = this.#order.indexOf(previousId) + 1;
    this.#order.splice(index, 0, item.id);
    this.#items.set(item.id, { item, audioBytes: 0 });
    return index === 0 ? null : (this.#order[index - 1] ?? null);
  }

  /** The id of the item before `id` (null at the start or when unknown). */
  previousOf(id: string): string | null {
    const index = this.#order.indexOf(id);
    return index > 0 ? (this.#order[index - 1] ?? null) : null;
  }

  delete(id: string): boolean {
    const index = this.#order.indexOf(id);
    if (index < 0) return false;
    this.#order.splice(index, 1);
    this.#items.delete(id);
    return true;
  }

  /** The `function_call` item with this call id, if any. */
  functionCall(callId: string): ConversationItem | undefined {
    for (const { item } of this.#items.values()) {
      if (item.type === 'function_call' && item.call_id === callId) return item;
    }
    return undefined;
  }
}

/** The item as sent in events: a deep copy, so later changes do not rewrite logged events. */
export function snapshot(item: ConversationItem): ConversationItem {
  return structuredClone(item);
}
