import type { SearchParameter } from '@medplum/fhirtypes';
import type { SearchParameterCatalog } from '../definitions';
import { isUsableSearchParameter } from '../definitions/search-parameter-rules';
import type { SqlExecutor } from './sql-executor';

/**
 * How many SearchParameter versions have been written: a counter that grows with every
 * committed create, update or delete of one, by any server process. An index-only count
 * over a handful of rows, cheap enough to check on every search.
 */
export const SEARCH_PARAMETER_VERSIONS_SQL = `(SELECT count(*)::int FROM resource_history WHERE resource_type = 'SearchParameter')`;

/**
 * Keeps the custom layer of a catalog equal to the SearchParameter resources stored in the
 * database, so that several server processes on one database index and search alike.
 */
export class SearchParameterSync {
  private known = -1;

  constructor(private readonly catalog: SearchParameterCatalog) {}

  /** Reloads the custom parameters if any was written since the last load. */
  async refresh(db: SqlExecutor): Promise<void> {
    const { rows } = await db.raw<{ n: number }>(`SELECT ${SEARCH_PARAMETER_VERSIONS_SQL} AS n`);
    await this.observe(db, rows[0].n);
  }

  /**
   * Takes note of a version count read elsewhere (writes read it in the same statement);
   * returns true when the catalog had to be reloaded.
   */
  async observe(db: SqlExecutor, versions: number): Promise<boolean> {
    if (versions === this.known) {
      return false;
    }
    const { rows } = await db.raw<{ content: string }>(
      `SELECT content FROM resource WHERE resource_type = 'SearchParameter' AND NOT deleted ORDER BY last_updated, id`,
    );
    const params = rows.map((row) => JSON.parse(row.content) as SearchParameter).filter(isUsableSearchParameter);
    this.catalog.replaceCustom(params);
    this.known = versions;
    return true;
  }

  /** Forgets the loaded state, so the next refresh reloads (after this process wrote one). */
  invalidate(): void {
    this.known = -1;
  }

  get loadedVersions(): number {
    return this.known;
  }
}
