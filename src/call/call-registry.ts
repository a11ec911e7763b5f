/**
 * Every call this process holds: realtime sessions pre-warmed while the phone rings, active
 * calls keyed by call SID, and the records of recently ended calls.
 */
import type { Logger } from 'pino';
import type { RealtimeSession } from '../realtime/realtime.js';
import type { CallRecord } from './call-record.js';
import type { CallSession } from './call-session.js';

// Enough recent records for QA replay to fetch a call after it ended, bounded so memory is too.
const RECENT_RECORDS = 200;

export class CallRegistry {
  private readonly prewarmed = new Map<
    string,
    { session: RealtimeSession; timer: NodeJS.Timeout }
  >();
  private readonly active = new Map<string, CallSession>();
  private readonly recent = new Map<string, CallRecord>();
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly prewarmTimeoutMs: number,
    private readonly logger: Logger,
    /** Calls (ringing and active) past which new ones are refused; null = no cap. */
    readonly maxCalls: number | null = null,
  ) {}

  /** Keeps a session opened at webhook time until the media stream claims it, or times out. */
  prewarm(callSid: string, session: RealtimeSession): void {
    this.takePrewarmed(callSid)?.close();
    const timer = setTimeout(() => {
      if (this.prewarmed.get(callSid)?.session !== session) return;
      this.prewarmed.delete(callSid);
      session.close();
      this.logger.warn({ callSid }, 'no media stream arrived for a pre-warmed session; closed it');
      this.notifyIfIdle();
    }, this.prewarmTimeoutMs);
    this.prewarmed.set(callSid, { session, timer });
  }

  takePrewarmed(callSid: string): RealtimeSession | undefined {
    const entry = this.prewarmed.get(callSid);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.prewarmed.delete(callSid);
    return entry.session;
  }

  /** Registers a call; a call already active under the same SID is replaced (Twilio reconnect). */
  add(session: CallSession): void {
    const previous = this.active.get(session.callSid);
    this.active.set(session.callSid, session);
    if (previous && previous !== session)
      previous.terminate('replaced by a new stream for the same call');
  }

  /** Called by a session when it has ended. */
  ended(session: CallSession): void {
    if (this.active.get(session.callSid) === session) this.active.delete(session.callSid);
    this.recent.delete(session.callSid);
    this.recent.set(session.callSid, session.callRecord());
    if (this.recent.size > RECENT_RECORDS) this.recent.delete(this.recent.keys().next().value!);
    this.notifyIfIdle();
  }

  record(callSid: string): CallRecord | undefined {
    return this.active.get(callSid)?.callRecord() ?? this.recent.get(callSid);
  }

  get activeCount(): number {
    return this.active.size;
  }

  get prewarmedCount(): number {
    return this.prewarmed.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Calls holding a place under the cap, as `callSid` would find them: active and ringing (a
   * ringing call's session is pre-warmed and its stream is on the way), less `callSid`'s own
   * ringing place, which a webhook retried for it takes back.
   */
  callsBesides(callSid: string): number {
    return this.active.size + this.prewarmed.size - (this.prewarmed.has(callSid) ? 1 : 0);
  }

  /** Why the call `callSid` would be refused now, or undefined when it is taken. */
  newCallRefusal(callSid: string): 'draining' | 'at_capacity' | undefined {
    if (this.draining) return 'draining';
    if (this.maxCalls !== null && this.callsBesides(callSid) >= this.maxCalls) return 'at_capacity';
    return undefined;
  }

  /** Stops taking calls; resolves when every active call has ended. */
  drain(): Promise<void> {
    this.draining = true;
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIfIdle();
    });
  }

  /** Closes everything still open (shutdown after the drain deadline). */
  closeAll(): void {
    for (const callSid of [...this.prewarmed.keys()]) this.takePrewarmed(callSid)?.close();
    for (const session of [...this.active.values()]) session.terminate('server shutting down');
  }

  private notifyIfIdle(): void {
    if (this.active.size > 0 || this.prewarmed.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
