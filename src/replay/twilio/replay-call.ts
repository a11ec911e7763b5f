/**
 * Replays one recorded call through a running server, playing Twilio to the field: the signed
 * voice webhook, the signed media socket with paced caller audio and emulated playback, the
 * `<Connect action>` callback, then the server's own call record. The library core of
 * `npm run replay`, also used in-process by scenario tests and the demo.
 */
import type { CallRecord } from '../../call/call-record.js';
import { fetchCallRecord } from './fetch-call-record.js';
import { loadRecording } from './load-recording.js';
import type { ClearSnapshot, MarkEcho, OutboundSegment, PlayedChunk } from './playback-emulator.js';
import { ULAW_BYTES_PER_MS } from '../../audio/g711.js';
import { ReplayError } from './replay-error.js';
import { sendSignedRequest } from './twilio-http.js';
import {
  runMediaSession,
  type ReplayProgress,
  type StreamEndReason,
} from './twilio-media-session.js';
import { randomSid, toServerUrl, joinUrl, twilioSignature } from './twilio-signing.js';
import {
  TwimlError,
  describeVerbs,
  findConnectStream,
  readTwiml,
  type StreamSpec,
  type TwimlVerb,
} from './twiml-reader.js';

/** Defaults of the replay; the CLI documents the same values. */
export const REPLAY_DEFAULTS = {
  serverUrl: 'http://127.0.0.1:8080',
  from: '+15550100001',
  to: '+15550100002',
  speed: 1,
  /** Bot silence after the recording that ends the call: long enough for a slow tool reply. */
  tailMs: 3_000,
  /** Hard cap on a replayed call, media seconds. */
  maxSeconds: 300,
} as const;

/** What to replay and where. */
export interface ReplayOptions {
  /** µ-law 8 kHz bytes, or a path to a recording file. */
  recording: Buffer | string;
  serverUrl?: string;
  /** The URL Twilio would be configured with (the server's PUBLIC_URL); default serverUrl. */
  publicUrl?: string;
  authToken: string;
  adminToken?: string;
  from?: string;
  to?: string;
  speed?: number;
  tailMs?: number;
  maxSeconds?: number;
  onProgress?: (progress: ReplayProgress) => void;
}

/** How the phone call ended after the stream. */
export interface ReplayOutcome {
  /** `server_closed`: the server ended the stream and Twilio fetched `action`. */
  by: 'server' | 'caller';
  twiml?: string;
  verbs: TwimlVerb[];
  description: string;
}

/** The ground truth of one replayed call (times are media ms since `start`). */
export interface ReplayResult {
  callSid: string;
  accountSid: string;
  streamSid: string;
  from: string;
  to: string;
  startedAt: string;
  speed: number;
  voiceTwiml: string;
  stream: StreamSpec;
  recordingMs: number;
  framesSent: number;
  /** Inbound audio as sent (recording, then silence), µ-law. */
  callerAudio: Buffer;
  /** What the caller heard, µ-law on the call's time axis, up to the end of the stream. */
  heardAudio: Buffer;
  heardBytes: number;
  durationMs: number;
  endReason: StreamEndReason;
  /** Close code and reason of the media socket (the server's, when it ended the stream). */
  streamClose: { code: number; reason: string };
  chunks: PlayedChunk[];
  segments: OutboundSegment[];
  marks: MarkEcho[];
  clears: ClearSnapshot[];
  outcome: ReplayOutcome;
  callRecord?: CallRecord;
  callRecordError?: string;
  warnings: string[];
}

