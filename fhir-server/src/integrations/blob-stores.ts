import type { BlobStoreConfig } from '../config';
import type { BlobStore } from '../domain/documents/blob-store';
import { FilesystemBlobStore } from './filesystem-blob-store';
import { S3BlobStore } from './s3-blob-store';

/** The configured blob store: MinIO/S3 when `S3_ENDPOINT` is set, else files under `DATA_DIR/blobs`. */
export function createBlobStore(config: BlobStoreConfig): BlobStore {
  return config.kind === 's3' ? new S3BlobStore(config) : new FilesystemBlobStore(config.root);
}
