/**
 * One Twilio media-stream socket: parses every frame at the edge, skips what is malformed or out
 * of order (with a log line), and feeds the rest to the call's session.
 */
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import type { CallRegistry } from '../call/call-registry.js';
import { CallSession, type CallControlTools } from '../call/call-session.js';
import type { RealtimeConnector, ToolDefinition } from '../realtime/realtime.js';
import type { CallControl, TelephonyEvent } from '../telephony/telephony.js';
import { parseTwilioMessage } from '../telephony/twilio/twilio-messages.js';
import { TwilioMediaStream } from '../telephony/twilio/twilio-media-stream.js';
import type { ToolRunner } from '../tools/tool-runner.js';
import { createCallCapture, type CallCapture } from '../observability/call-capture.js';
import type { CallMetrics } from '../observability/metrics.js';
import { ULAW_BYTES_PER_MS } from '../audio/g711.js';
import { StallWatchdog } from './stall-watchdog.js';

export interface MediaStreamDeps {
  config: AppConfig;
  registry: CallRegistry;
  connector: RealtimeConnector;
  control: CallControl;
  tools: ToolRunner;
  toolDefinitions: ToolDefinition[];
  callControlTools: CallControlTools;
  logger: Logger;
  metrics: CallMetrics;
  now: () => number;
}

// A flood of bad frames must not flood the log: the first few are logged one by one, then only
// counted, and the count is logged when the stream ends.
const LOGGED_BAD_FRAMES = 10;

export class MediaStreamHandler {
  private session: CallSession | undefined;
  private capture: CallCapture | undefined;
  private log: Logger;
  private lastSequence = 0;
  private badFrames = 0;
  private readonly watchdog: StallWatchdog;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: MediaStreamDeps,
  ) {
    this.log = deps.logger;
    this.watchdog = new StallWatchdog(deps.config.server.mediaStallTimeoutMs, () => this.onStall());
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', (err) => this.log.warn({ err: err.message }, 'media socket error'));
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.watchdog.seen();
    // Read time of the frames before the call starts (connected, start): the greeting metric
    // starts at the start's arrival. Skipped after, where a clock read per frame buys nothing.
    const receivedAtMs = this.session ? 0 : performance.now();
    if (isBinary) return this.skip('binary frame (Twilio sends text only)');
    if (data.length > this.deps.config.server.maxMessageBytes) {
      return this.skip(`oversized frame (${data.length} bytes)`);
    }
    const text = data.toString('utf8');
    this.capture?.inbound(text);
    const parsed = parseTwilioMessage(text, data);
    if (!parsed.ok) return this.skip(parsed.reason);
    if (parsed.sequenceNumber !== undefined) {
      if (parsed.sequenceNumber <= this.lastSequence) {
        return this.skip(
          `out-of-order sequenceNumber ${parsed.sequenceNumber} after ${this.lastSequence}`,
        );
      }
      this.lastSequence = parsed.sequenceNumber;
    }
    const event = parsed.event;
    if (event.type === 'connected') return;
    if (event.type === 'start') {
      if (this.session) return this.skip('a second start on the same socket');
      this.begin({ ...event, receivedAtMs }, text);
      return;
    }
    if (!this.session) return this.skip(`${event.type} before start`);
    this.session.onTelephony(event);
  }

  private begin(start: Extract<TelephonyEvent, { type: 'start' }>, rawStart: string): void {
    const { config, registry, connector, logger } = this.deps;
    this.log = logger.child({ callSid: start.callSid, streamSid: start.streamSid });
    if (config.captureDir) {
      this.capture = createCallCapture({
        dir: config.captureDir,
        callSid: start.callSid,
        logger: this.log,
      });
      this.capture.inbound(rawStart);
    }
    const prewarmed = registry.takePrewarmed(start.callSid);
    const realtime =
      prewarmed ?? connector.open({ callSid: start.callSid, tools: this.deps.toolDefinitions });
    this.log.info({ prewarmed: prewarmed !== undefined }, 'media stream started');
    this.deps.metrics.callStarted(prewarmed !== undefined);
    const capture = this.capture;
    const stream = new TwilioMediaStream(
      this.ws,
      start.streamSid,
      () => this.ws.close(1000, 'call handed back to TwiML'),
      capture ? (text) => capture.outbound(text) : undefined,
    );
    this.session = new CallSession({
      start,
      stream,
      realtime,
      control: this.deps.control,
      tools: this.deps.tools,
      callControlTools: this.deps.callControlTools,
      agent: config.agent,
      frameBytes: config.playback.frameMs * ULAW_BYTES_PER_MS,
      logger: this.log,
      metrics: this.deps.metrics,
      now: this.deps.now,
      onEnded: (session) => {
        registry.ended(session);
        void this.capture?.close().then(
          (files) => this.log.info({ files }, 'call captured'),
          (err: unknown) => this.log.error({ err }, 'call capture failed'),
        );
      },
    });
    registry.add(this.session);
  }

  /** No frame for a whole watchdog period: the connection is dead, so is the call on it. */
  private onStall(): void {
    const timeoutMs = this.deps.config.server.mediaStallTimeoutMs;
    this.log.warn(
      { timeoutMs },
      'media stream stalled: no frame from the carrier; ending the call',
    );
    this.deps.metrics.mediaStall();
    this.session?.terminate(`media stream stalled (no frame for ${timeoutMs} ms)`, 'media_stalled');
    // A dead peer never answers a close handshake: drop the socket now.
    this.ws.terminate();
  }

  private onClose(code: number): void {
    this.watchdog.stop();
    if (this.badFrames > LOGGED_BAD_FRAMES) {
      this.log.warn({ skipped: this.badFrames }, 'bad frames skipped on this stream');
    }
    this.log.debug({ code }, 'media socket closed');
    this.session?.onStreamClosed();
  }

  private skip(reason: string): void {
    this.badFrames += 1;
    this.deps.metrics.badFrame();
    if (this.badFrames <= LOGGED_BAD_FRAMES) this.log.warn({ reason }, 'media frame skipped');
  }
}
