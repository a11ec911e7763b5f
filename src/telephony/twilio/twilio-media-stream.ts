/** The outbound half of a Twilio media stream over a WebSocket, as the call logic's MediaStream. */
import type { WebSocket } from 'ws';
import type { MediaStream } from '../telephony.js';
import { clearMessage, markMessage, mediaMessage } from './twilio-messages.js';

/** `ws` keeps the TCP socket private; corking it is the one way to batch frames per tick. */
type CorkableSocket = { cork(): void; uncork(): void };

/**
 * Writes Twilio messages to the socket. All frames written in one event-loop tick leave in one
 * TCP write (cork until the next tick): a model delta split into frames and marks becomes one
 * syscall instead of dozens (see README "Performance").
 */
export class TwilioMediaStream implements MediaStream {
  private corked = false;
  private readonly tcp: CorkableSocket | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
    private readonly onClose: () => void,
    /** Sees every message sent (call capture); undefined in the common case. */
    private readonly onSend?: (text: string) => void,
  ) {
    this.tcp = (ws as unknown as { _socket?: CorkableSocket })._socket;
  }

  sendAudio(payloadBase64: string): void {
    this.write(mediaMessage(this.streamSid, payloadBase64));
  }

  sendMark(name: string): void {
    this.write(markMessage(this.streamSid, name));
  }

  clear(): void {
    this.write(clearMessage(this.streamSid));
  }

  close(): void {
    this.onClose();
  }

  private write(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.corked && this.tcp) {
      this.corked = true;
      this.tcp.cork();
      process.nextTick(this.uncork);
    }
    this.ws.send(text);
    this.onSend?.(text);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.tcp?.uncork();
  };
}
