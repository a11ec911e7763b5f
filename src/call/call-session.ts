/**
 * One phone call: bridges the carrier's media stream and the model's realtime session, tracks
 * what the caller heard, handles barge-in, tools and the end of the call. It sees only the
 * MediaStream, RealtimeSession, CallControl and ToolRunner interfaces, never a socket.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/app-config.js';
import type { FunctionCallRequest, RealtimeEvent, RealtimeSession } from '../realtime/realtime.js';
import type {
  CallControl,
  CallOutcome,
  MediaStream,
  StreamStart,
  TelephonyEvent,
} from '../telephony/telephony.js';
import type { ToolResult, ToolRunner } from '../tools/tool-runner.js';
import type { CallMetrics } from '../observability/metrics.js';
import type { CallRecord, CallRecordEvent, ToolCallStatus } from './call-record.js';
import { ULAW_BYTES_PER_MS } from '../audio/g711.js';
import { PlaybackTracker, type PlayedItem } from './playback-tracker.js';
import { ResponseGate } from './response-gate.js';
import { ToolCalls } from './tool-calls.js';
import { END_CALL_TOOL } from '../tools/builtin-tools.js';
import { parseToolArguments } from '../tools/tool-arguments.js';
import { heardTranscriptEstimate } from './heard-transcript.js';

type CallState = 'active' | 'ending' | 'ended';

/** The built-in call-control tools as configured (the model never sees numbers). */
export interface CallControlTools {
  endCallEnabled: boolean;
  /** Resolves a configured destination name; undefined = not allowed. */
  transfer(
    destination: string,
  ): { to: string; callerId?: string; handoffMessage?: string } | undefined;
}

export interface CallSessionDeps {
  start: StreamStart;
  stream: MediaStream;
  realtime: RealtimeSession;
  control: CallControl;
  tools: ToolRunner;
  callControlTools: CallControlTools;
  agent: AgentConfig;
  /** Outbound audio frame (and mark spacing), bytes of µ-law. */
  frameBytes: number;
  logger: Logger;
  metrics: CallMetrics;
  now: () => number;
  onEnded: (session: CallSession) => void;
}

// After end_call or transfer_call the goodbye plays out; if Twilio never echoes its last mark
// (a dropped socket), 15 s is longer than any goodbye and short enough not to bill for silence.
const ENDING_GRACE_MS = 15_000;

