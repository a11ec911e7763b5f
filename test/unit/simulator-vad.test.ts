import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecording } from '../../src/audio/recording.js';
import { ulawToPcm16 } from '../../src/audio/g711.js';
import {
  EnergyVad,
  VAD_WINDOW_MS,
  levelDbfs,
  semanticSilenceMs,
  type VadConfig,
  type VadEvent,
} from '../../src/replay/simulator/vad.js';
import {
  mixUlaw,
  noiseUlaw,
  silenceUlaw,
  toneUlaw,
} from '../../src/replay/simulator/synthetic-audio.js';

const RECORDINGS_DIR = join(import.meta.dirname, '../fixtures/recordings');
const DEFAULTS: VadConfig = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 };

/** Feeds µ-law in Twilio-sized 20 ms frames (160 bytes), as the bridge does. */
function run(ulaw: Buffer, config: VadConfig = DEFAULTS, frameBytes = 160): VadEvent[] {
  const vad = new EnergyVad(config);
  const events: VadEvent[] = [];
  for (let i = 0; i < ulaw.length; i += frameBytes) {
    events.push(...vad.push(ulawToPcm16(ulaw.subarray(i, i + frameBytes))));
  }
  return events;
}

/** Silence, then a tone burst from 1000 ms to 2000 ms, then 1500 ms of silence. */
function burst(levelDbfs: number): Buffer {
  return Buffer.concat([silenceUlaw(1000), toneUlaw({ ms: 1000, levelDbfs }), silenceUlaw(1500)]);
}

function starts(events: VadEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'speech_started' ? [e.audioStartMs] : []));
}
function stops(events: VadEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'speech_stopped' ? [e.audioEndMs] : []));
}

describe('EnergyVad', () => {
  it.each([-10, -20, -30, -45])(
    'finds a %d dBFS tone burst in silence with prefix padding and trailing silence',
    (level) => {
      const events = run(burst(level));
      expect(starts(events)).toHaveLength(1);
      expect(Math.abs((starts(events)[0] ?? 0) - 700)).toBeLessThanOrEqual(VAD_WINDOW_MS);
      expect(stops(events)).toHaveLength(1);
      expect(Math.abs((stops(events)[0] ?? 0) - 2500)).toBeLessThanOrEqual(VAD_WINDOW_MS);
    },
  );

  it('never puts audio_start_ms before the start of the stream', () => {
    const audio = Buffer.concat([toneUlaw({ ms: 800, levelDbfs: -20 }), silenceUlaw(1000)]);
    expect(starts(run(audio))).toEqual([0]);
  });

  it('finds a -25 dBFS burst on a line with -50 dBFS noise', () => {
    const line = noiseUlaw({ ms: 3500, levelDbfs: -50, seed: 7 });
    const speech = burst(-25);
    const events = run(mixUlaw(line, speech));
    expect(starts(events)).toHaveLength(1);
    expect(Math.abs((starts(events)[0] ?? 0) - 700)).toBeLessThanOrEqual(VAD_WINDOW_MS);
    expect(stops(events)).toHaveLength(1);
    expect(Math.abs((stops(events)[0] ?? 0) - 2500)).toBeLessThanOrEqual(VAD_WINDOW_MS);
  });

  it('hears no speech on a line with only -40 dBFS noise', () => {
    expect(run(noiseUlaw({ ms: 5000, levelDbfs: -40, seed: 3 }))).toEqual([]);
  });

  it('hears a quiet -48 dBFS caller at the default threshold', () => {
    expect(starts(run(burst(-48)))).toHaveLength(1);
  });

  it('ignores the same quiet caller at threshold 0.95', () => {
    expect(run(burst(-48), { ...DEFAULTS, threshold: 0.95 })).toEqual([]);
  });

  it('ignores a 20 ms click', () => {
    const audio = Buffer.concat([
      silenceUlaw(500),
      toneUlaw({ ms: 20, levelDbfs: -10 }),
      silenceUlaw(1000),
    ]);
    expect(run(audio)).toEqual([]);
  });

  it('keeps one turn across a pause shorter than silence_duration_ms', () => {
    const audio = Buffer.concat([
      silenceUlaw(500),
      toneUlaw({ ms: 600, levelDbfs: -20 }),
      silenceUlaw(300),
      toneUlaw({ ms: 600, levelDbfs: -20 }),
      silenceUlaw(1000),
    ]);
    const events = run(audio);
    expect(starts(events)).toEqual([200]);
    expect(stops(events)).toEqual([2500]);
  });

  it('reports two turns when the pause is longer than silence_duration_ms', () => {
    const audio = Buffer.concat([
      burst(-20),
      toneUlaw({ ms: 500, levelDbfs: -20 }),
      silenceUlaw(800),
    ]);
    expect(starts(run(audio))).toEqual([700, 3200]);
  });

  it('uses silence_duration_ms for the end of speech', () => {
    const events = run(burst(-20), { ...DEFAULTS, silenceDurationMs: 200 });
    expect(stops(events)).toEqual([2200]);
  });

  it('gives the same events whatever the chunk sizes', () => {
    const audio = mixUlaw(noiseUlaw({ ms: 3500, levelDbfs: -55, seed: 11 }), burst(-30));
    const byFrames = run(audio, DEFAULTS, 160);
    expect(run(audio, DEFAULTS, 37)).toEqual(byFrames);
    expect(run(audio, DEFAULTS, audio.length)).toEqual(byFrames);
  });

  it('measures a -20 dBFS tone at -20 dBFS', () => {
    expect(levelDbfs(ulawToPcm16(toneUlaw({ ms: 200, levelDbfs: -20 })))).toBeCloseTo(-20, 0);
  });
});

describe('semanticSilenceMs', () => {
  it('maps eagerness to a silence duration', () => {
    expect([
      semanticSilenceMs('low'),
      semanticSilenceMs('medium'),
      semanticSilenceMs('auto'),
    ]).toEqual([1200, 800, 800]);
    expect(semanticSilenceMs('high')).toBe(500);
  });
});

describe('EnergyVad on the recorded caller fixtures', () => {
  /**
   * Manifest speech ranges with pauses under 500 ms merged: start − 300 ms, end + 500 ms. The
   * manifest measures speech relative to each file's own peak; the quiet caller's soft onsets are
   * under the absolute -55 dBFS floor, so its starts may come up to 80 ms late.
   */
  it.each([
    ['order-status.wav', [500, 8900], [5720, 12560], 20],
    ['noisy-line.wav', [560, 8920], [5640, 12560], 20],
    ['quiet-caller.wav', [500, 8900], [5720, 12560], 80],
    ['interrupting-caller.wav', [500, 4700, 11400], [4020, 8220, 13980], 20],
  ] as const)(
    'finds the caller turns of %s',
    async (file, expectedStarts, expectedStops, toleranceMs) => {
      const events = run(await readRecording(join(RECORDINGS_DIR, file)));
      expect(starts(events)).toHaveLength(expectedStarts.length);
      expect(stops(events)).toHaveLength(expectedStops.length);
      starts(events).forEach((ms, i) =>
        expect(Math.abs(ms - (expectedStarts[i] ?? 0))).toBeLessThanOrEqual(toleranceMs),
      );
      stops(events).forEach((ms, i) =>
        expect(Math.abs(ms - (expectedStops[i] ?? 0))).toBeLessThanOrEqual(toleranceMs),
      );
    },
  );
});
