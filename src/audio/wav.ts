/**
 * RIFF/WAVE reading and writing for the three formats a phone bridge meets: 16-bit PCM, µ-law
 * and A-law. Anything else is rejected with an `AudioFormatError` naming what was found.
 */
import { AudioFormatError } from './audio-format-error.js';

/** Decoded WAV content: sample format, rate, channel count and the interleaved sample bytes. */
export interface WavAudio {
  format: 'pcm16' | 'mulaw' | 'alaw';
  sampleRate: number;
  channels: number;
  /** Interleaved samples: little-endian int16 for pcm16, one byte per sample for G.711. */
  data: Buffer;
}

// Format tags from the Microsoft RIFF spec (mmreg.h).
const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID built on a format tag (mmreg.h). */
const SUBFORMAT_GUID_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');
/** RIFF header: "RIFF", size, "WAVE". */
const RIFF_HEADER_BYTES = 12;
/** Chunk header: four-character id, little-endian size. */
const CHUNK_HEADER_BYTES = 8;
/** Minimum `fmt ` body (WAVEFORMAT + wBitsPerSample). */
const FMT_MIN_BYTES = 16;
/** WAVEFORMATEXTENSIBLE body: 18 bytes of WAVEFORMATEX + 22 extension bytes. */
const FMT_EXTENSIBLE_BYTES = 40;

interface FmtChunk {
  tag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** Parses a WAV file; throws `AudioFormatError` for anything but PCM16, µ-law or A-law. */
export function parseWav(buf: Buffer): WavAudio {
  if (
    buf.length < RIFF_HEADER_BYTES ||
    buf.toString('latin1', 0, 4) !== 'RIFF' ||
    buf.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new AudioFormatError(
      `not a RIFF/WAVE file (starts with ${JSON.stringify(buf.toString('latin1', 0, 12))})`,
    );
  }
  let fmt: FmtChunk | undefined;
  let data: Buffer | undefined;
  let offset = RIFF_HEADER_BYTES;
  while (offset + CHUNK_HEADER_BYTES <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const bodyStart = offset + CHUNK_HEADER_BYTES;
    // A truncated or still-being-written file declares more than it holds: take what is there.
    const body = buf.subarray(bodyStart, Math.min(bodyStart + size, buf.length));
    if (id === 'fmt ') fmt = parseFmt(body);
    else if (id === 'data' && data === undefined) data = body;
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset = bodyStart + size + (size & 1);
  }
  if (fmt === undefined) throw new AudioFormatError('WAV file has no "fmt " chunk');
  if (data === undefined) throw new AudioFormatError('WAV file has no "data" chunk');
  const format = sampleFormat(fmt);
  const blockBytes = fmt.channels * (format === 'pcm16' ? 2 : 1);
  // Drop a trailing partial sample frame rather than misalign every channel after it.
  const usable = data.length - (data.length % blockBytes);
  return {
    format,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    data: data.subarray(0, usable),
  };
}

function parseFmt(body: Buffer): FmtChunk {
  if (body.length < FMT_MIN_BYTES)
    throw new AudioFormatError(
      `WAV "fmt " chunk is ${body.length} bytes, expected at least ${FMT_MIN_BYTES}`,
    );
  let tag = body.readUInt16LE(0);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (body.length < FMT_EXTENSIBLE_BYTES) {
      throw new AudioFormatError(
        `WAVE_FORMAT_EXTENSIBLE "fmt " chunk is ${body.length} bytes, expected ${FMT_EXTENSIBLE_BYTES}`,
      );
    }
    const guid = body.subarray(24, 40);
    if (!guid.subarray(2).equals(SUBFORMAT_GUID_TAIL)) {
      throw new AudioFormatError(
        `WAVE_FORMAT_EXTENSIBLE with unknown sub-format GUID ${guid.toString('hex')}`,
      );
    }
    tag = guid.readUInt16LE(0);
  }
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  if (channels === 0) throw new AudioFormatError('WAV declares 0 channels');
  if (sampleRate === 0) throw new AudioFormatError('WAV declares a sample rate of 0 Hz');
  return { tag, channels, sampleRate, bitsPerSample: body.readUInt16LE(14) };
}

function sampleFormat(fmt: FmtChunk): WavAudio['format'] {
  const { tag, bitsPerSample: bits } = fmt;
  if (tag === WAVE_FORMAT_PCM && bits === 16) return 'pcm16';
  if (tag === WAVE_FORMAT_MULAW && bits === 8) return 'mulaw';
  if (tag === WAVE_FORMAT_ALAW && bits === 8) return 'alaw';
  throw new AudioFormatError(
    `unsupported WAV format: ${describeFormat(tag)} with ${bits} bits per sample (supported: 16-bit PCM, 8-bit µ-law, 8-bit A-law)`,
  );
}

function describeFormat(tag: number): string {
  switch (tag) {
    case WAVE_FORMAT_PCM:
      return 'PCM';
    case WAVE_FORMAT_IEEE_FLOAT:
      return 'IEEE float';
    case WAVE_FORMAT_ALAW:
      return 'A-law';
    case WAVE_FORMAT_MULAW:
      return 'µ-law';
    default:
      return `format tag 0x${tag.toString(16).padStart(4, '0')}`;
  }
}

const FORMAT_TAGS: Record<WavAudio['format'], number> = {
  pcm16: WAVE_FORMAT_PCM,
  mulaw: WAVE_FORMAT_MULAW,
  alaw: WAVE_FORMAT_ALAW,
};

/** Encodes a WAV file (plain PCM `fmt `; G.711 adds cbSize and the `fact` chunk the spec asks for). */
export function encodeWav(audio: WavAudio): Buffer {
  const bytesPerSample = audio.format === 'pcm16' ? 2 : 1;
  const blockAlign = audio.channels * bytesPerSample;
  const companded = audio.format !== 'pcm16';
  const fmt = Buffer.alloc(companded ? 18 : 16);
  fmt.writeUInt16LE(FORMAT_TAGS[audio.format], 0);
  fmt.writeUInt16LE(audio.channels, 2);
  fmt.writeUInt32LE(audio.sampleRate, 4);
  fmt.writeUInt32LE(audio.sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bytesPerSample * 8, 14);
  const chunks = [chunk('fmt ', fmt)];
  if (companded) {
    const fact = Buffer.alloc(4);
    fact.writeUInt32LE(Math.floor(audio.data.length / blockAlign), 0);
    chunks.push(chunk('fact', fact));
  }
  chunks.push(chunk('data', audio.data));
  const header = Buffer.alloc(RIFF_HEADER_BYTES);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + chunks.reduce((sum, c) => sum + c.length, 0), 4);
  header.write('WAVE', 8, 'latin1');
  return Buffer.concat([header, ...chunks]);
}

function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(CHUNK_HEADER_BYTES);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  const pad = body.length & 1 ? [Buffer.alloc(1)] : [];
  return Buffer.concat([header, body, ...pad]);
}
