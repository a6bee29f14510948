import type { Knex } from 'knex';
import * as createResourceTables from './20261125040000_create-resource-tables';
import * as addResourceAccessTags from './20261125090000_add-resource-access-tags';
import * as createAccountTables from './20261125100000_create-account-tables';
import * as addIndexRowGroups from './20261201090000_add-index-row-groups';
import * as createReindexJobs from './20261201090100_create-reindex-jobs';
import * as addSortIndexes from './20261201090200_add-sort-indexes';
import * as createAppointmentBookings from './20261210090000_create-appointment-bookings';
import * as createExportJobs from './20261211000000_create-export-jobs';
import * as createNotificationTables from './20261213090000_create-notification-tables';
import * as addCareAccessTags from './20261214090000_add-care-access-tags';
import * as createSigningCredentials from './20261214090100_create-signing-credentials';
import * as createBulkJobLeases from './20261224090000_create-bulk-job-leases';
import * as addAccountDisabled from './20261225090000_add-account-disabled';
import * as addJobRunLeases from './20261226300000_add-job-run-leases';
import * as indexDisabledAccounts from './20261226500000_index-disabled-accounts';
import * as coveringSearchIndexes from './20261226600000_add-covering-search-indexes';
import * as dropReferenceReverseIndex from './20261226700000_drop-reference-reverse-index';
import * as dropDerivedReferenceRows from './20261226800000_drop-derived-reference-rows';
import * as compressContentLz4 from './20261226900000_compress-content-lz4';
import * as partialReferenceUrlIndex from './20261227000000_partial-reference-url-index';
import * as reindexListCurrentItems from './20261228000000_reindex-list-current-items';
import * as createFullTextIndex from './20261228100000_create-full-text-index';
import * as reindexTypedIdentifiers from './20261228200000_reindex-typed-identifiers';
import * as createIndexStatistics from './20261228300000_create-index-statistics';
import * as reindexCareDates from './20261228400000_reindex-care-dates';
import * as tokenSystemStatistics from './20261228500000_token-system-statistics';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Listed explicitly (not read from disk) so the same code runs
 * from TypeScript sources in tests and compiled JavaScript in production.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '20261125040000_create-resource-tables': createResourceTables,
  '20261125090000_add-resource-access-tags': addResourceAccessTags,
  '20261125100000_create-account-tables': createAccountTables,
  '20261201090000_add-index-row-groups': addIndexRowGroups,
  '20261201090100_create-reindex-jobs': createReindexJobs,
  '20261201090200_add-sort-indexes': addSortIndexes,
  '20261210090000_create-appointment-bookings': createAppointmentBookings,
  '20261211000000_create-export-jobs': createExportJobs,
  '20261213090000_create-notification-tables': createNotificationTables,
  '20261214090000_add-care-access-tags': addCareAccessTags,
  '20261214090100_create-signing-credentials': createSigningCredentials,
  '20261224090000_create-bulk-job-leases': createBulkJobLeases,
  '20261225090000_add-account-disabled': addAccountDisabled,
  '20261226300000_add-job-run-leases': addJobRunLeases,
  '20261226500000_index-disabled-accounts': indexDisabledAccounts,
  '20261226600000_add-covering-search-indexes': coveringSearchIndexes,
  '20261226700000_drop-reference-reverse-index': dropReferenceReverseIndex,
  '20261226800000_drop-derived-reference-rows': dropDerivedReferenceRows,
  '20261226900000_compress-content-lz4': compressContentLz4,
  '20261227000000_partial-reference-url-index': partialReferenceUrlIndex,
  '20261228000000_reindex-list-current-items': reindexListCurrentItems,
  '20261228100000_create-full-text-index': createFullTextIndex,
  '20261228200000_reindex-typed-identifiers': reindexTypedIdentifiers,
  '20261228300000_create-index-statistics': createIndexStatistics,
  '20261228400000_reindex-care-dates': reindexCareDates,
  '20261228500000_token-system-statistics': tokenSystemStatistics,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name],
};
