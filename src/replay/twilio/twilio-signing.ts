/**
 * What makes a request look like Twilio's: SIDs in Twilio's shape, the `X-Twilio-Signature`
 * header computed with the twilio package itself, and the mapping from the public URL Twilio
 * signs to the address the server actually listens on (they differ behind a proxy).
 */
import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';

/** A random SID: two-letter prefix + 32 lowercase hex digits (CA…, AC…, MZ…). */
export function randomSid(prefix: 'CA' | 'AC' | 'MZ'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** The `X-Twilio-Signature` Twilio would send for `url` and form `params` ({} for a WS upgrade). */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

/**
 * Rewrites a public URL (as Twilio would call it) to the server's real address: same path and
 * query, origin of `serverUrl`. `wss:`/`ws:` URLs map to `ws:`/`wss:` after the server's scheme.
 */
export function toServerUrl(publicUrl: string, serverUrl: string): string {
  const target = new URL(publicUrl, ensureTrailingSlash(serverUrl));
  const server = new URL(serverUrl);
  const isSocket = target.protocol === 'ws:' || target.protocol === 'wss:';
  const protocol = isSocket ? (server.protocol === 'https:' ? 'wss:' : 'ws:') : server.protocol;
  return `${protocol}//${server.host}${target.pathname}${target.search}`;
}

/** `base` + `path` with exactly one slash between them (the public URL Twilio is configured with). */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : url + '/';
}
