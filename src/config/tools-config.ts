/**
 * Loads `config/tools.json`: checks it against `config/tools.schema.json` (the same schema editors
 * use), then checks what a schema cannot (templates, environment variables, argument schemas),
 * reports every problem at once and returns a deeply frozen, pre-parsed configuration.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import schema from '../../config/tools.schema.json' with { type: 'json' };
import type { ConfigProblem } from './config-problem.js';
// The template grammar lives with the tools that render it; config only needs to parse it once.
import {
  declaredArgumentPaths,
  parseBody,
  parseTemplate,
  parseUrl,
  type BodyTemplate,
  type JsonValue,
  type QueryParamTemplate,
  type Template,
  type TemplateContext,
} from '../tools/template-parser.js';
import { escapeJsonPointerToken } from '../tools/json-pointer.js';
import { errorField, errorMessage, usefulErrors } from './schema-problems.js';
import { deepFreeze } from './deep-freeze.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One HTTP request of a tool, pre-parsed; only the templates' placeholders vary per call. */
export interface HttpRequestConfig {
  readonly method: HttpMethod;
  /** `scheme://host[:port]` from the file and environment only, never from a placeholder. */
  readonly origin: string;
  /** Path segments after the origin; each renders as exactly one segment. */
  readonly path: readonly Template[];
  readonly query: readonly QueryParamTemplate[];
  /** Values hold resolved `${VAR}` secrets: never log them. */
  readonly headers: readonly { readonly name: string; readonly value: Template }[];
  readonly body?: BodyTemplate;
  readonly timeoutMs: number;
  /** All attempts and backoff together; an attempt never runs past it. At least `timeoutMs`. */
  readonly totalTimeoutMs: number;
  readonly retries: number;
  readonly maxResponseBytes: number;
  /** `{ outKey: "/json/pointer" }`: only these fields reach the model. */
  readonly select?: Readonly<Record<string, string>>;
}

/** An operator-configured tool backed by an HTTP API. */
export interface HttpToolConfig {
  readonly name: string;
  readonly description: string;
  /** JSON Schema for the arguments (checked and compiled at startup). */
  readonly parameters: { readonly [key: string]: JsonValue };
  readonly http: HttpRequestConfig;
  readonly fillerMessage?: string;
}

/** A place `transfer_call` may send the caller; the model sees only the name. */
export interface TransferDestination {
  readonly name: string;
  /** E.164. */
  readonly number: string;
  readonly description?: string;
}

/** Built-in call control (runtime is the call's job; this is its configuration). */
export interface BuiltinsConfig {
  readonly endCall: { readonly enabled: boolean; readonly description: string };
  readonly transferCall: {
    readonly enabled: boolean;
    readonly description: string;
    readonly destinations: readonly TransferDestination[];
    /** E.164 caller id for the transferred leg. */
    readonly callerId?: string;
    readonly handoffMessage?: string;
  };
}

/** The validated, deeply frozen contents of `config/tools.json`. */
export interface ToolsConfig {
  readonly tools: readonly HttpToolConfig[];
  readonly builtins: BuiltinsConfig;
}

/** Names the model uses for built-in call control; no HTTP tool may take them. */
export const BUILTIN_TOOL_NAMES = ['end_call', 'transfer_call'] as const;

/** Per attempt; a caller waits in silence (or a filler line) while it runs. */
export const DEFAULT_TIMEOUT_MS = 5000;
/**
 * All attempts and the waits between them: without a bound, a GET's three attempts of 5 s could
 * keep a caller waiting 16 s; past ~10 s on the phone, a caller hangs up or asks again.
 */
export const DEFAULT_TOTAL_TIMEOUT_MS = 10_000;
/** Enough for a business record; keeps the model's context (and cost) small. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16384;
/** Idempotent methods may be retried safely; POST/PATCH may not (a retry could act twice). */
const DEFAULT_RETRIES: Record<HttpMethod, number> = {
  GET: 2,
  PUT: 2,
  DELETE: 2,
  POST: 0,
  PATCH: 0,
};

