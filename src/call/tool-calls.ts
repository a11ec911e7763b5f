/**
 * Runs the model's function calls for one call without ever blocking the audio path: HTTP tools
 * in parallel, each answered with a `function_call_output`, then exactly one response for the
 * batch. Built-in call control (end_call, transfer_call) is handed back to the session.
 */
import type { Logger } from 'pino';
import type { FunctionCallRequest } from '../realtime/realtime.js';
import type { CallContext, ToolResult, ToolRunner } from '../tools/tool-runner.js';
import { END_CALL_TOOL, TRANSFER_CALL_TOOL } from '../tools/builtin-tools.js';
import { errorOutput } from '../tools/tool-output.js';

// A lookup that has not answered in 1.5 s is long enough to notice on a phone line; that is when
// the configured filler line ("let me check…") is worth saying.
const FILLER_AFTER_MS = 1_500;

export interface ToolCallHost {
  sendOutput(callId: string, output: string): void;
  /** Asks for one response (sequenced by the session's ResponseGate). */
  requestResponse(instructions?: string): void;
  /** Whether the bot is silent and no response is running (a filler would not talk over it). */
  botIsIdle(): boolean;
  /**
   * Performs end_call/transfer_call and sends its output; true when the model should answer that
   * output (a refusal), which then waits with the rest of the response's calls.
   */
  builtin(call: FunctionCallRequest): boolean;
  recordInvocation(call: FunctionCallRequest, result: ToolResult): void;
}

interface Batch {
  /** Calls of this response still running. */
  running: number;
  /** `response.done` arrived: no more calls will join this batch. */
  closed: boolean;
  /** At least one output was sent for this batch. */
  answered: boolean;
}

export class ToolCalls {
  private readonly seen = new Set<string>();
  private readonly inflight = new Map<
    string,
    { controller: AbortController; responseId: string }
  >();
  private readonly batches = new Map<string, Batch>();

  constructor(
    private readonly runner: ToolRunner,
    private readonly context: CallContext,
    private readonly host: ToolCallHost,
    private readonly logger: Logger,
  ) {}

  /** Starts a function call (each call id once, whether it came alone or in `response.done`). */
  start(call: FunctionCallRequest): void {
    if (this.seen.has(call.callId)) return;
    this.seen.add(call.callId);
    if (call.name === END_CALL_TOOL || call.name === TRANSFER_CALL_TOOL) {
      // A refusal joins its response's batch: one response.create once every call is answered,
      // never one per refusal ahead of a lookup still running.
      if (this.host.builtin(call)) {
        this.batch(call.responseId).answered = true;
        this.settle(call.responseId);
      }
      return;
    }
    const batch = this.batch(call.responseId);
    batch.running += 1;
    const controller = new AbortController();
    this.inflight.set(call.callId, { controller, responseId: call.responseId });
    const filler = this.runner.fillerFor(call.name);
    const fillerTimer =
      filler === undefined
        ? undefined
        : setTimeout(() => {
            if (this.host.botIsIdle())
              this.host.requestResponse(`Say only this, briefly: "${filler}"`);
          }, FILLER_AFTER_MS);
    void this.runner
      .run({
        name: call.name,
        arguments: call.arguments,
        call: this.context,
        signal: controller.signal,
      })
      .then((result) => {
        clearTimeout(fillerTimer);
        const stillWanted = this.inflight.delete(call.callId);
        this.host.recordInvocation(call, result);
        batch.running -= 1;
        // An aborted call was already answered (barge-in) or the call is over (hang-up).
        if (!stillWanted || result.status === 'aborted') return;
        this.host.sendOutput(call.callId, result.output);
        batch.answered = true;
        this.settle(call.responseId);
      });
  }

  /** The response that made these calls is complete: answer once every call is back. */
  onResponseDone(responseId: string): void {
    const batch = this.batches.get(responseId);
    if (!batch) return;
    batch.closed = true;
    this.settle(responseId);
  }

  /**
   * The caller interrupted `responseId`: its running calls are no longer wanted. Each still gets
   * an output so the model never waits on a call, but no response is asked for: the caller's
   * new turn will make one.
   */
  abortResponse(responseId: string): void {
    for (const [callId, entry] of this.inflight) {
      if (entry.responseId !== responseId) continue;
      entry.controller.abort();
      this.inflight.delete(callId);
      this.host.sendOutput(
        callId,
        errorOutput('aborted', 'The caller interrupted; this call was cancelled.'),
      );
    }
    this.batches.delete(responseId);
  }

  /** The call is over: abort everything, answer nothing. */
  abortAll(): void {
    for (const entry of this.inflight.values()) entry.controller.abort();
    this.inflight.clear();
    this.batches.clear();
  }

  private batch(responseId: string): Batch {
    let batch = this.batches.get(responseId);
    if (!batch) {
      batch = { running: 0, closed: false, answered: false };
      this.batches.set(responseId, batch);
    }
    return batch;
  }

  private settle(responseId: string): void {
    const batch = this.batches.get(responseId);
    if (!batch || !batch.closed || batch.running > 0) return;
    this.batches.delete(responseId);
    if (batch.answered) {
      this.logger.debug({ responseId }, 'tool outputs sent; asking for a response');
      this.host.requestResponse();
    }
  }
}
