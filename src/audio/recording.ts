/**
 * Loads a test or QA recording as µ-law 8 kHz mono bytes, the format a Twilio media stream
 * carries, from a WAV file (converted as needed), raw µ-law, or a captured call (.jsonl).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { AudioFormatError } from './audio-format-error.js';
import { ULAW_SAMPLE_RATE_HZ, alawToPcm16, pcm16ToUlaw, ulawToPcm16 } from './g711.js';
import { pcm16FromLeBytes } from './pcm16.js';
import { downmixToMono, resamplePcm16 } from './resample.js';
import {
  callerTrack,
  CaptureFormatError,
  isCallerMedia,
  mediaPayload,
  parseCapture,
} from './capture-format.js';
import { parseWav, type WavAudio } from './wav.js';

/** A recording that cannot be used; the message names the file and what is wrong with it. */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`recording ${path}: ${detail}`);
  }
}

/** Reads `.wav`, raw µ-law (`.ulaw`, `.raw`) or a call capture (`.jsonl`) as µ-law 8 kHz mono. */
export async function readRecording(path: string): Promise<Buffer> {
  const ext = extname(path).toLowerCase();
  if (!['.wav', '.ulaw', '.raw', '.jsonl'].includes(ext)) {
    throw new RecordingError(
      path,
      `unsupported file type "${ext || '(none)'}" (expected .wav, .ulaw, .raw or .jsonl)`,
    );
  }
  const bytes = await readFileOrFail(path);
  let ulaw: Buffer;
  try {
    if (ext === '.wav') ulaw = wavToUlaw8kMono(parseWav(bytes));
    else if (ext === '.jsonl') ulaw = captureToUlaw(path, bytes.toString('utf8'));
    else ulaw = bytes;
  } catch (err) {
    if (err instanceof AudioFormatError) throw new RecordingError(path, err.message);
    throw err;
  }
  if (ulaw.length === 0) throw new RecordingError(path, 'contains no audio');
  return ulaw;
}

async function readFileOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RecordingError(
      path,
      code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`,
    );
  }
}

/** Converts decoded WAV audio to µ-law 8 kHz mono; µ-law 8 kHz mono passes through untouched. */
export function wavToUlaw8kMono(audio: WavAudio): Buffer {
  if (audio.format === 'mulaw' && audio.sampleRate === ULAW_SAMPLE_RATE_HZ && audio.channels === 1)
    return audio.data;
  const interleaved =
    audio.format === 'pcm16'
      ? pcm16FromLeBytes(audio.data)
      : audio.format === 'alaw'
        ? alawToPcm16(audio.data)
        : ulawToPcm16(audio.data);
  const mono = downmixToMono(interleaved, audio.channels);
  return pcm16ToUlaw(resamplePcm16(mono, audio.sampleRate, ULAW_SAMPLE_RATE_HZ));
}

/** The caller audio of a call capture (`.jsonl`), as QA replays it. */
function captureToUlaw(path: string, text: string): Buffer {
  let lines;
  try {
    lines = parseCapture(text, path);
  } catch (err) {
    if (err instanceof CaptureFormatError)
      throw new RecordingError(path, `line ${err.line}: ${err.detail}`);
    throw err;
  }
  if (!lines.some((line) => isCallerMedia(line) && mediaPayload(line))) {
    throw new RecordingError(path, 'capture has no inbound media');
  }
  return callerTrack(lines);
}
