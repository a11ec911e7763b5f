/**
 * Twilio Media Streams wire format: inbound messages parsed at the edge into TelephonyEvents,
 * outbound messages built as strings. Anything malformed becomes a `ParseFailure` with a reason.
 */
import type { TelephonyEvent } from '../telephony.js';

export type ParseFailure = { ok: false; reason: string; event?: string };
export type ParsedMessage =
  | { ok: true; event: TelephonyEvent | { type: 'connected' }; sequenceNumber?: number }
  | ParseFailure;

const fail = (reason: string, event?: string): ParseFailure => ({ ok: false, reason, event });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

const SID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const PAYLOAD_KEY = '"payload":"';
// Twilio's media message in the key order Twilio writes (streamSid before or after media), up
// to the payload and after it. Only this shape takes the fast path; any other valid shape takes JSON.parse.
const MEDIA_HEAD_RE =
  /^\{"event":"media",(?:"sequenceNumber":"(\d{1,15})",)?(?:"streamSid":"[A-Za-z0-9_-]{1,64}",)?"media":\{(?:"track":"inbound",)?(?:"chunk":"\d{1,15}",)?(?:"timestamp":"(\d{1,15})",)?"payload":"$/;
const MEDIA_TAIL_RE = /^"\}(?:,"streamSid":"[A-Za-z0-9_-]{1,64}")?\}$/;

/**
 * True for non-empty, padded base64 (by char code: it runs 50 times a second a call). The payload
 * is pasted unescaped into the model's append message, so nothing else may pass.
 */
function isBase64(s: string): boolean {
  const n = s.length;
  if (n === 0 || n % 4 !== 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 47
    ) {
      continue;
    }
    // '=' only as the last one or two characters.
    if (c === 61 && (i === n - 1 || (i === n - 2 && s.charCodeAt(n - 1) === 61))) continue;
    return false;
  }
  return true;
}

/**
 * The hot path: Twilio's `media` messages in Twilio's canonical shape are read with two anchored
 * regexes and a character scan instead of JSON.parse (the benchmark's profile put the full parse
 * at 7% of server CPU). What it accepts is a strict subset of what JSON.parse accepts.
 */
function parseMediaFast(text: string): ParsedMessage | undefined {
  const at = text.indexOf(PAYLOAD_KEY);
  if (at < 0) return undefined;
  const head = MEDIA_HEAD_RE.exec(text.slice(0, at + PAYLOAD_KEY.length));
  if (!head) return undefined;
  const end = text.indexOf('"', at + PAYLOAD_KEY.length);
  if (end < 0 || !MEDIA_TAIL_RE.test(text.slice(end))) return undefined;
  const payload = text.slice(at + PAYLOAD_KEY.length, end);
  if (!isBase64(payload)) return undefined;
  const [, sequence, timestamp] = head;
  return {
    ok: true,
    ...(sequence === undefined ? {} : { sequenceNumber: Number(sequence) }),
    event: {
      type: 'media',
      payload,
      timestampMs: timestamp === undefined ? -1 : Number(timestamp),
    },
  };
}

/** Parses one text frame from Twilio. Never throws. */
export function parseTwilioMessage(text: string): ParsedMessage {
  const fast = parseMediaFast(text);
  if (fast) return fast;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  if (!isRecord(msg)) return fail('not a JSON object');
  const event = msg.event;
  if (typeof event !== 'string') return fail('no "event" field');
  const seqRaw = msg.sequenceNumber;
  const sequenceNumber =
    typeof seqRaw === 'string' && /^\d+$/.test(seqRaw) ? Number(seqRaw) : undefined;

  switch (event) {
    case 'connected':
      return { ok: true, event: { type: 'connected' } };
    case 'media': {
      const media = msg.media;
      if (!isRecord(media)) return fail('media without "media" object', event);
      const payload = media.payload;
      if (typeof payload !== 'string' || !isBase64(payload)) {
        return fail('media payload is not base64', event);
      }
      // Only the caller's track goes to the model; bidirectional streams carry inbound only.
      if (
        media.track !== undefined &&
        media.track !== 'inbound' &&
        media.track !== 'inbound_track'
      ) {
        return fail(`media on track "${String(media.track)}"`, event);
      }
      const ts = Number(media.timestamp);
      return {
        ok: true,
        sequenceNumber,
        event: { type: 'media', payload, timestampMs: Number.isFinite(ts) ? ts : -1 },
      };
    }
    case 'start': {
      const start = msg.start;
      if (!isRecord(start)) return fail('start without "start" object', event);
      const streamSid = typeof start.streamSid === 'string' ? start.streamSid : msg.streamSid;
      const { callSid, accountSid } = start;
      // Sids are echoed into outbound JSON unescaped, so only Twilio's own alphabet is accepted.
      if (typeof streamSid !== 'string' || !SID_RE.test(streamSid))
        return fail('start without a valid streamSid', event);
      if (typeof callSid !== 'string' || !SID_RE.test(callSid))
        return fail('start without a valid callSid', event);
      const format = start.mediaFormat;
      if (
        isRecord(format) &&
        format.encoding !== undefined &&
        format.encoding !== 'audio/x-mulaw'
      ) {
        return fail(`unsupported media encoding "${String(format.encoding)}"`, event);
      }
      return {
        ok: true,
        sequenceNumber,
        event: {
          type: 'start',
          streamSid,
          callSid,
          accountSid: typeof accountSid === 'string' ? accountSid : '',
          customParameters: stringRecord(start.customParameters),
        },
      };
    }
    case 'mark': {
      const mark = msg.mark;
      if (!isRecord(mark) || typeof mark.name !== 'string') return fail('mark without name', event);
      return { ok: true, sequenceNumber, event: { type: 'mark', name: mark.name } };
    }
    case 'dtmf': {
      const dtmf = msg.dtmf;
      if (!isRecord(dtmf) || typeof dtmf.digit !== 'string')
        return fail('dtmf without digit', event);
      return { ok: true, sequenceNumber, event: { type: 'dtmf', digit: dtmf.digit } };
    }
    case 'stop':
      return { ok: true, sequenceNumber, event: { type: 'stop' } };
    default:
      return fail(`unknown event "${event.slice(0, 40)}"`, event);
  }
}

// Outbound messages are built as strings: the payload is already JSON-safe base64 and the
// streamSid is Twilio's own, so there is nothing to escape but the mark name.
/** `media` message for Twilio. */
export const mediaMessage = (streamSid: string, payload: string): string =>
  `{"event":"media","streamSid":"${streamSid}","media":{"payload":"${payload}"}}`;
/** `mark` message for Twilio. */
export const markMessage = (streamSid: string, name: string): string =>
  `{"event":"mark","streamSid":"${streamSid}","mark":{"name":${JSON.stringify(name)}}}`;
/** `clear` message for Twilio. */
export const clearMessage = (streamSid: string): string =>
  `{"event":"clear","streamSid":"${streamSid}"}`;
