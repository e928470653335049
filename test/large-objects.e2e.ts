import { request } from 'node:http';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { storeFootprint, storeStartedWriting } from './support/backend';
import { eventually } from './support/data-dir';
import { useGateway } from './support/fixture';
import { expectObjectBytes, storeState } from './support/objects';
import { peakResidentBytes, residentBytes, resetPeakResident } from './support/process-memory';
import { expectS3Error } from './support/s3-errors';
import { digestsOf, seededStream } from './support/seeded-stream';

const MiB = 1024 * 1024;

describe('large and interrupted uploads', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });

  it('round-trips a 256 MiB object streamed both ways, verified by SHA-256 and the MD5 ETag, without holding it in memory', async () => {
    const bucket = await fixture.newBucket();
    const size = 256 * MiB;
    const expected = await digestsOf(seededStream(256, size));
    const pid = fixture.gateway.process.pid!;
    const residentBefore = residentBytes(pid);
    resetPeakResident(pid);

    // A stream body makes the SDK send aws-chunked with a trailing CRC32, as it does by default.
    const written = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'large', Body: seededStream(256, size), ContentLength: size }));
    expect(written.ETag).toBe(`"${expected.md5}"`);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'large' }))).ContentLength).toBe(size);

    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'large' }));
    expect(read.ContentLength).toBe(size);
    const received = await digestsOf(read.Body as AsyncIterable<Uint8Array>);
    expect(received).toEqual(expected);

    // Buffering the object anywhere in the gateway would grow it by 256 MiB at least.
    expect(peakResidentBytes(pid) - residentBefore).toBeLessThan(128 * MiB);
  }, 180_000);

  /**
   * Sends a PUT announcing `total` bytes, writes half of them, waits until the store has started writing them
   * (a blob file; on AIS, the target's work file: storeStartedWriting) so the abort lands mid-write, then
   * destroys the socket.
   */
  async function abortPutHalfway(bucket: string, key: string, total: number): Promise<void> {
    const blobsBefore = await storeFootprint(fixture.gateway);
    const req = request(new URL(`/s3/${bucket}/${key}`, fixture.gateway.origin), {
      method: 'PUT',
      headers: { 'content-length': String(total), 'content-type': 'application/octet-stream' },
    });
    req.on('error', () => undefined);
    await new Promise<void>((resolve) => req.write(Buffer.alloc(total / 2, 'h'), () => resolve()));
    expect(await storeStartedWriting(fixture.gateway, blobsBefore, { bucket, key })).toBe(true);
    req.destroy();
  }

  it('leaves neither the object nor a blob file behind when the client aborts a PUT halfway', async () => {
    const bucket = await fixture.newBucket();
    const blobsBefore = await storeFootprint(fixture.gateway);
    await abortPutHalfway(bucket, 'aborted', 8 * MiB);
    expect(await eventually(async () => (await storeFootprint(fixture.gateway)) === blobsBefore)).toBe(true);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'aborted' })), 'NotFound', 404);
    expect(await storeState(s3, bucket)).toEqual([]);
  });

  it('keeps the old object and no extra blob file when the client aborts a PUT over it halfway', async () => {
    const bucket = await fixture.newBucket();
    const old = Buffer.alloc(2 * MiB, 'o');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: old }));
    const before = await storeState(s3, bucket);
    const blobsBefore = await storeFootprint(fixture.gateway);
    await abortPutHalfway(bucket, 'kept', 8 * MiB);
    expect(await eventually(async () => (await storeFootprint(fixture.gateway)) === blobsBefore)).toBe(true);
    expect(await storeState(s3, bucket)).toEqual(before);
    await expectObjectBytes(s3, bucket, 'kept', old);
  });
});
