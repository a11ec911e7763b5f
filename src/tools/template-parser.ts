/**
 * The grammar of tool request templates, parsed once at startup: `{{args.NAME}}` (or
 * `{{args.NAME.FIELD…}}` into an object argument) and `{{call.from|to|sid}}` placeholders, and
 * `${ENV_VAR}` resolved immediately (so a secret or a host from the environment is plain text
 * afterwards and can never be read as a placeholder).
 */
import { escapeJsonPointerToken } from './json-pointer.js';

/** Any JSON value. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A value taken from the model's arguments or from the call. */
export interface TemplateRef {
  readonly kind: 'ref';
  readonly source: 'args' | 'call';
  /** As written after the source: `orderId`, `address.zip` (for messages). */
  readonly key: string;
  /** `key` split at its dots: the way into the arguments. */
  readonly path: readonly string[];
}

/** Literal text (already resolved from the file and environment) or a placeholder. */
export type TemplatePart = { readonly kind: 'text'; readonly text: string } | TemplateRef;

/** A parsed template string. */
export type Template = readonly TemplatePart[];

/** One query parameter: a fixed key, a templated value. */
export interface QueryParamTemplate {
  readonly key: string;
  /** Absent for a bare `?flag` written in the URL. */
  readonly value?: Template;
  /** True when key and text came from the URL as written (already encoded). */
  readonly preEncoded: boolean;
}

/** A JSON body template; `ref` is a string that was exactly one placeholder (keeps its type). */
export type BodyTemplate =
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'ref'; readonly ref: TemplateRef }
  | { readonly kind: 'text'; readonly template: Template }
  | { readonly kind: 'array'; readonly items: readonly BodyTemplate[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, BodyTemplate])[] };

/** What a template may refer to, and where its problems go. */
export interface TemplateContext {
  /** Argument paths declared in `parameters` (`name`, and `name.field` inside object arguments). */
  readonly args: ReadonlySet<string>;
  /** Resolves `${VAR}`; when absent, `${…}` stays literal text. */
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  report(message: string): void;
}

/** The call fields a template may use. */
export const CALL_FIELDS: readonly string[] = ['sid', 'from', 'to'];

const TOKEN = /\{\{([^{}]*)\}\}|\$\{([^{}]*)\}/g;
const REF = /^(args|call)\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Every argument path a template may name: each property of `parameters`, and, inside a property
 * that declares `properties` of its own (an object argument), each of those, to any depth.
 */
export function declaredArgumentPaths(parameters: JsonValue): Set<string> {
  const paths = new Set<string>();
  const walk = (schema: JsonValue | undefined, prefix: string): void => {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
    const properties = (schema as { readonly [key: string]: JsonValue })['properties'];
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return;
    for (const [name, sub] of Object.entries(properties)) {
      paths.add(prefix + name);
      walk(sub, `${prefix}${name}.`);
    }
  };
  walk(parameters, '');
  return paths;
}

/** Parses one template string. */
export function parseTemplate(source: string, ctx: TemplateContext): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of source.matchAll(TOKEN)) {
    pushLiteral(parts, source.slice(last, match.index), ctx);
    last = match.index + match[0].length;
    if (match[1] !== undefined) {
      const ref = parseRef(match[1], ctx);
      if (ref) parts.push(ref);
    } else if (ctx.env === undefined) {
      appendText(parts, match[0]);
    } else {
      appendText(parts, envValue(match[2] ?? '', ctx) ?? '');
    }
  }
  pushLiteral(parts, source.slice(last), ctx);
  return parts;
}

function parseRef(inner: string, ctx: TemplateContext): TemplateRef | undefined {
  const match = REF.exec(inner.trim());
  const source = match?.[1];
  const key = match?.[2];
  if (!key || (source !== 'args' && source !== 'call')) {
    ctx.report(
      `unknown placeholder {{${inner}}}: use {{args.NAME}}, {{args.NAME.FIELD}}, {{call.from}}, {{call.to}} or {{call.sid}}`,
    );
    return undefined;
  }
  if (source === 'call' && !CALL_FIELDS.includes(key)) {
    ctx.report(`unknown placeholder {{call.${key}}}: the call has from, to and sid`);
    return undefined;
  }
  if (source === 'args' && !ctx.args.has(key)) {
    ctx.report(`{{args.${key}}} is not declared in parameters.properties`);
    return undefined;
  }
  return { kind: 'ref', source, key, path: key.split('.') };
}

function envValue(name: string, ctx: TemplateContext): string | undefined {
  if (!ENV_NAME.test(name)) {
    ctx.report(`\${${name}} is not a valid environment variable name`);
    return undefined;
  }
  const value = ctx.env?.[name];
  // Never print the value: it is usually a secret.
  if (value === undefined || value === '') ctx.report(`environment variable ${name} is not set`);
  return value;
}

