/**
 * Loads caller audio for a replay as µ-law 8 kHz mono bytes. Stand-in until the shared
 * `readRecording` (src/audio/recording.ts) lands: raw `.ulaw` and 8 kHz mono WAV (µ-law or
 * PCM16) only.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import alawmulaw from 'alawmulaw';
import { ReplayError } from './replay-error.js';

/** WAV format tags (RIFF `fmt ` chunk): 1 = PCM, 7 = µ-law. */
const WAV_FORMAT_PCM = 1;
const WAV_FORMAT_MULAW = 7;
/** The only rate the stand-in accepts: Twilio's media rate. */
const TWILIO_SAMPLE_RATE_HZ = 8000;

/** Reads a recording into µ-law 8 kHz bytes; a ReplayError('recording_unreadable') if it can't. */
export async function loadRecording(path: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ReplayError(
      'recording_unreadable',
      `cannot read ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.ulaw' || ext === '.mulaw' || ext === '.raw') return bytes;
  if (ext === '.wav') return wavToMulaw(bytes, path);
  throw new ReplayError(
    'recording_unreadable',
    `${path}: unsupported format "${ext}" (.wav or .ulaw)`,
  );
}

function wavToMulaw(wav: Buffer, path: string): Buffer {
  const fail = (why: string): never => {
    throw new ReplayError('recording_unreadable', `${path}: ${why}`);
  };
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') {
    fail('not a RIFF/WAVE file');
  }
  let format: number | undefined;
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    const body = wav.subarray(offset + 8, offset + 8 + size);
    if (id === 'fmt ') {
      format = body.readUInt16LE(0);
      const channels = body.readUInt16LE(2);
      const rate = body.readUInt32LE(4);
      if (channels !== 1 || rate !== TWILIO_SAMPLE_RATE_HZ)
        fail(`needs 8 kHz mono, got ${rate} Hz × ${channels}`);
    } else if (id === 'data') {
      if (format === WAV_FORMAT_MULAW) return Buffer.from(body);
      if (format === WAV_FORMAT_PCM) {
        const pcm = new Int16Array(
          body.buffer.slice(body.byteOffset, body.byteOffset + (body.length & ~1)),
        );
        return Buffer.from(alawmulaw.mulaw.encode(pcm));
      }
      fail(`unsupported WAV format tag ${format}`);
    }
    offset += 8 + size + (size & 1);
  }
  return fail('no data chunk');
}
