import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { BlobStore } from '../../src/domain/documents/blob-store';
import { FilesystemBlobStore } from '../../src/integrations/filesystem-blob-store';
import { S3BlobStore } from '../../src/integrations/s3-blob-store';
import { S3RVER_KEY, startS3Server, type S3TestServer } from '../setup/s3-server';

/**
 * The BlobStore contract, run against both adapters: the filesystem one on a temporary
 * folder, and the MinIO client against a real S3-protocol server (s3rver) over HTTP.
 */
let s3: S3TestServer;
let folder: string;

beforeAll(async () => {
  s3 = await startS3Server();
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'medbuddy-blobs-'));
});
afterAll(async () => {
  await s3?.close();
  await fs.rm(folder, { recursive: true, force: true });
});

const adapters: [string, () => BlobStore][] = [
  ['filesystem', () => new FilesystemBlobStore(folder)],
  [
    's3 (minio client against s3rver)',
    () =>
      new S3BlobStore({
        endpoint: s3.endpoint,
        bucket: 'contract-test',
        accessKey: S3RVER_KEY,
        secretKey: S3RVER_KEY,
        region: 'us-east-1',
        serverSideEncryption: false,
      }),
  ],
];

describe.each(adapters)('BlobStore contract: %s', (_name, create) => {
  let store: BlobStore;
  beforeAll(async () => {
    store = create();
    await store.init();
    await store.init(); // idempotent: the bucket or folder already exists
  });

  const key = () => `binary/${randomUUID()}`;

  test('put, stat and read back the same bytes and media type', async () => {
    const k = key();
    await store.put(k, Readable.from([Buffer.from('%PDF-1.7 hello')]), 'application/pdf');
    expect(await store.stat(k)).toEqual({ size: 14, contentType: 'application/pdf' });
    expect(await text(await store.read(k))).toBe('%PDF-1.7 hello');
  });

  test('a range reads exactly the inclusive byte range', async () => {
    const k = key();
    await store.put(k, Readable.from([Buffer.from('0123456789')]), 'text/plain');
    expect(await text(await store.read(k, { start: 2, end: 5 }))).toBe('2345');
    expect(await text(await store.read(k, { start: 9, end: 9 }))).toBe('9');
  });

  test('a missing object has no stat, and reading it rejects', async () => {
    expect(await store.stat(key())).toBeUndefined();
    await expect(store.read(key())).rejects.toThrow();
  });

  test('an upload of several parts (larger than one S3 part) streams through', async () => {
    const k = key();
    const chunk = randomBytes(1024 * 1024);
    const chunks = Array.from({ length: 10 }, () => chunk);
    await store.put(k, Readable.from(chunks), 'application/octet-stream');
    expect((await store.stat(k))?.size).toBe(10 * 1024 * 1024);
    const tail = await store.read(k, { start: 10 * 1024 * 1024 - 4, end: 10 * 1024 * 1024 - 1 });
    const bytes: Buffer[] = [];
    for await (const piece of tail) {
      bytes.push(piece as Buffer);
    }
    expect(Buffer.concat(bytes)).toEqual(chunk.subarray(chunk.length - 4));
  });

  test('an upload that fails midway leaves no object', async () => {
    const k = key();
    const body = new PassThrough();
    const stored = store.put(k, body, 'application/pdf');
    body.write(Buffer.alloc(64 * 1024, 1));
    setImmediate(() => body.destroy(new Error('client went away')));
    await expect(stored).rejects.toThrow('client went away');
    expect(await store.stat(k)).toBeUndefined();
  });

  test('move keeps the bytes under the new key; delete removes, twice without error', async () => {
    const k = key();
    const retained = `retained/${k}`;
    await store.put(k, Readable.from([Buffer.from('keep me')]), 'text/plain');
    await store.move(k, retained);
    expect(await store.stat(k)).toBeUndefined();
    expect(await text(await store.read(retained))).toBe('keep me');
    await store.delete(retained);
    await store.delete(retained);
    expect(await store.stat(retained)).toBeUndefined();
  });

  test('keys that could escape the store are refused', async () => {
    for (const bad of ['../etc/passwd', 'binary/../../x', '/abs', 'Name With Spaces', 'a//b', '']) {
      await expect(store.put(bad, Readable.from([Buffer.from('x')]), 'text/plain')).rejects.toThrow('Unsafe blob key');
    }
  });
});

test('ready() resolves for an initialised store; a missing folder or bucket is not ready', async () => {
  for (const [, create] of adapters) {
    await expect(create().ready()).resolves.toBeUndefined();
  }
  await expect(new FilesystemBlobStore(path.join(folder, 'never-created')).ready()).rejects.toThrow();
  const missingBucket = new S3BlobStore({
    endpoint: s3.endpoint,
    bucket: 'never-created',
    accessKey: S3RVER_KEY,
    secretKey: S3RVER_KEY,
    region: 'us-east-1',
    serverSideEncryption: false,
  });
  await expect(missingBucket.ready()).rejects.toThrow('bucket never-created does not exist');
});

describe('S3 presigned URLs over HTTP (s3rver checks the key and the expiry)', () => {
  test('a presigned URL works without credentials, then expires; another key fails', async () => {
    const store = adapters[1][1]();
    await store.init();
    const k = `binary/${randomUUID()}`;
    await store.put(k, Readable.from([Buffer.from('signed bytes')]), 'application/pdf');
    const url = (await store.presignedUrl(k, 1)) as string;
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('signed bytes');
    // s3rver does not recompute V4 signatures (MinIO and S3 do); it does check the key and the expiry.
    const otherKey = url.replace('X-Amz-Credential=S3RVER', 'X-Amz-Credential=INTRUDER');
    expect((await fetch(otherKey)).status).toBe(403);
    // X-Amz-Date has second precision: after 2.5 s a 1-second URL is expired whatever the rounding.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await fetch(url)).status).toBe(403);
  });

  test('the filesystem store has no presigned URLs (the server signs its own)', async () => {
    expect(await adapters[0][1]().presignedUrl(`binary/${randomUUID()}`, 60)).toBeUndefined();
  });
});
