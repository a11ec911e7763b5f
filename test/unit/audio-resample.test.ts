import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/audio/audio-format-error.js';
import { downmixToMono, resamplePcm16 } from '../../src/audio/resample.js';

const AMPLITUDE = 10_000;

function sine(frequencyHz: number, sampleRateHz: number, seconds: number): Int16Array {
  const samples = new Int16Array(Math.round(sampleRateHz * seconds));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(AMPLITUDE * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz));
  }
  return samples;
}

/** Amplitude of `frequencyHz` in the middle half of `x` (Goertzel-style single-bin DFT). */
function toneAmplitude(x: Int16Array, frequencyHz: number, sampleRateHz: number): number {
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += (x[i] ?? 0) * Math.cos(w * i);
    im -= (x[i] ?? 0) * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

/** Frequency from rising zero crossings over the middle half of `x`. */
function zeroCrossingHz(x: Int16Array, sampleRateHz: number): number {
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if ((x[i - 1] ?? 0) < 0 && (x[i] ?? 0) >= 0) crossings++;
  return (crossings * sampleRateHz) / (to - from);
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('resamplePcm16', () => {
  for (const fromHz of [44_100, 16_000]) {
    it(`keeps a 1 kHz tone at 1 kHz when converting ${fromHz} Hz to 8 kHz`, () => {
      const out = resamplePcm16(sine(1000, fromHz, 1), fromHz, 8000);
      expect(zeroCrossingHz(out, 8000)).toBeCloseTo(1000, -1);
    });

    it(`keeps a 1 kHz tone's amplitude within 0.5 dB when converting ${fromHz} Hz to 8 kHz`, () => {
      const out = resamplePcm16(sine(1000, fromHz, 1), fromHz, 8000);
      expect(Math.abs(db(toneAmplitude(out, 1000, 8000) / AMPLITUDE))).toBeLessThan(0.5);
    });
  }

  it('attenuates a 6 kHz tone at 48 kHz by at least 40 dB instead of aliasing it to 2 kHz', () => {
    const out = resamplePcm16(sine(6000, 48_000, 1), 48_000, 8000);
    expect(db(toneAmplitude(out, 2000, 8000) / AMPLITUDE)).toBeLessThan(-40);
  });

  it('produces the duration of the input at the new rate', () => {
    expect(resamplePcm16(new Int16Array(44_100), 44_100, 8000).length).toBe(8000);
  });

  it('keeps a tone when upsampling 8 kHz to 24 kHz', () => {
    const out = resamplePcm16(sine(1000, 8000, 1), 8000, 24_000);
    expect(Math.abs(db(toneAmplitude(out, 1000, 24_000) / AMPLITUDE))).toBeLessThan(0.5);
  });

  it('returns an equal copy when the rates match', () => {
    const input = sine(440, 8000, 0.1);
    expect(resamplePcm16(input, 8000, 8000)).toEqual(input);
  });

  it('rejects a zero sample rate', () => {
    expect(() => resamplePcm16(new Int16Array(10), 0, 8000)).toThrow(AudioFormatError);
  });
});

describe('downmixToMono', () => {
  it('averages the channels of each frame', () => {
    expect([...downmixToMono(new Int16Array([100, 300, -50, 50, 32767, 32767]), 2)]).toEqual([
      200, 0, 32767,
    ]);
  });

  it('rejects a channel count of zero', () => {
    expect(() => downmixToMono(new Int16Array(4), 0)).toThrow(AudioFormatError);
  });
});
