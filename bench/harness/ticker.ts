/**
 * One timer for the whole harness. Hundreds of calls each sending a frame every 20 ms would be
 * thousands of timers a second; instead one 1 ms interval asks every participant what is due, and
 * each decides from the clock (never from the tick count), so a late tick only sends in a burst.
 */

/** Tick period, ms: Node's timer floor; finer than any spacing the harness keeps. */
const TICK_MS = 1;

export type TickFn = (nowMs: number) => void;

export class Ticker {
  private readonly participants = new Set<TickFn>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly clock: () => number) {}

  add(fn: TickFn): void {
    this.participants.add(fn);
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  delete(fn: TickFn): void {
    this.participants.delete(fn);
    if (this.participants.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    const now = this.clock();
    for (const fn of this.participants) fn(now);
  }
}
