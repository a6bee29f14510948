import type { IndexTable } from '../indexing/index-rows';
import type { ParameterFilter, SearchFilter } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { chainCondition, hasCondition, typeTest } from './chain';
import { compositeCondition } from './composite';
import { dateCondition } from './date';
import { parameterRowTest } from './reference-param';
import { and, compose, membershipOf, or, sql, type Sql, type Target } from './sql-fragment';
import { valueCondition } from './value-condition';

const VALUE_TABLES = new Set<string>(['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri', 'text']);

/** The SQL condition that the target resource satisfies a filter. */
export function filterCondition(target: Target, filter: SearchFilter): Sql {
  if (filter.kind === 'chain') {
    return chainCondition(target, filter, filterCondition, needsResourceRow);
  }
  if (filter.kind === 'has') {
    return hasCondition(target, filter, filterCondition, needsResourceRow);
  }
  return parameterCondition(target, filter);
}

function parameterCondition(target: Target, filter: ParameterFilter): Sql {
  if (filter.code === '_id' || filter.code === '_lastUpdated') {
    return columnCondition(target, filter);
  }
  if (filter.modifier === 'missing') {
    return missingCondition(target, filter);
  }
  if (filter.type === 'composite') {
    return compositeCondition(target, filter);
  }
  if (!VALUE_TABLES.has(filter.type)) {
    throw new InvalidSearchError(`Parameter ${filter.code} cannot be searched`);
  }
  const table = filter.type as IndexTable;
  const x = target.next('x');
  const condition = valuesCondition(x, filter);
  const param = parameterRowTest(x, filter.code, filter.derived);
  if (filter.modifier === 'not') {
    return absent(target, table, x, param, condition);
  }
  if (filter.modifier === 'or-missing') {
    // Both tests per resource row: in an OR, the semi-join of present() becomes a hashed subplan
    // that gathers every index row in range of every resource (40,000 for one patient's window).
    const y = target.next('x');
    return or([
      absent(target, table, y, parameterRowTest(y, filter.code, filter.derived), sql('TRUE')),
      compose('NOT {}', absent(target, table, x, param, condition)),
    ]);
  }
  return present(target, table, x, param, condition);
}

/**
 * The index rows that a positive parameter filter matches, as `sp_<type> d WHERE ...` over the
 * alias given (their `resource_id`s are the matching resources), or undefined for a filter that
 * is not answered by one index table's rows (`_has`, negations, `:missing`, `_id`,
 * `_lastUpdated`, composites, chains that need the referenced row).
 */
export function matchingRows(target: Target, filter: SearchFilter, d: string): Sql | undefined {
  const { types } = target;
  if (filter.kind === 'chain') {
    // The simple form of chainCondition: the references themselves, their targets' ids tested.
    if (target.visible?.(filter.targetTypes) || needsResourceRow(filter.filter)) {
      return undefined;
    }
    const inner = filterCondition(
      { id: `${d}.target_id`, type: `${d}.target_type`, types: filter.targetTypes, next: target.next, visible: target.visible },
      filter.filter,
    );
    return compose(
      `sp_reference ${d} WHERE {} AND {} AND {} AND ({})`,
      typeTest(`${d}.resource_type`, types),
      parameterRowTest(d, filter.code, filter.derived),
      typeTest(`${d}.target_type`, filter.targetTypes),
      inner,
    );
  }
  if (
    filter.kind === 'has' ||
    filter.code === '_id' ||
    filter.code === '_lastUpdated' ||
    filter.modifier === 'not' ||
    filter.modifier === 'missing' ||
    filter.modifier === 'or-missing' ||
    !VALUE_TABLES.has(filter.type)
  ) {
    return undefined;
  }
  return compose(
    `sp_${filter.type} ${d} WHERE {} AND {} AND ({})`,
    typeTest(`${d}.resource_type`, types),
    parameterRowTest(d, filter.code, filter.derived),
    valuesCondition(d, filter),
  );
}

/** Any of the filter's values (of each of `allOf`, when merged) on one index row: also the test of a walked key row. */
export function valuesCondition(x: string, filter: ParameterFilter): Sql {
  const anyValue = (f: ParameterFilter) => or(f.values.map((value) => valueCondition(x, f, value)));
  return filter.allOf ? and(filter.allOf.map(anyValue)) : anyValue(filter);
}

