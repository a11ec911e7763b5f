/**
 * The simulated session object and `session.update` as the GA service applies it: only the
 * fields present change, `audio.input`/`audio.output` merge key by key, an invalid update is
 * refused whole with an `invalid_request_error`.
 */
import {
  invalidType as invalidTypeOf,
  invalidValue,
  missingParameter as missing,
  type ApiError,
} from './api-errors.js';
import { semanticSilenceMs, type VadConfig } from './vad.js';

/** `audio.*.format` of a GA session. */
export type AudioFormat =
  { type: 'audio/pcmu' } | { type: 'audio/pcma' } | { type: 'audio/pcm'; rate: 24000 };

/** `audio.input.turn_detection` of a GA session (null = manual turns). */
export interface TurnDetection {
  type: 'server_vad' | 'semantic_vad';
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  idle_timeout_ms?: number | null;
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
  create_response: boolean;
  interrupt_response: boolean;
}

/** The session object sent in `session.created` / `session.updated`. */
export interface SessionState {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: string[];
  instructions: string;
  tools: unknown[];
  tool_choice: unknown;
  max_output_tokens: number | 'inf';
  tracing: unknown;
  truncation: unknown;
  prompt: unknown;
  include: unknown;
  expires_at: number;
  audio: {
    input: {
      format: AudioFormat;
      transcription: unknown;
      noise_reduction: unknown;
      turn_detection: TurnDetection | null;
    };
    output: { format: AudioFormat; voice: unknown; speed: number };
  };
  [key: string]: unknown;
}

/** Service defaults: threshold 0.5, prefix 300 ms, silence 500 ms (protocols.md §1.3). */
const DEFAULT_SERVER_VAD: TurnDetection = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 500,
  idle_timeout_ms: null,
  create_response: true,
  interrupt_response: true,
};

/** A new session as the service creates it: 24 kHz PCM both ways until updated. */
export function defaultSession(id: string, model: string): SessionState {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    include: null,
    expires_at: 0,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { ...DEFAULT_SERVER_VAD },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
    },
  };
}

/** Top-level fields a `session.update` may set as given. */
const PLAIN_FIELDS = [
  'output_modalities',
  'instructions',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'tracing',
  'truncation',
  'prompt',
  'include',
  'reasoning',
  'parallel_tool_calls',
];

/** Applies a `session.update` payload; returns the new session or the error the service sends. */
export function applySessionUpdate(
  current: SessionState,
  update: unknown,
): { session: SessionState } | { error: ApiError } {
  if (!isObject(update)) return { error: missing('session') };
  if (update.type === undefined) return { error: missing('session.type') };
  if (update.type === 'transcription') {
    return {
      error: {
        code: 'invalid_value',
        message:
          'Passing a transcription session update event to a realtime session is not allowed.',
        param: 'session.type',
      },
    };
  }
  if (update.type !== 'realtime') {
    return { error: invalidValue('session.type', update.type, ['realtime', 'transcription']) };
  }
  if (update.model !== undefined && update.model !== current.model) {
    return {
      error: {
        code: 'invalid_value',
        message: "Cannot update a session's model.",
        param: 'session.model',
      },
    };
  }
  const next: SessionState = structuredClone(current);
  for (const field of PLAIN_FIELDS) {
    if (field in update) next[field] = structuredClone(update[field]);
  }
  const audioError = mergeAudio(next, update.audio);
  return audioError ? { error: audioError } : { session: next };
}

