/** The validated, frozen configuration every part of the server is built from. */
import type { LevelWithSilent } from 'pino';
import type { ToolsConfig } from './tools-config.js';

export type TurnDetection =
  | {
      type: 'server_vad';
      threshold: number;
      prefixPaddingMs: number;
      silenceDurationMs: number;
      createResponse: boolean;
      interruptResponse: boolean;
      idleTimeoutMs: number | null;
    }
  | {
      type: 'semantic_vad';
      eagerness: 'low' | 'medium' | 'high' | 'auto';
      createResponse: boolean;
      interruptResponse: boolean;
    };

export interface AgentConfig {
  model: string;
  instructions: string;
  voice: string;
  speed: number;
  /** What the bot says first, as an instruction for the greeting response; null = wait. */
  greeting: string | null;
  turnDetection: TurnDetection;
  inputTranscription: { model: string; language?: string; prompt?: string } | null;
  noiseReduction: 'near_field' | 'far_field' | null;
  /** Spoken by Twilio when the model's session fails, before hanging up or transferring. */
  failureMessage: string;
  /** Where a failed call is transferred instead of hung up (E.164), if anywhere. */
  failureTransferTo: string | null;
  maxCallDurationS: number;
}

export interface AppConfig {
  server: {
    host: string;
    port: number;
    /** The public https origin Twilio calls, without a trailing slash. */
    publicUrl: string;
    /** `wss://…/twilio/media`, exactly as written in the TwiML and signed by Twilio. */
    mediaStreamUrl: string;
    drainTimeoutMs: number;
    maxMessageBytes: number;
    /** A media stream with no frame for this long is dead: its call ends. */
    mediaStallTimeoutMs: number;
    /** New calls past this many (ringing and active) hear busy; null = no cap. */
    maxConcurrentCalls: number | null;
  };
  twilio: {
    authToken: string | undefined;
    validateSignatures: boolean;
  };
  realtime: {
    provider: 'openai' | 'azure';
    /** Full WebSocket URL including `?model=`. */
    url: string;
    /** Authentication headers (secret: never log). */
    headers: Readonly<Record<string, string>>;
    prewarmTimeoutMs: number;
    connectTimeoutMs: number;
    /** A ping is sent this often; one unanswered by the next is a dead connection. */
    pingIntervalMs: number;
    /** Caller frames joined into one `input_audio_buffer.append` (1 = none). */
    appendBatchFrames: number;
  };
  playback: {
    /** Outbound audio is split into frames of at most this length. */
    frameMs: number;
  };
  agent: AgentConfig;
  tools: ToolsConfig;
  log: { level: LevelWithSilent; redactCallerData: boolean };
  captureDir: string | null;
  adminToken: string | null;
}
