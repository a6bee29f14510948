/**
 * Replaces every `reference` string found in the map, anywhere in a resource
 * (http://hl7.org/fhir/R4/bundle.html#references: urn:uuid fullUrls of a transaction).
 */
export function rewriteReferences<T>(value: T, resolve: (reference: string) => string | undefined): T {
  if (Array.isArray(value)) {
    return value.map((item) => rewriteReferences(item, resolve)) as T;
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'reference' && typeof child === 'string') {
      copy[key] = resolve(child) ?? child;
    } else {
      copy[key] = rewriteReferences(child, resolve);
    }
  }
  return copy as T;
}

/** Collects every `reference` string in a resource. */
export function collectReferences(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((item) => collectReferences(item, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') {
        into.add(child);
      } else {
        collectReferences(child, into);
      }
    }
  }
  return into;
}
