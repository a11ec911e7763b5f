/** ajv errors turned into configuration problems an operator can act on. */
import type { ErrorObject } from 'ajv';
import type { ConfigProblem } from './config-problem.js';
import { escapeJsonPointerToken } from '../tools/json-pointer.js';

/**
 * One error per problem: `anyOf` reports every branch plus itself (keep the first branch), and a
 * bad property name is reported twice (keep the one naming the property).
 */
export function usefulErrors(errors: readonly ErrorObject[] | null | undefined): ErrorObject[] {
  const list = (errors ?? []).filter((e) => e.keyword !== 'propertyNames');
  const composite = new Set(
    list.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath),
  );
  const seen = new Set<string>();
  return list.filter((e) => {
    if (!composite.has(e.instancePath)) return true;
    if (seen.has(e.instancePath)) return false;
    seen.add(e.instancePath);
    return true;
  });
}

/** The JSON pointer of the setting an error is about (the missing or unknown key itself). */
export function errorField(error: ErrorObject): string {
  const extra =
    error.keyword === 'required'
      ? (error.params as { missingProperty: string }).missingProperty
      : error.keyword === 'additionalProperties'
        ? (error.params as { additionalProperty: string }).additionalProperty
        : (error as { propertyName?: string }).propertyName;
  return extra === undefined
    ? error.instancePath
    : `${error.instancePath}/${escapeJsonPointerToken(extra)}`;
}

/** A message for the operator, using the schema's `title` for patterns. */
export function errorMessage(error: ErrorObject): string {
  const title = (error.parentSchema as { title?: unknown } | undefined)?.title;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known setting';
    case 'pattern':
      return typeof title === 'string' ? `must be ${title}` : (error.message ?? 'is invalid');
    case 'enum':
      return `must be one of ${JSON.stringify((error.params as { allowedValues: unknown }).allowedValues)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** Every schema error of a file as a problem located by JSON pointer. */
export function schemaProblems(
  file: string,
  errors: readonly ErrorObject[] | null | undefined,
): ConfigProblem[] {
  return usefulErrors(errors).map((e) => ({
    file,
    field: errorField(e) || '/',
    message: errorMessage(e),
  }));
}
