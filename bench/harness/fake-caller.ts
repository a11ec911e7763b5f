/**
 * One fake Twilio call: the signed voice webhook, the ringing gap, the signed media socket, a
 * stamped 20 ms caller frame every 20 ms, and Twilio's playback of the bot's audio in real time
 * (PlaybackEmulator: marks echoed when their audio has played, `clear` flushes). At each `clear`
 * it records how much of the bot item it had actually played.
 */
import WebSocket from 'ws';
import { PlaybackEmulator, playedBytes } from '../../src/replay/twilio/playback-emulator.js';
import type { Clock } from '../../src/replay/twilio/clock.js';
import { randomSid, toServerUrl, twilioSignature } from '../../src/replay/twilio/twilio-signing.js';
import { findConnectStream, readTwiml } from '../../src/replay/twilio/twiml-reader.js';
import type { BenchStats, StreamTally } from './bench-stats.js';
import { countFrame } from './bench-stats.js';
import { FRAME_MS } from '../../src/audio/g711.js';
import { FRAME_BASE64_BYTES, readFrames, writeStampedFrameBase64 } from './frame-stamp.js';
import type { Ticker } from './ticker.js';

export interface CallerOptions {
  index: number;
  serverUrl: string;
  publicUrl: string;
  authToken: string;
  ringMs: number;
  /** The caller hangs up at this time (harness clock, ms). */
  endsAtMs: number;
  stats: BenchStats;
  clock: Clock;
  ticker: Ticker;
}

const MEDIA_PREFIX = '{"event":"media"';
const PAYLOAD_KEY = '"payload":"';
const MEDIA_END = '"}}';
/** The server must close its side soon after `stop`; a socket left open longer is a finding. */
const CLOSE_WAIT_MS = 5_000;

export class FakeCaller {
  readonly callSid = randomSid('CA');
  private readonly streamSid = randomSid('MZ');
  private readonly accountSid = randomSid('AC');
  private ws: WebSocket | undefined;
  private emulator: PlaybackEmulator;
  /** The bot item (`<session>:<item>`) of each chunk queued in the current emulator. */
  private chunkItems: string[] = [];
  private twilioSeq = 0;
  private frameSeq = 0;
  private nextFrameAtMs = 0;
  private startSentAtMs = 0;
  private greeted = false;
  private ended = false;
  private tally: StreamTally;
  private readonly tick = (now: number) => this.onTick(now);

  constructor(private readonly o: CallerOptions) {
    this.emulator = this.newEmulator();
    this.tally = o.stats.tally(o.stats.inbound, o.index);
  }

  get endsAtMs(): number {
    return this.o.endsAtMs;
  }

  isPlaying(): boolean {
    return this.emulator.isPlaying();
  }

