/**
 * Builds the call's timeline from a replay result: bot audio as heard (from the playback
 * emulator), caller speech, turns with response latency, barge-ins, tool calls and the
 * transcript, merging the server's call record when it was fetched.
 */
import { ULAW_BYTES_PER_MS } from '../../audio/g711.js';
import type { CallRecordEvent } from '../../call/call-record.js';
import { playedBytes } from '../twilio/playback-emulator.js';
import type { ReplayResult } from '../twilio/replay-call.js';
import { buildBargeIns } from './build-barge-ins.js';
import { detectSpeech, speechFromRecord } from './caller-speech.js';
import type { Interval, Timeline, ToolCallSpan, TranscriptLine, Turn } from './timeline-types.js';

/** The parts of a replay result the timeline is built from (tests build these by hand). */
export type TimelineInput = Pick<
  ReplayResult,
  | 'callSid'
  | 'streamSid'
  | 'startedAt'
  | 'speed'
  | 'durationMs'
  | 'recordingMs'
  | 'endReason'
  | 'outcome'
  | 'callerAudio'
  | 'chunks'
  | 'marks'
  | 'clears'
  | 'callRecord'
  | 'warnings'
>;

/** Playback gaps shorter than this are one stretch of bot speech: 1 ms absorbs float rounding. */
const CONTIGUOUS_GAP_MS = 1;

/** Builds the timeline (see module doc). */
export function buildTimeline(input: TimelineInput): Timeline {
  const serverEvents = (input.callRecord?.events ?? []).map((e) => ({
    ...e,
    t: e.t * input.speed,
  }));
  const fromServer = speechFromRecord(serverEvents);
  const useServer = fromServer.length > 0;
  const callerSpeech = useServer ? fromServer : detectSpeech(input.callerAudio);
  const botHeard = heardIntervals(input);
  return {
    callSid: input.callSid,
    streamSid: input.streamSid,
    startedAt: input.startedAt,
    speed: input.speed,
    durationMs: input.durationMs,
    recordingMs: input.recordingMs,
    endReason: input.endReason,
    outcome: {
      by: input.outcome.by,
      description: input.outcome.description,
      ...(input.outcome.twiml === undefined ? {} : { twiml: input.outcome.twiml }),
    },
    callerSpeechSource: useServer ? 'server_vad' : 'energy',
    callerSpeech,
    botHeard,
    botHeardMs: botHeard.reduce((sum, i) => sum + i.endMs - i.startMs, 0),
    turns: buildTurns(callerSpeech, botHeard, serverEvents),
    bargeIns: buildBargeIns(input.clears, serverEvents),
    toolCalls: buildToolCalls(serverEvents, input.speed),
    transcript: buildTranscript(serverEvents),
    marks: input.marks.map((m) => ({
      name: m.name,
      receivedAtMs: m.receivedAtMs,
      ...(m.echoedAtMs === undefined ? {} : { echoedAtMs: m.echoedAtMs }),
      flushedByClear: m.flushedByClear,
    })),
    hasServerRecord: input.callRecord !== undefined,
    serverEvents,
    warnings: input.warnings,
  };
}

/** Played bot audio, contiguous chunks merged, up to the end of the call. */
export function heardIntervals(input: Pick<TimelineInput, 'chunks' | 'durationMs'>): Interval[] {
  const out: Interval[] = [];
  for (const chunk of input.chunks) {
    const played = playedBytes(chunk, input.durationMs);
    if (played === 0) continue;
    const interval = { startMs: chunk.startMs, endMs: chunk.startMs + played / ULAW_BYTES_PER_MS };
    const last = out.at(-1);
    if (last && interval.startMs - last.endMs < CONTIGUOUS_GAP_MS) last.endMs = interval.endMs;
    else out.push(interval);
  }
  return out;
}

function buildTurns(speech: Interval[], heard: Interval[], events: CallRecordEvent[]): Turn[] {
  const transcripts = events.filter((e) => e.type === 'caller_transcript');
  return speech.map((caller, index) => {
    const nextStartMs = speech[index + 1]?.startMs ?? Infinity;
    const reply = heard.find((h) => h.startMs >= caller.endMs && h.startMs < nextStartMs);
    const text = transcripts.find((e) => e.t >= caller.startMs && e.t < nextStartMs);
    return {
      index: index + 1,
      caller,
      ...(reply ? { botHeardAtMs: reply.startMs, latencyMs: reply.startMs - caller.endMs } : {}),
      ...(text ? { callerText: text.text } : {}),
    };
  });
}

/** The record's `t` of a tool call is taken as its completion; the span ends there. */
function buildToolCalls(events: CallRecordEvent[], speed: number): ToolCallSpan[] {
  return events.flatMap((e) =>
    e.type === 'tool_call'
      ? [
          {
            startMs: Math.max(0, e.t - e.durationMs * speed),
            endMs: e.t,
            name: e.name,
            arguments: e.arguments,
            status: e.status,
            ...(e.httpStatus === undefined ? {} : { httpStatus: e.httpStatus }),
            durationMs: e.durationMs,
            output: e.output,
          },
        ]
      : [],
  );
}

function buildTranscript(events: CallRecordEvent[]): TranscriptLine[] {
  const out: TranscriptLine[] = [];
  const botStarted = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'bot_audio_started') botStarted.set(e.itemId, e.t);
    if (e.type === 'caller_transcript') out.push({ atMs: e.t, who: 'caller', text: e.text });
    if (e.type === 'bot_item_finished' && (e.transcript || e.sentMs > 0)) {
      out.push({
        atMs: botStarted.get(e.itemId) ?? e.t,
        who: 'bot',
        text: e.transcript,
        interrupted: e.interrupted,
        heardMs: e.heardMs,
        sentMs: e.sentMs,
        ...(e.interrupted ? { heardText: e.heardTranscriptEstimate } : {}),
      });
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
