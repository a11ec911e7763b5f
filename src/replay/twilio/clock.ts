/**
 * Clocks for the Twilio emulator. Everything in replay runs on the call's media clock: ms since
 * the `start` message, scaled by the replay speed, so pacing and playback stay exact relative to
 * each other whatever the speed, and tests can drive the clock by hand.
 */

/** A source of media time in ms; the only thing the emulator asks of time. */
export interface Clock {
  now(): number;
}

/** A clock that moves only when told to: tests and benchmarks drive playback with `advance`. */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (ms < 0 || !Number.isFinite(ms)) throw new RangeError(`cannot advance by ${ms} ms`);
    this.#nowMs += ms;
  }
}

/** Real time scaled by `speed` (2 = twice as fast), starting at 0 when created. */
export class ScaledClock implements Clock {
  readonly speed: number;
  readonly #originMs: number;

  constructor(speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`bad speed ${speed}`);
    this.speed = speed;
    this.#originMs = performance.now();
  }

  now(): number {
    return (performance.now() - this.#originMs) * this.speed;
  }

  /** Wall-clock ms until media time `mediaMs` is reached (0 if already past). */
  wallDelayUntil(mediaMs: number): number {
    return Math.max(0, (mediaMs - this.now()) / this.speed);
  }
}
