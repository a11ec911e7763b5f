/**
 * Every event a simulated session received or sent, in order, with a way for tests to wait for
 * one without sleeping.
 */
import { EventEmitter } from 'node:events';

/** A wire event (client or server) as JSON. */
export type WireEvent = { type: string; [key: string]: unknown };

/** One logged event. `seq` is its position in the log it belongs to. */
export interface LogEntry {
  seq: number;
  connectionId: number;
  direction: 'client' | 'server';
  event: WireEvent;
  /** Caller audio appended so far (ms of the session's input clock) when it was logged. */
  inputAudioMs: number;
}

/** Options of `waitFor`. */
export interface WaitOptions {
  /** Only entries with `seq` greater than this (a `mark()`); default: the whole log, past too. */
  after?: number;
  direction?: 'client' | 'server';
  /** Reject after this many ms of wall time; default: wait as long as the test allows. */
  timeoutMs?: number;
}

/** An append-only log of wire events with `waitFor`. */
export class EventLog {
  readonly entries: LogEntry[] = [];
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  /** Appends an entry (its seq is assigned here) and wakes the waiters. */
  add(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const logged = { ...entry, seq: this.entries.length };
    this.entries.push(logged);
    this.#emitter.emit('entry', logged);
    return logged;
  }

  /** The seq of the last entry (-1 when empty): pass it as `after` to wait for newer events. */
  mark(): number {
    return this.entries.length - 1;
  }

  /** Events of a type, in order. */
  ofType(type: string, direction?: 'client' | 'server'): WireEvent[] {
    return this.entries
      .filter((e) => e.event.type === type && (!direction || e.direction === direction))
      .map((e) => e.event);
  }

  /** Calls `listener` for every future entry; returns a function that stops it. */
  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.#emitter.on('entry', listener);
    return () => this.#emitter.off('entry', listener);
  }

  /** Resolves with the first entry (past or future, see `after`) of `type` matching `predicate`. */
  waitFor(
    type: string,
    predicate: (event: WireEvent) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<LogEntry> {
    const after = options.after ?? -1;
    const matches = (e: LogEntry): boolean =>
      e.seq > after &&
      e.event.type === type &&
      (!options.direction || e.direction === options.direction) &&
      predicate(e.event);
    const found = this.entries.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = this.subscribe((entry) => {
        if (!matches(entry)) return;
        stop();
        if (timer) clearTimeout(timer);
        resolve(entry);
      });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          stop();
          const seen = this.entries.slice(-10).map((e) => `${e.direction}:${e.event.type}`);
          reject(
            new Error(`no ${type} within ${options.timeoutMs} ms; last events: ${seen.join(', ')}`),
          );
        }, options.timeoutMs);
      }
    });
  }
}
