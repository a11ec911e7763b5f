/**
 * Where the caller spoke: from the server's VAD events when its record is there (what the bot
 * actually reacted to), otherwise from energy detection on the audio the replay sent.
 */
import { ULAW_BYTES_PER_MS, ulawToPcm16 } from '../../audio/g711.js';
import type { CallRecordEvent } from '../../call/call-record.js';
import { EnergyVad } from '../simulator/vad.js';
import type { Interval } from './timeline-types.js';

/** Silence that ends a detected utterance: 500 ms, the realtime service's server-VAD default. */
const SILENCE_TO_END_MS = 500;
/** Detection threshold on the service's 0..1 scale (its default). */
const VAD_THRESHOLD = 0.5;

/** Caller speech from the server's `caller_speech_started/stopped` events (audio ms). */
export function speechFromRecord(events: CallRecordEvent[]): Interval[] {
  const out: Interval[] = [];
  let startMs: number | undefined;
  for (const e of events) {
    if (e.type === 'caller_speech_started') startMs = e.audioStartMs;
    else if (e.type === 'caller_speech_stopped' && startMs !== undefined) {
      out.push({ startMs, endMs: e.audioEndMs });
      startMs = undefined;
    }
  }
  return out;
}

/** Caller speech detected in µ-law audio; ends are the last voiced audio, not the end of the pause. */
export function detectSpeech(ulaw: Buffer): Interval[] {
  const vad = new EnergyVad({
    threshold: VAD_THRESHOLD,
    prefixPaddingMs: 0,
    silenceDurationMs: SILENCE_TO_END_MS,
  });
  const out: Interval[] = [];
  let startMs: number | undefined;
  for (const e of vad.push(ulawToPcm16(ulaw))) {
    if (e.type === 'speech_started') startMs = e.audioStartMs;
    else if (startMs !== undefined) {
      out.push({ startMs, endMs: e.audioEndMs - SILENCE_TO_END_MS });
      startMs = undefined;
    }
  }
  if (startMs !== undefined) out.push({ startMs, endMs: ulaw.length / ULAW_BYTES_PER_MS });
  return out;
}
