/** RFC 6901 JSON pointers: the `select` of a tool's response and the fields of config problems. */

/** Escapes one reference token (`~` → `~0`, `/` → `~1`). */
export function escapeJsonPointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The value at `pointer` in `document`, or undefined when there is none (or the pointer is bad). */
export function resolveJsonPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let current = document;
  for (const raw of pointer.slice(1).split('/')) {
    // Order matters (RFC 6901 §4): `~01` is `~1`, not `/`.
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, token)) {
      // hasOwn: a pointer such as /__proto__ or /constructor must not reach prototypes.
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
