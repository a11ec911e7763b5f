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
  writeStamp(into, offset, stamp);
}

function writeStamp(into: Buffer, offset: number, stamp: FrameStamp): void {
  into.writeUInt32LE(MAGIC, offset);
  into.writeUInt32LE(stamp.stream, offset + 4);
  into.writeUInt32LE(stamp.item, offset + 8);
  into.writeUInt32LE(stamp.seq, offset + 12);
  into.writeDoubleLE(stamp.sentAtMs, offset + 16);
}

/** Bytes of a stamp at the start of a frame; a multiple of 3, so its base64 stands alone. */
const STAMP_BYTES = 24;
const stampScratch = Buffer.alloc(STAMP_BYTES);
/** Base64 of the silence after the stamp: the same in every frame. */
const SILENT_TAIL_BASE64 = Buffer.from(
  Buffer.alloc(FRAME_BYTES - STAMP_BYTES, ULAW_SILENCE_BYTE).toString('base64'),
  'latin1',
);
/** Length of a frame in base64. */
export const FRAME_BASE64_BYTES = Math.ceil(FRAME_BYTES / 3) * 4;

/**
 * Writes the base64 of a whole stamped frame (what `writeFrame` writes, encoded) at `offset`,
 * from the 24 stamp bytes and a constant tail; returns the bytes written. The callers send
 * 10,000 frames a second at 200 calls, and encoding each whole frame was garbage the harness's
 * own GC then paused for, inside the latencies it measures.
 */
export function writeStampedFrameBase64(into: Buffer, offset: number, stamp: FrameStamp): number {
  writeStamp(stampScratch, 0, stamp);
  const n = into.write(stampScratch.toString('base64'), offset, 'latin1');
  return n + SILENT_TAIL_BASE64.copy(into, offset + n);
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
