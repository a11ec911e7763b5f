/**
 * Fetches the server's record of a call (`GET /calls/:callSid`, admin bearer token). The server
 * writes the record as the call ends, which can be just after the media socket closes, so a 404
 * is retried briefly.
 */
import type { CallRecord } from '../../call/call-record.js';

/** Tries for the record this long: the server finishes a call within a second of the close. */
const RECORD_WAIT_MS = 3_000;
/** Pause between tries while the record is not there yet. */
const RECORD_RETRY_MS = 200;
/** Per-request limit, so a stuck server cannot hang the replay. */
const RECORD_REQUEST_TIMEOUT_MS = 5_000;

/** The record, or a reason it could not be had (never throws). */
export type CallRecordFetch = { ok: true; record: CallRecord } | { ok: false; error: string };

/** GETs `{serverUrl}/calls/{callSid}` with the admin token (see module doc). */
export async function fetchCallRecord(
  serverUrl: string,
  callSid: string,
  adminToken: string,
): Promise<CallRecordFetch> {
  const url = `${serverUrl.replace(/\/+$/, '')}/calls/${encodeURIComponent(callSid)}`;
  const deadline = performance.now() + RECORD_WAIT_MS;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { Authorization: `Bearer ${adminToken}` },
        signal: AbortSignal.timeout(RECORD_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, error: `GET ${url}: ${(err as Error).message}` };
    }
    if (res.ok) return parseRecord(await res.text(), url);
    if (res.status !== 404 || performance.now() >= deadline) {
      return { ok: false, error: `GET ${url}: HTTP ${res.status}` };
    }
    await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
  }
}

function parseRecord(text: string, url: string): CallRecordFetch {
  try {
    const record = JSON.parse(text) as CallRecord;
    if (!Array.isArray(record.events)) return { ok: false, error: `${url}: no events in record` };
    return { ok: true, record };
  } catch {
    return { ok: false, error: `${url}: not JSON` };
  }
}
