/**
 * The Twilio side of one media stream: opens the signed WebSocket, sends `connected`, `start`,
 * paced `media` frames of the caller's recording (then silence), echoes marks as the emulated
 * playback reaches them, and ends the way Twilio does: `stop` when the caller side is done, or
 * nothing when the server closes the socket first.
 */
import WebSocket from 'ws';
import { ScaledClock } from './clock.js';
import { FRAME_BYTES, FRAME_MS, ULAW_BYTES_PER_MS, ULAW_SILENCE_BYTE } from '../../audio/g711.js';
import { PlaybackEmulator, type MarkEcho } from './playback-emulator.js';
import { ReplayError } from './replay-error.js';

/** How often the progress callback fires, wall-clock ms: often enough for a live line. */
const PROGRESS_INTERVAL_MS = 250;

/** How the media stream ended. */
export type StreamEndReason = 'server_closed' | 'tail_silence' | 'max_duration';

/** A live view of the replay for a progress line. */
export interface ReplayProgress {
  nowMs: number;
  recordingMs: number;
  framesSent: number;
  heardMs: number;
  marks: number;
  clears: number;
}

/** What the session needs: where to connect, who the call is, what the caller says, limits. */
export interface MediaSessionOptions {
  /** ws:// URL on the server's real address. */
  socketUrl: string;
  /** `x-twilio-signature` for the upgrade request. */
  signature: string;
  callSid: string;
  accountSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
  /** Caller audio, µ-law 8 kHz. */
  recording: Buffer;
  speed: number;
  /** Stop once the bot has been silent this long after the recording ended (media ms). */
  tailMs: number;
  /** Hard limit on the call's media time. */
  maxMs: number;
  onProgress?: (progress: ReplayProgress) => void;
}

/** What the Twilio side saw of the stream. */
export interface MediaSessionResult {
  emulator: PlaybackEmulator;
  /** Everything sent as inbound media (the recording, then silence), µ-law. */
  callerAudio: Buffer;
  framesSent: number;
  endReason: StreamEndReason;
  endedAtMs: number;
  closeCode: number;
  closeReason: string;
  /** Protocol oddities from the server (unknown events, bad frames); never fatal. */
  warnings: string[];
}

/** Runs one media stream to its end (see module doc). */
export function runMediaSession(options: MediaSessionOptions): Promise<MediaSessionResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(options.socketUrl, {
      headers: { 'x-twilio-signature': options.signature },
      perMessageDeflate: false,
    });
    ws.once('unexpected-response', (_req, res) => {
      const code =
        res.statusCode === 401 || res.statusCode === 403
          ? 'signature_refused'
          : 'media_socket_refused';
      ws.terminate();
      reject(
        new ReplayError(
          code,
          `media socket upgrade refused: HTTP ${res.statusCode} from ${options.socketUrl}`,
        ),
      );
    });
    ws.once('error', (err) => {
      reject(
        new ReplayError('server_unreachable', `media socket ${options.socketUrl}: ${err.message}`, {
          cause: err,
        }),
      );
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      new StreamDriver(ws, options, resolve).start();
    });
  });
}

