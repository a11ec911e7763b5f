/**
 * The carrier boundary. The call logic sees a media stream as this interface and a small event
 * union; Twilio's wire format lives in telephony/twilio/.
 */

/** What a carrier tells us about the stream when it starts. */
export interface StreamStart {
  streamSid: string;
  callSid: string;
  accountSid: string;
  /** `<Parameter>` values from the TwiML (caller, callee, …). */
  customParameters: Readonly<Record<string, string>>;
  /** performance.now() when the server read the start message (greeting metric). */
  receivedAtMs?: number;
}

/** Inbound events of one media stream, parsed at the edge. */
export type TelephonyEvent =
  | ({ type: 'start' } & StreamStart)
  | {
      type: 'media';
      /** Base64 G.711 µ-law, 8 kHz mono, exactly as the carrier sent it. */
      payload: string;
      /** Media clock of the stream in ms (carrier presentation time, not wall time). */
      timestampMs: number;
    }
  | { type: 'mark'; name: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'stop' };

/** Outbound side of one bidirectional media stream. */
export interface MediaStream {
  /** Queues base64 µ-law audio for playback; the carrier plays it in order. */
  sendAudio(payloadBase64: string): void;
  /** Queues a named mark; the carrier echoes it once the audio queued before it has played. */
  sendMark(name: string): void;
  /** Flushes all queued audio; the carrier then echoes every pending mark. */
  clear(): void;
  /** Ends the stream; for Twilio this hands the call back to TwiML (`<Connect action>`). */
  close(): void;
}

/** How a call ends once the stream closes: what the `<Connect action>` TwiML does next. */
export type CallOutcome =
  | { kind: 'hangup'; reason: string }
  | { kind: 'apologize_and_hangup'; reason: string; message: string }
  | { kind: 'transfer'; reason: string; to: string; callerId?: string; handoffMessage?: string };

/** Carrier call control: decides what happens to the phone call after the media stream. */
export interface CallControl {
  /** Ends the media stream and makes the call continue with `outcome`. */
  finish(callSid: string, outcome: CallOutcome): Promise<void>;
}
