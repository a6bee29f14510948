import { randomBytes } from 'node:crypto';
import { constants as fsConstants, createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSafeBlobKey, type BlobInfo, type BlobStore, type ByteRange } from '../domain/documents/blob-store';

/**
 * The embedded default: objects as files under `<root>/data/<key>`, their media type in
 * `<root>/meta/<key>`. A write goes to a temporary file renamed into place when complete,
 * so a reader never sees half an object and a failed upload leaves nothing. Signed URLs
 * are the server's own (HMAC), so presignedUrl answers undefined.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly kind = 'filesystem';

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await fs.mkdir(path.join(this.root, 'data'), { recursive: true });
    await fs.mkdir(path.join(this.root, 'meta'), { recursive: true });
  }

  async ready(): Promise<void> {
    await fs.access(path.join(this.root, 'data'), fsConstants.W_OK);
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    // Until pipeline() listens, a failing body must not be an unhandled 'error' event; pipeline still sees it.
    const ignore = (): void => undefined;
    body.on('error', ignore);
    const file = this.file('data', key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
      const meta = this.file('meta', key);
      await fs.mkdir(path.dirname(meta), { recursive: true });
      await fs.writeFile(meta, JSON.stringify({ contentType }));
      await fs.rename(partial, file);
    } catch (error) {
      await fs.rm(partial, { force: true });
      throw error;
    } finally {
      body.off('error', ignore);
    }
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const [stats, meta] = await Promise.all([fs.stat(this.file('data', key)), fs.readFile(this.file('meta', key), 'utf8')]);
      return { size: stats.size, contentType: (JSON.parse(meta) as { contentType: string }).contentType };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.file('data', key);
    const handle = await fs.open(file, 'r');
    return createReadStream(file, { fd: handle, start: range?.start, end: range?.end });
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file('data', key), { force: true });
    await fs.rm(this.file('meta', key), { force: true });
  }

  async move(from: string, to: string): Promise<void> {
    for (const area of ['meta', 'data'] as const) {
      const target = this.file(area, to);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(this.file(area, from), target);
    }
  }

  async presignedUrl(): Promise<string | undefined> {
    return undefined;
  }

  private file(area: 'data' | 'meta', key: string): string {
    if (!isSafeBlobKey(key)) {
      throw new Error(`Unsafe blob key "${key}"`);
    }
    return path.join(this.root, area, ...key.split('/'));
  }
}
