/**
 * Blob files damaged behind the embedded store's back (removed, truncated): a GET never hands the client a short
 * body as complete. Damage found before the answer starts is a 500 InternalError; damage found once the body is
 * under way cuts the connection before the promised Content-Length. Either way the store logs an integrity fault
 * and counts it in embedded_store_integrity_faults_total{kind}.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type RunningGateway, startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { scrapeMetrics } from '../support/prometheus';
import { s3ClientFor } from '../support/s3-client';
import { expectS3Error } from '../support/s3-errors';
import { linesWith } from './support/processes';

const BUCKET = 'damaged';
const MiB = 1024 * 1024;

let gateway: RunningGateway;
let s3: S3Client;

beforeAll(async () => {
  gateway = await startGateway();
  s3 = s3ClientFor(gateway.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await gateway.stop();
});

/** Every blob file of the store, by path. */
function blobFiles(): string[] {
  const root = join(gateway.dataDir, 'blobs');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Writes an object and returns the blob files it added (in the order they were written, for a multipart object: by part). */
async function putWithBlobs(write: () => Promise<unknown>): Promise<string[]> {
  const before = new Set(blobFiles());
  await write();
  return blobFiles().filter((path) => !before.has(path));
}

function put(key: string, body: Buffer): Promise<string[]> {
  return putWithBlobs(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body })));
}

async function faults(kind: string): Promise<number> {
  return (await scrapeMetrics(gateway.origin)).value('embedded_store_integrity_faults_total', { kind });
}

/**
 * What a client that reads the whole body gets: the bytes, or the error that ended the request (an S3 error
 * answer, when the damage was found before the answer started) or the read of its body (a cut connection).
 */
async function readWhole(key: string, range?: string): Promise<{ bytes?: Buffer; error?: string }> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
    return { bytes: Buffer.from(await answer.Body!.transformToByteArray()) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

it('a GET of an object whose blob file was removed is 500 InternalError, logged and counted as a missing blob', async () => {
  const [blob] = await put('removed', randomBytes(MiB));
  const before = await faults('missing');
  rmSync(blob);

  const failed = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'removed' })), 'InternalError', 500);
  expect(failed.message).toMatch(/missing or damaged/);
  await expectS3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'removed', Range: 'bytes=0-99' })), 'InternalError', 500);
  expect((await faults('missing')) - before).toBe(2);
  expect(linesWith(gateway, 'integrity fault (missing) reading damaged/removed')).toBe(2);
});

it('a GET of an object whose blob file was truncated never ends as a complete body: the connection is cut, counted as a truncated blob', async () => {
  const body = randomBytes(4 * MiB);
  const [blob] = await put('truncated', body);
  const before = await faults('truncated');
  truncateSync(blob, MiB);

  const whole = await readWhole('truncated');
  expect(whole.bytes).toBeUndefined();
  expect(whole.error).toBeDefined();
  // A range the file still holds reads as it was written; one past the cut fails like the whole object.
  expect(md5Hex((await readWhole('truncated', 'bytes=0-1023')).bytes!)).toBe(md5Hex(body.subarray(0, 1024)));
  // (Found before the answer started: the file ends before the range does. An InternalError then.)
  const pastTheCut = await readWhole('truncated', `bytes=${2 * MiB}-${2 * MiB + 99}`);
  expect(pastTheCut.bytes).toBeUndefined();
  expect(pastTheCut.error).toMatch(/^InternalError: /);
  expect((await faults('truncated')) - before).toBe(2);
  expect(linesWith(gateway, 'integrity fault (truncated) reading damaged/truncated')).toBe(2);

  // The gateway goes on serving: an intact object reads whole.
  const intact = randomBytes(2 * MiB);
  await put('intact', intact);
  expect(md5Hex((await readWhole('intact')).bytes!)).toBe(md5Hex(intact));
});

it('a multipart object whose second part lost its blob file is cut once the first part is sent, and counted', async () => {
  const parts = [randomBytes(5 * MiB), randomBytes(MiB)];
  const blobs = await putWithBlobs(async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multipart' }));
    const etags: string[] = [];
    for (const [index, part] of parts.entries()) {
      etags.push((await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'multipart', UploadId, PartNumber: index + 1, Body: part }))).ETag!);
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'multipart',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
  });
  expect(blobs).toHaveLength(2);
  const before = await faults('missing');
  // The part files are named by random ids: the second part's is the one of its size.
  const second = blobs.find((path) => statSync(path).size === MiB)!;
  rmSync(second);

  const whole = await readWhole('multipart');
  expect(whole.bytes).toBeUndefined();
  expect(whole.error).toBeDefined();
  expect((await faults('missing')) - before).toBe(1);
});
