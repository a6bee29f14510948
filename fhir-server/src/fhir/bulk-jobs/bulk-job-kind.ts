import type { BulkJob } from '../../storage/bulk-jobs';

/** One kind of bulk job ($export, $import) as its status URL shows it (http/bulk-job-routes.ts). */
export interface BulkJobKind {
  /** `_export`, `_import`: below the FHIR base. */
  readonly statusPath: string;
  read(id: string): Promise<BulkJob | undefined>;
  cancel(job: BulkJob): Promise<void>;
  /** Blob keys of a completed job's files (their last segment is the file name in URLs). */
  files(job: BulkJob): readonly string[];
  /** The completion manifest; `fileUrl` turns a file's key into its (signed) URL. */
  manifest(job: BulkJob, fileUrl: (key: string) => string): unknown;
}
