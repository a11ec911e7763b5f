/**
 * The replay's failures, one stable code each, so the CLI can map them to distinct exit codes
 * and scenario tests can assert on the reason rather than on a message.
 */

/** Why a replay could not run to the end. */
export type ReplayErrorCode =
  | 'recording_unreadable'
  | 'server_unreachable'
  | 'signature_refused'
  | 'http_error'
  | 'bad_twiml'
  | 'no_stream'
  | 'call_rejected'
  | 'media_socket_refused'
  | 'bad_options';

/** A replay failure with a stable code and a message fit for a terminal. */
export class ReplayError extends Error {
  readonly code: ReplayErrorCode;

  constructor(code: ReplayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayError';
    this.code = code;
  }
}
