/**
 * Assembles a continuous µ-law track from timestamped chunks (e.g. Twilio inbound `media`
 * frames), filling timestamp gaps with silence so the track keeps real time.
 */
import { AudioFormatError } from './audio-format-error.js';
import { ULAW_BYTES_PER_MS, ulawSilence } from './g711.js';

/** Longest track accepted: 4 h, Twilio's maximum call duration; a later timestamp is corrupt. */
export const MAX_TRACK_MS = 4 * 60 * 60 * 1000;

/** One piece of µ-law audio and the media-clock time (ms) its first sample belongs at, if known. */
export interface UlawChunk {
  atMs: number | undefined;
  bytes: Buffer;
}

/**
 * Concatenates chunks in the given order. When a chunk's `atMs` lies after the end of the audio
 * so far, the gap is filled with µ-law silence; a chunk without `atMs`, or one that overlaps
 * (timestamp behind the end), is appended directly so no audio is ever dropped.
 */
export function assembleUlawTrack(chunks: Iterable<UlawChunk>): Buffer {
  const parts: Buffer[] = [];
  let lengthBytes = 0;
  for (const { atMs, bytes } of chunks) {
    if (atMs !== undefined) {
      if (!Number.isFinite(atMs) || atMs < 0 || atMs > MAX_TRACK_MS) {
        throw new AudioFormatError(`audio timestamp ${atMs} ms is outside 0..${MAX_TRACK_MS} ms`);
      }
      const gapBytes = Math.round(atMs * ULAW_BYTES_PER_MS) - lengthBytes;
      if (gapBytes > 0) {
        parts.push(ulawSilence(gapBytes));
        lengthBytes += gapBytes;
      }
    }
    parts.push(bytes);
    lengthBytes += bytes.length;
  }
  return Buffer.concat(parts, lengthBytes);
}
