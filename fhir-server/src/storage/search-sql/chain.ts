import type { ChainFilter, ReverseChainFilter, SearchFilter } from '../search-query';
import { parameterRowTest } from './reference-param';
import { compose, literal, membershipOf, sql, type Sql, type Target } from './sql-fragment';

type CompileFilter = (target: Target, filter: SearchFilter) => Sql;
type NeedsRow = (filter: SearchFilter) => boolean;

/**
 * Chaining (search.html#chaining): the reference parameter points to a current resource of
 * one of the target types that satisfies the chained filter (which may chain further) and
 * that the caller may see: a chain through a hidden resource would tell its values. The
 * referenced `resource` row is joined only when the filter or the caller's access needs it
 * (see needsResourceRow); otherwise the filter tests the reference's target id directly,
 * which lets the planner start from the (usually selective) chained condition.
 */
export function chainCondition(target: Target, filter: ChainFilter, compile: CompileFilter, needsRow: NeedsRow): Sql {
  const ref = target.next('rf');
  const single = target.types.length === 1;
  const select = `${single ? '' : `${ref}.resource_type, `}${ref}.resource_id`;
  const where = [
    typeTest(`${ref}.resource_type`, target.types),
    parameterRowTest(ref, filter.code, filter.derived),
    typeTest(`${ref}.target_type`, filter.targetTypes),
  ];
  const visible = target.visible?.(filter.targetTypes);
  if (!visible && !needsRow(filter.filter)) {
    const inner = compile(
      { id: `${ref}.target_id`, type: `${ref}.target_type`, types: filter.targetTypes, next: target.next, visible: target.visible },
      filter.filter,
    );
    return compose(
      `${membershipOf(target)} IN (SELECT ${select} FROM sp_reference ${ref} WHERE {} AND {} AND {} AND ({}))`,
      ...where,
      inner,
    );
  }
  const t = target.next('t');
  const inner = compile(
    { id: `${t}.id`, type: `${t}.resource_type`, row: t, types: filter.targetTypes, next: target.next, visible: target.visible },
    filter.filter,
  );
  return compose(
    `${membershipOf(target)} IN (SELECT ${select} FROM sp_reference ${ref}
      JOIN resource ${t} ON ${t}.resource_type = ${ref}.target_type AND ${t}.id = ${ref}.target_id
      WHERE {} AND {} AND {} AND NOT ${t}.deleted${visible ? ' AND {}' : ''} AND ({}))`,
    ...where,
    ...(visible ? [visible(t)] : []),
    inner,
  );
}

/**
 * Reverse chaining (search.html#has): some current `sourceType` resource that the caller may
 * see, whose reference parameter points to this resource, satisfies the inner filter (which
 * may be `_has` again).
 */
export function hasCondition(target: Target, filter: ReverseChainFilter, compile: CompileFilter, needsRow: NeedsRow): Sql {
  const ref = target.next('rf');
  const single = target.types.length === 1;
  const select = `${single ? '' : `${ref}.target_type, `}${ref}.target_id`;
  const where = [
    sql(`${ref}.resource_type = ?`, filter.sourceType),
    parameterRowTest(ref, filter.referenceParam, filter.derived),
    typeTest(`${ref}.target_type`, target.types),
  ];
  const visible = target.visible?.([filter.sourceType]);
  if (!visible && !needsRow(filter.filter)) {
    const inner = compile(
      { id: `${ref}.resource_id`, type: `${ref}.resource_type`, types: [filter.sourceType], next: target.next, visible: target.visible },
      filter.filter,
    );
    return compose(
      `${membershipOf(target)} IN (SELECT ${select} FROM sp_reference ${ref} WHERE {} AND {} AND {} AND ({}))`,
      ...where,
      inner,
    );
  }
  const s = target.next('s');
  const inner = compile(
    { id: `${s}.id`, type: `${s}.resource_type`, row: s, types: [filter.sourceType], next: target.next, visible: target.visible },
    filter.filter,
  );
  return compose(
    `${membershipOf(target)} IN (SELECT ${select} FROM sp_reference ${ref}
      JOIN resource ${s} ON ${s}.resource_type = ${ref}.resource_type AND ${s}.id = ${ref}.resource_id
      WHERE {} AND {} AND {} AND NOT ${s}.deleted${visible ? ' AND {}' : ''} AND ({}))`,
    ...where,
    ...(visible ? [visible(s)] : []),
    inner,
  );
}

export function typeTest(column: string, types: readonly string[]): Sql {
  return types.length === 1 ? sql(`${column} = ?`, literal(types[0])) : sql(`${column} = ANY(?::text[])`, literal([...types]));
}
