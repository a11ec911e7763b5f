/**
 * Twilio request validation against the configured public URL — never against a URL rebuilt from
 * proxy headers, which differs from what Twilio signed behind ngrok or a load balancer.
 */
// The validator's module, not the package entry, which also loads the REST client (see twiml.ts).
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';

/** Checks `X-Twilio-Signature` for a form POST to `publicUrl + originalUrl`. */
export function isValidWebhookSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, unknown>,
): boolean {
  if (!signature) return false;
  return validateRequest(authToken, signature, url, params);
}

/**
 * Checks the media socket's upgrade request: Twilio signs the `wss://` URL exactly as written in
 * the TwiML, with no parameters. A request whose path carries a query is never ours.
 */
export function isValidStreamSignature(
  authToken: string,
  signature: string | undefined,
  streamUrl: string,
  requestPath: string,
): boolean {
  if (!signature || requestPath.includes('?')) return false;
  return (
    validateRequest(authToken, signature, streamUrl, {}) ||
    // Some stacks add a trailing slash; OpenAI's Agents example accepts both forms.
    validateRequest(authToken, signature, `${streamUrl}/`, {})
  );
}
