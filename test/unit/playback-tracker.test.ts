import { describe, expect, it } from 'vitest';
import { PlaybackTracker, type PlayedItem } from '../../src/call/playback-tracker.js';

const FRAME_BYTES = 160;

function setup() {
  let now = 0;
  const sent: { kind: 'audio' | 'mark'; value: string }[] = [];
  const heard: PlayedItem[] = [];
  const tracker = new PlaybackTracker(
    {
      sendAudio: (payload) => sent.push({ kind: 'audio', value: payload }),
      sendMark: (name) => sent.push({ kind: 'mark', value: name }),
    },
    FRAME_BYTES,
    () => now,
    (item) => heard.push(item),
  );
  const audio = (ms: number) => Buffer.alloc(ms * 8, 0x55).toString('base64');
  const marks = () => sent.filter((s) => s.kind === 'mark').map((s) => s.value);
  return { tracker, sent, heard, audio, marks, setNow: (t: number) => (now = t) };
}

describe('PlaybackTracker', () => {
  it('sends a long delta as 20 ms frames, each followed by a mark naming generation, seq, item and position', () => {
    const t = setup();
    t.tracker.sendAudio('resp_1', 'item_1', 0, t.audio(50));
    expect(t.sent.map((s) => s.kind)).toEqual(['audio', 'mark', 'audio', 'mark', 'audio', 'mark']);
    expect(t.marks()).toEqual(['g1:m1:item_1:20', 'g1:m2:item_1:40', 'g1:m3:item_1:50']);
    expect(Buffer.from(t.sent[4]!.value, 'base64')).toHaveLength(80);
  });

  it('counts playback from the first frame sent before any echo, but never past the first mark', () => {
    const t = setup();
    t.setNow(1_000);
    t.tracker.sendAudio('r', 'i', 0, t.audio(100));
    expect(t.tracker.heardPositions().map((p) => p.heardBytes)).toEqual([0]);
    t.setNow(1_012);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(12 * 8);
    t.setNow(5_000);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(20 * 8);
  });

  it('is exact at an echo', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(100));
    t.setNow(60);
    t.tracker.onMarkEcho(t.marks()[2]!);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(60 * 8);
  });

  it('interpolates at real-time speed after an echo but never past the next mark', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(100));
    t.setNow(60);
    t.tracker.onMarkEcho(t.marks()[2]!);
    t.setNow(67);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(67 * 8);
    t.setNow(200);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(80 * 8);
  });

  it('resumes interpolation when the next frame was sent, if the buffer had run dry', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(20));
    t.setNow(20);
    t.tracker.onMarkEcho(t.marks()[0]!);
    // The model was slower than real time: the next audio came 300 ms after the echo.
    t.setNow(320);
    t.tracker.sendAudio('r', 'i', 0, t.audio(20));
    t.setNow(325);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe((20 + 5) * 8);
  });

  it('ignores an echo from an earlier generation even when its sequence number is outstanding', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(40));
    t.tracker.interrupt();
    t.tracker.sendAudio('r2', 'b', 0, t.audio(40));
    expect(t.tracker.onMarkEcho('g1:m3:b:20')).toBe(false);
    expect(t.tracker.hasUnheardAudio).toBe(true);
    expect(t.tracker.onMarkEcho('g2:m3:b:20')).toBe(true);
  });

  it('returns only items with unheard audio on interrupt, and has none outstanding after it', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(40));
    t.tracker.sendAudio('r', 'b', 0, t.audio(40));
    t.setNow(50);
    t.tracker.onMarkEcho(t.marks()[1]!);
    const positions = t.tracker.interrupt();
    expect(positions.map((p) => [p.item.itemId, p.heardBytes])).toEqual([['b', 0]]);
    expect(t.tracker.hasUnheardAudio).toBe(false);
  });

  it('tells when an item has been heard to its last byte', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(40));
    t.tracker.onMarkEcho(t.marks()[0]!);
    expect(t.heard).toEqual([]);
    t.tracker.onMarkEcho(t.marks()[1]!);
    expect(t.heard.map((i) => i.itemId)).toEqual(['a']);
  });

  it('counts an echo as covering every earlier mark, as Twilio plays in order', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(100));
    t.tracker.onMarkEcho(t.marks()[3]!);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(80 * 8);
  });

  it('refuses mark names that are not its own', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(20));
    expect(t.tracker.onMarkEcho('greeting-done')).toBe(false);
    expect(t.tracker.hasUnheardAudio).toBe(true);
  });
});
