import type { Readable } from 'node:stream';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { isSafeBlobKey, type BlobInfo, type BlobStore, type ByteRange } from '../domain/documents/blob-store';

export interface S3Settings {
  /** `http(s)://host:port` of MinIO or S3. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  /** Ask for server-side encryption (SSE-S3, `AES256`) on every object. */
  readonly serverSideEncryption: boolean;
}

/** Uploads of unknown length go in parts of this size: the most the client holds in memory per upload. */
const PART_SIZE = 8 * 1024 * 1024;

/** MinIO or any S3-compatible store through the `minio` client (path-style requests). */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: Client;

  constructor(private readonly settings: S3Settings) {
    const url = new URL(settings.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      useSSL: url.protocol === 'https:',
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      region: settings.region,
      pathStyle: true,
      partSize: PART_SIZE,
    });
  }

  async init(): Promise<void> {
    if (!(await this.client.bucketExists(this.settings.bucket))) {
      await this.client.makeBucket(this.settings.bucket, this.settings.region);
    }
  }

  async ready(): Promise<void> {
    if (!(await this.client.bucketExists(this.settings.bucket))) {
      throw new Error(`bucket ${this.settings.bucket} does not exist`);
    }
  }

  /**
   * Streams in parts of PART_SIZE: one PUT when the body fits in a part, else a multipart
   * upload (aborted on failure, so nothing is left behind). The client's own putObject
   * would first list incomplete uploads, which not every S3 server implements.
   */
  async put(key: string, body: Readable, contentType: string): Promise<void> {
    const bucket = this.settings.bucket;
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (this.settings.serverSideEncryption) {
      headers['X-Amz-Server-Side-Encryption'] = 'AES256';
    }
    const parts = inParts(body, PART_SIZE)[Symbol.asyncIterator]();
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) {
      const bytes = first.done ? Buffer.alloc(0) : first.value;
      await this.client.putObject(bucket, checked(key), bytes, bytes.length, headers);
      return;
    }
    const uploadId = await this.client.initiateNewMultipartUpload(bucket, checked(key), headers);
    try {
      const etags: { part: number; etag: string }[] = [];
      let partNumber = 0;
      for (let part: IteratorResult<Buffer> = first; !part.done; part = partNumber === 1 ? second : await parts.next()) {
        partNumber++;
        const uploaded = await this.client.uploadPart(
          { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: { 'Content-Length': part.value.length } },
          part.value,
        );
        etags.push({ part: partNumber, etag: uploaded.etag });
      }
      await this.client.completeMultipartUpload(bucket, key, uploadId, etags);
    } catch (error) {
      await this.client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const stat = await this.client.statObject(this.settings.bucket, checked(key));
      const contentType = (stat.metaData['content-type'] as string | undefined) ?? 'application/octet-stream';
      return { size: stat.size, contentType };
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    if (!range) {
      return this.client.getObject(this.settings.bucket, checked(key));
    }
    return this.client.getPartialObject(this.settings.bucket, checked(key), range.start, range.end - range.start + 1);
  }

  async delete(key: string): Promise<void> {
    await this.client.removeObject(this.settings.bucket, checked(key));
  }

  async move(from: string, to: string): Promise<void> {
    await this.client.copyObject(
      new CopySourceOptions({ Bucket: this.settings.bucket, Object: checked(from) }),
      new CopyDestinationOptions({ Bucket: this.settings.bucket, Object: checked(to) }),
    );
    await this.client.removeObject(this.settings.bucket, from);
  }

  presignedUrl(key: string, seconds: number): Promise<string | undefined> {
    return this.client.presignedGetObject(this.settings.bucket, checked(key), seconds);
  }
}

function checked(key: string): string {
  if (!isSafeBlobKey(key)) {
    throw new Error(`Unsafe blob key "${key}"`);
  }
  return key;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}

/** The stream's bytes in buffers of `size` (the last one shorter). */
async function* inParts(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    pending.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    while (length >= size) {
      const joined = Buffer.concat(pending, length);
      yield joined.subarray(0, size);
      pending = [joined.subarray(size)];
      length -= size;
    }
  }
  if (length > 0) {
    yield Buffer.concat(pending, length);
  }
}
