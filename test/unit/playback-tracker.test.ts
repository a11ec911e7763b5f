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
  it('sends a long delta as 20 ms frames and marks the first, naming generation, seq, item and position', () => {
    const t = setup();
    t.tracker.sendAudio('resp_1', 'item_1', 0, t.audio(50));
    expect(t.sent.map((s) => s.kind)).toEqual(['audio', 'mark', 'audio', 'audio']);
    expect(t.marks()).toEqual(['g1:m1:item_1:20']);
    expect(Buffer.from(t.sent[3]!.value, 'base64')).toHaveLength(80);
  });

  it('marks the last frame sent when asked at the end of a response, once', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(100));
    t.tracker.markLastFrame();
    t.tracker.markLastFrame();
    expect(t.marks()).toEqual(['g1:m1:i:20', 'g1:m5:i:100']);
  });

  it('marks a frame once a second of audio has gone since the last mark', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(2_100));
    expect(t.marks()).toEqual(['g1:m1:i:20', 'g1:m51:i:1020', 'g1:m101:i:2020']);
  });

  it('marks the last frame of an item and the first of the next when a new item begins', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(60));
    t.tracker.sendAudio('r', 'b', 0, t.audio(60));
    expect(t.marks()).toEqual(['g1:m1:a:20', 'g1:m3:a:60', 'g1:m4:b:20']);
  });

  it('counts playback from the first send time before any echo, across frames, never past the audio sent', () => {
    const t = setup();
    t.setNow(1_000);
    t.tracker.sendAudio('r', 'i', 0, t.audio(100));
    expect(t.tracker.heardPositions().map((p) => p.heardBytes)).toEqual([0]);
    t.setNow(1_012);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(12 * 8);
    t.setNow(1_067);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(67 * 8);
    t.setNow(5_000);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(100 * 8);
  });

  it('counts from an echo when it comes, on the clock of the echo rather than of the send', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(60));
    t.tracker.markLastFrame();
    t.tracker.sendAudio('r', 'i', 0, t.audio(100));
    // Twilio played the first 60 ms from t=10 (a network hop later than sent); the echo says so.
    t.setNow(70);
    t.tracker.onMarkEcho(t.marks()[1]!);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(60 * 8);
    t.setNow(77);
    expect(t.tracker.heardPositions()[0]!.heardBytes).toBe(67 * 8);
  });

  it('restarts the count at a frame’s send time when the buffer had run dry before it', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'i', 0, t.audio(20));
    // The model was slower than real time: the next audio came 300 ms later, with no echo yet.
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
    t.tracker.markLastFrame();
    expect(t.tracker.onMarkEcho('g1:m4:b:40')).toBe(false);
    expect(t.tracker.hasUnheardAudio).toBe(true);
    expect(t.tracker.onMarkEcho('g2:m4:b:40')).toBe(true);
    expect(t.tracker.hasUnheardAudio).toBe(false);
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
    t.tracker.sendAudio('r', 'a', 0, t.audio(1_500));
    t.tracker.markLastFrame();
    t.tracker.onMarkEcho(t.marks()[1]!);
    expect(t.heard).toEqual([]);
    t.tracker.onMarkEcho(t.marks()[2]!);
    expect(t.heard.map((i) => i.itemId)).toEqual(['a']);
  });

  it('counts an echo as covering every frame before its mark, of every item, as Twilio plays in order', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(40));
    t.tracker.sendAudio('r', 'b', 0, t.audio(40));
    t.tracker.markLastFrame();
    t.tracker.onMarkEcho(t.marks().at(-1)!);
    expect(t.heard.map((i) => i.itemId)).toEqual(['a', 'b']);
    expect(t.tracker.hasUnheardAudio).toBe(false);
  });

  it('refuses mark names that are not its own', () => {
    const t = setup();
    t.tracker.sendAudio('r', 'a', 0, t.audio(20));
    expect(t.tracker.onMarkEcho('greeting-done')).toBe(false);
    expect(t.tracker.hasUnheardAudio).toBe(true);
  });
});
