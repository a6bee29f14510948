import type { ChainFilter, ReverseChainFilter, SearchFilter } from '../search-query';
import { compose, sql, type Sql, type Target } from './sql-fragment';

type CompileFilter = (target: Target, filter: SearchFilter) => Sql;

/**
 * Chaining (search.html#chaining): the reference parameter points to a current resource of
 * one of the target types that satisfies the chained filter (which may chain further).
 */
export function chainCondition(target: Target, filter: ChainFilter, compile: CompileFilter): Sql {
  const ref = target.next('rf');
  const t = target.next('t');
  const inner = compile({ alias: t, types: filter.targetTypes, next: target.next }, filter.filter);
  const single = target.types.length === 1;
  return compose(
    `${single ? `${target.alias}.id` : `(${target.alias}.resource_type, ${target.alias}.id)`} IN (
      SELECT ${single ? '' : `${ref}.resource_type, `}${ref}.resource_id FROM sp_reference ${ref}
      JOIN resource ${t} ON ${t}.resource_type = ${ref}.target_type AND ${t}.id = ${ref}.target_id
      WHERE {} AND {} AND {} AND NOT ${t}.deleted AND ({}))`,
    typeTest(`${ref}.resource_type`, target.types),
    sql(`${ref}.param = ?`, filter.code),
    typeTest(`${t}.resource_type`, filter.targetTypes),
    inner,
  );
}

/**
 * Reverse chaining (search.html#has): some current `sourceType` resource, whose reference
 * parameter points to this resource, satisfies the inner filter (which may be `_has` again).
 */
export function hasCondition(target: Target, filter: ReverseChainFilter, compile: CompileFilter): Sql {
  const ref = target.next('rf');
  const s = target.next('s');
  const inner = compile({ alias: s, types: [filter.sourceType], next: target.next }, filter.filter);
  const single = target.types.length === 1;
  return compose(
    `${single ? `${target.alias}.id` : `(${target.alias}.resource_type, ${target.alias}.id)`} IN (
      SELECT ${single ? '' : `${ref}.target_type, `}${ref}.target_id FROM sp_reference ${ref}
      JOIN resource ${s} ON ${s}.resource_type = ${ref}.resource_type AND ${s}.id = ${ref}.resource_id
      WHERE {} AND {} AND NOT ${s}.deleted AND ({}))`,
    sql(`${ref}.resource_type = ? AND ${ref}.param = ?`, filter.sourceType, filter.referenceParam),
    typeTest(`${ref}.target_type`, target.types),
    inner,
  );
}

export function typeTest(column: string, types: readonly string[]): Sql {
  return types.length === 1 ? sql(`${column} = ?`, types[0]) : sql(`${column} = ANY(?::text[])`, [...types]);
}
