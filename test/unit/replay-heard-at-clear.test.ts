import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/replay/twilio/clock.js';
import {
  heardAtClear,
  itemHeardAtClear,
  parseMarkName,
} from '../../src/replay/twilio/heard-at-clear.js';
import { PlaybackEmulator } from '../../src/replay/twilio/playback-emulator.js';

const FRAME_MS = 20;

/** Plays `ms` of an item in 20 ms frames, each followed by a server mark. */
function sendItem(emulator: PlaybackEmulator, itemId: string, ms: number, generation = 1): void {
  for (let endMs = FRAME_MS; endMs <= ms; endMs += FRAME_MS) {
    emulator.playAudio(Buffer.alloc(FRAME_MS * 8, 0x10));
    emulator.mark(`g${generation}:m${endMs / FRAME_MS}:${itemId}:${endMs}`);
  }
}

function setup() {
  const clock = new ManualClock();
  return { clock, emulator: new PlaybackEmulator({ clock }) };
}

describe('parseMarkName', () => {
  it('reads generation, sequence, item id and item end from a server mark name', () => {
    expect(parseMarkName('g2:m17:item_abc:340')).toEqual({
      generation: 2,
      seq: 17,
      itemId: 'item_abc',
      itemEndMs: 340,
    });
  });

  it('keeps colons inside the item id', () => {
    expect(parseMarkName('g1:m1:a:b:20')?.itemId).toBe('a:b');
  });

  it('returns undefined for a name the server does not use', () => {
    expect(parseMarkName('b1:1000')).toBeUndefined();
  });
});

describe('heardAtClear', () => {
  it('reports each item of the cleared generation with only its own heard audio', () => {
    const { clock, emulator } = setup();
    sendItem(emulator, 'greeting', 200);
    sendItem(emulator, 'answer', 400);
    clock.advance(300);
    const clear = emulator.clear();
    expect(heardAtClear(clear)).toEqual([
      { itemId: 'greeting', sentMs: 200, heardMs: 200 },
      { itemId: 'answer', sentMs: 400, heardMs: 100 },
    ]);
  });

  it('reports an item queued behind the playing one as heard 0 ms', () => {
    const { clock, emulator } = setup();
    sendItem(emulator, 'first', 100);
    sendItem(emulator, 'second', 100);
    clock.advance(50);
    const clear = emulator.clear();
    expect(itemHeardAtClear(clear, 'first')).toBe(50);
    expect(itemHeardAtClear(clear, 'second')).toBe(0);
  });

  it('counts audio after the last mark as the item of the audio before it', () => {
    const { clock, emulator } = setup();
    sendItem(emulator, 'first', 40);
    sendItem(emulator, 'second', 20);
    emulator.playAudio(Buffer.alloc(160, 0x10));
    clock.advance(70);
    expect(heardAtClear(emulator.clear())).toEqual([
      { itemId: 'first', sentMs: 40, heardMs: 40 },
      { itemId: 'second', sentMs: 40, heardMs: 30 },
    ]);
  });

  it('skips audio sent before the first mark of the generation', () => {
    const { clock, emulator } = setup();
    emulator.playAudio(Buffer.alloc(160, 0x10));
    clock.advance(10);
    expect(heardAtClear(emulator.clear())).toEqual([]);
  });

  it('returns undefined for an item of another generation', () => {
    const { clock, emulator } = setup();
    sendItem(emulator, 'old', 100);
    clock.advance(30);
    emulator.clear();
    sendItem(emulator, 'new', 100, 2);
    clock.advance(30);
    const second = emulator.clear();
    expect(itemHeardAtClear(second, 'old')).toBeUndefined();
    expect(itemHeardAtClear(second, 'new')).toBe(30);
  });
});
