import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { normalizeContentType, sniffContentType, SNIFF_BYTES } from './content-sniffer';
import { DocumentRejectedError } from './document-rejected-error';

export interface InspectionLimits {
  readonly maxBytes: number;
  /** Accepted media types. */
  readonly contentTypes: readonly string[];
}

/** What an inspected upload turned out to be, known once the stream has ended. */
export interface Inspection {
  readonly size: number;
  /** SHA-1 of the bytes, base64 (Attachment.hash). */
  readonly sha1: string;
  readonly contentType: string;
}

/**
 * Passes the bytes through while counting, hashing (SHA-1) and checking them: over the size
 * limit, empty, or not starting like an accepted media type (the claimed one, when the client
 * claimed a specific type), the stream fails with a DocumentRejectedError. Nothing is buffered
 * beyond the first SNIFF_BYTES.
 */
export class UploadInspector extends Transform {
  private readonly hash = createHash('sha1');
  private readonly claimed?: string;
  private head: Buffer[] = [];
  private headLength = 0;
  private size = 0;
  private detected?: string;

  constructor(
    private readonly limits: InspectionLimits,
    claimedType: string | undefined,
  ) {
    super();
    const claimed = normalizeContentType(claimedType);
    this.claimed = claimed === 'application/octet-stream' ? undefined : claimed;
  }

  /** The result; only valid after the stream finished without error. */
  get result(): Inspection {
    return { size: this.size, sha1: this.hash.digest('base64'), contentType: this.detected as string };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limits.maxBytes) {
      callback(new DocumentRejectedError('too-large', `The document exceeds the limit of ${this.limits.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    if (this.detected === undefined) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength >= SNIFF_BYTES) {
        const error = this.checkType();
        if (error) {
          callback(error);
          return;
        }
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.size === 0) {
      callback(new DocumentRejectedError('empty', 'The document is empty (zero bytes)'));
      return;
    }
    callback(this.detected === undefined ? this.checkType() : null);
  }

  private checkType(): DocumentRejectedError | undefined {
    const sniffed = sniffContentType(Buffer.concat(this.head));
    this.head = [];
    const accepted = this.limits.contentTypes.join(', ');
    if (!sniffed || !this.limits.contentTypes.includes(sniffed)) {
      return new DocumentRejectedError('content-type', `The content is not one of the accepted types (${accepted})`);
    }
    if (this.claimed && this.claimed !== sniffed) {
      return new DocumentRejectedError('content-type', `The content is ${sniffed}, not ${this.claimed} as declared`);
    }
    this.detected = sniffed;
    return undefined;
  }
}
