/**
 * Reads the environment: the only place in the server that does. Every problem is collected, not
 * thrown, so an operator sees all of them at once.
 */
import type { LevelWithSilent } from 'pino';
import type { ConfigProblem } from './config-problem.js';

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DEFAULT_OPENAI_REALTIME_URL = 'wss://api.openai.com/v1/realtime';

export interface EnvSettings {
  host: string;
  port: number;
  publicUrl: string;
  openaiApiKey: string | undefined;
  provider: 'openai' | 'azure';
  openaiRealtimeUrl: string;
  azureEndpoint: string | undefined;
  azureApiKey: string | undefined;
  azureDeployment: string | undefined;
  twilioAuthToken: string | undefined;
  validateSignatures: boolean;
  configDir: string;
  agentConfigPath: string | undefined;
  toolsConfigPath: string | undefined;
  logLevel: LevelWithSilent;
  redactCallerData: boolean;
  captureDir: string | null;
  adminToken: string | null;
  prewarmTimeoutMs: number;
  connectTimeoutMs: number;
  pingIntervalMs: number;
  drainTimeoutMs: number;
  maxMessageBytes: number;
  mediaStallTimeoutMs: number;
  maxConcurrentCalls: number;
  frameMs: number;
  appendBatchFrames: number;
}

/** Parses the environment into settings, or reports every problem with the variable's name. */
export function readEnv(env: Env): { settings: EnvSettings; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, message: string) =>
    problems.push({ file: 'environment', field, message });

  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problem(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problem(name, `must be true or false, got "${raw}"`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, options: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if ((options as readonly string[]).includes(raw)) return raw as T;
    problem(name, `must be one of ${options.join(', ')}, got "${raw}"`);
    return fallback;
  };
  const url = (name: string, protocols: string[], required: boolean): string | undefined => {
    const raw = str(name);
    if (raw === undefined) {
      if (required) problem(name, 'is required');
      return undefined;
    }
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problem(name, `must be a ${protocols.join(' or ')} URL, got "${u.protocol}"`);
      }
      return raw.replace(/\/+$/, '');
    } catch {
      problem(name, `is not a valid URL: "${raw}"`);
      return undefined;
    }
  };

  const provider = oneOf('REALTIME_PROVIDER', ['openai', 'azure'] as const, 'openai');
  // Signature checks stop strangers from opening sessions on our OpenAI key; turning them off
  // takes this one explicit, loudly named development switch.
  const validateSignatures = !bool('INSECURE_SKIP_TWILIO_SIGNATURE', false);
  const publicUrl = url('PUBLIC_URL', ['https:', 'http:'], true);
  if (publicUrl !== undefined && new URL(publicUrl).pathname !== '/') {
    problem('PUBLIC_URL', 'must be an origin only (https://host[:port]), without a path');
  }

  const settings: EnvSettings = {
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8080, 0, 65535),
    publicUrl: publicUrl ?? 'https://invalid.example',
    openaiApiKey: str('OPENAI_API_KEY'),
    provider,
    openaiRealtimeUrl:
      url('OPENAI_REALTIME_URL', ['wss:', 'ws:'], false) ?? DEFAULT_OPENAI_REALTIME_URL,
    azureEndpoint: url('AZURE_OPENAI_ENDPOINT', ['https:', 'wss:', 'http:', 'ws:'], false),
    azureApiKey: str('AZURE_OPENAI_API_KEY'),
    azureDeployment: str('AZURE_OPENAI_DEPLOYMENT'),
    twilioAuthToken: str('TWILIO_AUTH_TOKEN'),
    validateSignatures,
    configDir: str('CONFIG_DIR') ?? 'config',
    agentConfigPath: str('AGENT_CONFIG'),
    toolsConfigPath: str('TOOLS_CONFIG'),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    redactCallerData: bool('LOG_REDACT_CALLER_DATA', false),
    captureDir: str('CALL_CAPTURE_DIR') ?? null,
    adminToken: str('ADMIN_TOKEN') ?? null,
    // The phone rings for a few seconds between the webhook and the media stream; a stream that
    // has not come after 15 s is not coming, and the pre-warmed session would only bill.
    prewarmTimeoutMs: int('PREWARM_TIMEOUT_MS', 15_000, 1_000, 120_000),
    connectTimeoutMs: int('REALTIME_CONNECT_TIMEOUT_MS', 10_000, 500, 60_000),
    // A half-open model connection swallows the caller's audio in silence until TCP gives up
    // (minutes). A ping unanswered for a whole interval ends the call with the apology instead.
    pingIntervalMs: int('REALTIME_PING_INTERVAL_MS', 15_000, 1_000, 300_000),
    // Long enough for most calls in progress to finish after SIGTERM; orchestrators must allow it.
    drainTimeoutMs: int('DRAIN_TIMEOUT_MS', 300_000, 0, 3_600_000),
    // Twilio's largest message is a `start` with parameters (each under 500 chars); 64 KiB is
    // far above any real one and far below anything that could hurt.
    maxMessageBytes: int('MAX_MESSAGE_BYTES', 65_536, 1_024, 1_048_576),
    // Twilio sends a caller frame every 20 ms while a stream lives; gaps it leaves are short (the
    // Agents SDK pads up to 10 s of them), so 30 s without one is a dead connection, not a pause.
    mediaStallTimeoutMs: int('MEDIA_STALL_TIMEOUT_MS', 30_000, 1_000, 600_000),
    // 0 = no cap. Past the CPU it has, a process makes every call late, not only the newest
    // (README "Performance": 500 held and 600 failed on a 2-core VM); the cap turns the newest
    // away with a busy signal instead.
    maxConcurrentCalls: int('MAX_CONCURRENT_CALLS', 0, 0, 100_000),
    // 240 ms: a model delta up to 240 ms goes to Twilio as it came, in one message. The benchmark
    // measured the same barge-in accuracy from 20 to 1000 ms (a frame plays contiguously, and the
    // tracker walks the send times) and about 7-9% less CPU than at 60 ms. 1920 bytes is whole
    // base64 quanta, so longer deltas are sliced, never re-encoded. README "Barge-in".
    frameMs: int('PLAYBACK_FRAME_MS', 240, 10, 1_000),
    // 1 = every 20 ms caller frame is its own append (no added latency). 2+ halves (or more) the
    // writes to the model at the cost of up to (n-1) x 20 ms before the model hears the caller.
    appendBatchFrames: int('CALLER_AUDIO_BATCH_FRAMES', 1, 1, 5),
  };

  if (provider === 'openai' && settings.openaiApiKey === undefined) {
    problem('OPENAI_API_KEY', 'is required when REALTIME_PROVIDER is openai');
  }
  if (provider === 'azure') {
    if (settings.azureEndpoint === undefined)
      problem('AZURE_OPENAI_ENDPOINT', 'is required when REALTIME_PROVIDER is azure');
    if (settings.azureApiKey === undefined)
      problem('AZURE_OPENAI_API_KEY', 'is required when REALTIME_PROVIDER is azure');
    if (settings.azureDeployment === undefined)
      problem('AZURE_OPENAI_DEPLOYMENT', 'is required when REALTIME_PROVIDER is azure');
  }
  if (validateSignatures && settings.twilioAuthToken === undefined) {
    problem('TWILIO_AUTH_TOKEN', 'is required (it validates that requests come from Twilio)');
  }
  if (settings.frameMs % 5 !== 0) problem('PLAYBACK_FRAME_MS', 'must be a multiple of 5 ms');
  return { settings, problems };
}
