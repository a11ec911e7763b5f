/**
 * Call control through `<Connect action>`: when our side closes the media stream, Twilio fetches
 * the action URL and does what that TwiML says. The outcome is kept here until it does, so no
 * REST credentials are needed to hang up or transfer.
 */
import type { CallControl, CallOutcome } from '../telephony.js';

// Twilio fetches the action within seconds of the stream closing; an outcome nobody asked for
// after 10 minutes belongs to a call that is long over.
const OUTCOME_TTL_MS = 600_000;

export class ConnectActionControl implements CallControl {
  private readonly outcomes = new Map<string, { outcome: CallOutcome; timer: NodeJS.Timeout }>();

  async finish(callSid: string, outcome: CallOutcome): Promise<void> {
    const previous = this.outcomes.get(callSid);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => this.outcomes.delete(callSid), OUTCOME_TTL_MS);
    timer.unref();
    this.outcomes.set(callSid, { outcome, timer });
  }

  /** The outcome for a call whose stream ended, once. */
  take(callSid: string): CallOutcome | undefined {
    const entry = this.outcomes.get(callSid);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.outcomes.delete(callSid);
    return entry.outcome;
  }

  close(): void {
    for (const { timer } of this.outcomes.values()) clearTimeout(timer);
    this.outcomes.clear();
  }
}
