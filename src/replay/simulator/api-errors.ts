/**
 * The `invalid_request_error`s the simulator sends, in one place. Codes and messages are the
 * service's where they are known (protocols.md §1.6, public issue threads); the rest are marked
 * [U] in README.md and follow the service's style.
 */

/** An error in the service's `error.error` shape, without the event ids. */
export interface ApiError {
  code: string | null;
  message: string;
  param: string | null;
}

/** `missing_required_parameter`, as the service words it. */
export function missingParameter(param: string): ApiError {
  return {
    code: 'missing_required_parameter',
    message: `Missing required parameter: '${param}'.`,
    param,
  };
}

/** `invalid_type`: a field of the wrong JSON type. */
export function invalidType(param: string, expected: string): ApiError {
  return {
    code: 'invalid_type',
    message: `Invalid type for '${param}': expected ${expected}.`,
    param,
  };
}

/** `invalid_value` with the list of supported values, as the service words it. */
export function invalidValue(param: string, value: unknown, supported: string[]): ApiError {
  const quoted = supported.map((s) => `'${s}'`);
  const list =
    quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}` : quoted.join('');
  return {
    code: 'invalid_value',
    message: `Invalid value: '${String(value)}'. Supported values are: ${list}.`,
    param,
  };
}

/** An item id that is not in the conversation [U: code and wording]. */
export function itemNotFound(param: string, id: unknown): ApiError {
  return { code: 'item_not_found', message: `Item with item_id not found: ${String(id)}`, param };
}

/** Truncating anything but assistant audio: the service's exact words (livekit/agents#6158). */
export const NOT_AUDIO_OUTPUT: ApiError = {
  code: null,
  message: 'Only model output audio messages can be truncated',
  param: null,
};

/** Truncating past the audio an item has (protocols.md §1.6) [U: code]. */
export function audioShorterThan(audioMs: number, endMs: number): ApiError {
  return {
    code: 'invalid_value',
    message: `Audio content of ${audioMs}ms is already shorter than ${endMs}ms`,
    param: 'audio_end_ms',
  };
}

/** `response.create` while a response is active (protocols.md §1.6). */
export function activeResponse(responseId: string): ApiError {
  return {
    code: 'conversation_already_has_active_response',
    message: `Conversation already has an active response in progress: ${responseId}. Wait until the response is finished before creating a new one.`,
    param: null,
  };
}

/** `response.cancel` with nothing to cancel (protocols.md §1.6). */
export const CANCEL_NOT_ACTIVE: ApiError = {
  code: 'response_cancel_not_active',
  message: 'Cancellation failed: no active response found',
  param: null,
};
