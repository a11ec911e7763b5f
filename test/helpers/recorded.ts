/**
 * Everything that happened, in order, and a way to wait for what has not happened yet: the one
 * mechanism behind the fakes' and the log capture's `waitFor`, so no test ever sleeps.
 */
export class Recorded<T> {
  readonly items: T[] = [];
  private waiters: { predicate: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  /** Records an item and wakes whoever waits for one like it. */
  add(item: T): void {
    this.items.push(item);
    const pending = this.waiters;
    this.waiters = [];
    for (const waiter of pending) {
      if (waiter.predicate(item)) waiter.resolve(item);
      else this.waiters.push(waiter);
    }
  }

  /** Resolves with the first item, past or future, that matches. */
  waitFor(predicate: (item: T) => boolean = () => true): Promise<T> {
    const seen = this.items.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** Resolves once `count` items match, with all of those seen by then. */
  async waitForCount(predicate: (item: T) => boolean, count: number): Promise<T[]> {
    for (;;) {
      const all = this.items.filter(predicate);
      if (all.length >= count) return all;
      await new Promise<T>((resolve) => this.waiters.push({ predicate, resolve }));
    }
  }
}
