/**
 * Stamps in the audio itself. The server passes µ-law bytes through unchanged (it only re-slices
 * them at frame boundaries), so every 20 ms frame of 160 bytes carries who sent it, its place in
 * the stream and when it was sent. The receiver decodes the stamps to count lost, duplicated and
 * reordered frames and to measure one-way latency on the harness's one clock.
 */

import { FRAME_BYTES, ULAW_SILENCE_BYTE } from '../../src/audio/g711.js';

/** "SWB1": tells a stamped frame from anything else. */
const MAGIC = 0x53574231;

/** What a frame says about itself. */
export interface FrameStamp {
  /** Call index (caller → model) or model session number (model → caller). */
  stream: number;
  /** Bot item number within the session; 0 for caller audio. */
  item: number;
  /** Frame number within the item (or the call), from 0. */
  seq: number;
  /** performance.now() of the harness when the frame was sent, ms. */
  sentAtMs: number;
}

/** Writes a stamped frame at `offset` of `into` (160 bytes). */
export function writeFrame(into: Buffer, offset: number, stamp: FrameStamp): void {
  into.fill(ULAW_SILENCE_BYTE, offset, offset + FRAME_BYTES);
  into.writeUInt32LE(MAGIC, offset);
  into.writeUInt32LE(stamp.stream, offset + 4);
  into.writeUInt32LE(stamp.item, offset + 8);
  into.writeUInt32LE(stamp.seq, offset + 12);
  into.writeDoubleLE(stamp.sentAtMs, offset + 16);
}

/** Calls `visit` for each stamped 160-byte frame in `audio`; returns how many were not stamped. */
export function readFrames(audio: Buffer, visit: (stamp: FrameStamp) => void): number {
  let unstamped = 0;
  for (let offset = 0; offset + FRAME_BYTES <= audio.length; offset += FRAME_BYTES) {
    if (audio.readUInt32LE(offset) !== MAGIC) {
      unstamped += 1;
      continue;
    }
    visit({
      stream: audio.readUInt32LE(offset + 4),
      item: audio.readUInt32LE(offset + 8),
      seq: audio.readUInt32LE(offset + 12),
      sentAtMs: audio.readDoubleLE(offset + 16),
    });
  }
  if (audio.length % FRAME_BYTES !== 0) unstamped += 1;
  return unstamped;
}
