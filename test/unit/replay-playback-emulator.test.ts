import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/replay/twilio/clock.js';
import { PlaybackEmulator, type MarkEcho } from '../../src/replay/twilio/playback-emulator.js';

/** `ms` of µ-law audio filled with `value` (8 bytes per ms). */
function audio(ms: number, value = 0x10): Buffer {
  return Buffer.alloc(ms * 8, value);
}

function setup() {
  const clock = new ManualClock();
  const echoed: { name: string; at: number; flushed: boolean }[] = [];
  const emulator = new PlaybackEmulator({
    clock,
    onMarkEcho: (e: MarkEcho) =>
      echoed.push({ name: e.name, at: clock.now(), flushed: e.flushedByClear }),
  });
  return { clock, emulator, echoed };
}

describe('PlaybackEmulator', () => {
  it('echoes a mark immediately when nothing is queued', () => {
    const { emulator, echoed } = setup();
    emulator.mark('m0');
    expect(echoed).toEqual([{ name: 'm0', at: 0, flushed: false }]);
  });

  it('echoes a mark only once the audio queued before it has played', () => {
    const { clock, emulator, echoed } = setup();
    emulator.playAudio(audio(100));
    emulator.mark('m1');
    clock.advance(99);
    emulator.update();
    expect(echoed).toEqual([]);
    clock.advance(1);
    emulator.update();
    expect(echoed).toEqual([{ name: 'm1', at: 100, flushed: false }]);
  });

  it('reports the due time of the next pending mark', () => {
    const { clock, emulator } = setup();
    clock.advance(50);
    emulator.playAudio(audio(40));
    emulator.mark('a');
    emulator.playAudio(audio(60));
    emulator.mark('b');
    expect(emulator.nextMarkDueMs()).toBe(90);
    clock.advance(40);
    emulator.update();
    expect(emulator.nextMarkDueMs()).toBe(150);
  });

  it('starts audio that arrives after the queue ran dry at the moment it arrives', () => {
    const { clock, emulator } = setup();
    emulator.playAudio(audio(20));
    clock.advance(500);
    emulator.playAudio(audio(20));
    expect(emulator.chunks.map((c) => c.startMs)).toEqual([0, 500]);
  });

  it('flushes queued audio and echoes every pending mark on clear', () => {
    const { clock, emulator, echoed } = setup();
    emulator.playAudio(audio(100));
    emulator.mark('a');
    emulator.playAudio(audio(100));
    emulator.mark('b');
    clock.advance(30);
    emulator.clear();
    expect(echoed).toEqual([
      { name: 'a', at: 30, flushed: true },
      { name: 'b', at: 30, flushed: true },
    ]);
    expect(emulator.isPlaying()).toBe(false);
  });

  it('records the playhead of every segment at the instant of a clear', () => {
    const { clock, emulator } = setup();
    emulator.playAudio(audio(100));
    emulator.mark('item1:a');
    emulator.playAudio(audio(50));
    emulator.playAudio(audio(50));
    emulator.mark('item1:b');
    emulator.playAudio(audio(80));
    clock.advance(137.5);
    const snapshot = emulator.clear();
    expect(snapshot).toEqual({
      atMs: 137.5,
      playingSegment: 1,
      segments: [
        { index: 0, endMark: 'item1:a', sentMs: 100, playedMs: 100 },
        { index: 1, endMark: 'item1:b', sentMs: 100, playedMs: 37.5 },
        { index: 2, sentMs: 80, playedMs: 0 },
      ],
      flushedMarks: ['item1:b'],
      discardedMs: 142.5,
    });
  });

  it('computes the playhead from the clock to the sample, whatever the timer ticks', () => {
    const { clock, emulator } = setup();
    emulator.playAudio(audio(100));
    clock.advance(12.375);
    expect(emulator.heardBytes()).toBe(99);
  });

  it('keeps what played before a clear and nothing after it in the heard audio', () => {
    const { clock, emulator } = setup();
    clock.advance(10);
    emulator.playAudio(audio(40, 0x20));
    clock.advance(20);
    emulator.clear();
    clock.advance(20);
    const heard = emulator.heardAudio();
    expect(heard.length).toBe(400);
    expect(heard.subarray(0, 80).every((b) => b === 0xff)).toBe(true);
    expect(heard.subarray(80, 240).every((b) => b === 0x20)).toBe(true);
    expect(heard.subarray(240).every((b) => b === 0xff)).toBe(true);
  });

  it('starts a new generation of segments after a clear', () => {
    const { emulator } = setup();
    emulator.playAudio(audio(10));
    emulator.clear();
    emulator.playAudio(audio(10));
    expect(emulator.segments.map((s) => [s.generation, s.endedByClear])).toEqual([
      [0, true],
      [1, false],
    ]);
  });

  it('reports only the segments since the previous clear in a clear snapshot', () => {
    const { clock, emulator } = setup();
    emulator.playAudio(audio(10));
    emulator.clear();
    emulator.playAudio(audio(10));
    clock.advance(5);
    expect(emulator.clear().segments.map((s) => s.index)).toEqual([1]);
  });
});
