/**
 * Renders a tool's pre-parsed request for one invocation. Every value is encoded for the place it
 * lands, so no argument can change the host, the path structure or the query keys.
 */
import type { HttpRequestConfig } from '../config/tools-config.js';
import type { CallContext } from './tool-runner.js';
import type { BodyTemplate, JsonValue, Template, TemplateRef } from './template-parser.js';

/** RFC 9110 §4.1 asks every party to support URIs of at least 8000 octets; longer ones fail. */
const MAX_URL_CHARS = 8000;

/** A request ready for `fetch`. */
export interface RenderedRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Either the request, or why these arguments cannot make one (said to the model). */
export type RenderResult = { ok: true; request: RenderedRequest } | { ok: false; message: string };

class RenderError extends Error {}

/** Renders the URL, headers and body of `http` for these (already validated) arguments. */
export function renderRequest(
  http: HttpRequestConfig,
  args: Readonly<Record<string, unknown>>,
  call: CallContext,
): RenderResult {
  const lookup = (ref: TemplateRef): unknown =>
    ref.source === 'call' ? call[ref.key as keyof CallContext] : argumentAt(args, ref.path);
  try {
    const url = renderUrl(http, lookup);
    const headers = renderHeaders(http, lookup);
    if (http.body === undefined) return { ok: true, request: { url, headers } };
    const body = JSON.stringify(renderBody(http.body, lookup) ?? null);
    return { ok: true, request: { url, headers, body } };
  } catch (error) {
    if (error instanceof RenderError) return { ok: false, message: error.message };
    throw error;
  }
}

type Lookup = (ref: TemplateRef) => unknown;

/** The argument at `path` (own properties only, through objects); undefined when absent. */
function argumentAt(args: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = args;
  for (const name of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** Text for a path, query or header: absent for undefined/null, JSON for objects and arrays. */
function toText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// WHATWG URL treats `%2e` like `.`: such a segment would move the path up a level.
const DOT_SEGMENT = /^(\.|%2e){1,2}$/i;

function renderUrl(http: HttpRequestConfig, lookup: Lookup): string {
  const path = '/' + http.path.map((segment) => renderSegment(segment, lookup)).join('/');
  const query: string[] = [];
  for (const param of http.query) {
    const key = param.preEncoded ? param.key : encodeURIComponent(param.key);
    if (param.value === undefined) {
      query.push(key);
      continue;
    }
    const value = renderText(param.value, lookup, (text) =>
      param.preEncoded ? text : encodeURIComponent(text),
    );
    // An absent optional argument leaves its parameter out.
    if (value !== undefined) query.push(`${key}=${value}`);
  }
  const url = http.origin + path + (query.length > 0 ? `?${query.join('&')}` : '');
  if (url.length > MAX_URL_CHARS) {
    throw new RenderError(`The arguments make the URL longer than ${MAX_URL_CHARS} characters.`);
  }
  // Belt and braces: what fetch will parse must still be our origin and our path.
  const parsed = new URL(url);
  if (parsed.origin !== http.origin || parsed.pathname !== path) {
    throw new RenderError('The arguments would change the address of the request.');
  }
  return url;
}

function renderSegment(segment: Template, lookup: Lookup): string {
  const refs = segment.filter((part) => part.kind === 'ref');
  let text = '';
  for (const part of segment) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const value = toText(lookup(part));
    if (value === undefined) throw new RenderError(`The argument "${part.key}" is required.`);
    if (value === '') throw new RenderError(`The argument "${part.key}" must not be empty.`);
    text += encodeURIComponent(value);
  }
  if (refs.length > 0 && DOT_SEGMENT.test(text)) {
    const names = refs.map((ref) => `"${ref.key}"`).join(', ');
    throw new RenderError(`The argument ${names} cannot be "." or "..".`);
  }
  return text;
}

/** Joins a template; undefined when a placeholder has no value. */
function renderText(
  template: Template,
  lookup: Lookup,
  encode: (text: string) => string,
): string | undefined {
  let text = '';
  for (const part of template) {
    const value = part.kind === 'text' ? part.text : toText(lookup(part));
    if (value === undefined) return undefined;
    text += part.kind === 'text' ? encode(value) : encodeURIComponent(value);
  }
  return text;
}

// fetch refuses header values outside Latin-1; CR/LF/NUL would split or end the header.
const HEADER_BREAK = /[\r\n\0]/;
const NOT_LATIN1 = /[^\t\x20-\x7e\x80-\xff]/;

function renderHeaders(http: HttpRequestConfig, lookup: Lookup): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (http.body !== undefined) headers['content-type'] = 'application/json';
  for (const { name, value: template } of http.headers) {
    let value = '';
    let absent = false;
    for (const part of template) {
      const text = part.kind === 'text' ? part.text : toText(lookup(part));
      if (text === undefined) absent = true;
      value += text ?? '';
    }
    if (absent) continue;
    // Never quote the value: it may hold a secret.
    if (HEADER_BREAK.test(value)) {
      throw new RenderError(`The header ${name} cannot contain line breaks.`);
    }
    if (NOT_LATIN1.test(value)) {
      throw new RenderError(`The header ${name} can only hold Latin-1 characters.`);
    }
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

function renderBody(template: BodyTemplate, lookup: Lookup): unknown {
  switch (template.kind) {
    case 'literal':
      return template.value satisfies JsonValue;
    case 'ref':
      return lookup(template.ref);
    case 'text':
      return template.template
        .map((p) => (p.kind === 'text' ? p.text : (toText(lookup(p)) ?? '')))
        .join('');
    case 'array':
      // JSON arrays have no holes: an absent value becomes null.
      return template.items.map((item) => renderBody(item, lookup) ?? null);
    case 'object': {
      // No prototype: a body key "__proto__" must stay a plain key.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [key, item] of template.entries) {
        const value = renderBody(item, lookup);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
  }
}
