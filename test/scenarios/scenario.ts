/**
 * QA scenarios: a scenario file (`test/scenarios/*.json`) names a simulator script, lays out the
 * caller's audio from the recorded fixtures, and says what must happen. This file loads one and
 * runs it against the real app, the realtime simulator and the example business API.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ULAW_BYTES_PER_MS, ULAW_SILENCE_BYTE } from '../../src/audio/g711.js';
import { readRecording } from '../../src/audio/recording.js';
import { startBusinessApi } from '../../src/demo/business-api.js';
import { startRealtimeSimulator } from '../../src/replay/simulator/realtime-simulator.js';
import type { SessionRecord } from '../../src/replay/simulator/session-record.js';
import { loadSimulatorScript } from '../../src/replay/simulator/simulator-script.js';
import { replayCall, type ReplayResult } from '../../src/replay/twilio/replay-call.js';
import { AUTH_TOKEN, PUBLIC_URL, startTestServer } from '../helpers/test-server.js';

/** A piece of the caller's audio: a stretch of silence, or (part of) a recording, repeated. */
export type CallerPart =
  | { silenceMs: number; why?: string }
  | { recording: string; fromMs?: number; untilMs?: number; repeat?: number; why?: string };

/** What a scenario requires of the call. */
export interface ScenarioExpectations {
  /** The greeting (the first bot item) played to its end without being cut. */
  greetingHeardInFull?: boolean;
  /** The tool calls of the call record, in order (all of them). */
  toolCalls?: { name: string; arguments?: Record<string, unknown>; status?: string }[];
  /**
   * Every barge-in that truncated bot audio, in order: the caller turn (1-based, counted by the
   * server's speech_started) that interrupted, and how the interrupted bot line begins.
   */
  bargeIns?: { callerTurn: number; interrupted?: string }[];
  /** `CallOutcome.kind` in the call record. */
  outcome?: 'hangup' | 'apologize_and_hangup' | 'transfer';
  /** No error in the call record and none sent by the simulator. */
  noErrors?: boolean;
}

/** A scenario file as written. */
export interface ScenarioJson {
  description: string;
  script: string;
  caller: CallerPart[];
  expect: ScenarioExpectations;
}

/** A scenario ready to run. */
export interface Scenario extends ScenarioJson {
  name: string;
  file: string;
}

/** Every scenario file in `dir` (not its subfolders), by name. */
export async function discoverScenarios(dir: string): Promise<Scenario[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => {
      const file = join(dir, f);
      const json = JSON.parse(await readFile(file, 'utf8')) as ScenarioJson;
      return { ...json, name: f.replace(/\.json$/, ''), file };
    }),
  );
}

/** The caller's audio of a scenario, µ-law 8 kHz, parts concatenated in order. */
export async function buildCallerAudio(scenario: Scenario): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const part of scenario.caller) {
    if ('silenceMs' in part) {
      parts.push(Buffer.alloc(part.silenceMs * ULAW_BYTES_PER_MS, ULAW_SILENCE_BYTE));
      continue;
    }
    const audio = await readRecording(resolve(dirname(scenario.file), part.recording));
    const from = (part.fromMs ?? 0) * ULAW_BYTES_PER_MS;
    const until = part.untilMs === undefined ? audio.length : part.untilMs * ULAW_BYTES_PER_MS;
    const slice = audio.subarray(from, until);
    for (let i = 0; i < (part.repeat ?? 1); i++) parts.push(slice);
  }
  return Buffer.concat(parts);
}

/** What one run of a scenario produced. */
export interface ScenarioRun {
  result: ReplayResult;
  simulator: SessionRecord[];
}

/**
 * Replay speed of the scenarios: 4× real time. The simulator's pace and the server's clock are
 * scaled by the same factor, so on the call's own time axis every turn lands where it would in
 * real time. Not faster: the emulated Twilio echoes marks from timers in this same process, and
 * the server anchors the caller's playback position at each echo's arrival, so an event-loop
 * stall of d wall ms shifts a truncation by d × speed media ms. Measured on the
 * interrupting-caller scenario (truth − truncation): ≤ 4 ms at 2×, ≤ 13 ms at 4×, and echo lags
 * of 44 ms (p99) at 8×, where 2 of about 10 runs missed the one-frame (20 ms) tolerance.
 */
export const SCENARIO_SPEED = 4;
/** The simulator's real-time pace (its defaults): first audio after 300 ms, 4× faster than playback. */
const FIRST_AUDIO_LATENCY_MS = 300;
const REALTIME_FACTOR = 4;
const API_TOKEN = 'scenario-api-token';
const ADMIN_TOKEN = 'scenario-admin-token';

/** Runs one scenario end to end; everything started is closed before it returns. */
export async function runScenario(
  scenario: Scenario,
  speed = SCENARIO_SPEED,
): Promise<ScenarioRun> {
  const recording = await buildCallerAudio(scenario);
  const script = await loadSimulatorScript(resolve(dirname(scenario.file), scenario.script));
  const api = await startBusinessApi(0, '127.0.0.1', { token: API_TOKEN });
  const simulator = await startRealtimeSimulator({
    script,
    firstAudioLatencyMs: FIRST_AUDIO_LATENCY_MS / speed,
    realtimeFactor: REALTIME_FACTOR * speed,
  });
  // The server's clock runs `speed` times faster than the wall, like the replay's Twilio
  // emulator: it interpolates the caller's playback position between mark echoes at real-time
  // pace (src/call/playback-tracker.ts), so on an unscaled clock a replay at 4× would make every
  // truncation lag the truth by up to 20·(1 − 1/4) ms.
  const server = await startTestServer(
    {
      OPENAI_API_KEY: 'scenario-key',
      OPENAI_REALTIME_URL: simulator.url,
      TOOLS_CONFIG: 'config/tools.example.json',
      ACME_API_URL: api.url,
      ACME_API_TOKEN: API_TOKEN,
      ADMIN_TOKEN,
      LOG_LEVEL: 'silent',
    },
    { now: () => performance.now() * speed },
  );
  try {
    const result = await replayCall({
      recording,
      serverUrl: server.httpUrl,
      publicUrl: PUBLIC_URL,
      authToken: AUTH_TOKEN,
      adminToken: ADMIN_TOKEN,
      speed,
    });
    return { result, simulator: simulator.records() };
  } finally {
    await server.close();
    await simulator.close();
    await api.close();
  }
}