function pushLiteral(parts: TemplatePart[], text: string, ctx: TemplateContext): void {
  if (text.includes('{{') || text.includes('}}')) ctx.report(`has an unbalanced "{{" or "}}"`);
  appendText(parts, text);
}

function appendText(parts: TemplatePart[], text: string): void {
  if (text === '') return;
  const last = parts.at(-1);
  if (last?.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: last.text + text };
  else parts.push({ kind: 'text', text });
}

/** A URL template split where each placeholder lands: the origin never holds one. */
export interface UrlTemplate {
  readonly origin: string;
  readonly path: readonly Template[];
  readonly query: readonly QueryParamTemplate[];
}

const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** Parses a URL template; placeholders may appear only in path segments and query values. */
export function parseUrl(source: string, ctx: TemplateContext): UrlTemplate | undefined {
  let broken = false;
  const parts = parseTemplate(source, {
    ...ctx,
    report: (message) => {
      broken = true;
      ctx.report(message);
    },
  });
  // A missing variable (often the host) would only add misleading structure problems.
  if (broken) return undefined;
  const first = parts[0];
  const leading = first?.kind === 'text' ? first.text : '';
  const hasRefs = parts.some((p) => p.kind === 'ref');
  const match = ORIGIN.exec(leading);
  if (hasRefs && (!match || match[0].length === leading.length)) {
    ctx.report('placeholders may not appear in the scheme, host or port');
    return undefined;
  }
  const origin = match ? checkOrigin(match[0], ctx) : undefined;
  if (!match) ctx.report('must be an http:// or https:// URL');
  if (!match || origin === undefined) return undefined;
  const rest: (string | TemplateRef)[] = [];
  parts.forEach((part, i) => {
    if (part.kind === 'ref') rest.push(part);
    else rest.push(...(i === 0 ? part.text.slice(match[0].length) : part.text));
  });
  return { origin, ...splitPathAndQuery(rest, ctx) };
}

function checkOrigin(text: string, ctx: TemplateContext): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text may come from the environment: say what is wrong without printing it.
    ctx.report('the scheme, host or port is not a valid URL');
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.report('must be an http:// or https:// URL');
  } else if (url.username !== '' || url.password !== '') {
    ctx.report('credentials in the URL are not supported: use headers with ${ENV_VAR}');
  } else {
    return url.origin;
  }
  return undefined;
}

function splitPathAndQuery(
  rest: readonly (string | TemplateRef)[],
  ctx: TemplateContext,
): { path: Template[]; query: QueryParamTemplate[] } {
  const path: TemplatePart[][] = [];
  const query: QueryParamTemplate[] = [];
  let state: 'path' | 'query' | 'fragment' = 'path';
  let key = '';
  let value: TemplatePart[] | undefined;
  const flush = (): void => {
    if (key !== '') query.push({ key, ...(value ? { value } : {}), preEncoded: true });
    key = '';
    value = undefined;
  };
  for (const token of rest) {
    if (state === 'fragment') {
      if (typeof token !== 'string') ctx.report('placeholders may not appear in the #fragment');
    } else if (token === '#') {
      if (state === 'query') flush();
      state = 'fragment';
    } else if (state === 'path') {
      if (token === '?') state = 'query';
      else if (token === '/') path.push([]);
      else if (typeof token === 'string') appendText(path.at(-1) ?? [], token);
      else path.at(-1)?.push(token);
    } else if (token === '&') {
      flush();
    } else if (token === '=' && value === undefined) {
      value = [];
    } else if (value !== undefined) {
      if (typeof token === 'string') appendText(value, token);
      else value.push(token);
    } else if (typeof token === 'string') {
      key += token;
    } else {
      ctx.report('placeholders may appear in query values, not in query keys');
    }
  }
  flush();
  return { path, query };
}

/** Parses a JSON body template (`${…}` is not resolved in bodies). */
export function parseBody(
  value: JsonValue,
  field: string,
  ctxFor: (field: string, allowEnv: boolean) => TemplateContext,
): BodyTemplate {
  if (typeof value === 'string') {
    const parts = parseTemplate(value, ctxFor(field, false));
    const [only] = parts;
    if (parts.length === 1 && only?.kind === 'ref') return { kind: 'ref', ref: only };
    if (parts.some((p) => p.kind === 'ref')) return { kind: 'text', template: parts };
    return { kind: 'literal', value };
  }
  if (Array.isArray(value)) {
    const items = value.map((item: JsonValue, i) => parseBody(item, `${field}/${i}`, ctxFor));
    return items.every((t) => t.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'array', items };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([k, v]) => [k, parseBody(v, `${field}/${escapeJsonPointerToken(k)}`, ctxFor)] as const,
    );
    return entries.every(([, t]) => t.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}
