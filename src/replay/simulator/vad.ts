/**
 * Energy-based voice activity detection on the audio's own clock, standing in for the realtime
 * service's server VAD. Pure: the same samples give the same events, however they are chunked.
 *
 * How it decides (see README.md in this folder for the reasoning):
 * - Audio is cut into 10 ms windows; each window's level is its RMS in dBFS.
 * - A window is voiced when its level is at least `minSpeechDbfs(threshold)` (an absolute floor,
 *   so a quiet line is not all "speech") AND at least `snrMarginDb(threshold)` above an adaptive
 *   noise floor (so a noisy line is not all "speech" either).
 * - The noise floor follows quieter windows quickly and louder ones slowly.
 * - Speech starts after SPEECH_START_WINDOWS voiced windows in a row; `audio_start_ms` is the
 *   start of the first of them minus `prefix_padding_ms` (never below 0).
 * - Speech stops once `silence_duration_ms` of unvoiced windows followed it; `audio_end_ms` is
 *   the end of that silence, as the service reports it.
 */

/** VAD window: 10 ms, the finest granularity the service reports offsets at in practice. */
export const VAD_WINDOW_MS = 10;
/** Voiced windows in a row before speech starts: 30 ms, so clicks and pops are not a turn. */
export const SPEECH_START_WINDOWS = 3;
/** Level reported for an all-zero window (digital silence has no finite dBFS). */
const DIGITAL_SILENCE_DBFS = -100;
/** Lowest noise floor: -70 dBFS, about the quietest µ-law step (±8 of 32768 is -72 dBFS). */
const MIN_NOISE_FLOOR_DBFS = -70;
/**
 * Highest initial noise floor: -45 dBFS. The floor starts at the first window's level, but a
 * caller who speaks from the first millisecond (telephone speech is -35..-15 dBFS) must still be
 * heard, so the first window is believed as noise only up to this level.
 */
const INITIAL_NOISE_FLOOR_CAP_DBFS = -45;
/** How fast the floor rises towards louder windows: 3 dB per second of audio (slow: speech). */
const NOISE_FLOOR_RISE_DB_PER_S = 3;
/** Fraction of the gap closed per window when a window is quieter than the floor (fast). */
const NOISE_FLOOR_FALL_FRACTION = 0.3;

/** Server VAD settings, in the service's units. */
export interface VadConfig {
  /** 0..1, higher needs louder speech (service default 0.5). */
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

/** What the VAD decided; offsets are ms of audio since the start of the stream. */
export type VadEvent =
  | { type: 'speech_started'; audioStartMs: number; detectedAtMs: number }
  | { type: 'speech_stopped'; audioEndMs: number };

/** Absolute level a window must reach to count as speech: -75 dBFS at 0, -55 at 0.5, -35 at 1. */
export function minSpeechDbfs(threshold: number): number {
  return -75 + 40 * clamp01(threshold);
}

/** Margin above the noise floor a window must reach: 6 dB at 0, 12 dB at 0.5, 18 dB at 1. */
export function snrMarginDb(threshold: number): number {
  return 6 + 12 * clamp01(threshold);
}

/**
 * Silence that ends a turn for semantic VAD, which the simulator approximates with server VAD:
 * low 1200 ms, medium/auto 800 ms, high 500 ms (the service's own eagerness waits up to 8/4/2 s
 * for an unfinished sentence; a simulator without language understanding takes a fixed pause).
 */
export function semanticSilenceMs(eagerness: string | undefined): number {
  if (eagerness === 'low') return 1200;
  if (eagerness === 'high') return 500;
  return 800;
}

/** RMS level of PCM16 samples in dBFS (full-scale square wave = 0 dBFS). */
export function levelDbfs(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  const n = to - from;
  if (n <= 0 || sum === 0) return DIGITAL_SILENCE_DBFS;
  return Math.max(DIGITAL_SILENCE_DBFS, 20 * Math.log10(Math.sqrt(sum / n) / 32768));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0.5));
}

