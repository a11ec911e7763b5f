import { describe, expect, it } from 'vitest';
import type { CallRecord, CallRecordEvent } from '../../src/call/call-record.js';
import { buildTimeline, type TimelineInput } from '../../src/replay/timeline/build-timeline.js';
import { detectSpeech } from '../../src/replay/timeline/caller-speech.js';
import { renderSummary } from '../../src/replay/timeline/summary-text.js';
import { renderTimelineSvg } from '../../src/replay/timeline/timeline-svg.js';
import { renderTranscript } from '../../src/replay/timeline/transcript-text.js';
import { parseXml } from '../../src/replay/twilio/xml-reader.js';
import { toneUlaw, silenceUlaw } from '../../src/replay/simulator/synthetic-audio.js';

const RECORD: CallRecord = {
  callSid: 'CA0',
  streamSid: 'MZ0',
  startedAt: '2026-11-21T10:00:00.000Z',
  events: [
    { t: 0, type: 'stream_started' },
    { t: 500, type: 'caller_speech_started', audioStartMs: 480 },
    { t: 1600, type: 'caller_speech_stopped', audioEndMs: 1500 },
    { t: 1700, type: 'caller_transcript', itemId: 'c1', text: 'Where is my order?' },
    { t: 1750, type: 'bot_audio_started', responseId: 'r1', itemId: 'b1' },
    {
      t: 2100,
      type: 'tool_call',
      name: 'order_status',
      callId: 'k1',
      arguments: '{"order":"A17"}',
      status: 'ok',
      httpStatus: 200,
      durationMs: 300,
      resultBytes: 20,
      output: '{"status":"shipped"}',
    },
    {
      t: 2400,
      type: 'barge_in',
      truncated: [{ itemId: 'b1', audioEndMs: 400 }],
      deleted: [],
      responseCancelled: true,
    },
    {
      t: 2400,
      type: 'bot_item_finished',
      itemId: 'b1',
      sentMs: 1000,
      heardMs: 400,
      interrupted: true,
      transcript: 'Your order A17 has shipped today.',
      heardTranscriptEstimate: 'Your order A',
    },
  ],
};

/** Bot audio: 1000 ms queued at 2000 ms, cleared at 2400 ms (400 ms heard). */
const INPUT: TimelineInput = {
  callSid: 'CA0',
  streamSid: 'MZ0',
  startedAt: RECORD.startedAt,
  speed: 1,
  durationMs: 3000,
  recordingMs: 2000,
  endReason: 'server_closed',
  outcome: {
    by: 'server',
    verbs: [{ verb: 'Hangup' }],
    description: 'Hangup',
    twiml: '<Response><Hangup/></Response>',
  },
  callerAudio: Buffer.alloc(3000 * 8, 0xff),
  chunks: [
    {
      segmentIndex: 0,
      receivedAtMs: 1990,
      startMs: 2000,
      bytes: Buffer.alloc(8000, 0x20),
      cutAtBytes: 3200,
    },
  ],
  marks: [
    {
      name: 'g1:m1:b1:1000',
      receivedAtMs: 1990,
      dueAtMs: 2400,
      echoedAtMs: 2400,
      flushedByClear: true,
      afterSegment: 0,
    },
  ],
  clears: [
    {
      atMs: 2400,
      playingSegment: 0,
      segments: [{ index: 0, endMark: 'g1:m1:b1:1000', sentMs: 1000, playedMs: 400 }],
      flushedMarks: ['g1:m1:b1:1000'],
      discardedMs: 600,
    },
  ],
  callRecord: RECORD,
  warnings: [],
};

/** RECORD with its barge_in event changed. */
function withBargeIn(
  record: CallRecord,
  change: Partial<Extract<CallRecordEvent, { type: 'barge_in' }>>,
): CallRecord {
  return {
    ...record,
    events: record.events.map((e) => (e.type === 'barge_in' ? { ...e, ...change } : e)),
  };
}

/**
 * INPUT with a 300 ms greeting b0 played in full (1000–1300 ms) in the same generation before b1
 * was cut, and the server truncating b1 10 ms short of what played.
 */
const AFTER_GREETING: TimelineInput = {
  ...INPUT,
  chunks: [
    { segmentIndex: 0, receivedAtMs: 990, startMs: 1000, bytes: Buffer.alloc(2400, 0x20) },
    { ...INPUT.chunks[0]!, segmentIndex: 1 },
  ],
  clears: [
    {
      ...INPUT.clears[0]!,
      playingSegment: 1,
      segments: [
        { index: 0, endMark: 'g1:m1:b0:300', sentMs: 300, playedMs: 300 },
        { index: 1, endMark: 'g1:m2:b1:1000', sentMs: 1000, playedMs: 400 },
      ],
    },
  ],
  callRecord: withBargeIn(RECORD, { truncated: [{ itemId: 'b1', audioEndMs: 390 }] }),
};

