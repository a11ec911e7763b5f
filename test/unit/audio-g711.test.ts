import { describe, expect, it } from 'vitest';
import {
  FRAME_BYTES,
  ULAW_SILENCE_BYTE,
  alawToPcm16,
  pcm16ToAlaw,
  pcm16ToUlaw,
  ulawSilence,
  ulawToPcm16,
} from '../../src/audio/g711.js';

describe('g711', () => {
  it('encodes zero amplitude as the µ-law silence byte', () => {
    expect([...pcm16ToUlaw(new Int16Array([0, 0]))]).toEqual([
      ULAW_SILENCE_BYTE,
      ULAW_SILENCE_BYTE,
    ]);
  });

  it('makes a 20 ms frame of 160 bytes', () => {
    expect(FRAME_BYTES).toBe(160);
  });

  it('round-trips µ-law samples within the quantization step of their segment', () => {
    const samples = new Int16Array([0, 100, -100, 1000, -1000, 10000, -10000, 32000]);
    const decoded = ulawToPcm16(pcm16ToUlaw(samples));
    samples.forEach((s, i) =>
      expect(Math.abs((decoded[i] ?? 0) - s)).toBeLessThanOrEqual(Math.abs(s) / 16 + 8),
    );
  });

  it('round-trips A-law samples within the quantization step of their segment', () => {
    const samples = new Int16Array([0, 100, -100, 1000, -1000, 10000, -10000, 32000]);
    const decoded = alawToPcm16(pcm16ToAlaw(samples));
    samples.forEach((s, i) =>
      expect(Math.abs((decoded[i] ?? 0) - s)).toBeLessThanOrEqual(Math.abs(s) / 16 + 16),
    );
  });

  it('fills ulawSilence with the silence byte', () => {
    const silence = ulawSilence(FRAME_BYTES);
    expect(silence.length).toBe(FRAME_BYTES);
    expect(silence.every((b) => b === ULAW_SILENCE_BYTE)).toBe(true);
  });
});
