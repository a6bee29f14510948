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
  /** When the counter was last read (performance.now()). */
  private checkedAt = -Infinity;

  constructor(private readonly catalog: SearchParameterCatalog) {}

  /**
   * Reloads the custom parameters if any was written since the last load. With `maxAgeMs`, a
   * counter read that recently is trusted without asking the database again (this process's
   * own SearchParameter writes invalidate it at once; another process's are seen within
   * `maxAgeMs`).
   */
  async refresh(db: SqlExecutor, maxAgeMs = 0): Promise<void> {
    if (maxAgeMs > 0 && this.known >= 0 && performance.now() - this.checkedAt < maxAgeMs) {
      return;
    }
    const { rows } = await db.raw<{ n: number }>(`SELECT ${SEARCH_PARAMETER_VERSIONS_SQL} AS n`, [], { prepare: true });
    await this.observe(db, rows[0].n);
  }

  /**
   * Takes note of a version count read elsewhere (writes read it in the same statement);
   * returns true when the catalog had to be reloaded.
   */
  async observe(db: SqlExecutor, versions: number): Promise<boolean> {
    this.checkedAt = performance.now();
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
