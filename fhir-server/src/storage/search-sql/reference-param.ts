import type { SearchParameterCatalog } from '../../definitions';
import { referenceDerivationsOf } from '../indexing/indexed-parameters';
import type { ReferenceDerivation, SearchFilter, SearchQuery, SortRule } from '../search-query';
import { literal, sql, type Sql } from './sql-fragment';

/**
 * That the index row `x` is a row of parameter `code`: one stored under it, or, for a derived
 * reference parameter (indexing/indexed-parameters.ts referenceDerivation), an `sp_reference`
 * row of one of its sources on the same resource type whose target has the derived type. All
 * the parameter names lead the condition, so the index on (resource_type, param, target_id) is
 * probed once per name.
 */
export function parameterRowTest(x: string, code: string, derived: readonly ReferenceDerivation[] = []): Sql {
  if (derived.length === 0) {
    return sql(`${x}.param = ?`, literal(code));
  }
  const names = [...new Set([code, ...derived.flatMap((d) => d.sources)])];
  const sourceRows = derived.map(() => `(${x}.resource_type = ? AND ${x}.target_type = ? AND ${x}.param = ANY(?::text[]))`);
  return sql(
    `${x}.param = ANY(?::text[]) AND (${x}.param = ? OR ${sourceRows.join(' OR ')})`,
    literal(names),
    literal(code),
    ...derived.flatMap((d) => [literal(d.resourceType), literal(d.targetType), literal([...d.sources])]),
  );
}

/**
 * The query with the derivations of its reference parameters (filters at every chain level,
 * `_has`, sort keys) filled in from the catalog the rows were indexed with. Done here, not by
 * the parser, because how rows are stored is storage's business: a filter built by domain code
 * gets the same treatment as one parsed from a URL.
 */
export function withDerivations(query: SearchQuery, catalog: SearchParameterCatalog): SearchQuery {
  // Only a non-empty list is set: the query of a search without derived parameters stays as it was.
  const derivations = (types: readonly string[], code: string): { derived?: ReferenceDerivation[] } => {
    const derived = types.flatMap((type) => referenceDerivationsOf(catalog, type).get(code) ?? []);
    return derived.length > 0 ? { derived } : {};
  };
  const annotate = (types: readonly string[], filter: SearchFilter): SearchFilter => {
    if (filter.kind === 'chain') {
      return { ...filter, ...derivations(types, filter.code), filter: annotate(filter.targetTypes, filter.filter) };
    }
    if (filter.kind === 'has') {
      const source = [filter.sourceType];
      return { ...filter, ...derivations(source, filter.referenceParam), filter: annotate(source, filter.filter) };
    }
    return filter.type === 'reference' ? { ...filter, ...derivations(types, filter.code) } : filter;
  };
  const sortRule = (rule: SortRule): SortRule =>
    rule.chain
      ? { ...rule, chain: { ...rule.chain, ...derivations(query.resourceTypes, rule.chain.code) } }
      : rule.type === 'reference'
        ? { ...rule, ...derivations(query.resourceTypes, rule.code) }
        : rule;
  return {
    ...query,
    filters: query.filters.map((filter) => annotate(query.resourceTypes, filter)),
    sort: query.sort.map(sortRule),
  };
}
