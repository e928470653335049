import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { checksumOf } from './support/checksums';
import { useGateway } from './support/fixture';
import { multipartEtag } from './support/multipart';
import { md5Hex } from './support/objects';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error } from './support/s3-errors';

const KiB = 1024;

interface Upload {
  Bucket: string;
  Key: string;
  UploadId: string;
}

async function startUpload(s3: S3Client, bucket: string, key: string, checksumAlgorithm?: 'CRC32'): Promise<Upload> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: checksumAlgorithm }));
  return { Bucket: bucket, Key: key, UploadId: created.UploadId! };
}

/** Bytes no other attempt has: each byte depends on `seed` and its position. */
function attemptBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let at = 0; at < size; at += 1) bytes[at] = (at * 31 + seed * 97 + (at >> 8)) & 0xff;
  return bytes;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * An UploadPart whose body is fed in two steps: its first half is sent at once (the request is then under
 * way in the gateway and the store), the rest only when `finish` is called; `done` is the part's ETag.
 */
function slowPart(
  s3: S3Client,
  upload: Upload,
  partNumber: number,
  bytes: Buffer,
  checksumAlgorithm?: 'CRC32',
): { done: Promise<string>; finish(): Promise<string> } {
  const body = new PassThrough();
  const half = Math.floor(bytes.length / 2);
  body.write(bytes.subarray(0, half));
  const done = s3
    .send(new UploadPartCommand({ ...upload, PartNumber: partNumber, Body: body, ContentLength: bytes.length, ChecksumAlgorithm: checksumAlgorithm }))
    .then((answer) => answer.ETag!);
  // Nothing unhandled while the test waits: the result is awaited through finish().
  done.catch(() => undefined);
  return {
    done,
    finish: () => {
      body.end(bytes.subarray(half));
      return done;
    },
  };
}

async function objectMd5(s3: S3Client, bucket: string, key: string): Promise<{ md5: string; etag: string; size: number }> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await answer.Body!.transformToByteArray());
  return { md5: createHash('md5').update(bytes).digest('hex'), etag: answer.ETag!, size: bytes.length };
}

describe('multipart exactness', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    // Plain requests (no aws-chunked trailer): the body is a stream the test feeds by hand.
    s3 = s3ClientFor(fixture.gateway.endpoint, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  });
  afterAll(() => s3.destroy());

  describe('a part uploaded twice at once: the attempt that finishes last is the part', () => {
    it.each([
      ['the first attempt finishes last', 'A', undefined],
      ['the second attempt finishes last', 'B', undefined],
      ['the first attempt finishes last, parts with CRC32 trailers', 'A', 'CRC32'],
      ['the second attempt finishes last, parts with CRC32 trailers', 'B', 'CRC32'],
    ] as const)('%s', async (_, last, algorithm) => {
      // With CRC32 the SDK sends each part aws-chunked, its CRC32 in a trailer after the bytes.
      const client = algorithm === undefined ? s3 : fixture.s3;
      const bucket = await fixture.newBucket();
      const upload = await startUpload(client, bucket, 'twice', algorithm);
      const bytesA = attemptBytes(300 * KiB, 1);
      const bytesB = attemptBytes(200 * KiB, 2);
      const a = slowPart(client, upload, 1, bytesA, algorithm);
      await sleep(500);
      let etagA: string;
      let etagB: string;
      if (last === 'A') {
        etagB = await client
          .send(new UploadPartCommand({ ...upload, PartNumber: 1, Body: bytesB, ChecksumAlgorithm: algorithm }))
          .then((answer) => answer.ETag!);
        etagA = await a.finish();
      } else {
        const b = slowPart(client, upload, 1, bytesB, algorithm);
        await sleep(500);
        etagA = await a.finish();
        etagB = await b.finish();
      }
      expect(etagA).toBe(`"${md5Hex(bytesA)}"`);
      expect(etagB).toBe(`"${md5Hex(bytesB)}"`);
      const [winner, loser, winnerBytes] = last === 'A' ? [etagA, etagB, bytesA] : [etagB, etagA, bytesB];

      const listed = await s3.send(new ListPartsCommand(upload));
      expect(listed.Parts?.map((part) => [part.PartNumber, part.ETag, part.Size])).toEqual([[1, winner, winnerBytes.length]]);
      if (algorithm !== undefined) {
        const loserBytes = last === 'A' ? bytesB : bytesA;
        expect(listed.Parts?.[0].ChecksumCRC32).toBe(await checksumOf('CRC32', winnerBytes));
        // The winner's ETag with the other attempt's CRC32 names no part that was kept.
        const mixed = { PartNumber: 1, ETag: winner, ChecksumCRC32: await checksumOf('CRC32', loserBytes) };
        await expectS3Error(client.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: [mixed] } })), 'InvalidPart', 400);
      }

      await expectS3Error(
        s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: loser }] } })),
        'InvalidPart',
        400,
      );
      const completed = await s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: winner }] } }));
      const expectedEtag = multipartEtag([winner.replace(/"/g, '')]);
      expect(completed.ETag).toBe(expectedEtag);
      expect(await objectMd5(s3, bucket, 'twice')).toEqual({ md5: md5Hex(winnerBytes), etag: expectedEtag, size: winnerBytes.length });
    });
  });

  describe('ListMultipartUploads with a key marker and an upload-id marker that is not an upload id', () => {
    it("lists that key's uploads with ids after the marker, then later keys", async () => {
      const bucket = await fixture.newBucket();
      await startUpload(s3, bucket, 'a');
      const ids = [(await startUpload(s3, bucket, 'k')).UploadId, (await startUpload(s3, bucket, 'k')).UploadId].sort();
      const later = await startUpload(s3, bucket, 'm');
      const listed = async (uploadIdMarker: string): Promise<Array<[string, string]>> => {
        const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: 'k', UploadIdMarker: uploadIdMarker }));
        expect(page.UploadIdMarker).toBe(uploadIdMarker);
        return (page.Uploads ?? []).map((upload) => [upload.Key!, upload.UploadId!]);
      };
      expect(await listed('0')).toEqual([
        ['k', ids[0]],
        ['k', ids[1]],
        ['m', later.UploadId],
      ]);
      // Sorts after the first id and before the second (the ids have the same length and differ).
      expect(await listed(`${ids[0]}0`)).toEqual([
        ['k', ids[1]],
        ['m', later.UploadId],
      ]);
      expect(await listed('~')).toEqual([['m', later.UploadId]]);
    });
  });
});
