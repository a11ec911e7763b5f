/**
 * The call-capture format (written by observability/call-capture.ts): JSONL, one Twilio message
 * per line with its time and direction. A recording format like WAV, so it lives with audio/:
 * both QA replay (readRecording) and the capture's WAV rendering read it through this file.
 */
import { assembleUlawTrack, type UlawChunk } from './ulaw-track.js';

/** One line of a capture file: a Twilio message (`msg`), or its text if it was not JSON (`raw`). */
export interface CaptureLine {
  /** Milliseconds since the capture started (performance.now()). */
  t: number;
  /** `in`: Twilio → server; `out`: server → Twilio. */
  dir: 'in' | 'out';
  msg?: unknown;
  raw?: string;
}

/** A capture file line that is not a valid capture entry; names the file and the line. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    readonly path: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`capture ${path} line ${line}: ${detail}`);
  }
}

/** Parses capture JSONL text; `source` names it in errors. */
export function parseCapture(text: string, source: string): CaptureLine[] {
  const lines: CaptureLine[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new CaptureFormatError(source, index + 1, 'not valid JSON');
    }
    const { t, dir, msg, raw } = (entry ?? {}) as Partial<CaptureLine>;
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw new CaptureFormatError(source, index + 1, '"t" is not a number');
    if (dir !== 'in' && dir !== 'out')
      throw new CaptureFormatError(source, index + 1, '"dir" is neither "in" nor "out"');
    if (msg === undefined && typeof raw !== 'string')
      throw new CaptureFormatError(source, index + 1, 'has neither "msg" nor "raw"');
    lines.push(msg === undefined ? { t, dir, raw } : { t, dir, msg });
  });
  return lines;
}

interface MediaFields {
  event?: unknown;
  media?: { payload?: unknown; timestamp?: unknown; track?: unknown };
}

/** The event name of a captured message, if it has one. */
export function eventOf(line: CaptureLine): string | undefined {
  const event = (line.msg as MediaFields | undefined)?.event;
  return typeof event === 'string' ? event : undefined;
}

/** The audio of a captured `media` message, decoded. */
export function mediaPayload(line: CaptureLine): Buffer | undefined {
  const payload = (line.msg as MediaFields | undefined)?.media?.payload;
  return eventOf(line) === 'media' && typeof payload === 'string'
    ? Buffer.from(payload, 'base64')
    : undefined;
}

/** `media.timestamp` of a captured message, in ms of Twilio's media clock. */
export function inboundTimestampMs(line: CaptureLine): number | undefined {
  const ts = (line.msg as MediaFields | undefined)?.media?.timestamp;
  const ms = ts === undefined ? NaN : Number(ts);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Whether a captured message is the caller's own audio (inbound track). */
export function isCallerMedia(line: CaptureLine): boolean {
  const track = (line.msg as MediaFields | undefined)?.media?.track;
  return line.dir === 'in' && (track === undefined || track === 'inbound');
}

/** The caller's audio of a capture: inbound media placed at `media.timestamp`, gaps silent. */
export function callerTrack(lines: CaptureLine[]): Buffer {
  const chunks: UlawChunk[] = [];
  for (const line of lines) {
    const bytes = isCallerMedia(line) ? mediaPayload(line) : undefined;
    if (bytes) chunks.push({ atMs: inboundTimestampMs(line), bytes });
  }
  return assembleUlawTrack(chunks);
}
