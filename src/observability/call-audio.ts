/**
 * Renders the audio of a captured call (see call-capture.ts) on one time axis: what the caller
 * said (inbound `media`) and what the caller heard of the bot (outbound `media`, played the way
 * Twilio plays it: queued, in real time, and cut short by `clear`).
 */
import { readFile } from 'node:fs/promises';
import { ULAW_BYTES_PER_MS, ulawSilence, ulawToPcm16 } from '../audio/g711.js';
import { pcm16ToLeBytes } from '../audio/pcm16.js';
import { MAX_TRACK_MS } from '../audio/ulaw-track.js';
import {
  callerTrack,
  eventOf,
  inboundTimestampMs,
  isCallerMedia,
  mediaPayload,
  parseCapture,
  type CaptureLine,
} from '../audio/capture-format.js';

/** The rendered tracks, all the same length (µ-law 8 kHz samples, one per byte). */
export interface CallAudio {
  /** Caller audio, µ-law 8 kHz mono. */
  caller: Buffer;
  /** Bot audio as the caller heard it, µ-law 8 kHz mono. */
  bot: Buffer;
  /** Raw interleaved PCM16 little-endian, 8 kHz stereo: caller left, bot right (no WAV header). */
  stereo: Buffer;
}

/** Reads a capture file; throws `CaptureFormatError` naming the first bad line. */
export async function readCapture(path: string): Promise<CaptureLine[]> {
  return parseCapture(await readFile(path, 'utf8'), path);
}

/**
 * Offset from capture time to Twilio's media clock. A frame arrives some network delay after its
 * `media.timestamp`; the least-delayed frame is the best estimate of the clock offset, so
 * outbound messages are placed at `t − offset` on the caller's media clock.
 */
function mediaClockOffsetMs(lines: CaptureLine[]): number {
  let offset = Infinity;
  for (const line of lines) {
    const ts = isCallerMedia(line) && mediaPayload(line) ? inboundTimestampMs(line) : undefined;
    if (ts !== undefined) offset = Math.min(offset, line.t - ts);
  }
  return Number.isFinite(offset) ? offset : 0;
}

interface Segment {
  startByte: number;
  bytes: Buffer;
}

/** Emulates Twilio playback of the outbound messages; times are bytes on the media clock. */
function renderBotTrack(lines: CaptureLine[], offsetMs: number): Buffer {
  const segments: Segment[] = [];
  let queueEndByte = 0;
  const outbound = lines.filter((line) => line.dir === 'out').sort((a, b) => a.t - b.t);
  for (const line of outbound) {
    const atMs = Math.min(Math.max(0, line.t - offsetMs), MAX_TRACK_MS);
    const atByte = Math.round(atMs * ULAW_BYTES_PER_MS);
    const bytes = mediaPayload(line);
    if (bytes && bytes.length > 0) {
      const startByte = Math.max(atByte, queueEndByte);
      segments.push({ startByte, bytes });
      queueEndByte = startByte + bytes.length;
    } else if (eventOf(line) === 'clear' && queueEndByte > atByte) {
      cutSegmentsAt(segments, atByte);
      queueEndByte = atByte;
    }
  }
  const track = ulawSilence(queueEndByte);
  for (const { startByte, bytes } of segments) bytes.copy(track, startByte);
  return track;
}

/** Discards everything scheduled to play at or after `atByte` (segments are in time order). */
function cutSegmentsAt(segments: Segment[], atByte: number): void {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (!segment || segment.startByte + segment.bytes.length <= atByte) return;
    if (segment.startByte >= atByte) segments.splice(i, 1);
    else segment.bytes = segment.bytes.subarray(0, atByte - segment.startByte);
  }
}

function padTo(track: Buffer, length: number): Buffer {
  return track.length >= length
    ? track
    : Buffer.concat([track, ulawSilence(length - track.length)]);
}

/** Renders caller, bot and stereo tracks of a capture, aligned on the caller's media clock. */
export function renderCallAudio(lines: CaptureLine[]): CallAudio {
  const callerOnly = callerTrack(lines);
  const botOnly = renderBotTrack(lines, mediaClockOffsetMs(lines));
  const length = Math.max(callerOnly.length, botOnly.length);
  const caller = padTo(callerOnly, length);
  const bot = padTo(botOnly, length);
  const left = ulawToPcm16(caller);
  const right = ulawToPcm16(bot);
  const interleaved = new Int16Array(length * 2);
  for (let i = 0; i < length; i++) {
    interleaved[2 * i] = left[i] ?? 0;
    interleaved[2 * i + 1] = right[i] ?? 0;
  }
  return { caller, bot, stereo: pcm16ToLeBytes(interleaved) };
}
