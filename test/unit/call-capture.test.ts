import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ULAW_SILENCE_BYTE, ulawToPcm16 } from '../../src/audio/g711.js';
import { pcm16FromLeBytes } from '../../src/audio/pcm16.js';
import { parseWav } from '../../src/audio/wav.js';
import type { CaptureLine } from '../../src/audio/capture-format.js';
import { readCapture, renderCallAudio } from '../../src/observability/call-audio.js';
import { createCallCapture } from '../../src/observability/call-capture.js';

const CALLER_BYTE = 0x10;
const BOT_BYTE = 0x20;
/** Network delay of every inbound frame in these tests: capture t = media.timestamp + 5 ms. */
const DELAY_MS = 5;

let dir: string;
let clockMs: number;
let logLines: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-capture-'));
  clockMs = 0;
  logLines = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function newCapture(callSid = 'CA0123456789abcdef0123456789abcdef') {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  return createCallCapture({ dir, callSid, logger, now: () => clockMs });
}

function inboundFrame(timestampMs: number): string {
  const payload = Buffer.alloc(160, CALLER_BYTE).toString('base64');
  return JSON.stringify({
    event: 'media',
    sequenceNumber: String(timestampMs / 20 + 2),
    streamSid: 'MZ1',
    media: {
      track: 'inbound',
      chunk: String(timestampMs / 20 + 1),
      timestamp: String(timestampMs),
      payload,
    },
  });
}

function botMedia(bytes: number): string {
  return JSON.stringify({
    event: 'media',
    streamSid: 'MZ1',
    media: { payload: Buffer.alloc(bytes, BOT_BYTE).toString('base64') },
  });
}

/** Feeds `seconds` of caller frames at 20 ms steps, each arriving DELAY_MS after its timestamp. */
function feedCaller(
  capture: ReturnType<typeof newCapture>,
  seconds: number,
  at: (t: number) => void,
): void {
  for (let ts = 0; ts < seconds * 1000; ts += 20) {
    clockMs = ts + DELAY_MS;
    capture.inbound(inboundFrame(ts));
    at(clockMs);
  }
}

/** Index ranges [start, end) of runs of `value` in `bytes`. */
function runsOf(bytes: Buffer, value: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const on = i < bytes.length && bytes[i] === value;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  return runs;
}

describe('createCallCapture', () => {
  it('writes one JSONL line per message with its time, direction and parsed message', async () => {
    const capture = newCapture();
    clockMs = 12.5;
    capture.inbound('{"event":"connected","protocol":"Call","version":"1.0.0"}');
    clockMs = 40;
    capture.outbound('{"event":"clear","streamSid":"MZ1"}');
    const files = await capture.close();
    expect(await readCapture(files.jsonl)).toEqual([
      { t: 12.5, dir: 'in', msg: { event: 'connected', protocol: 'Call', version: '1.0.0' } },
      { t: 40, dir: 'out', msg: { event: 'clear', streamSid: 'MZ1' } },
    ]);
  });

  it('stores a message that is not JSON as raw text', async () => {
    const capture = newCapture();
    capture.inbound('{"event":"media", broken');
    const files = await capture.close();
    expect(await readCapture(files.jsonl)).toEqual([
      { t: 0, dir: 'in', raw: '{"event":"media", broken' },
    ]);
  });

  it('keeps a pretty-printed message on one line', async () => {
    const capture = newCapture();
    capture.outbound('{\n  "event": "mark",\n  "mark": {"name": "a"}\n}');
    const files = await capture.close();
    const text = await readFile(files.jsonl, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(1);
  });

  it('renders caller and bot WAVs in µ-law and a stereo PCM16 WAV of the same length', async () => {
    const capture = newCapture();
    feedCaller(capture, 2, () => undefined);
    const files = await capture.close();
    const caller = parseWav(await readFile(files.callerWav));
    const bot = parseWav(await readFile(files.botWav));
    const stereo = parseWav(await readFile(files.stereoWav));
    expect([caller.format, caller.sampleRate, caller.channels, caller.data.length]).toEqual([
      'mulaw',
      8000,
      1,
      16_000,
    ]);
    expect([bot.format, bot.sampleRate, bot.channels, bot.data.length]).toEqual([
      'mulaw',
      8000,
      1,
      16_000,
    ]);
    expect([stereo.format, stereo.sampleRate, stereo.channels, stereo.data.length]).toEqual([
      'pcm16',
      8000,
      2,
      64_000,
    ]);
  });

  it('cuts the bot track at the sample where an outbound clear was sent', async () => {
    const capture = newCapture();
    feedCaller(capture, 2, (t) => {
      if (t === 105) capture.outbound(botMedia(8000)); // 1 s of audio sent at media time 100 ms
      if (t === 605) capture.outbound('{"event":"clear","streamSid":"MZ1"}'); // media time 600 ms
    });
    const files = await capture.close();
    const bot = parseWav(await readFile(files.botWav)).data;
    expect(runsOf(bot, BOT_BYTE)).toEqual([[800, 4800]]);
    expect(runsOf(bot, ULAW_SILENCE_BYTE)).toEqual([
      [0, 800],
      [4800, 16_000],
    ]);
  });

  it('queues outbound audio behind audio that is still playing', async () => {
    const capture = newCapture();
    feedCaller(capture, 1, (t) => {
      if (t === 105 || t === 125) capture.outbound(botMedia(800)); // 100 ms each, 20 ms apart
    });
    const files = await capture.close();
    const bot = parseWav(await readFile(files.botWav)).data;
    expect(runsOf(bot, BOT_BYTE)).toEqual([[800, 2400]]);
  });

  it('returns the same files when closed twice and ignores messages after close', async () => {
    const capture = newCapture();
    capture.inbound(inboundFrame(0));
    const first = capture.close();
    capture.inbound(inboundFrame(20));
    const [a, b] = await Promise.all([first, capture.close()]);
    expect(a).toEqual(b);
    expect(await readCapture(a.jsonl)).toHaveLength(1);
  });

  it('keeps a hostile call SID from escaping the capture directory', async () => {
    const files = await newCapture('../../etc/passwd').close();
    expect(files.jsonl).toBe(join(dir, '______etc_passwd.jsonl'));
  });

  it('rejects close and logs a warning when the directory cannot be created', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'x');
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    const capture = createCallCapture({ dir: join(blocker, 'sub'), callSid: 'CA1', logger });
    capture.inbound(inboundFrame(0));
    await expect(capture.close()).rejects.toThrow(/call capture .*CA1\.jsonl failed/);
    expect(
      logLines.map((l) => JSON.parse(l) as { level: number }).some((r) => r.level === 40),
    ).toBe(true);
  });
});