/** Runs one call end to end (see module doc). Throws ReplayError on the failures the CLI maps. */
export async function replayCall(options: ReplayOptions): Promise<ReplayResult> {
  const o = withDefaults(options);
  const recording =
    typeof o.recording === 'string' ? await loadRecording(o.recording) : o.recording;
  const ids = { callSid: randomSid('CA'), accountSid: randomSid('AC'), streamSid: randomSid('MZ') };
  const callParams = {
    CallSid: ids.callSid,
    AccountSid: ids.accountSid,
    From: o.from,
    To: o.to,
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  };
  const startedAt = new Date().toISOString();
  const voice = await sendSignedRequest({
    publicUrl: joinUrl(o.publicUrl, '/twilio/voice'),
    serverUrl: o.serverUrl,
    authToken: o.authToken,
    params: { ...callParams, CallStatus: 'ringing' },
  });
  const connect = connectFrom(voice.body);
  const session = await runMediaSession({
    socketUrl: toServerUrl(connect.stream.url, o.serverUrl),
    signature: twilioSignature(o.authToken, connect.stream.url, {}),
    ...ids,
    customParameters: connect.stream.parameters,
    recording,
    speed: o.speed,
    tailMs: o.tailMs,
    maxMs: o.maxSeconds * 1000,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const outcome =
    session.endReason === 'server_closed'
      ? await followAction(connect, o, { ...callParams, CallStatus: 'in-progress' })
      : {
          by: 'caller' as const,
          verbs: [],
          description: `caller hung up (${session.endReason.replace('_', ' ')})`,
        };
  const record = o.adminToken
    ? await fetchCallRecord(o.serverUrl, ids.callSid, o.adminToken)
    : undefined;
  const { emulator } = session;
  return {
    ...ids,
    from: o.from,
    to: o.to,
    startedAt,
    speed: o.speed,
    voiceTwiml: voice.body,
    stream: connect.stream,
    recordingMs: recording.length / ULAW_BYTES_PER_MS,
    framesSent: session.framesSent,
    callerAudio: session.callerAudio,
    heardAudio: emulator.heardAudio(session.endedAtMs),
    heardBytes: emulator.heardBytes(session.endedAtMs),
    durationMs: session.endedAtMs,
    endReason: session.endReason,
    streamClose: { code: session.closeCode, reason: session.closeReason },
    chunks: emulator.chunks,
    segments: emulator.segments,
    marks: emulator.marks,
    clears: emulator.clears,
    outcome,
    ...(record?.ok ? { callRecord: record.record } : {}),
    ...(record && !record.ok ? { callRecordError: record.error } : {}),
    warnings: session.warnings,
  };
}

type ResolvedOptions = Required<Omit<ReplayOptions, 'adminToken' | 'onProgress'>> &
  Pick<ReplayOptions, 'adminToken' | 'onProgress'>;

function withDefaults(options: ReplayOptions): ResolvedOptions {
  const serverUrl = options.serverUrl ?? REPLAY_DEFAULTS.serverUrl;
  const o = {
    ...REPLAY_DEFAULTS,
    serverUrl,
    publicUrl: options.publicUrl ?? serverUrl,
    ...stripUndefined(options),
  };
  if (!o.authToken)
    throw new ReplayError(
      'bad_options',
      'no Twilio auth token (--auth-token or TWILIO_AUTH_TOKEN)',
    );
  if (!(o.speed > 0)) throw new ReplayError('bad_options', `speed must be > 0, got ${o.speed}`);
  if (!(o.tailMs >= 0) || !(o.maxSeconds > 0))
    throw new ReplayError('bad_options', 'tail-ms must be ≥ 0 and max-seconds > 0');
  return o;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function connectFrom(twiml: string): TwimlVerb & { verb: 'Connect'; stream: StreamSpec } {
  let verbs: TwimlVerb[];
  try {
    verbs = readTwiml(twiml);
  } catch (err) {
    if (err instanceof TwimlError)
      throw new ReplayError('bad_twiml', `voice webhook answered bad TwiML: ${err.message}`);
    throw err;
  }
  const reject = verbs.find((v) => v.verb === 'Reject');
  if (reject)
    throw new ReplayError(
      'call_rejected',
      `the server rejected the call: ${describeVerbs([reject])}`,
    );
  const connect = findConnectStream(verbs);
  if (!connect)
    throw new ReplayError(
      'no_stream',
      `voice TwiML has no <Connect><Stream>: ${describeVerbs(verbs)}`,
    );
  return connect;
}

async function followAction(
  connect: TwimlVerb & { verb: 'Connect' },
  o: ResolvedOptions,
  params: Record<string, string>,
): Promise<ReplayOutcome> {
  if (!connect.action)
    return {
      by: 'server',
      verbs: [],
      description: 'stream closed, no <Connect action>: Twilio hangs up',
    };
  const method = connect.method?.toUpperCase() === 'GET' ? 'GET' : 'POST';
  const publicUrl = new URL(connect.action, joinUrl(o.publicUrl, '/twilio/voice')).toString();
  const res = await sendSignedRequest({
    publicUrl,
    serverUrl: o.serverUrl,
    authToken: o.authToken,
    params,
    method,
  });
  try {
    const verbs = readTwiml(res.body);
    return { by: 'server', twiml: res.body, verbs, description: describeVerbs(verbs) };
  } catch (err) {
    return {
      by: 'server',
      twiml: res.body,
      verbs: [],
      description: `unreadable action TwiML: ${(err as Error).message}`,
    };
  }
}