const DEFAULT_END_CALL_DESCRIPTION =
  'Ends the phone call. Use it only when the caller is done, after you have said goodbye.';
const DEFAULT_TRANSFER_DESCRIPTION =
  'Transfers the caller to a person. Tell the caller you are transferring them before calling it.';

/** An ajv instance for the model's argument schemas (also used by the runner, same options). */
export function createArgumentsAjv(): Ajv2020 {
  // strictSchema catches typos such as "requried", and an unknown "format" name; ajv must never
  // print (logger: false).
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    logger: false,
  });
  // "format": "date", "email", "uri"… are checked, so a model's "next Tuesday" for a date is
  // answered as invalid arguments instead of reaching the business API. (`.default`: ajv-formats
  // is CommonJS, and its types describe the module object an ESM default import gets.)
  addFormats.default(ajv);
  return ajv;
}

const fileAjv = new Ajv2020({ allErrors: true, strict: true, verbose: true, logger: false });
const validateFile = fileAjv.compile(schema);

/** Parses and checks a tools file; `config` is set only when there are no problems. */
export function parseToolsConfig(
  json: unknown,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): { config?: ToolsConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const report = (field: string, message: string): void => {
    problems.push({ file, field, message });
  };
  if (!validateFile(json)) {
    for (const error of usefulErrors(validateFile.errors)) {
      report(errorField(error), errorMessage(error));
    }
  }
  const invalid = new Set(problems.map((p) => p.field));
  const isValid = (prefix: string): boolean =>
    ![...invalid].some((f) => f === prefix || f.startsWith(`${prefix}/`));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { problems };

  const root = json as { tools?: unknown[]; builtins?: RawBuiltins };
  const rawTools = Array.isArray(root.tools) ? root.tools : [];
  const tools: HttpToolConfig[] = [];
  const seen = new Map<string, number>();
  rawTools.forEach((raw, index) => {
    const name = (raw as { name?: unknown })?.name;
    const field = `/tools/${index}/name`;
    if (typeof name === 'string') {
      const first = seen.get(name);
      if (first !== undefined)
        report(field, `duplicate tool name "${name}" (also /tools/${first})`);
      else seen.set(name, index);
      if ((BUILTIN_TOOL_NAMES as readonly string[]).includes(name)) {
        report(field, `"${name}" is a built-in tool name; configure it under /builtins`);
      }
    }
    // A bad name or description must not hide the problems of the request itself.
    const at = `/tools/${index}`;
    if (invalid.has(at) || !isValid(`${at}/parameters`) || !isValid(`${at}/http`)) return;
    const tool = checkTool(raw as RawTool, `/tools/${index}`, env, report);
    if (tool) tools.push(tool);
  });
  const builtins = isValid('/builtins') ? checkBuiltins(root.builtins, report) : undefined;
  if (problems.length > 0 || !builtins) return { problems };
  return { config: deepFreeze({ tools, builtins }), problems };
}

interface RawTool {
  name: string;
  description: string;
  parameters: Record<string, JsonValue>;
  fillerMessage?: string;
  http: {
    method: HttpMethod;
    url: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    body?: JsonValue;
    timeoutMs?: number;
    totalTimeoutMs?: number;
    retries?: number;
    response?: { maxBytes?: number; select?: Record<string, string> };
  };
}

type Report = (field: string, message: string) => void;

