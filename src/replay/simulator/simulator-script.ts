/**
 * The simulator's script: what the "model" says at the greeting, on each caller turn and after
 * each tool output. Loaded from JSON; audio paths resolve relative to the script file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readRecording } from '../../audio/recording.js';
import { syntheticSpeechUlaw } from './synthetic-audio.js';

/** A spoken line in the script file: a recording, or text spoken by a synthetic tone. */
export interface ScriptSayJson {
  audio?: string;
  text?: string;
  transcript?: string;
}

/** One reply in the script file: an audio message and/or a function call after it. */
export interface ScriptReplyJson {
  say?: ScriptSayJson;
  functionCall?: { name: string; arguments?: unknown };
}

/** One caller turn in the script file. */
export interface ScriptTurnJson extends ScriptReplyJson {
  callerTranscript?: string;
  afterToolOutput?: ScriptReplyJson;
}

/** The script file. */
export interface SimulatorScriptJson {
  greeting?: ScriptReplyJson;
  turns?: ScriptTurnJson[];
}

/** A line ready to stream: µ-law 8 kHz bytes and what they say. */
export interface SpokenLine {
  audio: Buffer;
  transcript: string;
}

/** A reply ready to stream. */
export interface ScriptedReply {
  say?: SpokenLine;
  functionCall?: { name: string; arguments: string };
}

/** A caller turn ready to answer. */
export interface ScriptedTurn extends ScriptedReply {
  callerTranscript?: string;
  afterToolOutput?: ScriptedReply;
}

/** A loaded script (audio decoded), as `startRealtimeSimulator` takes it. */
export interface SimulatorScript {
  greeting?: ScriptedReply;
  turns: ScriptedTurn[];
  /** The answer once the turns have run out. */
  fallback: ScriptedReply;
}

/** Reads an audio file as µ-law 8 kHz bytes. */
export type AudioLoader = (path: string) => Promise<Buffer>;

/** A script that cannot be used; the message says where and what. */
export class SimulatorScriptError extends Error {
  override readonly name = 'SimulatorScriptError';
}

/** What the simulator says when the script has no turn left. */
export const FALLBACK_TEXT = 'Is there anything else I can help you with?';

/** Loads a script file; audio paths resolve relative to it and are read with `loadAudio`. */
export async function loadSimulatorScript(
  path: string,
  loadAudio: AudioLoader = readRecording,
): Promise<SimulatorScript> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new SimulatorScriptError(`script ${path}: ${(err as Error).message}`);
  }
  return buildSimulatorScript(json, { baseDir: dirname(path), loadAudio, name: path });
}

/** Builds a script from its JSON form (already parsed); for tests and generated scripts. */
export async function buildSimulatorScript(
  json: unknown,
  options: { baseDir?: string; loadAudio?: AudioLoader; name?: string } = {},
): Promise<SimulatorScript> {
  const ctx: BuildContext = {
    baseDir: options.baseDir ?? process.cwd(),
    loadAudio: options.loadAudio ?? readRecording,
    name: options.name ?? 'script',
  };
  if (!isObject(json)) throw fail(ctx, '', 'must be a JSON object');
  const turnsJson = json.turns ?? [];
  if (!Array.isArray(turnsJson)) throw fail(ctx, 'turns', 'must be an array');
  const turns: ScriptedTurn[] = [];
  for (const [index, turn] of turnsJson.entries()) {
    turns.push(await buildTurn(ctx, turn, `turns[${index}]`));
  }
  const greeting =
    json.greeting === undefined ? undefined : await buildReply(ctx, json.greeting, 'greeting');
  const fallback = {
    say: { audio: syntheticSpeechUlaw(FALLBACK_TEXT), transcript: FALLBACK_TEXT },
  };
  return { ...(greeting ? { greeting } : {}), turns, fallback };
}

interface BuildContext {
  baseDir: string;
  loadAudio: AudioLoader;
  name: string;
}

async function buildTurn(ctx: BuildContext, json: unknown, at: string): Promise<ScriptedTurn> {
  const reply = await buildReply(ctx, json, at);
  const turn = json as ScriptTurnJson;
  if (turn.callerTranscript !== undefined && typeof turn.callerTranscript !== 'string') {
    throw fail(ctx, `${at}.callerTranscript`, 'must be a string');
  }
  const after =
    turn.afterToolOutput === undefined
      ? undefined
      : await buildReply(ctx, turn.afterToolOutput, `${at}.afterToolOutput`);
  return {
    ...reply,
    ...(turn.callerTranscript !== undefined ? { callerTranscript: turn.callerTranscript } : {}),
    ...(after ? { afterToolOutput: after } : {}),
  };
}

async function buildReply(ctx: BuildContext, json: unknown, at: string): Promise<ScriptedReply> {
  if (!isObject(json)) throw fail(ctx, at, 'must be an object');
  const reply: ScriptedReply = {};
  if (json.say !== undefined) reply.say = await buildSay(ctx, json.say, `${at}.say`);
  if (json.functionCall !== undefined) {
    reply.functionCall = buildFunctionCall(ctx, json.functionCall, `${at}.functionCall`);
  }
  if (!reply.say && !reply.functionCall) throw fail(ctx, at, 'needs "say" or "functionCall"');
  return reply;
}

async function buildSay(ctx: BuildContext, json: unknown, at: string): Promise<SpokenLine> {
  if (!isObject(json)) throw fail(ctx, at, 'must be an object');
  const { audio, text, transcript } = json as ScriptSayJson;
  for (const [key, value] of Object.entries({ audio, text, transcript })) {
    if (value !== undefined && typeof value !== 'string')
      throw fail(ctx, `${at}.${key}`, 'must be a string');
  }
  if (audio !== undefined) {
    const path = resolve(ctx.baseDir, audio);
    try {
      const bytes = await ctx.loadAudio(path);
      return { audio: bytes, transcript: transcript ?? text ?? '' };
    } catch (err) {
      throw fail(ctx, `${at}.audio`, (err as Error).message);
    }
  }
  const spoken = text ?? transcript;
  if (spoken === undefined) throw fail(ctx, at, 'needs "audio" or "text"');
  return { audio: syntheticSpeechUlaw(spoken), transcript: transcript ?? spoken };
}

function buildFunctionCall(
  ctx: BuildContext,
  json: unknown,
  at: string,
): { name: string; arguments: string } {
  if (!isObject(json) || typeof json.name !== 'string' || json.name === '') {
    throw fail(ctx, at, 'needs a non-empty "name"');
  }
  const args = json.arguments ?? {};
  return { name: json.name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(ctx: BuildContext, at: string, detail: string): SimulatorScriptError {
  return new SimulatorScriptError(`${ctx.name}${at ? ` ${at}` : ''}: ${detail}`);
}
