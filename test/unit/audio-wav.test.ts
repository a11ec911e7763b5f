import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/audio/audio-format-error.js';
import { encodeWav, parseWav, type WavAudio } from '../../src/audio/wav.js';

function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length & 1)]);
}

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

function fmt(tag: number, channels: number, rate: number, bits: number): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(tag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(rate, 4);
  body.writeUInt32LE((rate * channels * bits) / 8, 8);
  body.writeUInt16LE((channels * bits) / 8, 12);
  body.writeUInt16LE(bits, 14);
  return body;
}

function extensibleFmt(subFormatTag: number, channels: number, rate: number, bits: number): Buffer {
  const ext = Buffer.alloc(24);
  ext.writeUInt16LE(22, 0); // cbSize
  ext.writeUInt16LE(bits, 2); // wValidBitsPerSample
  ext.writeUInt32LE(channels === 2 ? 3 : 4, 4); // dwChannelMask
  ext.writeUInt16LE(subFormatTag, 8);
  Buffer.from('000000001000800000aa00389b71', 'hex').copy(ext, 10);
  return Buffer.concat([fmt(0xfffe, channels, rate, bits), ext]);
}

const formats: WavAudio[] = [
  {
    format: 'pcm16',
    sampleRate: 44100,
    channels: 2,
    data: Buffer.from([1, 0, 2, 0, 0xff, 0x7f, 0, 0x80]),
  },
  { format: 'mulaw', sampleRate: 8000, channels: 1, data: Buffer.from([0xff, 0x00, 0x7f]) },
  { format: 'alaw', sampleRate: 8000, channels: 1, data: Buffer.from([0xd5, 0x55, 0x2a, 0x80]) },
];

describe('parseWav and encodeWav', () => {
  for (const audio of formats) {
    it(`round-trips ${audio.format} audio`, () => {
      expect(parseWav(encodeWav(audio))).toEqual(audio);
    });
  }

  it('pads an odd-sized data chunk to keep the RIFF word alignment', () => {
    const wav = encodeWav(formats[1] as WavAudio);
    expect(wav.length % 2).toBe(0);
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  });

  it('skips LIST and fact chunks, including an odd-sized one with its pad byte', () => {
    const data = Buffer.from([0xff, 0xfe, 0xfd, 0xfc]);
    const wav = riff(
      chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00sox\x00\x00', 'latin1')),
      chunk('fmt ', fmt(7, 1, 8000, 8)),
      chunk('odd!', Buffer.from([1, 2, 3])),
      chunk('fact', Buffer.from([4, 0, 0, 0])),
      chunk('data', data),
    );
    expect(parseWav(wav)).toEqual({ format: 'mulaw', sampleRate: 8000, channels: 1, data });
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a PCM sub-format as pcm16', () => {
    const data = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);
    const wav = riff(chunk('fmt ', extensibleFmt(1, 2, 48000, 16)), chunk('data', data));
    expect(parseWav(wav)).toEqual({ format: 'pcm16', sampleRate: 48000, channels: 2, data });
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a µ-law sub-format as mulaw', () => {
    const wav = riff(
      chunk('fmt ', extensibleFmt(7, 1, 8000, 8)),
      chunk('data', Buffer.from([0xff])),
    );
    expect(parseWav(wav).format).toBe('mulaw');
  });

  it('drops a trailing partial sample frame', () => {
    const wav = riff(chunk('fmt ', fmt(1, 2, 8000, 16)), chunk('data', Buffer.alloc(7)));
    expect(parseWav(wav).data.length).toBe(4);
  });

  it('rejects 8-bit PCM naming the format and bit depth', () => {
    const wav = riff(chunk('fmt ', fmt(1, 1, 8000, 8)), chunk('data', Buffer.alloc(4)));
    expect(() => parseWav(wav)).toThrow(/unsupported WAV format: PCM with 8 bits per sample/);
  });

  it('rejects 24-bit PCM naming the bit depth', () => {
    const wav = riff(chunk('fmt ', fmt(1, 1, 48000, 24)), chunk('data', Buffer.alloc(6)));
    expect(() => parseWav(wav)).toThrow(/PCM with 24 bits per sample/);
  });

  it('rejects IEEE float audio by name', () => {
    const wav = riff(chunk('fmt ', fmt(3, 1, 48000, 32)), chunk('data', Buffer.alloc(8)));
    expect(() => parseWav(wav)).toThrow(/IEEE float with 32 bits per sample/);
  });

  it('rejects an extensible sub-format it does not know, with the GUID', () => {
    const ext = extensibleFmt(1, 1, 8000, 16);
    ext.writeUInt8(0x99, 30); // corrupt the GUID tail
    const wav = riff(chunk('fmt ', ext), chunk('data', Buffer.alloc(2)));
    expect(() => parseWav(wav)).toThrow(/unknown sub-format GUID/);
  });

  it('rejects a file that is not RIFF/WAVE with an AudioFormatError', () => {
    expect(() => parseWav(Buffer.from('ID3\x04 this is an mp3'))).toThrow(AudioFormatError);
  });

  it('rejects a WAV without a data chunk', () => {
    expect(() => parseWav(riff(chunk('fmt ', fmt(1, 1, 8000, 16))))).toThrow(/no "data" chunk/);
  });

  it('rejects a WAV without a fmt chunk', () => {
    expect(() => parseWav(riff(chunk('data', Buffer.alloc(2))))).toThrow(/no "fmt " chunk/);
  });
});