/**
 * Occurrences of the same single-valued parameter without a modifier (`start=ge...&start=lt...`)
 * merged into one filter: the resource's one index row must satisfy them all, so one semi-join
 * tests them together.
 */
export function mergeSingleValueFilters(filters: readonly SearchFilter[]): SearchFilter[] {
  const groups = new Map<string, ParameterFilter[]>();
  for (const f of filters) {
    if (f.kind !== 'chain' && f.kind !== 'has' && f.singleValue && !f.modifier) {
      groups.set(f.code, [...(groups.get(f.code) ?? []), f]);
    }
  }
  const merged: SearchFilter[] = [];
  for (const f of filters) {
    const group = f.kind !== 'chain' && f.kind !== 'has' ? groups.get(f.code) : undefined;
    if (!group || group.length < 2 || !group.includes(f as ParameterFilter)) {
      merged.push(f);
    } else if (group[0] === f) {
      merged.push({ ...f, allOf: group });
    }
  }
  return merged;
}

/** `:missing=true`: no index row for the parameter; `:missing=false`: at least one. */
function missingCondition(target: Target, filter: ParameterFilter): Sql {
  const missing = filter.values[0]?.value === 'true';
  const table = (filter.type === 'composite' ? filter.components?.[0] : filter.type) as IndexTable;
  const x = target.next('x');
  const param = filter.type === 'composite' ? sql(`${x}.param = ?`, `${filter.code}#0`) : parameterRowTest(x, filter.code, filter.derived);
  return missing ? absent(target, table, x, param, sql('TRUE')) : present(target, table, x, param, sql('TRUE'));
}

/** Some row of the parameter satisfies the condition: a semi-join on the index table. */
function present(target: Target, table: IndexTable, x: string, param: Sql, condition: Sql): Sql {
  const single = target.types.length === 1;
  const bound = single && target.idBound ? compose(' AND {}', target.idBound(`${x}.resource_id`)) : sql('');
  return compose(
    `${membershipOf(target)} IN (SELECT ${single ? '' : `${x}.resource_type, `}${x}.resource_id FROM sp_${table} ${x} WHERE {} AND {} AND ({}){})`,
    typeTest(`${x}.resource_type`, target.types),
    param,
    condition,
    bound,
  );
}

/** No row of the parameter satisfies the condition: an anti-join (`:not`, `:missing=true`). */
function absent(target: Target, table: IndexTable, x: string, param: Sql, condition: Sql): Sql {
  return compose(
    `NOT EXISTS (SELECT 1 FROM sp_${table} ${x} WHERE ${x}.resource_type = ${target.type} AND ${x}.resource_id = ${target.id} AND {} AND ({}))`,
    param,
    condition,
  );
}

/**
 * Whether a filter needs the resource row itself rather than only its id: `_lastUpdated`, and
 * `_id` and negative conditions (`:not`, `:missing=true`), which a reference to a missing or
 * deleted resource would otherwise satisfy. Index conditions need no row: deleted resources
 * have no index rows.
 */
export function needsResourceRow(filter: SearchFilter): boolean {
  if (filter.kind === 'chain' || filter.kind === 'has') {
    return false;
  }
  return (
    filter.code === '_lastUpdated' ||
    filter.code === '_id' ||
    filter.modifier === 'not' ||
    filter.modifier === 'or-missing' ||
    (filter.modifier === 'missing' && filter.values[0]?.value === 'true')
  );
}

/** `_id` and `_lastUpdated` are columns of the resource row itself. */
function columnCondition(target: Target, filter: ParameterFilter): Sql {
  if (filter.modifier === 'missing') {
    return sql(filter.values[0]?.value === 'true' ? 'FALSE' : 'TRUE');
  }
  if (filter.code === '_id') {
    const ids = filter.values.map((v) => v.value);
    return sql(filter.modifier === 'not' ? `NOT (${target.id} = ANY(?::text[]))` : `${target.id} = ANY(?::text[])`, ids);
  }
  if (!target.row) {
    throw new Error('_lastUpdated needs the resource row joined (see needsResourceRow)');
  }
  const column = `${target.row}.last_updated`;
  return or(filter.values.map((value) => dateCondition({ low: column, high: column }, value)));
}
