/**
 * Writes a replay's files: what the caller heard (µ-law WAV), a stereo WAV (caller left, bot
 * right, one time axis), the transcript, the timeline JSON, the summary and the SVG picture.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ULAW_SAMPLE_RATE_HZ, ulawToPcm16 } from '../../audio/g711.js';
import { pcm16ToLeBytes } from '../../audio/pcm16.js';
import { encodeWav } from '../../audio/wav.js';
import type { ReplayResult } from '../twilio/replay-call.js';
import { buildTimeline } from './build-timeline.js';
import { renderSummary } from './summary-text.js';
import { renderTimelineSvg } from './timeline-svg.js';
import type { Timeline } from './timeline-types.js';
import { renderTranscript } from './transcript-text.js';

/** The files written, by role, and the summary text. */
export interface ReplayOutputs {
  dir: string;
  files: Record<'heard' | 'stereo' | 'transcript' | 'timeline' | 'summary' | 'svg', string>;
  timeline: Timeline;
  summary: string;
}

/** Builds the timeline and writes every output file into `dir` (created if missing). */
export async function writeReplayOutputs(
  result: ReplayResult,
  dir: string,
): Promise<ReplayOutputs> {
  await mkdir(dir, { recursive: true });
  const timeline = buildTimeline(result);
  const summary = renderSummary(timeline);
  const files = {
    heard: join(dir, 'heard.ulaw.wav'),
    stereo: join(dir, 'stereo.wav'),
    transcript: join(dir, 'transcript.txt'),
    timeline: join(dir, 'timeline.json'),
    summary: join(dir, 'summary.txt'),
    svg: join(dir, 'timeline.svg'),
  };
  const heardWav = encodeWav({
    format: 'mulaw',
    sampleRate: ULAW_SAMPLE_RATE_HZ,
    channels: 1,
    data: result.heardAudio,
  });
  await Promise.all([
    writeFile(files.heard, heardWav),
    writeFile(files.stereo, stereoWav(result.callerAudio, result.heardAudio)),
    writeFile(files.transcript, renderTranscript(timeline)),
    writeFile(files.timeline, JSON.stringify(timeline, null, 2) + '\n'),
    writeFile(files.summary, summary),
    writeFile(files.svg, renderTimelineSvg(timeline, result)),
  ]);
  return { dir, files, timeline, summary };
}

/** PCM16 stereo WAV: caller µ-law on the left, heard bot µ-law on the right, padded to one length. */
export function stereoWav(callerUlaw: Buffer, botUlaw: Buffer): Buffer {
  const left = ulawToPcm16(callerUlaw);
  const right = ulawToPcm16(botUlaw);
  const frames = Math.max(left.length, right.length);
  const interleaved = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    interleaved[2 * i] = left[i] ?? 0;
    interleaved[2 * i + 1] = right[i] ?? 0;
  }
  return encodeWav({
    format: 'pcm16',
    sampleRate: ULAW_SAMPLE_RATE_HZ,
    channels: 2,
    data: pcm16ToLeBytes(interleaved),
  });
}
