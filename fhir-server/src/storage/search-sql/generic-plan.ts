import { replacePlaceholders } from '../sql-executor';
import { rolesOf, type BindingRole, type Sql } from './sql-fragment';

/** What a literal may be to be written into SQL text: type names, parameter names, codes. */
const SAFE_LITERAL = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_CACHED_TEXTS = 1_000;

/** Statement texts with their literals written in, by the text and the literals' values. */
const textsWithLiterals = new Map<string, string>();

/**
 * The statement in the form PostgreSQL may plan once per connection and run for any values, or
 * undefined when it must be planned for each call's values.
 *
 * Planning a search is often as costly as running it (a Slot window: 0.35 ms to plan, 0.3 ms to
 * run), but a plan made without the values can be far worse: not knowing that `status` is
 * `free` for most Slots, a generic plan drove from it and took 120 ms. So a statement is planned
 * generically only when the planner sees what decides the plan: every literal binding (resource
 * type, parameter name, code of a required value set) is written into the text, and an anchor
 * (the id of a referenced resource, a string prefix) bounds the rows read, whatever the other
 * bindings (date bounds, cursors, the limit) are. Without an anchor, even the limit misleads:
 * not knowing it, the planner expects to fetch a tenth of the matches and sorts all of them
 * rather than walk an index in order (paging through 800,000 free Slots: 0.5 -> 20 ms a page).
 * Each literal makes another statement text, which is why literals come only from closed sets.
 */
export function genericPlanStatement(statement: Sql): Sql | undefined {
  const roles = rolesOf(statement);
  const plannable = roles.every((role, i) => role === 'key' || role === 'anchor' || isSafeLiteral(role, statement.bindings[i]));
  if (!plannable || !roles.includes('anchor')) {
    return undefined;
  }
  const literals = statement.bindings.filter((_, i) => roles[i] === 'literal') as (string | string[])[];
  const cacheKey = `${statement.text}\0${JSON.stringify(literals)}`;
  let text = textsWithLiterals.get(cacheKey);
  if (text === undefined) {
    text = replacePlaceholders(statement.text, (i) =>
      roles[i] === 'literal' ? literalText(statement.bindings[i] as string | string[]) : '?',
    );
    if (textsWithLiterals.size < MAX_CACHED_TEXTS) {
      textsWithLiterals.set(cacheKey, text);
    }
  }
  return { text, bindings: statement.bindings.filter((_, i) => roles[i] !== 'literal') };
}

function isSafeLiteral(role: BindingRole, value: unknown): boolean {
  const safe = (v: unknown) => typeof v === 'string' && SAFE_LITERAL.test(v);
  return role === 'literal' && (Array.isArray(value) ? value.every(safe) : safe(value));
}

/** A string, or a text array in PostgreSQL's array syntax (elements quoted, so `NULL` is a string). */
function literalText(value: string | readonly string[]): string {
  return typeof value === 'string' ? `'${value}'` : `'{${value.map((v) => `"${v}"`).join(',')}}'`;
}
