import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { stereoWav, writeReplayOutputs } from '../../src/replay/timeline/write-replay-outputs.js';
import type { ReplayResult } from '../../src/replay/twilio/replay-call.js';

/** One second of call: the caller's first half second is non-silent, the bot's second half. */
const RESULT: ReplayResult = {
  callSid: 'CA1',
  accountSid: 'AC1',
  streamSid: 'MZ1',
  from: '+15550100001',
  to: '+15550100002',
  startedAt: '2026-11-21T10:00:00.000Z',
  speed: 1,
  voiceTwiml: '<Response/>',
  stream: { url: 'wss://x/twilio/media', parameters: {} },
  recordingMs: 500,
  framesSent: 50,
  callerAudio: Buffer.concat([Buffer.alloc(4000, 0x10), Buffer.alloc(4000, 0xff)]),
  heardAudio: Buffer.concat([Buffer.alloc(4000, 0xff), Buffer.alloc(4000, 0x20)]),
  heardBytes: 4000,
  durationMs: 1000,
  endReason: 'tail_silence',
  streamClose: { code: 1000, reason: '' },
  chunks: [{ segmentIndex: 0, receivedAtMs: 500, startMs: 500, bytes: Buffer.alloc(4000, 0x20) }],
  segments: [],
  marks: [],
  clears: [],
  outcome: { by: 'caller', verbs: [], description: 'caller hung up (tail silence)' },
  warnings: [],
};

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('writeReplayOutputs', () => {
  it('writes every output file into the directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-out-'));
    const out = await writeReplayOutputs(RESULT, join(dir, 'nested'));
    const heard = parseWav(await readFile(out.files.heard));
    expect(heard).toMatchObject({ format: 'mulaw', sampleRate: 8000, channels: 1 });
    expect(heard.data.equals(RESULT.heardAudio)).toBe(true);
    const timeline = JSON.parse(await readFile(out.files.timeline, 'utf8')) as {
      botHeardMs: number;
    };
    expect(timeline.botHeardMs).toBe(500);
    expect(await readFile(out.files.summary, 'utf8')).toBe(out.summary);
    expect(await readFile(out.files.svg, 'utf8')).toMatch(/^<svg /);
  });
});

describe('stereoWav', () => {
  it('puts the caller on the left and the bot on the right on one time axis', () => {
    const wav = parseWav(stereoWav(RESULT.callerAudio, RESULT.heardAudio));
    expect(wav).toMatchObject({ format: 'pcm16', sampleRate: 8000, channels: 2 });
    const left = wav.data.readInt16LE(0);
    const right = wav.data.readInt16LE(2);
    const lateRight = wav.data.readInt16LE(4 * 6000 + 2);
    expect([left !== 0, right, lateRight !== 0]).toEqual([true, 0, true]);
  });
});
