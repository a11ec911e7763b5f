/**
 * A fake Twilio media stream client: sends `connected`/`start`/`media`/`stop` as Twilio does
 * (string numerics, sequence numbers, signed upgrade) and plays outbound audio on a clock the
 * test drives, echoing marks exactly when the audio before them has played.
 */
import WebSocket from 'ws';
import twilio from 'twilio';
import { ULAW_BYTES_PER_MS } from '../../src/audio/g711.js';
import { ManualClock } from '../../src/replay/twilio/clock.js';
import { itemHeardAtClear } from '../../src/replay/twilio/heard-at-clear.js';
import { PlaybackEmulator, type ClearSnapshot } from '../../src/replay/twilio/playback-emulator.js';
import { Recorded } from '../helpers/recorded.js';

export interface FakeCallerOptions {
  /** ws://127.0.0.1:port/twilio/media — where the server really listens. */
  url: string;
  /** The wss:// URL as written in the TwiML (what Twilio signs). */
  streamUrl: string;
  authToken: string;
  callSid?: string;
  streamSid?: string;
  signature?: string | null;
  customParameters?: Record<string, string>;
  /** The playback clock; share it with the server (`now`) to model real-time playback. */
  clock?: ManualClock;
}

type Outbound = {
  event: string;
  streamSid?: string;
  media?: { payload: string };
  mark?: { name: string };
};

export class FakeTwilioCaller {
  readonly ws: WebSocket;
  readonly clock: ManualClock;
  readonly playback: PlaybackEmulator;
  private readonly messages = new Recorded<Outbound>();
  readonly received = this.messages.items;
  readonly callSid: string;
  readonly streamSid: string;
  private sequence = 0;
  private mediaChunk = 0;
  private mediaTimestampMs = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(private readonly options: FakeCallerOptions) {
    this.clock = options.clock ?? new ManualClock();
    this.callSid = options.callSid ?? `CA${'0'.repeat(31)}1`;
    this.streamSid = options.streamSid ?? `MZ${'0'.repeat(31)}1`;
    const signature =
      options.signature === undefined
        ? twilio.getExpectedTwilioSignature(options.authToken, options.streamUrl, {})
        : options.signature;
    this.ws = new WebSocket(
      options.url,
      signature === null ? {} : { headers: { 'x-twilio-signature': signature } },
    );
    this.playback = new PlaybackEmulator({
      clock: this.clock,
      onMarkEcho: (echo) =>
        this.sendRaw({ event: 'mark', streamSid: this.streamSid, mark: { name: echo.name } }),
    });
    this.ws.on('message', (data) => this.onMessage(data.toString()));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** `connected` then `start`, as Twilio opens a stream. */
  async start(): Promise<void> {
    await this.opened;
    this.ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.sendRaw({
      event: 'start',
      start: {
        streamSid: this.streamSid,
        accountSid: `AC${'0'.repeat(32)}`,
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: this.options.customParameters ?? {
          from: '+15550001111',
          to: '+15550002222',
          callSid: this.callSid,
        },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
  }

  /** One inbound `media` message (20 ms of µ-law by default). */
  sendMedia(audio: Buffer): void {
    this.mediaChunk += 1;
    this.sendRaw({
      event: 'media',
      media: {
        track: 'inbound',
        chunk: String(this.mediaChunk),
        timestamp: String(this.mediaTimestampMs),
        payload: audio.toString('base64'),
      },
    });
    this.mediaTimestampMs += audio.length / 8;
  }

  stop(): void {
    this.sendRaw({
      event: 'stop',
      stop: { accountSid: `AC${'0'.repeat(32)}`, callSid: this.callSid },
    });
  }

  /** Sends a message with `sequenceNumber` and `streamSid` as Twilio stamps them. */
  sendRaw(message: Record<string, unknown>): void {
    this.sequence += 1;
    this.ws.send(
      JSON.stringify({
        ...message,
        sequenceNumber: String(this.sequence),
        streamSid: this.streamSid,
      }),
    );
  }

  /** Plays `ms` of queued audio (the test's clock), echoing marks whose audio finished. */
  play(ms: number): void {
    this.clock.advance(ms);
    this.playback.update();
  }

  /** Resolves with the first received message (past or future) that matches. */
  waitFor(predicate: (m: Outbound) => boolean): Promise<Outbound> {
    return this.messages.waitFor(predicate);
  }

  /** Waits until `count` messages matching have been received. */
  waitForCount(predicate: (m: Outbound) => boolean, count: number): Promise<Outbound[]> {
    return this.messages.waitForCount(predicate, count);
  }

  get lastClear(): ClearSnapshot | undefined {
    return this.playback.clears.at(-1);
  }

  /** Ground truth: bytes of `itemId` played when the clear came (from the server's mark names). */
  heardAtClear(itemId: string, clearIndex = 0): number {
    const clear = this.playback.clears[clearIndex];
    if (!clear) throw new Error('no clear received');
    return (itemHeardAtClear(clear, itemId) ?? 0) * ULAW_BYTES_PER_MS;
  }

  close(): void {
    this.ws.close();
  }

  private onMessage(text: string): void {
    const message = JSON.parse(text) as Outbound;
    // Playback takes the message first, so a test woken by it sees the emulator up to date.
    if (message.event === 'media' && message.media)
      this.playback.playAudio(Buffer.from(message.media.payload, 'base64'));
    else if (message.event === 'mark' && message.mark) this.playback.mark(message.mark.name);
    else if (message.event === 'clear') this.playback.clear();
    this.messages.add(message);
  }
}
