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

// Base64 of µ-law: only the alphabet and padding; a payload with anything else would be
// forwarded to the model as garbage audio.
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const SID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Parses one text frame from Twilio. Never throws. */
export function parseTwilioMessage(text: string): ParsedMessage {
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
      if (
        typeof payload !== 'string' ||
        payload.length === 0 ||
        payload.length % 4 !== 0 ||
        !BASE64_RE.test(payload)
      ) {
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
