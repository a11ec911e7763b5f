/**
 * The ToolRunner for operator-configured HTTP tools: validate the model's arguments, render the
 * request, call the business API with timeouts and retries, and turn whatever happens into a
 * result the model can act on. `run` never throws and never outlives its abort signal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Logger } from 'pino';
import { createArgumentsAjv } from '../config/tools-config.js';
import type { HttpToolConfig, ToolsConfig } from '../config/tools-config.js';
import type { ToolDefinition } from '../realtime/realtime.js';
import { attemptRequest, type AttemptOutcome } from './http-attempt.js';
import { retryDelayMs } from './retry-policy.js';
import { renderRequest } from './template.js';
import { describeArgumentErrors, outcomeResult } from './outcome-result.js';
import { errorOutput, toolResult } from './tool-output.js';
import type { ToolInvocation, ToolResult, ToolRunner } from './tool-runner.js';
import { parseToolArguments } from './tool-arguments.js';

interface PreparedTool {
  config: HttpToolConfig;
  validate: ValidateFunction;
  logger: Logger;
}

/** Options for tests and embedding. */
export interface HttpToolRunnerOptions {
  /** Defaults to the global (undici) fetch. */
  fetch?: typeof fetch;
}

/** Creates the runner; compiles every argument schema now (parseToolsConfig already checked them). */
export function createHttpToolRunner(
  config: ToolsConfig,
  logger: Logger,
  options: HttpToolRunnerOptions = {},
): ToolRunner {
  const doFetch = options.fetch ?? fetch;
  const tools = new Map<string, PreparedTool>(
    config.tools.map((tool) => [
      tool.name,
      {
        config: tool,
        validate: createArgumentsAjv().compile(tool.parameters),
        logger: logger.child({ tool: tool.name }),
      },
    ]),
  );
  const definitions: ToolDefinition[] = config.tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters as Record<string, unknown>,
  }));

  return {
    definitions: () => [...definitions],
    has: (name) => tools.has(name),
    fillerFor: (name) => tools.get(name)?.config.fillerMessage,
    run: async (invocation) => {
      const started = performance.now();
      const tool = tools.get(invocation.name);
      // Model-chosen name: bounded so a garbage name cannot flood the log.
      const log = tool?.logger ?? logger.child({ tool: invocation.name.slice(0, 64) });
      let result: ToolResult;
      try {
        result = tool
          ? await runTool(tool, invocation, doFetch, started)
          : finish(
              'unknown_tool',
              errorOutput('unknown_tool', unknownToolMessage(invocation.name, tools)),
              started,
              0,
            );
      } catch (error) {
        // Nothing above should throw; if it does, the model still gets an answer.
        log.error({ err: error }, 'tool runner failed unexpectedly');
        const output = errorOutput('network_error', 'The tool failed unexpectedly.');
        result = finish('network_error', output, started, 0);
      }
      const { status, httpStatus, durationMs, attempts, resultBytes } = result;
      log.info(
        { callSid: invocation.call.sid, status, httpStatus, durationMs, attempts, resultBytes },
        'tool call finished',
      );
      log.debug({ arguments: invocation.arguments, output: result.output }, 'tool call data');
      return result;
    },
  };
}

async function runTool(
  tool: PreparedTool,
  invocation: ToolInvocation,
  doFetch: typeof fetch,
  started: number,
): Promise<ToolResult> {
  const args = parseToolArguments(invocation.arguments);
  if (args === undefined) {
    const output = errorOutput('invalid_arguments', 'The arguments are not a JSON object.');
    return finish('invalid_arguments', output, started, 0);
  }
  if (!tool.validate(args)) {
    const message = describeArgumentErrors(tool.validate.errors ?? []);
    return finish('invalid_arguments', errorOutput('invalid_arguments', message), started, 0);
  }
  const rendered = renderRequest(tool.config.http, args, invocation.call);
  if (!rendered.ok) {
    return finish(
      'invalid_arguments',
      errorOutput('invalid_arguments', rendered.message),
      started,
      0,
    );
  }
  const { http } = tool.config;
  // The caller waits on the whole call, not on one attempt: every attempt and backoff fits in
  // totalTimeoutMs.
  const deadline = performance.now() + http.totalTimeoutMs;
  let attempts = 0;
  let outcome: AttemptOutcome = { kind: 'aborted' };
  let cutByBudget = false;
  while (!invocation.signal.aborted) {
    // Whole ms: AbortSignal.timeout refuses a fraction.
    const timeoutMs = Math.min(
      http.timeoutMs,
      Math.max(1, Math.floor(deadline - performance.now())),
    );
    outcome = await attemptRequest({
      method: http.method,
      request: rendered.request,
      timeoutMs,
      maxBytes: http.maxResponseBytes,
      signal: invocation.signal,
      fetch: doFetch,
    });
    attempts += 1;
    cutByBudget = outcome.kind === 'timeout' && timeoutMs < http.timeoutMs;
    const delayMs = retryDelayMs(outcome, attempts - 1, http.retries);
    if (delayMs === undefined || cutByBudget) break;
    if (performance.now() + delayMs >= deadline) {
      cutByBudget = outcome.kind === 'timeout';
      tool.logger.debug({ attempt: attempts, outcome: outcome.kind }, 'no time left to retry');
      break;
    }
    tool.logger.debug({ attempt: attempts, outcome: outcome.kind, delayMs }, 'retrying tool call');
    // Backoff ends early (as aborted) when the call no longer wants the result.
    const slept = await sleep(delayMs, true, { signal: invocation.signal }).catch(() => false);
    if (!slept) outcome = { kind: 'aborted' };
  }
  const { status, output, httpStatus } = outcomeResult(tool.config, outcome, attempts, cutByBudget);
  return finish(status, output, started, attempts, httpStatus);
}

function unknownToolMessage(name: string, tools: ReadonlyMap<string, unknown>): string {
  const known = [...tools.keys()].join(', ');
  return `There is no tool named "${name.slice(0, 64)}". Available tools: ${known || 'none'}.`;
}

function finish(
  status: ToolResult['status'],
  output: string,
  started: number,
  attempts: number,
  httpStatus?: number,
): ToolResult {
  const durationMs = Math.round(performance.now() - started);
  return toolResult(status, output, { durationMs, attempts, httpStatus });
}
