/**
 * Optional capture of a real call: every Twilio media-stream message in both directions, as
 * JSONL, plus WAV renderings of what the caller said and heard. Off by default; the capture is
 * built to stay off the audio path: a line is queued in memory and written in batches.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ULAW_SAMPLE_RATE_HZ } from '../audio/g711.js';
import { encodeWav } from '../audio/wav.js';
import { readCapture, renderCallAudio } from './call-audio.js';

/**
 * Longest a captured line waits in memory: 200 ms, i.e. one write per ~10 frames of each
 * direction, while a crash loses at most the last fifth of a second.
 */
const FLUSH_INTERVAL_MS = 200;
/** Queued bytes that trigger an immediate write: 64 KiB, a comfortable single file write. */
const FLUSH_THRESHOLD_BYTES = 64 * 1024;

/** Paths of the files a capture wrote. */
export interface CallCaptureFiles {
  jsonl: string;
  callerWav: string;
  botWav: string;
  stereoWav: string;
}

/** Records one call's Twilio messages; `close` finishes the files. */
export interface CallCapture {
  /** Records a message received from Twilio, as the raw text of the WebSocket frame. */
  inbound(rawText: string): void;
  /** Records a message sent to Twilio, as the raw text of the WebSocket frame. */
  outbound(rawText: string): void;
  /** Writes the rest of the JSONL and renders the WAVs; later calls return the same promise. */
  close(): Promise<CallCaptureFiles>;
}

/** Keeps a Twilio call SID (normally `CA` + 32 hex) from steering a file name anywhere else. */
function safeFileStem(callSid: string): string {
  const stem = callSid.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return stem === '' ? 'call' : stem;
}

/** A capture line as text. Valid JSON without line breaks is embedded as-is (no re-stringify). */
function captureLine(t: number, dir: 'in' | 'out', rawText: string): string {
  try {
    const msg: unknown = JSON.parse(rawText);
    const body = /[\r\n]/.test(rawText) ? JSON.stringify(msg) : rawText.trim();
    return `{"t":${t},"dir":"${dir}","msg":${body}}\n`;
  } catch {
    return `${JSON.stringify({ t, dir, raw: rawText })}\n`;
  }
}

/** Options of `createCallCapture`; `now` (ms, default performance.now) lets tests drive time. */
export interface CallCaptureOptions {
  dir: string;
  callSid: string;
  logger: Logger;
  now?: () => number;
}

/** Starts capturing one call into `dir` (created if missing) as `<callSid>.jsonl` and WAVs. */
export function createCallCapture(options: CallCaptureOptions): CallCapture {
  const log = options.logger.child({ component: 'call-capture' });
  const stem = join(options.dir, safeFileStem(options.callSid));
  const files: CallCaptureFiles = {
    jsonl: `${stem}.jsonl`,
    callerWav: `${stem}.caller.wav`,
    botWav: `${stem}.bot.wav`,
    stereoWav: `${stem}.stereo.wav`,
  };
  const now = options.now ?? (() => performance.now());
  const startMs = now();
  let pending: string[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let stream: WriteStream | undefined;
  let failure: Error | undefined;
  let closing: Promise<CallCaptureFiles> | undefined;

  const fail = (err: Error): void => {
    if (failure) return;
    failure = err;
    pending = [];
    log.warn({ err }, 'call capture stopped: cannot write the capture file');
  };
  const opened = mkdir(options.dir, { recursive: true }).then(
    () => {
      stream = createWriteStream(files.jsonl);
      stream.on('error', fail);
      flush();
    },
    (err: Error) => fail(err),
  );

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!stream || failure || pending.length === 0) return;
    stream.write(pending.join(''));
    pending = [];
    pendingBytes = 0;
  }

  function record(dir: 'in' | 'out', rawText: string): void {
    if (closing || failure) return;
    const t = Math.round((now() - startMs) * 1000) / 1000;
    const line = captureLine(t, dir, rawText);
    pending.push(line);
    pendingBytes += line.length;
    if (pendingBytes >= FLUSH_THRESHOLD_BYTES) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_INTERVAL_MS).unref();
  }

  async function finish(): Promise<CallCaptureFiles> {
    await opened;
    flush();
    const out = stream;
    if (out && !failure) await new Promise<void>((resolve) => out.end(resolve));
    if (failure) throw new Error(`call capture ${files.jsonl} failed: ${failure.message}`);
    const audio = renderCallAudio(await readCapture(files.jsonl));
    const sampleRate = ULAW_SAMPLE_RATE_HZ;
    await Promise.all([
      writeFile(
        files.callerWav,
        encodeWav({ format: 'mulaw', sampleRate, channels: 1, data: audio.caller }),
      ),
      writeFile(
        files.botWav,
        encodeWav({ format: 'mulaw', sampleRate, channels: 1, data: audio.bot }),
      ),
      writeFile(
        files.stereoWav,
        encodeWav({ format: 'pcm16', sampleRate, channels: 2, data: audio.stereo }),
      ),
    ]);
    log.info({ files }, 'call capture written');
    return files;
  }

  return {
    inbound: (rawText) => record('in', rawText),
    outbound: (rawText) => record('out', rawText),
    close() {
      closing ??= finish().catch((err: unknown) => {
        log.warn({ err }, 'call capture could not be finished');
        throw err;
      });
      return closing;
    },
  };
}
