/**
 * Notices a media stream that has gone silent on the wire. Twilio sends a caller frame every
 * 20 ms for as long as the stream lives, so a whole period without one means the connection is
 * dead (a half-open TCP socket never closes by itself, and its model session would bill until
 * the call's maximum duration).
 *
 * The hot path only sets a flag (`seen`); one timer per stream looks at it once a period. A stall
 * is therefore reported between one and two periods after the last frame.
 */
export class StallWatchdog {
  private sawFrame = true;
  private readonly timer: NodeJS.Timeout;

  constructor(periodMs: number, onStall: () => void) {
    this.timer = setInterval(() => {
      if (this.sawFrame) {
        this.sawFrame = false;
        return;
      }
      this.stop();
      onStall();
    }, periodMs);
  }

  /** Called for every frame the carrier sends. */
  seen(): void {
    this.sawFrame = true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