describe('buildTimeline', () => {
  it('measures response latency from the server VAD end of speech to the first bot audio heard', () => {
    const timeline = buildTimeline(INPUT);
    expect(timeline.callerSpeechSource).toBe('server_vad');
    expect(timeline.turns).toEqual([
      {
        index: 1,
        caller: { startMs: 480, endMs: 1500 },
        botHeardAtMs: 2000,
        latencyMs: 500,
        callerText: 'Where is my order?',
      },
    ]);
  });

  it('keeps bot audio only as far as it played before the clear', () => {
    expect(buildTimeline(INPUT).botHeard).toEqual([{ startMs: 2000, endMs: 2400 }]);
  });

  it('pairs a Twilio-side clear with the server barge-in at the same time', () => {
    const [barge] = buildTimeline(INPUT).bargeIns;
    expect(barge).toMatchObject({
      atMs: 2400,
      discardedMs: 600,
      items: [{ itemId: 'b1', sentMs: 1000, heardMs: 400, truncatedAtMs: 400, differenceMs: 0 }],
    });
  });

  it('counts only the interrupted item as heard when an earlier item of the generation played in full', () => {
    const [barge] = buildTimeline(AFTER_GREETING).bargeIns;
    expect(barge?.items).toEqual([
      { itemId: 'b1', sentMs: 1000, heardMs: 400, truncatedAtMs: 390, differenceMs: -10 },
    ]);
  });

  it('lists a queued item the caller never heard, and the server deleted, with 0 ms heard', () => {
    const clear = INPUT.clears[0]!;
    const [barge] = buildTimeline({
      ...INPUT,
      clears: [
        {
          ...clear,
          segments: [
            ...clear.segments,
            { index: 1, endMark: 'g1:m2:b2:300', sentMs: 300, playedMs: 0 },
          ],
        },
      ],
      callRecord: withBargeIn(RECORD, { deleted: ['b2'] }),
    }).bargeIns;
    expect(barge?.items.map((i) => [i.itemId, i.heardMs, i.deleted])).toEqual([
      ['b1', 400, undefined],
      ['b2', 0, true],
    ]);
  });

  it('places a tool call span ending at its record time', () => {
    expect(buildTimeline(INPUT).toolCalls[0]).toMatchObject({
      startMs: 1800,
      endMs: 2100,
      name: 'order_status',
    });
  });

  it('moves server times onto the media axis when replayed faster than real time', () => {
    const timeline = buildTimeline({ ...INPUT, speed: 2 });
    expect(timeline.toolCalls[0]).toMatchObject({ startMs: 3600, endMs: 4200 });
  });

  it('falls back to energy detection without a server record', () => {
    const callerAudio = Buffer.concat([
      silenceUlaw(500),
      toneUlaw({ ms: 1000, levelDbfs: -20 }),
      silenceUlaw(1500),
    ]);
    const timeline = buildTimeline({ ...INPUT, callRecord: undefined, callerAudio });
    expect(timeline.callerSpeechSource).toBe('energy');
    expect(timeline.turns[0]?.latencyMs).toBeGreaterThan(400);
    expect(timeline.turns[0]?.latencyMs).toBeLessThan(600);
  });
});

describe('detectSpeech', () => {
  it('finds one utterance in a tone between silences', () => {
    const audio = Buffer.concat([
      silenceUlaw(300),
      toneUlaw({ ms: 800, levelDbfs: -20 }),
      silenceUlaw(1000),
    ]);
    const [speech, more] = detectSpeech(audio);
    expect(more).toBeUndefined();
    expect(Math.abs((speech?.startMs ?? 0) - 300)).toBeLessThanOrEqual(20);
    expect(Math.abs((speech?.endMs ?? 0) - 1100)).toBeLessThanOrEqual(20);
  });
});

describe('renderSummary', () => {
  const summary = renderSummary(buildTimeline(INPUT));

  it('lists each turn with its latency', () => {
    expect(summary).toContain(
      '1. caller 0.48 s–1.50 s  → bot heard at 2.00 s, latency 500 ms  "Where is my order?"',
    );
  });

  it('lists a barge-in with what was heard of the cut item, its truncation and the difference', () => {
    expect(summary).toContain(
      'at 2.40 s: b1 heard 400 ms of 1000 ms, server truncated at 400 ms (server − heard: 0 ms); discarded 600 ms queued; response cancelled',
    );
  });

  it('reports the heard audio of the cut item alone, not of the items played before it', () => {
    expect(renderSummary(buildTimeline(AFTER_GREETING))).toContain(
      'b1 heard 400 ms of 1000 ms, server truncated at 390 ms (server − heard: −10 ms)',
    );
  });

  it('lists a tool call with arguments, status, duration and result', () => {
    expect(summary).toContain('order_status({"order":"A17"}) → ok HTTP 200 in 300 ms');
    expect(summary).toContain('result: {"status":"shipped"}');
  });

  it('states the outcome', () => {
    expect(summary).toContain('Outcome: Hangup');
  });
});

describe('renderTranscript', () => {
  it('shows the heard part of an interrupted bot line and what was lost', () => {
    expect(renderTranscript(buildTimeline(INPUT))).toContain(
      '[1.75 s] Bot   : Your order A ⟪cut after 400 ms — unheard: 17 has shipped today.⟫',
    );
  });

  it('explains that the transcript needs the server record', () => {
    expect(renderTranscript(buildTimeline({ ...INPUT, callRecord: undefined }))).toMatch(
      /--admin-token/,
    );
  });
});

describe('renderTimelineSvg', () => {
  const svg = renderTimelineSvg(buildTimeline(INPUT), {
    callerAudio: INPUT.callerAudio,
    heardAudio: Buffer.alloc(24000, 0xff),
  });

  it('produces well-formed standalone SVG', () => {
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
  });

  it('labels the barge-in and the tool call', () => {
    expect(svg).toContain('barge-in: b1 heard 400 ms, truncated at 400 ms');
    expect(svg).toContain('order_status ok');
  });

  it('draws a legend', () => {
    expect(svg).toContain('caller speech');
    expect(svg).toContain('bot audio heard');
  });
});
