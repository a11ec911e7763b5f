import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ULAW_BYTES_PER_MS, ULAW_SILENCE_BYTE } from '../../src/audio/g711.js';
import { readRecording } from '../../src/audio/recording.js';
import { parseWav } from '../../src/audio/wav.js';
import {
  startRealtimeSimulator,
  type RealtimeSimulator,
} from '../../src/replay/simulator/realtime-simulator.js';
import { buildSimulatorScript } from '../../src/replay/simulator/simulator-script.js';
import { replayCall, type ReplayResult } from '../../src/replay/twilio/replay-call.js';
import {
  AUTH_TOKEN,
  PUBLIC_URL,
  startTestServer,
  type TestServer,
} from '../helpers/test-server.js';

/** The caller's first request of the order call: one turn, then silence (7 s of the fixture). */
const CALLER_MS = 7_000;
/** Fast enough to keep the test short; nothing here depends on timing finer than a turn. */
const SPEED = 4;
/** Bot silence that ends the replayed call (media ms): the short answer is long over by then. */
const TAIL_MS = 1_000;

let dir: string;
let simulator: RealtimeSimulator;
let server: TestServer;
let first: ReplayResult;
let second: ReplayResult;

/** Replays `recording` through the capturing server; resolves once its capture is written. */
async function replayAndCapture(recording: Buffer | string): Promise<ReplayResult> {
  const result = await replayCall({
    recording,
    serverUrl: server.httpUrl,
    publicUrl: PUBLIC_URL,
    authToken: AUTH_TOKEN,
    speed: SPEED,
    tailMs: TAIL_MS,
  });
  await server.logs.waitFor((r) => r.msg === 'call captured' && r['callSid'] === result.callSid);
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-capture-'));
  const script = await buildSimulatorScript({
    greeting: { say: { text: 'Hello.' } },
    turns: [{ say: { text: 'Order 4217 has shipped.' } }],
  });
  simulator = await startRealtimeSimulator({
    script,
    firstAudioLatencyMs: 300 / SPEED,
    realtimeFactor: 4 * SPEED,
  });
  server = await startTestServer({ OPENAI_REALTIME_URL: simulator.url, CALL_CAPTURE_DIR: dir });
  const fixture = await readRecording('test/fixtures/recordings/order-status.wav');
  first = await replayAndCapture(fixture.subarray(0, CALLER_MS * ULAW_BYTES_PER_MS));
  second = await replayAndCapture(join(dir, `${first.callSid}.jsonl`));
}, 60_000);

afterAll(async () => {
  await server?.close();
  await simulator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('call capture (CALL_CAPTURE_DIR)', () => {
  it('writes the JSONL and the caller, bot and stereo WAVs named after the CallSid', async () => {
    for (const suffix of ['.jsonl', '.caller.wav', '.bot.wav', '.stereo.wav']) {
      const file = join(dir, `${first.callSid}${suffix}`);
      expect((await stat(file)).size, file).toBeGreaterThan(0);
    }
  });

  it('records in the caller WAV exactly the audio the caller sent, then silence', async () => {
    // The caller and bot WAVs share one length: the caller track is padded to the bot's end.
    const data = Buffer.from(
      parseWav(await readFile(join(dir, `${first.callSid}.caller.wav`))).data,
    );
    const sent = first.callerAudio.length;
    expect(data.subarray(0, sent).equals(first.callerAudio)).toBe(true);
    expect(data.subarray(sent).every((byte) => byte === ULAW_SILENCE_BYTE)).toBe(true);
  });

  it('reads the JSONL capture back as the caller audio that was sent', async () => {
    const captured = await readRecording(join(dir, `${first.callSid}.jsonl`));
    expect(captured.equals(first.callerAudio)).toBe(true);
  });

  it('sends the same caller audio when the capture is replayed', () => {
    const sentAgain = second.callerAudio.subarray(0, first.callerAudio.length);
    expect(second.recordingMs).toBe(first.callerAudio.length / ULAW_BYTES_PER_MS);
    expect(sentAgain.equals(first.callerAudio)).toBe(true);
  });

  it('detects the same caller turns in the replayed capture as in the original call', () => {
    const [original, replayed] = simulator.records();
    const turns = (r: typeof original) =>
      r?.callerTurns.map((t) => [t.speechStartMs, t.speechEndMs]);
    expect(turns(original)?.length).toBeGreaterThan(0);
    expect(turns(replayed)).toEqual(turns(original));
  });
});
