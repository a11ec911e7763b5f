import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcm16ToAlaw, pcm16ToUlaw, ulawToPcm16, ULAW_SILENCE_BYTE } from '../../src/audio/g711.js';
import { pcm16ToLeBytes } from '../../src/audio/pcm16.js';
import { RecordingError, readRecording } from '../../src/audio/recording.js';
import { encodeWav, parseWav } from '../../src/audio/wav.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/recordings');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-recording-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sine(
  frequencyHz: number,
  sampleRateHz: number,
  samples: number,
  amplitude = 8000,
): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz));
  }
  return out;
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

async function write(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

function mediaLine(t: number, timestamp: number, bytes: Buffer, dir = 'in'): string {
  const msg = {
    event: 'media',
    media: { track: 'inbound', timestamp: String(timestamp), payload: bytes.toString('base64') },
  };
  return JSON.stringify({ t, dir, msg });
}

describe('readRecording', () => {
  it('passes a µ-law 8 kHz mono WAV through untouched', async () => {
    const path = join(FIXTURES, 'bot-checking.wav');
    expect(await readRecording(path)).toEqual(parseWav(await readFile(path)).data);
  });

  it('converts a stereo 44.1 kHz PCM16 WAV to 8 kHz µ-law of the same duration and level', async () => {
    const left = sine(1000, 44_100, 44_100);
    const interleaved = new Int16Array(left.length * 2);
    left.forEach((s, i) => {
      interleaved[2 * i] = s;
      interleaved[2 * i + 1] = s;
    });
    const wav = encodeWav({
      format: 'pcm16',
      sampleRate: 44_100,
      channels: 2,
      data: pcm16ToLeBytes(interleaved),
    });
    const ulaw = await readRecording(await write('stereo-44k.wav', wav));
    expect(ulaw.length).toBe(8000);
    const middle = ulawToPcm16(ulaw.subarray(2000, 6000));
    expect(Math.abs(20 * Math.log10(rms(middle) / rms(left)))).toBeLessThan(0.5);
  });

  it('converts an A-law WAV to µ-law', async () => {
    const tone = sine(500, 8000, 800);
    const wav = encodeWav({
      format: 'alaw',
      sampleRate: 8000,
      channels: 1,
      data: pcm16ToAlaw(tone),
    });
    const ulaw = await readRecording(await write('alaw.wav', wav));
    expect(Math.abs(20 * Math.log10(rms(ulawToPcm16(ulaw)) / rms(tone)))).toBeLessThan(0.5);
  });

  it('resamples a 16 kHz PCM16 mono WAV to 8 kHz', async () => {
    const wav = encodeWav({
      format: 'pcm16',
      sampleRate: 16_000,
      channels: 1,
      data: pcm16ToLeBytes(sine(1000, 16_000, 3200)),
    });
    expect((await readRecording(await write('pcm16k.wav', wav))).length).toBe(1600);
  });

  it('reads raw .ulaw and .raw files as µ-law bytes', async () => {
    const bytes = pcm16ToUlaw(sine(700, 8000, 480));
    expect(await readRecording(await write('a.ulaw', bytes))).toEqual(bytes);
    expect(await readRecording(await write('a.raw', bytes))).toEqual(bytes);
  });

  it('reads every committed fixture at the duration its manifest states', async () => {
    const manifest = JSON.parse(await readFile(join(FIXTURES, 'manifest.json'), 'utf8')) as {
      files: { file: string; durationMs: number }[];
    };
    for (const { file, durationMs } of manifest.files) {
      const ulaw = await readRecording(join(FIXTURES, file));
      expect(Math.floor(ulaw.length / 8)).toBe(durationMs);
    }
  });

  it('reads a capture as its inbound payloads with timestamp gaps filled with silence', async () => {
    const a = Buffer.alloc(160, 0x10);
    const b = Buffer.alloc(160, 0x20);
    const text = [
      JSON.stringify({ t: 0, dir: 'in', msg: { event: 'start', start: {} } }),
      mediaLine(1, 0, a),
      mediaLine(2, 0, Buffer.alloc(160, 0x30), 'out'),
      mediaLine(50, 60, b),
      JSON.stringify({ t: 51, dir: 'in', raw: 'not json' }),
      '',
    ].join('\n');
    const ulaw = await readRecording(await write('call.jsonl', text));
    expect(ulaw).toEqual(Buffer.concat([a, Buffer.alloc(320, ULAW_SILENCE_BYTE), b]));
  });

  it('names the file when it does not exist', async () => {
    const path = join(dir, 'missing.wav');
    await expect(readRecording(path)).rejects.toThrow(`recording ${path}: file not found`);
  });

  it('rejects an unsupported WAV with a RecordingError naming the file and the format', async () => {
    const wav = encodeWav({
      format: 'pcm16',
      sampleRate: 8000,
      channels: 1,
      data: Buffer.alloc(4),
    });
    wav.writeUInt16LE(8, 34); // bits per sample → 8
    const path = await write('pcm8.wav', wav);
    const error = await readRecording(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as Error).message).toMatch(new RegExp(`${path}.*PCM with 8 bits per sample`));
  });

  it('rejects a file that is not a WAV', async () => {
    await expect(readRecording(await write('fake.wav', 'hello'))).rejects.toThrow(
      /not a RIFF\/WAVE file/,
    );
  });

  it('rejects an empty WAV', async () => {
    const wav = encodeWav({
      format: 'mulaw',
      sampleRate: 8000,
      channels: 1,
      data: Buffer.alloc(0),
    });
    await expect(readRecording(await write('empty.wav', wav))).rejects.toThrow(/contains no audio/);
  });

  it('rejects a capture without inbound media', async () => {
    const text = mediaLine(1, 0, Buffer.alloc(160), 'out');
    await expect(readRecording(await write('bot-only.jsonl', text))).rejects.toThrow(
      /capture has no inbound media/,
    );
  });

  it('rejects a capture line that is not JSON, with its line number', async () => {
    const text = `${mediaLine(1, 0, Buffer.alloc(160))}\n{oops`;
    await expect(readRecording(await write('broken.jsonl', text))).rejects.toThrow(
      /line 2: not valid JSON/,
    );
  });

  it('rejects an unknown file type', async () => {
    await expect(readRecording(await write('song.mp3', 'x'))).rejects.toThrow(
      /unsupported file type "\.mp3"/,
    );
  });
});
