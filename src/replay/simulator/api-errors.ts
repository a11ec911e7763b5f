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
