/**
 * A full disk under the embedded store: DATA_DIR on a small tmpfs the test mounts (the tests run as root, as CI
 * does). Writes fail with 507 InsufficientStorage, what was stored stays byte-exact, listing and blob files agree
 * with what was acknowledged, readiness fails while the disk is full, and writes work again once there is room,
 * without a restart: room made by deleting objects (below MIN_FREE_DISK_MB, the store's reserve) or by removing
 * a file that filled the disk behind the gateway's back (with no reserve, where LMDB's own commits fail too).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { countBlobFiles, eventually } from '../support/data-dir';
import { type RunningGateway, startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { rawRequest } from '../support/raw-http';
import { s3ClientFor } from '../support/s3-client';
import { expectS3Error } from '../support/s3-errors';

const MiB = 1024 * 1024;
const BUCKET = 'full-disk';

let mountPoint: string;
let gateway: RunningGateway | undefined;

beforeEach(() => {
  mountPoint = mkdtempSync(join(tmpdir(), 'ais-s3-full-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mountPoint]);
});

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

async function start(minFreeMb: number): Promise<S3Client> {
  gateway = await startGateway({ MIN_FREE_DISK_MB: String(minFreeMb) }, { dataDir: join(mountPoint, 'data') });
  const s3 = s3ClientFor(gateway.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return s3;
}

async function readiness(): Promise<{ status: number; body: string }> {
  return rawRequest(gateway!.origin, { method: 'GET', path: '/health/ready' });
}

/** Every acknowledged object reads back byte-exact, and the listing holds exactly those keys. */
async function expectStored(s3: S3Client, stored: Map<string, string>): Promise<void> {
  for (const [key, md5] of stored) {
    const answer = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(md5Hex(Buffer.from(await answer.Body!.transformToByteArray()))).toBe(md5);
  }
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  expect((listed.Contents ?? []).map((entry) => entry.Key).sort()).toEqual([...stored.keys()].sort());
}

/** PUTs 4 MiB objects until the store refuses one; returns what it acknowledged. */
async function fillWithObjects(s3: S3Client): Promise<Map<string, string>> {
  const stored = new Map<string, string>();
  for (let index = 0; index < 20; index += 1) {
    const body = randomBytes(4 * MiB);
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `object-${index}`, Body: body }));
      stored.set(`object-${index}`, md5Hex(body));
    } catch (err) {
      expect({ name: (err as Error).name, status: (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode }).toEqual({
        name: 'InsufficientStorage',
        status: 507,
      });
      return stored;
    }
  }
  throw new Error('the store never refused a write on a 40 MiB disk');
}

it('below MIN_FREE_DISK_MB writes are 507 InsufficientStorage and readiness fails; stored objects stay whole; deleting objects makes writes work again', async () => {
  const s3 = await start(8);
  const stored = await fillWithObjects(s3);
  expect(stored.size).toBeGreaterThan(3);

  // Refused before anything is stored: a small PUT, a part, a new multipart upload.
  await expectS3Error(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small', Body: 'tiny' })), 'InsufficientStorage', 507);
  await expectS3Error(s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'upload' })), 'InsufficientStorage', 507);
  const ready = await readiness();
  expect(ready.status).toBe(503);
  expect(ready.body).toMatch(/bytes free in/);
  await expectStored(s3, stored);
  expect(countBlobFiles(gateway!.dataDir)).toBe(stored.size);

  // Deletes are never refused: they are how room is made.
  for (const key of [...stored.keys()].slice(0, 2)) {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    stored.delete(key);
  }
  expect(await eventually(async () => (await readiness()).status === 200, 10_000)).toBe(true);
  const again = randomBytes(MiB);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after', Body: again }));
  stored.set('after', md5Hex(again));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'upload' }));
  await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'upload', UploadId, PartNumber: 1, Body: randomBytes(MiB) }));
  await expectStored(s3, stored);
});

it('a disk filled behind the gateway (no reserve): blob writes and LMDB commits fail as 507, the gateway keeps serving, and recovers once the file is gone', async () => {
  const s3 = await start(0);
  const stored = new Map<string, string>();
  for (const [key, size] of [
    ['before-large', 4 * MiB],
    ['before-small', 1000],
  ] as const) {
    const body = randomBytes(size);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    stored.set(key, md5Hex(body));
  }
  const filler = join(mountPoint, 'filler');
  fillDisk(filler);

  // Inline objects (up to 64 KiB) are written by LMDB's commit alone; larger ones into a blob file first.
  for (const size of [30_000, 30_000, 30_000, 2 * MiB]) {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `refused-${size}`, Body: randomBytes(size) })), 'InsufficientStorage', 507);
  }
  expect(gateway!.process.exitCode).toBeNull();
  expect((await readiness()).status).toBe(503);
  await expectStored(s3, stored);

  rmSync(filler);
  expect(await eventually(async () => (await readiness()).status === 200, 10_000)).toBe(true);
  for (const size of [30_000, 2 * MiB]) {
    const body = randomBytes(size);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `after-${size}`, Body: body }));
    stored.set(`after-${size}`, md5Hex(body));
  }
  await expectStored(s3, stored);
  expect(countBlobFiles(gateway!.dataDir)).toBe(2);
});

it('a record shape first met by a commit that failed for the full disk: objects of that shape stored once there is room read back after a restart', async () => {
  let s3 = await start(0);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'before', Body: 'before' }));
  const filler = join(mountPoint, 'filler');
  fillDisk(filler);
  // User metadata of a shape the store has not seen: its commit (inline body, LMDB alone) fails with its new structure.
  const Metadata = { 'shape-first-seen-on-a-full-disk': 'value' };
  await expectS3Error(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'refused', Body: randomBytes(30_000), Metadata })), 'InsufficientStorage', 507);
  rmSync(filler);
  expect(await eventually(async () => (await readiness()).status === 200, 10_000)).toBe(true);
  const body = randomBytes(1000);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after', Body: body, Metadata }));

  const dataDir = gateway!.dataDir;
  await gateway!.stop();
  gateway = await startGateway({ MIN_FREE_DISK_MB: '0' }, { dataDir });
  s3 = s3ClientFor(gateway.endpoint);
  const answer = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'after' }));
  expect(answer.Metadata).toEqual(Metadata);
  expect(md5Hex(Buffer.from(await answer.Body!.transformToByteArray()))).toBe(md5Hex(body));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  expect((listed.Contents ?? []).map((entry) => entry.Key)).toEqual(['after', 'before']);
});

/** Writes zeros to `path` until the filesystem has no room left. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial chunk too: nothing is left, not even a page for LMDB.
  const tail = openSync(path, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(4096));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(tail);
  }
}
