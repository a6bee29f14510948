import { componentParam } from '../indexing/indexed-parameters';
import type { IndexTable } from '../indexing/index-rows';
import type { ParameterFilter, SearchParamType } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { valueCondition } from './value-condition';
import { and, compose, membershipOf, or, sql, type Sql, type Target } from './sql-fragment';

/**
 * A composite parameter (search.html#composite), e.g. `code-value-quantity=loinc|8480-6$gt100`:
 * each component is a row of its own type table (param `<code>#<i>`), and all components of
 * one value must match rows of the same group (`grp`) of the same resource.
 */
export function compositeCondition(target: Target, filter: ParameterFilter): Sql {
  const types = (filter.components ?? []) as IndexTable[];
  const aliases = types.map(() => target.next('c'));
  const joins = types
    .slice(1)
    .map((type, i) =>
      sql(
        `JOIN sp_${type} ${aliases[i + 1]} ON ${aliases[i + 1]}.resource_type = ${aliases[0]}.resource_type AND ${aliases[i + 1]}.resource_id = ${aliases[0]}.resource_id AND ${aliases[i + 1]}.grp = ${aliases[0]}.grp AND ${aliases[i + 1]}.param = ?`,
        componentParam(filter.code, i + 1),
      ),
    );
  const alternatives = filter.values.map((value) => {
    const parts = value.components ?? [];
    if (parts.length !== types.length) {
      throw new InvalidSearchError(`${filter.code} needs ${types.length} components separated by $`);
    }
    return and(
      parts.map((part, i) =>
        valueCondition(aliases[i], { code: componentParam(filter.code, i), type: types[i] as SearchParamType, values: [part] }, part),
      ),
    );
  });
  const first = aliases[0];
  const select = target.types.length === 1 ? `${first}.resource_id` : `${first}.resource_type, ${first}.resource_id`;
  const typeTest =
    target.types.length === 1
      ? sql(`${first}.resource_type = ?`, target.types[0])
      : sql(`${first}.resource_type = ANY(?::text[])`, target.types);
  const membership = membershipOf(target);
  return compose(
    `${membership} IN (SELECT ${select} FROM sp_${types[0]} ${first} ${joins.map(() => '{}').join(' ')} WHERE {} AND {} AND ({}))`,
    ...joins,
    typeTest,
    sql(`${first}.param = ?`, componentParam(filter.code, 0)),
    or(alternatives),
  );
}
