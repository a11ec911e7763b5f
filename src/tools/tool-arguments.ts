/** A model's function-call arguments, read the one way every tool (HTTP or built-in) reads them. */

/** The arguments as an object, or undefined when they are not a JSON object. */
export function parseToolArguments(text: string): Record<string, unknown> | undefined {
  // Some models send "" for a tool without parameters.
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
