/**
 * The one root logger. Everything else logs through child loggers bound to what they serve
 * (`callSid`, `streamSid`, `tool`), so a call's lines can be found together.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Keys that never reach a log line in clear. */
export const SECRET_PATHS = [
  'apiKey',
  '*.apiKey',
  'authToken',
  '*.authToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-twilio-signature"]',
  '*.headers.authorization',
  '*.headers["api-key"]',
];

/**
 * Caller data is logged at debug only, and always under these keys, so an operator who must keep
 * it out of every log (LOG_REDACT_CALLER_DATA) redacts it without losing the rest of the record.
 */
export const CALLER_DATA_PATHS = ['caller', '*.caller', 'transcript', '*.transcript', 'toolData'];

/** Creates the root logger; `destination` lets tests capture and parse the records. */
export function createLogger(
  options: { level: LevelWithSilent; redactCallerData: boolean },
  destination?: DestinationStream,
): Logger {
  const paths = options.redactCallerData ? [...SECRET_PATHS, ...CALLER_DATA_PATHS] : SECRET_PATHS;
  return pino(
    {
      level: options.level,
      base: { service: 'switchboard' },
      redact: { paths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
