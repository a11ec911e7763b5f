/**
 * One timer for the whole harness. Hundreds of calls each sending a frame every 20 ms would be
 * thousands of timers a second; instead one 1 ms interval asks every participant what is due, and
 * each decides from the clock (never from the tick count), so a late tick only sends in a burst.
 *
 * That interval is also a shape of traffic: the frames of every call due within a millisecond
 * leave together, and the server wakes once for the lot. Real callers' frames come from many
 * carrier hosts, each on its own clock, so they arrive spread out. `spread` arrivals model that:
 * the harness asks on every turn of its event loop instead (microseconds apart), so each frame
 * leaves at its own instant — at the price of a harness core spent spinning.
 */

/** Tick period, ms: Node's timer floor; finer than any spacing the harness keeps. */
const TICK_MS = 1;

export type TickFn = (nowMs: number) => void;

/** `ticks`: one 1 ms interval (the default). `spread`: every turn of the event loop. */
export type Arrivals = 'ticks' | 'spread';

export class Ticker {
  private readonly participants = new Set<TickFn>();
  private timer: NodeJS.Timeout | undefined;
  private spinning = false;
  /** Takes effect when the ticker next starts (it stops when its last participant leaves). */
  arrivals: Arrivals = 'ticks';

  constructor(private readonly clock: () => number) {}

  add(fn: TickFn): void {
    this.participants.add(fn);
    if (this.timer || this.spinning) return;
    if (this.arrivals === 'ticks') {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      return;
    }
    this.spinning = true;
    // setImmediate, not a loop: the poll phase runs between turns, so sockets are still read.
    const spin = () => {
      if (!this.spinning) return;
      this.tick();
      setImmediate(spin);
    };
    setImmediate(spin);
  }

  delete(fn: TickFn): void {
    this.participants.delete(fn);
    if (this.participants.size > 0) return;
    this.spinning = false;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    const now = this.clock();
    for (const fn of this.participants) fn(now);
  }
}