function mergeAudio(next: SessionState, audio: unknown): ApiError | undefined {
  if (audio === undefined) return undefined;
  if (!isObject(audio)) return invalidType('session.audio', 'object');
  const input = audio.input;
  if (input !== undefined) {
    if (!isObject(input)) return invalidType('session.audio.input', 'object');
    if (input.format !== undefined) {
      const format = parseFormat(input.format, 'session.audio.input.format');
      if ('error' in format) return format.error;
      next.audio.input.format = format.format;
    }
    for (const key of ['transcription', 'noise_reduction'] as const) {
      if (key in input) next.audio.input[key] = structuredClone(input[key]);
    }
    if ('turn_detection' in input) {
      const td = parseTurnDetection(input.turn_detection);
      if ('error' in td) return td.error;
      next.audio.input.turn_detection = td.turnDetection;
    }
  }
  const output = audio.output;
  if (output !== undefined) {
    if (!isObject(output)) return invalidType('session.audio.output', 'object');
    if (output.format !== undefined) {
      const format = parseFormat(output.format, 'session.audio.output.format');
      if ('error' in format) return format.error;
      next.audio.output.format = format.format;
    }
    if ('voice' in output) next.audio.output.voice = output.voice;
    if (typeof output.speed === 'number') next.audio.output.speed = output.speed;
  }
  return undefined;
}

function parseFormat(value: unknown, param: string): { format: AudioFormat } | { error: ApiError } {
  if (!isObject(value)) return { error: invalidType(param, 'object') };
  if (value.type === 'audio/pcmu' || value.type === 'audio/pcma')
    return { format: { type: value.type } };
  if (value.type === 'audio/pcm') {
    if (value.rate !== undefined && value.rate !== 24000) {
      return { error: invalidValue(`${param}.rate`, value.rate, ['24000']) };
    }
    return { format: { type: 'audio/pcm', rate: 24000 } };
  }
  return {
    error: invalidValue(`${param}.type`, value.type, ['audio/pcm', 'audio/pcmu', 'audio/pcma']),
  };
}

function parseTurnDetection(
  value: unknown,
): { turnDetection: TurnDetection | null } | { error: ApiError } {
  const param = 'session.audio.input.turn_detection';
  if (value === null) return { turnDetection: null };
  if (!isObject(value)) return { error: invalidType(param, 'object') };
  if (value.type !== 'server_vad' && value.type !== 'semantic_vad') {
    return { error: invalidValue(`${param}.type`, value.type, ['server_vad', 'semantic_vad']) };
  }
  const threshold = value.threshold;
  if (
    threshold !== undefined &&
    (typeof threshold !== 'number' || threshold < 0 || threshold > 1)
  ) {
    return {
      error: {
        code: 'invalid_value',
        message: `Invalid '${param}.threshold': expected a number between 0 and 1.`,
        param: `${param}.threshold`,
      },
    };
  }
  const flags = {
    create_response: value.create_response !== false,
    interrupt_response: value.interrupt_response !== false,
  };
  if (value.type === 'semantic_vad') {
    const eagerness = (value.eagerness ?? 'auto') as TurnDetection['eagerness'];
    return { turnDetection: { type: 'semantic_vad', eagerness, ...flags } };
  }
  return {
    turnDetection: {
      ...DEFAULT_SERVER_VAD,
      ...pickNumbers(value, ['threshold', 'prefix_padding_ms', 'silence_duration_ms']),
      idle_timeout_ms: typeof value.idle_timeout_ms === 'number' ? value.idle_timeout_ms : null,
      ...flags,
    },
  };
}

/** The VAD settings for a turn_detection (null when turns are manual). */
export function vadConfigFor(td: TurnDetection | null): VadConfig | null {
  if (!td) return null;
  if (td.type === 'semantic_vad') {
    return {
      threshold: 0.5,
      prefixPaddingMs: 300,
      silenceDurationMs: semanticSilenceMs(td.eagerness),
    };
  }
  return {
    threshold: td.threshold ?? 0.5,
    prefixPaddingMs: td.prefix_padding_ms ?? 300,
    silenceDurationMs: td.silence_duration_ms ?? 500,
  };
}

/** Bytes per ms of audio in a format: 8 for G.711 at 8 kHz, 48 for 16-bit PCM at 24 kHz. */
export function bytesPerMs(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? 48 : 8;
}

function pickNumbers(source: Record<string, unknown>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}

function invalidType(param: string, expected: string): ApiError {
  return invalidTypeOf(param, `an ${expected}`);
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
