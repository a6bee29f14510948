import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, ByteRange } from './blob-store';
import { UploadInspector, type Inspection, type InspectionLimits } from './upload-inspector';
import { UrlSigner, type DownloadGrant, type GrantCheck } from './signed-urls';
import { DocumentRejectedError } from './document-rejected-error';

export interface DocumentStorageOptions extends InspectionLimits {
  /** Lifetime of a signed download URL. */
  readonly signedUrlSeconds: number;
  /** HMAC key of signed URLs. */
  readonly signingKey: Buffer | string;
  /** `keep`: a deleted Binary's bytes stay; `move`: they move under `retained/`. */
  readonly retention: 'keep' | 'move';
  /** Public URL of the server: signed URLs are `<publicUrl>/documents/<token>`. */
  readonly publicUrl: string;
}

/** Where the server answers signed download URLs. */
export const SIGNED_URL_PATH = '/documents';

/** The key of a Binary's bytes: its id, never a name (no patient data, no path). */
export function binaryKey(binaryId: string): string {
  return `binary/${binaryId.toLowerCase()}`;
}

/**
 * The bytes behind Binary resources: checked and hashed on the way in, streamed on the way
 * out, kept (or moved aside) when the Binary is deleted, and reachable through signed URLs.
 */
export class DocumentStorage {
  private readonly signer: UrlSigner;

  constructor(
    readonly blobs: BlobStore,
    private readonly options: DocumentStorageOptions,
  ) {
    this.signer = new UrlSigner(options.signingKey);
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  get signedUrlSeconds(): number {
    return this.options.signedUrlSeconds;
  }

  /**
   * Streams an upload into the store under the Binary's key. Rejected (DocumentRejectedError)
   * or interrupted uploads leave no object behind.
   */
  async store(binaryId: string, body: Readable, claimedType: string | undefined, declaredLength?: number): Promise<Inspection> {
    if (declaredLength !== undefined && declaredLength > this.options.maxBytes) {
      throw new DocumentRejectedError('too-large', `The document exceeds the limit of ${this.options.maxBytes} bytes`);
    }
    const inspector = new UploadInspector(this.options, claimedType);
    const piped = body.pipe(inspector);
    // pipe() does not forward errors: a client that goes away must fail the upload.
    const interrupted = (): void => {
      inspector.destroy(new DocumentRejectedError('interrupted', 'The upload was interrupted before its end'));
    };
    body.once('error', interrupted);
    body.once('aborted', interrupted);
    await this.blobs.put(binaryKey(binaryId), piped, normalizedOrDefault(claimedType));
    const inspection = inspector.result;
    return inspection;
  }

  /** Removes the bytes of a Binary that was never stored (its resource failed to be written). */
  async discard(binaryId: string): Promise<void> {
    await this.blobs.delete(binaryKey(binaryId));
  }

  stat(binaryId: string): Promise<BlobInfo | undefined> {
    return this.blobs.stat(binaryKey(binaryId));
  }

  read(binaryId: string, range?: ByteRange): Promise<Readable> {
    return this.blobs.read(binaryKey(binaryId), range);
  }

  /** After a Binary was deleted: its bytes are kept where they are, or moved into the retention area. */
  async retire(binaryId: string): Promise<void> {
    if (this.options.retention === 'move' && (await this.stat(binaryId))) {
      await this.blobs.move(binaryKey(binaryId), `retained/${binaryKey(binaryId)}`);
    }
  }

  /** A token granting download of one Binary for the configured lifetime. */
  grantDownload(binaryId: string, issuedTo: string, now: Date = new Date()): { url: string; expires: Date } {
    const expires = Math.floor(now.getTime() / 1000) + this.options.signedUrlSeconds;
    const grant: DownloadGrant = { binaryId, expires, issuedTo };
    return { url: `${this.options.publicUrl}${SIGNED_URL_PATH}/${this.signer.sign(grant)}`, expires: new Date(expires * 1000) };
  }

  checkDownload(token: string): GrantCheck {
    return this.signer.verify(token);
  }
}

/**
 * The type the object is stored with before the inspection is complete; the Binary resource
 * records the detected type, which is what downloads are served as.
 */
function normalizedOrDefault(claimedType: string | undefined): string {
  return claimedType?.split(';')[0].trim().toLowerCase() || 'application/octet-stream';
}
