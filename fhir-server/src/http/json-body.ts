import { badRequest } from '../fhir/outcomes';

/** Keys that could reach an object's prototype; no FHIR element has these names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a JSON request body. Rejects, with a 400 OperationOutcome, malformed JSON, nesting
 * deeper than `maxDepth` (which would otherwise exhaust the stack of later recursive code),
 * and `__proto__` / `constructor` / `prototype` keys (prototype pollution).
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (nestingDepth(text) > maxDepth) {
    throw badRequest(`JSON nesting exceeds the limit of ${maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  const forbidden = mayHaveForbiddenKey(text) ? findForbiddenKey(value) : undefined;
  if (forbidden) {
    throw badRequest(`The key "${forbidden.key}" is not allowed in FHIR JSON`, forbidden.path);
  }
  return value;
}

/**
 * Whether the text could hold a forbidden key: one appears literally in quotes, unless written
 * with \u escapes, which JSON.parse decodes; so any \u sends the parsed value to the full walk.
 */
function mayHaveForbiddenKey(text: string): boolean {
  return text.includes('"__proto__"') || text.includes('"constructor"') || text.includes('"prototype"') || text.includes('\\u');
}

/** The maximum bracket depth of a JSON text, counting only brackets outside strings. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++; // skip the escaped character
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      max = Math.max(max, depth);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

function findForbiddenKey(value: unknown, path = '$'): { key: string; path: string } | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], `${path}[${i}]`);
      if (found) {
        return found;
      }
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        return { key, path: `${path}.${key}` };
      }
      const found = findForbiddenKey((value as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}