describe('renderCallAudio', () => {
  const line = (t: number, dir: 'in' | 'out', msg: unknown): CaptureLine => ({ t, dir, msg });
  const media = (bytes: Buffer, timestamp?: number) => ({
    event: 'media',
    media: {
      payload: bytes.toString('base64'),
      ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
    },
  });

  it('puts the caller on the left channel and the bot on the right', () => {
    const callerAudio = Buffer.alloc(160, CALLER_BYTE);
    const audio = renderCallAudio([
      line(0, 'in', media(callerAudio, 0)),
      line(0, 'out', media(Buffer.alloc(160, BOT_BYTE))),
    ]);
    const samples = pcm16FromLeBytes(audio.stereo);
    expect([samples[0], samples[1]]).toEqual([
      ulawToPcm16(audio.caller)[0],
      ulawToPcm16(audio.bot)[0],
    ]);
    expect(samples[0]).not.toBe(samples[1]);
  });

  it('plays bot audio on the capture clock when there is no inbound media', () => {
    const audio = renderCallAudio([line(10, 'out', media(Buffer.alloc(80, BOT_BYTE)))]);
    expect(runsOf(audio.bot, BOT_BYTE)).toEqual([[80, 160]]);
  });

  it('ignores a clear sent after the queued audio finished', () => {
    const audio = renderCallAudio([
      line(0, 'out', media(Buffer.alloc(80, BOT_BYTE))),
      line(50, 'out', { event: 'clear' }),
    ]);
    expect(runsOf(audio.bot, BOT_BYTE)).toEqual([[0, 80]]);
  });

  it('ignores raw lines and outbound marks', () => {
    const audio = renderCallAudio([
      { t: 0, dir: 'in', raw: 'garbage' },
      line(0, 'out', { event: 'mark', mark: { name: 'm1' } }),
      line(0, 'in', media(Buffer.alloc(160, CALLER_BYTE), 0)),
    ]);
    expect(audio.caller.length).toBe(160);
    expect(audio.bot.every((b) => b === ULAW_SILENCE_BYTE)).toBe(true);
  });
});

describe('readCapture', () => {
  it('names the file and the line of an entry that is not JSON', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"t":0,"dir":"in","msg":{}}\n\nnot json\n');
    await expect(readCapture(path)).rejects.toThrow(`capture ${path} line 3: not valid JSON`);
  });

  it('names the line of an entry with an unknown direction', async () => {
    const path = join(dir, 'bad-dir.jsonl');
    await writeFile(path, '{"t":0,"dir":"sideways","msg":{}}\n');
    await expect(readCapture(path)).rejects.toThrow(/line 1: "dir" is neither "in" nor "out"/);
  });
});
