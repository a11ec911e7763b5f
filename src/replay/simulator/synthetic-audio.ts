/**
 * µ-law audio made up on the spot: the stand-in voice for scripted replies that have text but no
 * recording, and the signals the simulator's tests speak with.
 */
import { pcm16ToUlaw, ULAW_SAMPLE_RATE_HZ, ulawSilence, ulawToPcm16 } from '../../audio/g711.js';

/** Synthetic speech length per character of text: 60 ms, close to a calm speaking rate. */
export const SYNTHETIC_MS_PER_CHAR = 60;
/** Shortest synthetic reply: 300 ms, so even "OK." has audio to play and truncate. */
const SYNTHETIC_MIN_MS = 300;
/** Synthetic voice: a 330 Hz tone (inside the 300–3400 Hz telephone band). */
const SYNTHETIC_TONE_HZ = 330;
/** Synthetic voice level: -24 dBFS RMS, a typical telephone speech level. */
const SYNTHETIC_LEVEL_DBFS = -24;
/** Fade in/out of each tone: 5 ms, so tone edges do not click. */
const FADE_MS = 5;

/** A sine tone as µ-law 8 kHz: `ms` long, `levelDbfs` RMS, with short fades at both ends. */
export function toneUlaw(options: { ms: number; levelDbfs: number; hz?: number }): Buffer {
  const count = Math.round((options.ms * ULAW_SAMPLE_RATE_HZ) / 1000);
  const amplitude = 32768 * 10 ** (options.levelDbfs / 20) * Math.SQRT2;
  const hz = options.hz ?? SYNTHETIC_TONE_HZ;
  const fade = Math.round((FADE_MS * ULAW_SAMPLE_RATE_HZ) / 1000);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const edge = Math.min(1, (i + 1) / fade, (count - i) / fade);
    const value = amplitude * edge * Math.sin((2 * Math.PI * hz * i) / ULAW_SAMPLE_RATE_HZ);
    samples[i] = Math.max(-32768, Math.min(32767, Math.round(value)));
  }
  return pcm16ToUlaw(samples);
}

/**
 * Deterministic white noise as µ-law 8 kHz at `levelDbfs` RMS: a fixed-seed generator, so the
 * same call gives the same bytes (the simulator never uses Math.random).
 */
export function noiseUlaw(options: { ms: number; levelDbfs: number; seed?: number }): Buffer {
  const count = Math.round((options.ms * ULAW_SAMPLE_RATE_HZ) / 1000);
  // Uniform noise in [-a, a] has RMS a/√3.
  const amplitude = 32768 * 10 ** (options.levelDbfs / 20) * Math.sqrt(3);
  let state = (options.seed ?? 1) >>> 0 || 1;
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    // xorshift32: small, fast and fully deterministic.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const uniform = state / 0xffffffff;
    samples[i] = Math.round(amplitude * (2 * uniform - 1));
  }
  return pcm16ToUlaw(samples);
}

/** `ms` of µ-law digital silence. */
export function silenceUlaw(ms: number): Buffer {
  return ulawSilence((ms * ULAW_SAMPLE_RATE_HZ) / 1000);
}

/** Mixes µ-law signals sample by sample (speech over a noisy line); as long as the longest. */
export function mixUlaw(...signals: Buffer[]): Buffer {
  const length = Math.max(0, ...signals.map((s) => s.length));
  const decoded = signals.map((s) => ulawToPcm16(s));
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const d of decoded) sum += d[i] ?? 0;
    out[i] = Math.max(-32768, Math.min(32767, sum));
  }
  return pcm16ToUlaw(out);
}

/** The stand-in voice for a scripted line without a recording: a tone 60 ms per character. */
export function syntheticSpeechUlaw(text: string): Buffer {
  const ms = Math.max(SYNTHETIC_MIN_MS, text.length * SYNTHETIC_MS_PER_CHAR);
  return toneUlaw({ ms, levelDbfs: SYNTHETIC_LEVEL_DBFS });
}
