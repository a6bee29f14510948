import { badRequest } from '../outcomes';
import type { SearchValue } from '../../storage/search-query';

/**
 * Splits at each unescaped `separator`, keeping escapes (`\,` `\$` `\|` `\\`) in the parts so
 * that later splits see them (search.html#escaping).
 */
export function splitEscaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Resolves the escapes; a lone trailing backslash stays as it is. */
export function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

const PREFIX = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)(?=[-\d])/;

/** Splits off a comparison prefix (search.html#prefix) where the type has them. */
export function takePrefix(text: string): { prefix?: string; rest: string } {
  const match = PREFIX.exec(text);
  return match ? { prefix: match[1], rest: text.slice(2) } : { rest: text };
}

/** A value with its `|`-separated parts, when it has any (token, quantity, canonical). */
export function withParts(text: string, maxParts: number, name: string): SearchValue {
  const parts = splitEscaped(text, '|');
  if (parts.length === 1) {
    return { value: unescape(text) };
  }
  if (parts.length > maxParts) {
    throw badRequest(`${name}: "${text}" has more than ${maxParts - 1} unescaped "|"`);
  }
  return { value: unescape(text), parts: parts.map(unescape) };
}