/** Drives an open socket: pacing, inbound events, end conditions. */
class StreamDriver {
  readonly #clock: ScaledClock;
  readonly #emulator: PlaybackEmulator;
  readonly #warnings: string[] = [];
  readonly #recordingMs: number;
  #sequence = 0;
  #framesSent = 0;
  #lastOutboundMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastProgressWallMs = 0;
  #endReason: StreamEndReason | undefined;
  #endedAtMs = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly o: MediaSessionOptions,
    private readonly done: (result: MediaSessionResult) => void,
  ) {
    this.#clock = new ScaledClock(o.speed);
    this.#emulator = new PlaybackEmulator({
      clock: this.#clock,
      onMarkEcho: (e) => this.#sendMark(e),
    });
    this.#recordingMs = o.recording.length / ULAW_BYTES_PER_MS;
  }

  start(): void {
    this.ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    this.ws.on('error', (err) => this.#warnings.push(`socket error: ${err.message}`));
    this.ws.once('close', (code, reason) => this.#onClose(code, reason.toString()));
    this.ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.#send({
      event: 'start',
      start: {
        streamSid: this.o.streamSid,
        accountSid: this.o.accountSid,
        callSid: this.o.callSid,
        tracks: ['inbound'],
        customParameters: this.o.customParameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.#tick();
  }

  #send(message: Record<string, unknown>): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.#sequence += 1;
    this.ws.send(
      JSON.stringify({
        event: message.event,
        sequenceNumber: String(this.#sequence),
        streamSid: this.o.streamSid,
        ...message,
      }),
    );
  }

  #sendMark(echo: MarkEcho): void {
    this.#send({ event: 'mark', mark: { name: echo.name } });
  }

  /** Sends every frame due by now (frame k covers [20k, 20k+20) ms and is sent at its end). */
  #tick(): void {
    this.#timer = undefined;
    if (this.#endReason) return;
    const now = this.#emulator.update();
    while ((this.#framesSent + 1) * FRAME_MS <= now) this.#sendFrame();
    this.#progress(now);
    const end = this.#endCondition(now);
    if (end) return this.#finish(end, now);
    const nextFrameMs = (this.#framesSent + 1) * FRAME_MS;
    const nextMs = Math.min(nextFrameMs, this.#emulator.nextMarkDueMs() ?? Infinity);
    this.#timer = setTimeout(() => this.#tick(), this.#clock.wallDelayUntil(nextMs));
  }

  #sendFrame(): void {
    const offset = this.#framesSent * FRAME_BYTES;
    const frame = Buffer.alloc(FRAME_BYTES, ULAW_SILENCE_BYTE);
    if (offset < this.o.recording.length)
      this.o.recording.copy(frame, 0, offset, offset + FRAME_BYTES);
    const chunk = this.#framesSent + 1;
    this.#send({
      event: 'media',
      media: {
        track: 'inbound',
        chunk: String(chunk),
        timestamp: String(this.#framesSent * FRAME_MS),
        payload: frame.toString('base64'),
      },
    });
    this.#framesSent = chunk;
  }

  #endCondition(now: number): StreamEndReason | undefined {
    if (now >= this.o.maxMs) return 'max_duration';
    const lastActivityMs = Math.max(
      this.#recordingMs,
      this.#emulator.queueEndMs,
      this.#lastOutboundMs,
    );
    if (now - lastActivityMs >= this.o.tailMs) return 'tail_silence';
    return undefined;
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary)
      return void this.#warnings.push('binary frame from server (Twilio: 31950 Malformed Message)');
    let msg: {
      event?: unknown;
      streamSid?: unknown;
      media?: { payload?: unknown };
      mark?: { name?: unknown };
    };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      return void this.#warnings.push('non-JSON text frame from server');
    }
    if (msg.streamSid !== this.o.streamSid)
      this.#warnings.push(`${String(msg.event)} with streamSid ${String(msg.streamSid)}`);
    this.#lastOutboundMs = this.#clock.now();
    if (msg.event === 'media' && typeof msg.media?.payload === 'string') {
      this.#emulator.playAudio(Buffer.from(msg.media.payload, 'base64'));
    } else if (msg.event === 'mark' && typeof msg.mark?.name === 'string') {
      this.#emulator.mark(msg.mark.name);
    } else if (msg.event === 'clear') {
      this.#emulator.clear();
    } else {
      this.#warnings.push(`unexpected server message: ${String(data).slice(0, 120)}`);
    }
    this.#reschedule();
  }

  /** A new mark may be due before the next frame: move the timer earlier if so. */
  #reschedule(): void {
    if (this.#endReason || this.#timer === undefined) return;
    const due = this.#emulator.nextMarkDueMs();
    if (due === undefined || due >= (this.#framesSent + 1) * FRAME_MS) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), this.#clock.wallDelayUntil(due));
  }

  #progress(now: number): void {
    if (!this.o.onProgress) return;
    const wall = performance.now();
    if (wall - this.#lastProgressWallMs < PROGRESS_INTERVAL_MS) return;
    this.#lastProgressWallMs = wall;
    this.o.onProgress({
      nowMs: now,
      recordingMs: this.#recordingMs,
      framesSent: this.#framesSent,
      heardMs: this.#emulator.heardBytes(now) / ULAW_BYTES_PER_MS,
      marks: this.#emulator.marks.length,
      clears: this.#emulator.clears.length,
    });
  }

  /** The caller side is done: `stop`, then close, as Twilio does when the caller hangs up. */
  #finish(reason: StreamEndReason, now: number): void {
    this.#endReason = reason;
    this.#endedAtMs = now;
    this.#send({ event: 'stop', stop: { accountSid: this.o.accountSid, callSid: this.o.callSid } });
    this.ws.close(1000, 'caller hung up');
  }

  #onClose(code: number, reason: string): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (!this.#endReason) {
      this.#endReason = 'server_closed';
      this.#endedAtMs = this.#emulator.update();
      if (this.#endedAtMs < this.#recordingMs) {
        const atS = (this.#endedAtMs / 1000).toFixed(2);
        this.#warnings.push(
          `the server closed the media socket at ${atS} s, before the recording ended (close ${code}${reason ? ` "${reason}"` : ''})`,
        );
      }
    }
    this.done({
      emulator: this.#emulator,
      callerAudio: callerAudioSent(this.o.recording, this.#framesSent),
      framesSent: this.#framesSent,
      endReason: this.#endReason,
      endedAtMs: this.#endedAtMs,
      closeCode: code,
      closeReason: reason,
      warnings: this.#warnings,
    });
  }
}

function callerAudioSent(recording: Buffer, frames: number): Buffer {
  const out = Buffer.alloc(frames * FRAME_BYTES, ULAW_SILENCE_BYTE);
  recording.copy(out, 0, 0, Math.min(recording.length, out.length));
  return out;
}
