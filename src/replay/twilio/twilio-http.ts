/**
 * Twilio's HTTP requests to the server: the signed voice webhook and the `<Connect action>`
 * callback, sent to the server's real address and signed over the public URL.
 */
import { ReplayError } from './replay-error.js';
import { toServerUrl, twilioSignature } from './twilio-signing.js';

/** How long Twilio waits for a webhook answer before error 11200 (15 s, Twilio's default). */
const WEBHOOK_TIMEOUT_MS = 15_000;

/** One signed request: the public URL Twilio calls, and where the server really listens. */
export interface SignedRequest {
  publicUrl: string;
  serverUrl: string;
  authToken: string;
  params: Record<string, string>;
  method?: 'GET' | 'POST';
}

/** The server's answer: status and body text. */
export interface TwilioHttpResponse {
  status: number;
  body: string;
}

/** Sends a form request as Twilio does; maps network failures and 403 to ReplayErrors. */
export async function sendSignedRequest(req: SignedRequest): Promise<TwilioHttpResponse> {
  const isGet = req.method === 'GET';
  const form = new URLSearchParams(req.params).toString();
  // A GET carries the params in the query string and is signed over that full URL.
  const publicUrl = isGet ? withQuery(req.publicUrl, form) : req.publicUrl;
  const signature = twilioSignature(req.authToken, publicUrl, isGet ? {} : req.params);
  const target = toServerUrl(publicUrl, req.serverUrl);
  let res: Response;
  try {
    res = await fetch(target, {
      method: isGet ? 'GET' : 'POST',
      headers: {
        'X-Twilio-Signature': signature,
        ...(isGet ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
        'User-Agent': 'TwilioProxy/1.1 (switchboard replay)',
      },
      ...(isGet ? {} : { body: form }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (err) {
    const why = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new ReplayError('server_unreachable', `cannot reach ${target}: ${why}`, { cause: err });
  }
  const body = await res.text();
  if (res.status === 403) {
    throw new ReplayError(
      'signature_refused',
      `${target} refused the Twilio signature (403): check --auth-token and that --public-url is exactly the server's PUBLIC_URL (signed URL: ${publicUrl})`,
    );
  }
  if (res.status < 200 || res.status >= 300) {
    throw new ReplayError(
      'http_error',
      `${target} answered HTTP ${res.status}: ${body.slice(0, 200)}`,
    );
  }
  return { status: res.status, body };
}

function withQuery(url: string, query: string): string {
  if (!query) return url;
  return url + (url.includes('?') ? '&' : '?') + query;
}