export class CallSession {
  readonly callSid: string;
  private state: CallState = 'active';
  private readonly startedAt: number;
  private readonly record: CallRecord;
  private readonly playback: PlaybackTracker;
  private readonly gate: ResponseGate;
  private readonly toolCalls: ToolCalls;
  private readonly log: Logger;
  private readonly transcripts = new Map<string, string>();
  private readonly doneResponses = new Set<string>();
  /** Responses the caller interrupted: their late audio is dropped. */
  private readonly interrupted = new Set<string>();
  private greeted = false;
  /** performance.now() when the greeting was requested; cleared by the call's first bot audio. */
  private greetingRequestedAtMs: number | undefined;
  private pendingOutcome: CallOutcome | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: CallSessionDeps) {
    const { start, realtime, logger } = deps;
    this.callSid = start.callSid;
    this.log = logger;
    this.startedAt = deps.now();
    this.record = {
      callSid: start.callSid,
      streamSid: start.streamSid,
      startedAt: new Date().toISOString(),
      events: [],
    };
    this.playback = new PlaybackTracker(deps.stream, deps.frameBytes, deps.now, (item) =>
      this.onItemHeard(item),
    );
    this.gate = new ResponseGate((instructions) => realtime.createResponse(instructions));
    this.toolCalls = new ToolCalls(
      deps.tools,
      {
        sid: start.callSid,
        from: start.customParameters.from ?? '',
        to: start.customParameters.to ?? '',
      },
      {
        sendOutput: (callId, output) => this.deps.realtime.sendFunctionOutput(callId, output),
        // Once the call is ending, the bot's last words are already out: nothing more to say.
        requestResponse: (instructions) => {
          if (this.state === 'active') this.gate.request(instructions);
        },
        botIsIdle: () => !this.gate.isActive && !this.playback.hasUnheardAudio,
        builtin: (call) => this.onBuiltinTool(call),
        recordInvocation: (call, result) => this.recordTool(call, result),
      },
      logger,
    );
    this.note({ type: 'stream_started' });
    this.timers.push(
      setTimeout(
        () => this.finish({ kind: 'hangup', reason: 'maximum call duration reached' }),
        deps.agent.maxCallDurationS * 1000,
      ),
    );
    realtime.setListener((event) => this.onRealtime(event));
    if (realtime.ready) this.greet();
  }

  /** Handles one parsed message from the carrier. */
  onTelephony(event: TelephonyEvent): void {
    if (this.state === 'ended') return;
    switch (event.type) {
      case 'media':
        this.deps.realtime.appendAudio(event.payload);
        this.deps.metrics.framesIn(1);
        return;
      case 'mark':
        if (this.playback.onMarkEcho(event.name)) this.maybeFinishEnding();
        return;
      case 'dtmf':
        this.note({ type: 'dtmf', digit: event.digit });
        this.log.info('caller pressed a key');
        return;
      case 'stop':
        this.end('the carrier stopped the stream (caller hung up)');
        return;
      case 'start':
        this.log.warn('a second start on the same stream; ignored');
        return;
    }
  }

  /** The carrier's socket closed (hang-up, network loss, or our own close). */
  onStreamClosed(): void {
    this.end('media stream closed');
  }

  /**
   * Ends the call now and closes its stream (a newer stream replaced it; shutdown; a dead
   * stream). `endedBy` labels it in the metrics, where "caller_hung_up" would be untrue.
   */
  terminate(reason: string, endedBy = 'terminated'): void {
    this.end(reason, endedBy);
    this.deps.stream.close();
  }

  /** The call record so far (final once the call has ended). */
  callRecord(): CallRecord {
    return this.record;
  }

  private onRealtime(event: RealtimeEvent): void {
    if (this.state === 'ended') return;
    switch (event.type) {
      case 'audio':
        if (this.interrupted.has(event.responseId)) return;
        if (!this.transcripts.has(event.itemId)) {
          this.transcripts.set(event.itemId, '');
          this.note({
            type: 'bot_audio_started',
            responseId: event.responseId,
            itemId: event.itemId,
          });
        }
        this.deps.metrics.framesOut(
          this.playback.sendAudio(event.responseId, event.itemId, event.contentIndex, event.audio),
        );
        if (this.greetingRequestedAtMs !== undefined) {
          this.deps.metrics.greetingAudioSent(
            this.deps.start.receivedAtMs,
            this.greetingRequestedAtMs,
            event.receivedAtMs,
          );
          this.greetingRequestedAtMs = undefined;
        }
        return;
      case 'speech_started':
        // Noted first: the call record reads speech, then the barge-in it caused.
        this.note({ type: 'caller_speech_started', audioStartMs: event.audioStartMs });
        if (this.playback.hasUnheardAudio) this.bargeIn(event.receivedAtMs);
        return;
      case 'speech_stopped':
        this.note({ type: 'caller_speech_stopped', audioEndMs: event.audioEndMs });
        return;
      case 'ready':
        this.greet();
        return;
      case 'response_created':
        this.gate.onCreated(event.responseId);
        return;
      case 'response_done':
        this.playback.markLastFrame();
        for (const call of event.functionCalls) this.toolCalls.start(call);
        this.doneResponses.add(event.responseId);
        this.gate.onDone(event.responseId);
        this.toolCalls.onResponseDone(event.responseId);
        for (const item of this.playback.playedItems()) {
          if (item.responseId === event.responseId && item.heardBytes === item.sentBytes) {
            this.finishItem(item, false);
          }
        }
        this.maybeFinishEnding();
        return;
      case 'function_call':
        this.toolCalls.start(event.call);
        return;
      case 'transcript_delta':
        if (!this.interrupted.has(event.responseId)) {
          this.transcripts.set(
            event.itemId,
            (this.transcripts.get(event.itemId) ?? '') + event.delta,
          );
        }
        return;
      case 'user_transcript':
        this.note({ type: 'caller_transcript', itemId: event.itemId, text: event.transcript });
        this.log.debug({ transcript: event.transcript }, 'caller said');
        return;
      case 'error':
        this.onRealtimeError(event);
        return;
      case 'closed':
        this.log.error(
          { code: event.code, reason: event.reason },
          'realtime session closed mid-call',
        );
        this.failCall(`realtime session closed (${event.code}: ${event.reason})`);
        return;
    }
  }

  /**
   * The caller spoke while bot audio was still unheard. Order matters: `clear` first (it is what
   * the caller notices), then cancel, then truncate each item at what was heard.
   */
  private bargeIn(speechReceivedAtMs: number | undefined): void {
    this.deps.stream.clear();
    if (speechReceivedAtMs !== undefined) this.deps.metrics.clearSent(speechReceivedAtMs);
    const positions = this.playback.interrupt();
    const active = this.gate.activeResponseId;
    // With interrupt_response the service cancels the response itself at speech_started; a
    // second cancel would only earn a response_cancel_not_active error.
    const cancel = active !== undefined && !this.deps.agent.turnDetection.interruptResponse;
    if (cancel) this.deps.realtime.cancelResponse();
    const truncated: { itemId: string; audioEndMs: number }[] = [];
    const deleted: string[] = [];
    for (const { item, heardBytes } of positions) {
      if (heardBytes === 0) {
        // Truncating at 0 is refused for items without audio, and an unheard item has no place
        // in the model's memory: delete it.
        this.deps.realtime.deleteItem(item.itemId);
        deleted.push(item.itemId);
      } else {
        const audioEndMs = Math.floor(heardBytes / ULAW_BYTES_PER_MS);
        this.deps.realtime.truncateItem(item.itemId, item.contentIndex, audioEndMs);
        truncated.push({ itemId: item.itemId, audioEndMs });
      }
      this.interrupted.add(item.responseId);
      this.toolCalls.abortResponse(item.responseId);
      this.finishItem(item, true);
    }
    if (active !== undefined) {
      this.interrupted.add(active);
      this.toolCalls.abortResponse(active);
    }
    this.note({ type: 'barge_in', truncated, deleted, responseCancelled: cancel });
    this.deps.metrics.bargeIn(truncated.length, deleted.length);
    this.log.info({ truncated, deleted, cancelled: cancel }, 'caller barged in');
  }

  private greet(): void {
    if (this.greeted || this.state !== 'active') return;
    this.greeted = true;
    if (this.deps.agent.greeting === null) return;
    // The gate writes response.create now: at the start no response is active.
    this.gate.request(this.deps.agent.greeting);
    this.greetingRequestedAtMs = performance.now();
  }

  private onRealtimeError(event: Extract<RealtimeEvent, { type: 'error' }>): void {
    this.note({ type: 'error', code: event.code, message: event.message });
    this.deps.metrics.realtimeError(event.code);
    if (event.fatal) {
      this.log.error({ code: event.code, message: event.message }, 'realtime session failed');
      this.failCall(`realtime error ${event.code ?? ''}: ${event.message}`);
      return;
    }
    if (event.code === 'conversation_already_has_active_response') this.gate.onCreateRefused();
    // Cancel and truncate races (the response ended, the audio was shorter) are harmless.
    this.log.warn(
      { code: event.code, failedEvent: event.failedEventType, message: event.message },
      'realtime refused a request',
    );
  }

  /** Performs end_call/transfer_call; true when the model should answer its output (refused). */
  private onBuiltinTool(call: FunctionCallRequest): boolean {
    const { realtime, callControlTools } = this.deps;
    // Call control works without readable arguments: "null" or a list reads as none.
    const args = parseToolArguments(call.arguments) ?? {};
    const reason = typeof args.reason === 'string' ? args.reason.slice(0, 200) : 'not given';
    const started = this.deps.now();
    const answer = (status: 'ended_call' | 'transferred' | 'refused', output: string) => {
      realtime.sendFunctionOutput(call.callId, output);
      this.recordTool(call, {
        status,
        output,
        durationMs: this.deps.now() - started,
        attempts: 1,
        resultBytes: Buffer.byteLength(output),
      });
    };
    if (call.name === END_CALL_TOOL) {
      if (!callControlTools.endCallEnabled) {
        answer('refused', '{"ok":false,"error":"end_call is not enabled"}');
        return true;
      }
      answer('ended_call', '{"ok":true,"message":"The call will end after your goodbye."}');
      this.log.info({ reason }, 'the bot is ending the call');
      this.beginEnding({ kind: 'hangup', reason: `end_call: ${reason}` });
      return false;
    }
    const destination = typeof args.destination === 'string' ? args.destination : '';
    const target = callControlTools.transfer(destination);
    if (!target) {
      answer(
        'refused',
        JSON.stringify({
          ok: false,
          error: `transfer to "${destination.slice(0, 40)}" is not allowed`,
        }),
      );
      this.log.warn(
        { toolData: { destination: destination.slice(0, 40) } },
        'transfer refused: not a configured destination',
      );
      return true;
    }
    answer(
      'transferred',
      '{"ok":true,"message":"The caller will be transferred after you finish speaking."}',
    );
    this.log.info({ destination, reason }, 'the bot is transferring the call');
    this.beginEnding({ kind: 'transfer', reason: `transfer_call: ${reason}`, ...target });
    return false;
  }

  /** Lets the bot's last words play out, then finishes with `outcome`. */
  private beginEnding(outcome: CallOutcome): void {
    if (this.state !== 'active') return;
    this.setState('ending');
    this.pendingOutcome = outcome;
    this.timers.push(setTimeout(() => this.finish(outcome), ENDING_GRACE_MS));
    this.maybeFinishEnding();
  }

  private maybeFinishEnding(): void {
    if (this.state !== 'ending' || !this.pendingOutcome) return;
    if (this.gate.isActive || this.playback.hasUnheardAudio) return;
    this.finish(this.pendingOutcome);
  }

  /** The model is gone: the caller hears an apology (or a transfer), never dead air. */
  private failCall(reason: string): void {
    const { failureMessage, failureTransferTo } = this.deps.agent;
    this.finish(
      failureTransferTo
        ? { kind: 'transfer', reason, to: failureTransferTo, handoffMessage: failureMessage }
        : { kind: 'apologize_and_hangup', reason, message: failureMessage },
    );
  }

  /** Hands the call back to the carrier with an outcome, then ends the session. */
  private finish(outcome: CallOutcome): void {
    if (this.state === 'ended') return;
    this.record.outcome = outcome;
    void this.deps.control.finish(this.callSid, outcome).catch((err: unknown) => {
      this.log.error({ err }, 'call control failed');
    });
    this.end(outcome.reason);
    this.deps.stream.close();
  }

  /** `endedBy`: the metrics label when no outcome was decided (the stream just closed). */
  private end(reason: string, endedBy = 'caller_hung_up'): void {
    if (this.state === 'ended') return;
    this.setState('ended');
    for (const t of this.timers) clearTimeout(t);
    this.toolCalls.abortAll();
    this.deps.realtime.close();
    for (const item of this.playback.playedItems())
      this.finishItem(item, item.heardBytes < item.sentBytes);
    this.note({ type: 'stream_ended', reason });
    this.record.endedAt = new Date().toISOString();
    this.deps.metrics.callEnded(this.record.outcome?.kind ?? endedBy);
    this.log.info(
      {
        reason,
        outcome: this.record.outcome?.kind,
        durationMs: Math.round(this.deps.now() - this.startedAt),
      },
      'call ended',
    );
    this.deps.onEnded(this);
  }

  private setState(next: CallState): void {
    this.log.debug({ from: this.state, to: next }, 'call state');
    this.state = next;
  }

  private onItemHeard(item: PlayedItem): void {
    if (this.doneResponses.has(item.responseId)) this.finishItem(item, false);
  }

  private finishItem(item: PlayedItem, interrupted: boolean): void {
    const transcript = this.transcripts.get(item.itemId) ?? '';
    this.playback.forget(item.itemId);
    this.note({
      type: 'bot_item_finished',
      itemId: item.itemId,
      sentMs: Math.floor(item.sentBytes / ULAW_BYTES_PER_MS),
      heardMs: Math.floor(item.heardBytes / ULAW_BYTES_PER_MS),
      interrupted,
      transcript,
      heardTranscriptEstimate: heardTranscriptEstimate(transcript, item.heardBytes, item.sentBytes),
    });
  }

  private recordTool(
    call: FunctionCallRequest,
    result: Omit<ToolResult, 'status'> & { status: ToolCallStatus },
  ): void {
    this.deps.metrics.toolCall(result.status);
    this.note({
      type: 'tool_call',
      name: call.name,
      callId: call.callId,
      arguments: call.arguments,
      status: result.status,
      ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
      durationMs: result.durationMs,
      resultBytes: result.resultBytes,
      output: result.output,
    });
  }

  private note(event: DistributiveOmit<CallRecordEvent, 't'>): void {
    this.record.events.push({
      t: Math.round(this.deps.now() - this.startedAt),
      ...event,
    } as CallRecordEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
