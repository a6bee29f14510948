/** A piece of SQL with `?` placeholders and its bindings, in order. */
export interface Sql {
  readonly text: string;
  readonly bindings: readonly unknown[];
  /** What each binding is to the planner (generic-plan.ts); absent: nothing known of any. */
  readonly roles?: readonly BindingRole[];
}

/**
 * What a binding is to PostgreSQL's planner, for statements it may plan once for every value
 * (generic-plan.ts): `literal`, a value of a small closed set (resource type, parameter name,
 * code of a required value set) that the plan must know, so it is written into the text;
 * `anchor`, the id of a referenced resource, the range of a string prefix or the length of an
 * index walk (values that bound the rows read, so the plan reads from them whatever they are);
 * `key`, a date bound, cursor value or page limit. Unmarked bindings (`undefined`) are values
 * whose plan depends on what they are.
 */
export type BindingRole = 'literal' | 'anchor' | 'key' | undefined;

class RoledBinding {
  constructor(
    readonly role: Exclude<BindingRole, undefined>,
    readonly value: unknown,
  ) {}
}

export function literal(value: string | readonly string[]): unknown {
  return new RoledBinding('literal', value);
}

export function key(value: unknown): unknown {
  return new RoledBinding('key', value);
}

export function anchor(value: string | number): unknown {
  return new RoledBinding('anchor', value);
}

/** A fragment; bindings may be wrapped in literal(), anchor() or key() to give their role. */
export function sql(text: string, ...bindings: unknown[]): Sql {
  if (!bindings.some((b) => b instanceof RoledBinding)) {
    return { text, bindings };
  }
  return {
    text,
    bindings: bindings.map((b) => (b instanceof RoledBinding ? b.value : b)),
    roles: bindings.map((b) => (b instanceof RoledBinding ? b.role : undefined)),
  };
}

/**
 * The fragment with its unmarked bindings as keys: for a condition whose values cannot change
 * the shape of the plan around it (a membership test the statement pins to a hash).
 */
export function valuesAsKeys(part: Sql): Sql {
  return { ...part, roles: rolesOf(part).map((role) => role ?? 'key') };
}

/** The roles of a fragment's bindings, one per binding. */
export function rolesOf(part: Sql): readonly BindingRole[] {
  return part.roles ?? part.bindings.map(() => undefined);
}

function joined(text: string, parts: readonly Sql[]): Sql {
  const bindings = parts.flatMap((p) => p.bindings);
  return parts.some((p) => p.roles) ? { text, bindings, roles: parts.flatMap(rolesOf) } : { text, bindings };
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
  return joined(parts.map((p) => `(${p.text})`).join(separator), parts);
}

/** Fragments one after the other, with nothing between them. */
export function concat(...parts: Sql[]): Sql {
  return joined(parts.map((p) => p.text).join(''), parts);
}

/** `text` with `{}` placeholders replaced by fragments, bindings kept in order. */
export function compose(template: string, ...parts: Sql[]): Sql {
  const pieces = template.split('{}');
  if (pieces.length !== parts.length + 1) {
    throw new Error(`compose: ${pieces.length - 1} placeholders for ${parts.length} fragments`);
  }
  let text = pieces[0];
  parts.forEach((part, i) => {
    text += part.text + pieces[i + 1];
  });
  return joined(text, parts);
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
