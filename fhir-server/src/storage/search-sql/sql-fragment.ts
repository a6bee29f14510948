/** A piece of SQL with `?` placeholders and its bindings, in order. */
export interface Sql {
  readonly text: string;
  readonly bindings: readonly unknown[];
}

export function sql(text: string, ...bindings: unknown[]): Sql {
  return { text, bindings };
}

/** Joins fragments with AND / OR, each in parentheses; an empty list is TRUE / FALSE. */
export function and(parts: readonly Sql[]): Sql {
  return join(parts, ' AND ', 'TRUE');
}

export function or(parts: readonly Sql[]): Sql {
  return join(parts, ' OR ', 'FALSE');
}

function join(parts: readonly Sql[], separator: string, empty: string): Sql {
  if (parts.length === 0) {
    return sql(empty);
  }
  if (parts.length === 1) {
    return parts[0];
  }
  return {
    text: parts.map((p) => `(${p.text})`).join(separator),
    bindings: parts.flatMap((p) => p.bindings),
  };
}

/** `text` with `{}` placeholders replaced by fragments, bindings kept in order. */
export function compose(template: string, ...parts: Sql[]): Sql {
  const pieces = template.split('{}');
  if (pieces.length !== parts.length + 1) {
    throw new Error(`compose: ${pieces.length - 1} placeholders for ${parts.length} fragments`);
  }
  let text = pieces[0];
  const bindings: unknown[] = [];
  parts.forEach((part, i) => {
    text += part.text + pieces[i + 1];
    bindings.push(...part.bindings);
  });
  return { text, bindings };
}

/** Escapes LIKE wildcards so user text matches literally (`\` is LIKE's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * The caller's read filter for rows of these types, as a condition over a joined `resource`
 * row (given its alias), or undefined when the caller may see every row of them.
 */
export type VisibleRows = (types: readonly string[]) => ((alias: string) => Sql) | undefined;

/**
 * What a condition is about: the SQL expressions of a resource's id and type (columns of a
 * `resource` row, or of the `sp_reference` row pointing to it), the resource row alias when
 * one is joined (for `last_updated`), and the resource types it can have. `next` hands out
 * fresh aliases for nested subqueries; `visible` is the caller's read filter, which every
 * resource a chain or `_has` reaches must pass too (never set for full access).
 */
export interface Target {
  readonly id: string;
  readonly type: string;
  readonly row?: string;
  readonly types: readonly string[];
  readonly next: (prefix: string) => string;
  readonly visible?: VisibleRows;
  /**
   * A bound on the ids a membership test may yield (a page's cursor, when the search is ordered
   * by id alone): repeated on the index rows a filter reads, so their scan starts at the cursor.
   */
  readonly idBound?: (column: string) => Sql;
}

/** `id IN (...)` for one type, `(type, id) IN (...)` for several: the left side of a membership test. */
export function membershipOf(target: Target): string {
  return target.types.length === 1 ? target.id : `(${target.type}, ${target.id})`;
}

export function aliasCounter(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}${++n}`;
}