function checkTool(
  raw: RawTool,
  at: string,
  env: Readonly<Record<string, string | undefined>>,
  report: Report,
): HttpToolConfig | undefined {
  const before = { count: 0 };
  const counted: Report = (field, message) => {
    before.count += 1;
    report(field, message);
  };
  checkParameters(raw.parameters, `${at}/parameters`, counted);
  const args = declaredArgumentPaths(raw.parameters);
  const ctx = (field: string, allowEnv: boolean): TemplateContext => ({
    args,
    env: allowEnv ? env : undefined,
    report: (message) => counted(field, message),
  });
  const { http } = raw;
  const url = parseUrl(http.url, ctx(`${at}/http/url`, true));
  const headers = Object.entries(http.headers ?? {}).map(([name, value]) => ({
    name,
    value: parseTemplate(value, ctx(`${at}/http/headers/${escapeJsonPointerToken(name)}`, true)),
  }));
  const query = Object.entries(http.query ?? {}).map(([key, value]) => ({
    key,
    value: parseTemplate(
      value,
      ctx(`${at}/http/query/${escapeJsonPointerToken(key)}`, true),
    ) as Template,
    preEncoded: false,
  }));
  if (http.body !== undefined && http.method === 'GET') {
    counted(`${at}/http/body`, 'a GET request cannot have a body');
  }
  const body = http.body === undefined ? undefined : parseBody(http.body, `${at}/http/body`, ctx);
  const timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (http.totalTimeoutMs !== undefined && http.totalTimeoutMs < timeoutMs) {
    counted(
      `${at}/http/totalTimeoutMs`,
      `must be at least timeoutMs (${timeoutMs}): the first attempt always gets its full time`,
    );
  }
  if (!url || before.count > 0) return undefined;
  return {
    name: raw.name,
    description: raw.description,
    parameters: raw.parameters,
    ...(raw.fillerMessage === undefined ? {} : { fillerMessage: raw.fillerMessage }),
    http: {
      method: http.method,
      origin: url.origin,
      path: url.path,
      query: [...url.query, ...query],
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs,
      totalTimeoutMs: http.totalTimeoutMs ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, timeoutMs),
      retries: http.retries ?? DEFAULT_RETRIES[http.method],
      maxResponseBytes: http.response?.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      ...(http.response?.select === undefined ? {} : { select: http.response.select }),
    },
  };
}

function checkParameters(parameters: Record<string, JsonValue>, at: string, report: Report): void {
  const ajv = createArgumentsAjv();
  if (!ajv.validateSchema(parameters)) {
    for (const error of usefulErrors(ajv.errors)) {
      report(`${at}${error.instancePath}`, errorMessage(error));
    }
    return;
  }
  try {
    ajv.compile(parameters);
  } catch (error) {
    report(at, `is not a usable JSON Schema: ${(error as Error).message}`);
  }
}

interface RawBuiltins {
  endCall?: { enabled: boolean; description?: string };
  transferCall?: {
    enabled: boolean;
    description?: string;
    destinations?: { name: string; number: string; description?: string }[];
    callerId?: string;
    handoffMessage?: string;
  };
}

function checkBuiltins(raw: RawBuiltins | undefined, report: Report): BuiltinsConfig | undefined {
  const transfer = raw?.transferCall;
  const destinations = transfer?.destinations ?? [];
  let ok = true;
  if (transfer?.enabled && destinations.length === 0) {
    report('/builtins/transferCall/destinations', 'transfer_call needs at least one destination');
    ok = false;
  }
  const names = new Set<string>();
  destinations.forEach((d, i) => {
    if (names.has(d.name)) {
      report(`/builtins/transferCall/destinations/${i}/name`, `duplicate destination "${d.name}"`);
      ok = false;
    }
    names.add(d.name);
  });
  if (!ok) return undefined;
  return {
    endCall: {
      enabled: raw?.endCall?.enabled ?? false,
      description: raw?.endCall?.description ?? DEFAULT_END_CALL_DESCRIPTION,
    },
    transferCall: {
      enabled: transfer?.enabled ?? false,
      description: transfer?.description ?? DEFAULT_TRANSFER_DESCRIPTION,
      destinations,
      ...(transfer?.callerId === undefined ? {} : { callerId: transfer.callerId }),
      ...(transfer?.handoffMessage === undefined
        ? {}
        : { handoffMessage: transfer.handoffMessage }),
    },
  };
}
