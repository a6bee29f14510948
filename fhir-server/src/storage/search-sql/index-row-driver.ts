import type { SearchFilter } from '../search-query';
import { filterCondition, matchingRows } from './filter';
import { countProbe, MAX_MATCHES, MIN_MATCHES } from './match-counts';
import type { PageInputs } from './page-inputs';
import { and, compose, type Sql, type Target } from './sql-fragment';

/**
 * `PractitionerRole?specialty=X&language=de&...`: estimating the specialty's 1,042 roles at a
 * handful (match-counts.ts), PostgreSQL looks up the language of each (~4 buffers a role)
 * rather than read the 5,000 roles that speak it once. Capped counts of the token filters'
 * matches choose instead: the filter with the fewest drives, and each other with few enough
 * matches is tested against a hash of them, built once.
 */
export interface HashedFilters {
  /**
   * The pages with the driver and hashes that the counts choose, or undefined: the usual pages.
   * Stops counting at the first filter with fewer than `MIN_MATCHES`: it would drive as usual.
   */
  readonly pages: (countOf: (probe: Sql) => Promise<number>) => Promise<Sql[] | undefined>;
}

export interface HashChoice {
  readonly driver: SearchFilter;
  readonly hashed: ReadonlySet<SearchFilter>;
}

export function hashedFilters(
  target: Target,
  filters: readonly SearchFilter[],
  pagesFor: (choice: HashChoice) => Sql[],
): HashedFilters | undefined {
  const tokens = filters.flatMap((filter) => {
    const rows =
      filter.kind !== 'chain' && filter.kind !== 'has' && filter.type === 'token' && !filter.modifier && matchingRows(target, filter, 'd');
    return rows ? [{ filter, probe: countProbe(rows) }] : [];
  });
  if (tokens.length < 2) {
    return undefined;
  }
  return {
    pages: async (countOf) => {
      const counts: number[] = [];
      for (const { probe } of tokens) {
        const n = await countOf(probe);
        if (n < MIN_MATCHES) {
          return undefined;
        }
        counts.push(n);
      }
      const fewest = counts.indexOf(Math.min(...counts));
      const hashed = new Set(tokens.filter((_, j) => j !== fewest && counts[j] <= MAX_MATCHES).map((t) => t.filter));
      return hashed.size > 0 ? pagesFor({ driver: tokens[fewest].filter, hashed }) : undefined;
    },
  };
}

/**
 * The first filter answered by one index table's rows (`d`), or the chosen driver, and the
 * others as tests on `d.resource_id`.
 */
export function driverOf(target: Target, filters: readonly SearchFilter[], choice?: HashChoice): PageInputs['driver'] {
  const onIndexRow = { id: 'd.resource_id', type: 'd.resource_type', types: target.types, next: target.next, visible: target.visible };
  for (const driver of choice ? [choice.driver] : filters) {
    const rows = matchingRows(target, driver, 'd');
    if (rows) {
      const others = filters.filter((f) => f !== driver);
      return {
        rows,
        others: (idBound) =>
          others.map((f) => (choice?.hashed.has(f) ? hashedMembership(target, f) : filterCondition({ ...onIndexRow, idBound }, f))),
      };
    }
  }
  return undefined;
}

/** The driver's index rows that every filter matches: `sp_<type> d WHERE ...`. */
export function rowsMatchingAll(driver: NonNullable<PageInputs['driver']>): Sql {
  const others = driver.others();
  return others.length > 0 ? compose('{} AND {}', driver.rows, and(others)) : driver.rows;
}

/** Wrapped in `IS TRUE`, the membership test stays a hashed SubPlan instead of becoming a semi-join. */
function hashedMembership(target: Target, filter: SearchFilter): Sql {
  const h = target.next('h');
  return compose(`(d.resource_id IN (SELECT ${h}.resource_id FROM {})) IS TRUE`, matchingRows(target, filter, h) as Sql);
}