  /** Plays the whole call; resolves when the socket has closed (never rejects). */
  async run(): Promise<void> {
    try {
      const streamUrl = await this.webhook();
      if (streamUrl === undefined) {
        this.o.stats.callsRefused += 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.o.ringMs));
      await this.stream(streamUrl);
    } catch (err) {
      this.o.stats.fail(`call ${this.o.index}: ${(err as Error).message}`);
    } finally {
      this.o.ticker.delete(this.tick);
    }
  }

  /** The stream URL of the TwiML; undefined when the server answered busy (its call cap). */
  private async webhook(): Promise<string | undefined> {
    const params = {
      CallSid: this.callSid,
      AccountSid: this.accountSid,
      From: '+15550100' + String(this.o.index % 1000).padStart(3, '0'),
      To: '+15550199000',
      CallStatus: 'ringing',
      Direction: 'inbound',
    };
    const publicUrl = this.o.publicUrl + '/twilio/voice';
    const res = await fetch(toServerUrl(publicUrl, this.o.serverUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(this.o.authToken, publicUrl, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const twiml = await res.text();
    const verbs = res.status === 200 ? readTwiml(twiml) : [];
    if (verbs.some((v) => v.verb === 'Reject' && v.reason === 'busy')) return undefined;
    const url = findConnectStream(verbs)?.stream.url;
    if (!url) throw new Error(`webhook ${res.status}: ${twiml.slice(0, 80)}`);
    return url;
  }

  private stream(streamUrl: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(toServerUrl(streamUrl, this.o.serverUrl), {
        headers: { 'x-twilio-signature': twilioSignature(this.o.authToken, streamUrl, {}) },
        perMessageDeflate: false,
      });
      this.ws = ws;
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade ${res.statusCode}`)));
      ws.once('error', (err) => reject(err));
      ws.once('open', () => {
        ws.removeAllListeners('error');
        ws.on('error', (err) => this.o.stats.warn(`caller ${this.o.index}: ${err.message}`));
        this.start();
      });
      ws.on('message', (data) => this.onMessage(String(data)));
      ws.once('close', () => {
        if (!this.ended) this.o.stats.warn(`caller ${this.o.index}: server closed the stream`);
        this.ended = true;
        resolve();
      });
    });
  }

  private start(): void {
    this.send(`{"event":"connected","protocol":"Call","version":"1.0.0"}`);
    this.startSentAtMs = this.o.clock.now();
    this.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: String(++this.twilioSeq),
        streamSid: this.streamSid,
        start: {
          streamSid: this.streamSid,
          accountSid: this.accountSid,
          callSid: this.callSid,
          tracks: ['inbound'],
          customParameters: { callSid: this.callSid },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      }),
    );
    this.o.stats.callsStarted += 1;
    this.nextFrameAtMs = this.startSentAtMs;
    this.o.ticker.add(this.tick);
  }

  private onTick(now: number): void {
    if (this.ended) return;
    while (now >= this.nextFrameAtMs) {
      this.sendFrame(now);
      this.nextFrameAtMs += FRAME_MS;
    }
    const due = this.emulator.nextMarkDueMs();
    if (due !== undefined && due <= now) this.emulator.update();
    if (now >= this.o.endsAtMs) this.hangUp();
  }

  private sendFrame(now: number): void {
    const seq = this.frameSeq++;
    const head = `{"event":"media","sequenceNumber":"${++this.twilioSeq}","streamSid":"${this.streamSid}","media":{"track":"inbound","chunk":"${seq + 1}","timestamp":"${seq * FRAME_MS}","payload":"`;
    // Built as bytes: one buffer, which ws masks into its frame and writes in one piece.
    const msg = Buffer.allocUnsafe(head.length + FRAME_BASE64_BYTES + MEDIA_END.length);
    let n = msg.write(head, 0, 'latin1');
    n += writeStampedFrameBase64(msg, n, { stream: this.o.index, item: 0, seq, sentAtMs: now });
    msg.write(MEDIA_END, n, 'latin1');
    this.tally.sent += 1;
    this.send(msg);
  }

  private hangUp(): void {
    this.ended = true;
    this.o.ticker.delete(this.tick);
    this.send(
      JSON.stringify({
        event: 'stop',
        sequenceNumber: String(++this.twilioSeq),
        streamSid: this.streamSid,
        stop: { accountSid: this.accountSid, callSid: this.callSid },
      }),
    );
    const ws = this.ws;
    // Twilio closes after stop; a server that never closes its side is cut after a while.
    ws?.close(1000, 'caller hung up');
    setTimeout(() => ws?.terminate(), CLOSE_WAIT_MS).unref();
  }

  private onMessage(text: string): void {
    const now = this.o.clock.now();
    const { stats } = this.o;
    if (text.startsWith(MEDIA_PREFIX)) {
      const at = text.indexOf(PAYLOAD_KEY);
      if (at < 0) return stats.warn('caller: media without payload');
      const start = at + PAYLOAD_KEY.length;
      this.onMedia(unpooledBase64(text.slice(start, text.indexOf('"', start))), now);
      return;
    }
    let msg: { event?: string; mark?: { name?: string } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return stats.warn('caller: a server frame that is not JSON');
    }
    if (msg.event === 'mark' && typeof msg.mark?.name === 'string') {
      stats.messages.mark += 1;
      this.emulator.mark(msg.mark.name);
    } else if (msg.event === 'clear') {
      stats.messages.clear += 1;
      this.onClear();
    } else {
      stats.warn(`caller: unexpected ${text.slice(0, 60)}`);
    }
  }

  private onMedia(audio: Buffer, now: number): void {
    const { stats } = this.o;
    stats.messages.media += 1;
    stats.messages.botAudioBytes += audio.length;
    let key = '';
    let firstStamp: { stream: number; sentAtMs: number } | undefined;
    const unstamped = readFrames(audio, (s) => {
      key = `${s.stream}:${s.item}`;
      firstStamp ??= s;
      countFrame(stats.tally(stats.outbound, key), s.seq);
      if (stats.measuring) stats.outboundLatency.add(now - s.sentAtMs);
    });
    if (unstamped > 0) stats.warn(`caller: ${unstamped} unstamped frames (re-sliced audio?)`);
    if (!this.greeted && firstStamp) {
      this.greeted = true;
      // What the server added: stream start → first greeting audio, minus the model's own time
      // from reading response.create to sending that audio (its 150 ms plus its tick's lateness).
      const requestedAt = stats.greetingRequestedAt.get(firstStamp.stream);
      if (requestedAt === undefined) stats.warn(`caller ${this.o.index}: greeting never requested`);
      else
        stats.greetingOverhead.add(now - this.startSentAtMs - (firstStamp.sentAtMs - requestedAt));
    }
    // A new bot item on an idle line: start a fresh emulator so memory stays one turn deep.
    const last = this.chunkItems.at(-1);
    if (last !== undefined && last !== key && this.idle()) this.emulator = this.newEmulator();
    this.emulator.playAudio(audio);
    this.chunkItems.push(key);
  }

  private onClear(): void {
    const now = this.emulator.update();
    const key = this.chunkItems.at(-1);
    if (key !== undefined) {
      let played = 0;
      this.emulator.chunks.forEach((chunk, i) => {
        if (this.chunkItems[i] === key) played += playedBytes(chunk, now);
      });
      this.o.stats.clears.set(key, { playedMs: played / 8, atMs: now });
    }
    this.emulator.clear();
  }

  private idle(): boolean {
    return this.emulator.nextMarkDueMs() === undefined && !this.emulator.isPlaying();
  }

  private newEmulator(): PlaybackEmulator {
    this.chunkItems = [];
    return new PlaybackEmulator({
      clock: this.o.clock,
      onMarkEcho: (echo) =>
        this.send(
          `{"event":"mark","sequenceNumber":"${++this.twilioSeq}","streamSid":"${this.streamSid}","mark":{"name":${JSON.stringify(echo.name)}}}`,
        ),
    });
  }

  /** Sends a text frame (Twilio sends nothing else), given as a string or its bytes. */
  private send(text: string | Buffer): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text, { binary: false });
  }
}

/**
 * Decodes base64 into a buffer of its own. Buffer.from would slice Node's shared 8 KB pool, and
 * the emulator keeps a turn of audio: each kept slice pins its whole pool past young GC, and the
 * pinned pools (≈ 3 MB/s at 200 calls) forced a full GC of the harness every ~1.5 s, a 15–40 ms
 * stall that landed in every call's latency at once.
 */
function unpooledBase64(b64: string): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(b64, 'base64'));
  out.write(b64, 'base64');
  return out;
}
