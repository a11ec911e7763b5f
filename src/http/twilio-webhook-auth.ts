/** Express middleware: refuse webhook requests that Twilio did not sign (403). */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isValidWebhookSignature } from '../telephony/twilio/twilio-signature.js';

/** Validates against `publicUrl + originalUrl`, never the Host header a proxy rewrote. */
export function requireTwilioSignature(options: {
  authToken: string | undefined;
  enabled: boolean;
  publicUrl: string;
  logger: Logger;
}): RequestHandler {
  return (req, res, next) => {
    if (!options.enabled) return next();
    const signature = req.header('x-twilio-signature');
    const url = options.publicUrl + req.originalUrl;
    const params = (req.body ?? {}) as Record<string, unknown>;
    if (options.authToken && isValidWebhookSignature(options.authToken, signature, url, params)) {
      return next();
    }
    options.logger.warn(
      { path: req.path, signed: signature !== undefined },
      signature === undefined
        ? 'webhook without X-Twilio-Signature refused'
        : 'webhook with a bad signature refused',
    );
    res.status(403).type('text/plain').send('Forbidden: invalid Twilio signature');
  };
}