/** Streaming energy VAD; feed it samples as they arrive, read back the events they caused. */
export class EnergyVad {
  readonly #config: VadConfig;
  readonly #windowSamples: number;
  #pending: Int16Array = new Int16Array(0);
  #windowIndex = 0;
  #noiseFloorDbfs: number | undefined;
  #speaking = false;
  #voicedRun = 0;
  #unvoicedRun = 0;

  constructor(config: VadConfig, sampleRateHz = 8000) {
    this.#config = config;
    this.#windowSamples = Math.round((sampleRateHz * VAD_WINDOW_MS) / 1000);
  }

  /** True between speech_started and speech_stopped. */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** The current noise-floor estimate in dBFS (undefined before the first window). */
  get noiseFloorDbfs(): number | undefined {
    return this.#noiseFloorDbfs;
  }

  /** Feeds samples; returns the events decided by complete windows, in order. */
  push(samples: Int16Array): VadEvent[] {
    const all = new Int16Array(this.#pending.length + samples.length);
    all.set(this.#pending);
    all.set(samples, this.#pending.length);
    const events: VadEvent[] = [];
    let offset = 0;
    for (; offset + this.#windowSamples <= all.length; offset += this.#windowSamples) {
      const event = this.#window(levelDbfs(all, offset, offset + this.#windowSamples));
      if (event) events.push(event);
    }
    this.#pending = all.slice(offset);
    return events;
  }

  /** Forgets a turn in progress (input_audio_buffer.clear); the clock and noise floor stay. */
  resetTurn(): void {
    this.#speaking = false;
    this.#voicedRun = 0;
    this.#unvoicedRun = 0;
  }

  #window(level: number): VadEvent | undefined {
    const index = this.#windowIndex++;
    const voiced = this.#isVoiced(level);
    this.#trackNoiseFloor(level);
    if (voiced) {
      this.#voicedRun++;
      this.#unvoicedRun = 0;
    } else {
      this.#voicedRun = 0;
      this.#unvoicedRun++;
    }
    if (!this.#speaking && this.#voicedRun >= SPEECH_START_WINDOWS) {
      this.#speaking = true;
      const firstVoicedMs = (index + 1 - SPEECH_START_WINDOWS) * VAD_WINDOW_MS;
      return {
        type: 'speech_started',
        audioStartMs: Math.max(0, firstVoicedMs - this.#config.prefixPaddingMs),
        detectedAtMs: (index + 1) * VAD_WINDOW_MS,
      };
    }
    if (this.#speaking && this.#unvoicedRun * VAD_WINDOW_MS >= this.#config.silenceDurationMs) {
      this.#speaking = false;
      return { type: 'speech_stopped', audioEndMs: (index + 1) * VAD_WINDOW_MS };
    }
    return undefined;
  }

  #isVoiced(level: number): boolean {
    const floor = this.#noiseFloorDbfs ?? initialFloor(level);
    const { threshold } = this.#config;
    return level >= minSpeechDbfs(threshold) && level >= floor + snrMarginDb(threshold);
  }

  #trackNoiseFloor(level: number): void {
    if (this.#noiseFloorDbfs === undefined) {
      this.#noiseFloorDbfs = initialFloor(level);
      return;
    }
    const floor = this.#noiseFloorDbfs;
    const risePerWindowDb = (NOISE_FLOOR_RISE_DB_PER_S * VAD_WINDOW_MS) / 1000;
    const next =
      level < floor
        ? floor + NOISE_FLOOR_FALL_FRACTION * (level - floor)
        : floor + Math.min(level - floor, risePerWindowDb);
    this.#noiseFloorDbfs = Math.max(MIN_NOISE_FLOOR_DBFS, next);
  }
}

function initialFloor(level: number): number {
  return Math.max(MIN_NOISE_FLOOR_DBFS, Math.min(level, INITIAL_NOISE_FLOOR_CAP_DBFS));
}
