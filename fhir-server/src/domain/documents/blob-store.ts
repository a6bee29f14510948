import type { Readable } from 'node:stream';

/** Size and media type of a stored object. */
export interface BlobInfo {
  readonly size: number;
  readonly contentType: string;
}

/** Inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where document bytes live (Binary contents, bulk export files). Keys are opaque server
 * ids (`binary/<uuid>`), never names a user chose, so they carry no patient data and no path.
 * Implemented by integrations/filesystem-blob-store.ts (embedded default) and
 * integrations/s3-blob-store.ts (MinIO, S3); both pass test/integrations/blob-store.contract.ts.
 */
export interface BlobStore {
  /** `filesystem` or `s3`, for logs and the README. */
  readonly kind: string;
  /** Creates the folder or bucket when missing. Called once at start-up. */
  init(): Promise<void>;
  /** Resolves when the store can be used now (folder writable, bucket reachable); rejects saying why not. For /readyz. */
  ready(): Promise<void>;
  /**
   * Stores the bytes of `body` under `key`. The object exists only if the stream ends
   * without error: a failed or aborted upload leaves nothing behind, and the promise rejects
   * with the stream's error.
   */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** Size and type, or undefined when there is no such object. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /** The bytes (or the range of them), streamed. Rejects for a missing object. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes an object; no error when it is already gone. */
  delete(key: string): Promise<void>;
  /** Moves an object to another key (the retention area). */
  move(from: string, to: string): Promise<void>;
  /**
   * A URL the object can be fetched from without credentials for `seconds`, when the store
   * signs its own (S3 presigned URLs); undefined when the server must serve the bytes itself.
   */
  presignedUrl(key: string, seconds: number): Promise<string | undefined>;
}

/** Keys are server-made: lower-case letters, digits, `-`, `.` and `/` between segments, no `..`. */
export function isSafeBlobKey(key: string): boolean {
  return (
    /^[a-z0-9][a-z0-9\-.]*(\/[a-z0-9][a-z0-9\-.]*)*$/.test(key) && !key.split('/').some((s) => s === '..' || s === '.') && key.length <= 512
  );
}
