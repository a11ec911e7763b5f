/**
 * Sample-rate conversion and downmixing for PCM16 mono. Band-limited interpolation with a
 * Kaiser-windowed sinc (the method of Smith's "Digital Audio Resampling" and libresample), so
 * downsampling to 8 kHz does not fold everything above 4 kHz back into the telephone band.
 */
import { AudioFormatError } from './audio-format-error.js';

/**
 * Half-length of the filter in zero crossings of the lower rate's sinc: 32 each side, i.e. 64
 * taps at the lower rate (384 at 48 kHz → 8 kHz). With a Kaiser window the transition band is
 * about (A − 7.95) / (14.36 × 64) ≈ 0.078 of the lower rate: ~630 Hz at 8 kHz (Kaiser 1974).
 */
const HALF_WIDTH_ZERO_CROSSINGS = 32;
/** Stopband attenuation target in dB; 80 dB puts aliases below the µ-law noise floor (~38 dB SNR). */
const STOPBAND_ATTENUATION_DB = 80;
/** Kaiser β for that attenuation: 0.1102 × (A − 8.7) (Kaiser's empirical formula, A > 50 dB). */
const KAISER_BETA = 0.1102 * (STOPBAND_ATTENUATION_DB - 8.7);
/**
 * Cutoff (the −6 dB point) as a fraction of the lower Nyquist. Centering the ~630 Hz transition
 * band at 0.92 × 4 kHz = 3680 Hz puts the stopband edge at the Nyquist itself, so nothing aliases,
 * while keeping the passband flat to ~3.35 kHz, the top of the 300–3400 Hz telephone band.
 */
const CUTOFF_FRACTION_OF_NYQUIST = 0.92;
/** Table points per zero crossing; linear interpolation between them errs below −100 dB. */
const TABLE_POINTS_PER_ZERO_CROSSING = 512;

/** The windowed sinc from 0 to HALF_WIDTH_ZERO_CROSSINGS (in lower-rate samples), tabulated once. */
const FILTER_TABLE = buildFilterTable();

function besselI0(x: number): number {
  // Power series; converges quickly for the β values used here (terms shrink past k ≈ β).
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function buildFilterTable(): Float64Array {
  const points = HALF_WIDTH_ZERO_CROSSINGS * TABLE_POINTS_PER_ZERO_CROSSING;
  const table = new Float64Array(points + 2);
  const i0Beta = besselI0(KAISER_BETA);
  for (let i = 0; i <= points; i++) {
    const u = i / TABLE_POINTS_PER_ZERO_CROSSING;
    const x = Math.PI * CUTOFF_FRACTION_OF_NYQUIST * u;
    const sinc = i === 0 ? 1 : Math.sin(x) / x;
    const r = u / HALF_WIDTH_ZERO_CROSSINGS;
    table[i] = sinc * (besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
  }
  return table;
}

/** Filter value at `u` lower-rate samples from the centre (0 outside the window). */
function filterAt(u: number): number {
  const pos = Math.abs(u) * TABLE_POINTS_PER_ZERO_CROSSING;
  const i = Math.floor(pos);
  const a = FILTER_TABLE[i];
  const b = FILTER_TABLE[i + 1];
  if (a === undefined || b === undefined) return 0;
  return a + (b - a) * (pos - i);
}

function clampInt16(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : Math.round(x);
}

/** Resamples PCM16 mono from `fromHz` to `toHz` with a band-limited (windowed-sinc) interpolator. */
export function resamplePcm16(samples: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (!(fromHz > 0) || !(toHz > 0) || !Number.isFinite(fromHz) || !Number.isFinite(toHz)) {
    throw new AudioFormatError(`cannot resample from ${fromHz} Hz to ${toHz} Hz`);
  }
  if (fromHz === toHz) return samples.slice();
  // Work in input-sample units. The filter is scaled to the lower of the two rates.
  const step = fromHz / toHz;
  const scale = Math.min(1, toHz / fromHz);
  const gain = CUTOFF_FRACTION_OF_NYQUIST * scale;
  const halfWidth = HALF_WIDTH_ZERO_CROSSINGS / scale;
  const out = new Int16Array(Math.round(samples.length / step));
  for (let n = 0; n < out.length; n++) {
    const t = n * step;
    const first = Math.max(0, Math.ceil(t - halfWidth));
    const last = Math.min(samples.length - 1, Math.floor(t + halfWidth));
    let acc = 0;
    for (let k = first; k <= last; k++) acc += (samples[k] ?? 0) * filterAt((t - k) * scale);
    out[n] = clampInt16(acc * gain);
  }
  return out;
}

/** Averages interleaved channels into one; `channels` = 1 returns a copy. */
export function downmixToMono(interleaved: Int16Array, channels: number): Int16Array {
  if (!Number.isInteger(channels) || channels < 1)
    throw new AudioFormatError(`cannot downmix ${channels} channels`);
  const frames = Math.floor(interleaved.length / channels);
  const mono = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c] ?? 0;
    mono[f] = Math.round(sum / channels);
  }
  return mono;
}
