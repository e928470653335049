import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandInput,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandInput,
  type ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  type UploadPartCommandInput,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { type ChecksumAlgorithmName, checksumOf, type ChecksumField } from './support/checksums';
import { patternBytes } from './support/clients';
import { itOn, storeFootprint } from './support/backend';
import { countBlobFiles, eventually } from './support/data-dir';
import { s3ClientWithChecksums, useGateway } from './support/fixture';
import { startGateway } from './support/gateway';
import { anyOf } from './support/matchers';
import { listedUploads, multipartEtag } from './support/multipart';
import { etagOf, expectNoSuchKey, getObject, md5Hex } from './support/objects';
import { rawRequest } from './support/raw-http';
import { bodylessErrorName, expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

const MiB = 1024 * 1024;
/** The smallest part S3 accepts before the last one. */
const MIN_PART = 5 * MiB;

/** An upload as every request about it names it. */
interface Upload {
  Bucket: string;
  Key: string;
  UploadId: string;
}

async function startUpload(s3: S3Client, bucket: string, key: string, input: Partial<CreateMultipartUploadCommandInput> = {}): Promise<Upload> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...input }));
  expect(created).toMatchObject({ Bucket: bucket, Key: key, UploadId: anyOf(String) });
  return { Bucket: bucket, Key: key, UploadId: created.UploadId! };
}

async function uploadPart(
  s3: S3Client,
  upload: Upload,
  partNumber: number,
  body: NonNullable<UploadPartCommandInput['Body']>,
  input: Partial<UploadPartCommandInput> = {},
): Promise<CompletedPart> {
  const answer = await s3.send(new UploadPartCommand({ ...upload, PartNumber: partNumber, Body: body, ...input }));
  return { PartNumber: partNumber, ETag: answer.ETag };
}

/** Uploads `bodies` as parts 1..N, all at once. */
function uploadParts(s3: S3Client, upload: Upload, bodies: readonly Buffer[]): Promise<CompletedPart[]> {
  return Promise.all(bodies.map((body, index) => uploadPart(s3, upload, index + 1, body)));
}

function complete(s3: S3Client, upload: Upload, parts: CompletedPart[], input: Partial<CompleteMultipartUploadCommandInput> = {}) {
  return s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts }, ...input }));
}

/** The ETag S3 gives an object made of these parts. */
function etagOfParts(bodies: readonly Buffer[]): string {
  return multipartEtag(bodies.map((body) => md5Hex(body)));
}

async function listedPartNumbers(s3: S3Client, upload: Upload): Promise<number[]> {
  return ((await s3.send(new ListPartsCommand(upload))).Parts ?? []).map((part) => part.PartNumber!);
}

/** Distinct pseudo-random part bodies of these sizes. */
function partBodies(seed: number, ...sizes: number[]): Buffer[] {
  return sizes.map((size, index) => patternBytes(size, seed * 100 + index + 1));
}

describe('multipart upload through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });
  /** Stored part files (embedded) or objects (AIS): what an upload occupies. */
  const blobFiles = () => storeFootprint(fixture.gateway);

  describe('an object completed from three parts (5 MiB, 5 MiB, 1 MiB + 7 bytes)', () => {
    const bodies = partBodies(1, MIN_PART, MIN_PART, MiB + 7);
    const whole = Buffer.concat(bodies);
    const key = 'dir/three parts.bin';
    let bucket: string;
    let partEtags: Array<string | undefined>;
    let completed: Awaited<ReturnType<typeof complete>>;
    beforeAll(async () => {
      bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, key, { ContentType: 'application/x-parts', Metadata: { origin: 'multipart' } });
      const parts = await uploadParts(s3, upload, bodies);
      partEtags = parts.map((part) => part.ETag);
      completed = await complete(s3, upload, parts);
    });

    it('answers each UploadPart with the part MD5 as ETag and CompleteMultipartUpload with "md5(concat(part md5s))-3"', () => {
      expect(partEtags).toEqual(bodies.map((body) => etagOf(body)));
      expect(completed).toMatchObject({ Bucket: bucket, Key: key, ETag: etagOfParts(bodies) });
      expect(completed.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
      expect(completed.Location).toMatch(new RegExp(`/${bucket}/dir/three%20parts\\.bin$`));
    });

    it('GetObject, HeadObject and ListObjectsV2 show one object of all the bytes, with the type and metadata given at creation', async () => {
      const read = await getObject(s3, { Bucket: bucket, Key: key });
      expect(read.bytes.equals(whole)).toBe(true);
      expect(read).toMatchObject({ ContentLength: whole.length, ETag: completed.ETag, ContentType: 'application/x-parts', Metadata: { origin: 'multipart' } });
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head).toMatchObject({ ContentLength: whole.length, ETag: completed.ETag, ContentType: 'application/x-parts', Metadata: { origin: 'multipart' } });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(listed.Contents?.map(({ Key, Size, ETag }) => ({ Key, Size, ETag }))).toEqual([{ Key: key, Size: whole.length, ETag: completed.ETag }]);
    });

    it('GetObject and HeadObject with PartNumber=N return part N: its bytes, Content-Length, Content-Range and PartsCount 3', async () => {
      let start = 0;
      for (const [index, body] of bodies.entries()) {
        const expected = {
          ContentLength: body.length,
          ContentRange: `bytes ${start}-${start + body.length - 1}/${whole.length}`,
          PartsCount: 3,
          ETag: completed.ETag,
        };
        const part = await getObject(s3, { Bucket: bucket, Key: key, PartNumber: index + 1 });
        expect(part.bytes.equals(body)).toBe(true);
        expect(part).toMatchObject(expected);
        expect(await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: index + 1 }))).toMatchObject(expected);
        start += body.length;
      }
    });

    it('GetObject and HeadObject with a PartNumber beyond the part count are 400 (InvalidPartNumber)', async () => {
      await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 4 })), 'InvalidPartNumber', 400);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: 4 })), bodylessErrorName(400), 400);
    });

    it('a Range across part boundaries returns exactly those bytes of the whole object', async () => {
      const ranges: Array<[string, number, number]> = [
        ['bytes=5242870-5242889', MIN_PART - 10, MIN_PART + 9],
        // The last byte of part 1, all of part 2, the first byte of part 3.
        [`bytes=${MIN_PART - 1}-${2 * MIN_PART}`, MIN_PART - 1, 2 * MIN_PART],
        ['bytes=0-', 0, whole.length - 1],
        [`bytes=${MIN_PART + 3}-`, MIN_PART + 3, whole.length - 1],
        [`bytes=-${MiB + 100}`, whole.length - MiB - 100, whole.length - 1],
      ];
      for (const [range, first, last] of ranges) {
        const read = await getObject(s3, { Bucket: bucket, Key: key, Range: range });
        expect({ range, status: read.$metadata.httpStatusCode, ContentRange: read.ContentRange, ContentLength: read.ContentLength }).toEqual({
          range,
          status: 206,
          ContentRange: `bytes ${first}-${last}/${whole.length}`,
          ContentLength: last - first + 1,
        });
        expect(read.bytes.equals(whole.subarray(first, last + 1))).toBe(true);
      }
    });
  });

  describe('the rules of UploadPart and CompleteMultipartUpload', () => {
    it('UploadPart with part number 0 or 10001 is InvalidArgument; 1 and 10000 are accepted', async () => {
      const upload = await startUpload(s3, await fixture.newBucket(), 'numbers');
      for (const partNumber of [0, 10001]) {
        await expectS3Error(uploadPart(s3, upload, partNumber, Buffer.from('x')), 'InvalidArgument', 400);
      }
      await uploadPart(s3, upload, 1, Buffer.from('first'));
      await uploadPart(s3, upload, 10000, Buffer.from('last'));
      expect(await listedPartNumbers(s3, upload)).toEqual([1, 10000]);
    });

    it('a part under 5 MiB that is not the last is EntityTooSmall at Complete and leaves the upload open; a 5 MiB part before a small last one completes', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'small');
      const small = partBodies(2, MIN_PART - 1, MiB);
      const parts = await uploadParts(s3, upload, small);
      await expectS3Error(complete(s3, upload, parts), 'EntityTooSmall', 400);
      await expectNoSuchKey(s3, bucket, 'small');
      expect(await listedPartNumbers(s3, upload)).toEqual([1, 2]);

      const [exact] = partBodies(3, MIN_PART);
      const done = await complete(s3, upload, [await uploadPart(s3, upload, 1, exact), parts[1]]);
      expect(done.ETag).toBe(etagOfParts([exact, small[1]]));
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'small' }))).ContentLength).toBe(MIN_PART + MiB);
    });

    it('one small part alone is a valid upload: the last part may be of any size', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'single');
      const done = await complete(s3, upload, [await uploadPart(s3, upload, 1, Buffer.from('tiny'))]);
      expect(done.ETag).toBe(etagOfParts([Buffer.from('tiny')]));
      expect((await getObject(s3, { Bucket: bucket, Key: 'single' })).bytes.toString()).toBe('tiny');
    });

    it('parts listed out of order are InvalidPartOrder, and the upload can still be completed in order', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'order');
      const bodies = partBodies(4, MIN_PART, 100);
      const parts = await uploadParts(s3, upload, bodies);
      await expectS3Error(complete(s3, upload, [parts[1], parts[0]]), 'InvalidPartOrder', 400);
      await expectNoSuchKey(s3, bucket, 'order');
      expect((await complete(s3, upload, parts)).ETag).toBe(etagOfParts(bodies));
    });

    it('a wrong ETag or a part number never uploaded is InvalidPart, and nothing is stored', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'parts');
      const parts = await uploadParts(s3, upload, partBodies(5, MIN_PART, 100));
      await expectS3Error(complete(s3, upload, [{ ...parts[0], ETag: etagOf('something else') }, parts[1]]), 'InvalidPart', 400);
      await expectS3Error(complete(s3, upload, [parts[0], { PartNumber: 3, ETag: parts[1].ETag }]), 'InvalidPart', 400);
      await expectS3Error(complete(s3, upload, [parts[0], { ...parts[1], ETag: '' }]), 'InvalidPart', 400);
      await expectNoSuchKey(s3, bucket, 'parts');
      expect(await listedPartNumbers(s3, upload)).toEqual([1, 2]);
    });

    it('an unknown upload id, or the id of an upload of another key, is NoSuchUpload for UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload and ListParts', async () => {
      const bucket = await fixture.newBucket();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source', Body: 'source' }));
      const real = await startUpload(s3, bucket, 'key');
      const part = await uploadPart(s3, real, 1, Buffer.from('part'));
      for (const upload of [
        { ...real, UploadId: 'no-such-upload' },
        { ...real, Key: 'other-key' },
      ]) {
        await expectS3Error(uploadPart(s3, upload, 1, Buffer.from('part')), 'NoSuchUpload', 404);
        await expectS3Error(s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 1, CopySource: `${bucket}/source` })), 'NoSuchUpload', 404);
        await expectS3Error(complete(s3, upload, [part]), 'NoSuchUpload', 404);
        await expectS3Error(s3.send(new AbortMultipartUploadCommand(upload)), 'NoSuchUpload', 404);
        await expectS3Error(s3.send(new ListPartsCommand(upload)), 'NoSuchUpload', 404);
      }
      expect(await listedPartNumbers(s3, real)).toEqual([1]);
    });

    it('CompleteMultipartUpload with no parts, with a Part lacking its ETag, or with malformed XML is MalformedXML', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'malformed');
      const part = await uploadPart(s3, upload, 1, Buffer.from('only part'));
      await expectS3Error(complete(s3, upload, []), 'MalformedXML', 400);
      const post = (body: string) =>
        rawRequest(fixture.gateway.origin, { method: 'POST', path: `/s3/${bucket}/malformed?uploadId=${encodeURIComponent(upload.UploadId)}`, body });
      for (const body of [
        '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
        `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.ETag}</ETag></Part>`,
        'not XML at all',
      ]) {
        expectS3ErrorResponse(await post(body), 'MalformedXML', 400);
      }
      await expectNoSuchKey(s3, bucket, 'malformed');
      expect(await listedPartNumbers(s3, upload)).toEqual([1]);
    });

    it('a retried CompleteMultipartUpload answers the same ETag and leaves the object as it was; the upload then takes no more parts', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'retried');
      const bodies = partBodies(6, MIN_PART, 1000);
      const parts = await uploadParts(s3, upload, bodies);
      const first = await complete(s3, upload, parts);
      const again = await complete(s3, upload, parts);
      expect(again).toMatchObject({ Bucket: bucket, Key: 'retried', ETag: first.ETag });
      expect(again.ETag).toBe(etagOfParts(bodies));
      const read = await getObject(s3, { Bucket: bucket, Key: 'retried' });
      expect(read.bytes.equals(Buffer.concat(bodies))).toBe(true);
      expect(read.ETag).toBe(first.ETag);
      await expectS3Error(uploadPart(s3, upload, 3, Buffer.from('late')), 'NoSuchUpload', 404);
      await expectS3Error(s3.send(new ListPartsCommand(upload)), 'NoSuchUpload', 404);
    });

    it('uploading a part number again replaces the part: ListParts and the object show the new bytes, the old part file is freed', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'replaced');
      const [old, second, replacement] = partBodies(7, MIN_PART, 2000, MIN_PART + 1);
      const blobsBefore = await blobFiles();
      const [oldPart, secondPart] = await uploadParts(s3, upload, [old, second]);
      expect(await blobFiles()).toBe(blobsBefore + 2);

      const newPart = await uploadPart(s3, upload, 1, replacement);
      expect(newPart.ETag).toBe(etagOf(replacement));
      const listed = await s3.send(new ListPartsCommand(upload));
      expect(listed.Parts?.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual([
        { PartNumber: 1, ETag: etagOf(replacement), Size: replacement.length },
        { PartNumber: 2, ETag: etagOf(second), Size: second.length },
      ]);
      expect(await eventually(async () => (await blobFiles()) === blobsBefore + 2)).toBe(true);

      await expectS3Error(complete(s3, upload, [oldPart, secondPart]), 'InvalidPart', 400);
      expect((await complete(s3, upload, [newPart, secondPart])).ETag).toBe(etagOfParts([replacement, second]));
      expect((await getObject(s3, { Bucket: bucket, Key: 'replaced' })).bytes.equals(Buffer.concat([replacement, second]))).toBe(true);
    });

    it('CompleteMultipartUpload in a versioning-enabled bucket returns a VersionId, which HeadObject and GetObject report', async () => {
      const bucket = await fixture.newBucket();
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      const upload = await startUpload(s3, bucket, 'versioned');
      const bodies = partBodies(8, MIN_PART, 10);
      const done = await complete(s3, upload, await uploadParts(s3, upload, bodies));
      expect(done.VersionId).toEqual(expect.any(String));
      expect(done.VersionId).not.toBe('null');
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'versioned' }))).VersionId).toBe(done.VersionId);
      const read = await getObject(s3, { Bucket: bucket, Key: 'versioned', VersionId: done.VersionId });
      expect(read).toMatchObject({ VersionId: done.VersionId, ETag: etagOfParts(bodies) });
    });
  });

  describe('AbortMultipartUpload and DeleteBucket', () => {
    /** A new bucket with an upload of two parts (each a part file), and the number of part files before. */
    async function unfinishedUpload(key: string, seed: number) {
      const bucket = await fixture.newBucket();
      const blobsBefore = await blobFiles();
      const upload = await startUpload(s3, bucket, key);
      await uploadParts(s3, upload, partBodies(seed, MIN_PART, MiB));
      // Two part files on the embedded store; on AIS also the upload's record.
      expect(await blobFiles()).toBeGreaterThanOrEqual(blobsBefore + 2);
      return { bucket, upload, blobsBefore };
    }

    it('an aborted upload leaves no trace: not listed, ListParts and a second abort are NoSuchUpload, no object, and the part files are freed', async () => {
      const { bucket, upload, blobsBefore } = await unfinishedUpload('aborted', 9);
      expect(await listedUploads(s3, bucket)).toEqual([['aborted', upload.UploadId]]);

      const aborted = await s3.send(new AbortMultipartUploadCommand(upload));
      expect(aborted.$metadata.httpStatusCode).toBe(204);
      expect(await listedUploads(s3, bucket)).toEqual([]);
      await expectS3Error(s3.send(new ListPartsCommand(upload)), 'NoSuchUpload', 404);
      await expectS3Error(s3.send(new AbortMultipartUploadCommand(upload)), 'NoSuchUpload', 404);
      await expectNoSuchKey(s3, bucket, 'aborted');
      expect(await eventually(async () => (await blobFiles()) === blobsBefore)).toBe(true);
    });

    it('DeleteBucket of a bucket holding only an unfinished upload succeeds and frees its parts; a new bucket of that name has no upload', async () => {
      const { bucket, upload, blobsBefore } = await unfinishedUpload('unfinished', 10);

      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
      expect(await eventually(async () => (await blobFiles()) === blobsBefore)).toBe(true);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      expect(await listedUploads(s3, bucket)).toEqual([]);
      await expectS3Error(s3.send(new ListPartsCommand(upload)), 'NoSuchUpload', 404);
    });
  });

  describe('UploadPartCopy', () => {
    it('copies a whole object as a part, and a CopySourceRange of it as another, each answered with the MD5 of the copied bytes', async () => {
      const bucket = await fixture.newBucket();
      const [source] = partBodies(11, 6 * MiB);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source.bin', Body: source }));
      const upload = await startUpload(s3, bucket, 'copied');

      const whole = await s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 1, CopySource: `${bucket}/source.bin` }));
      expect(whole.CopyPartResult?.ETag).toBe(etagOf(source));
      expect(whole.CopyPartResult?.LastModified).toBeInstanceOf(Date);
      const ranged = await s3.send(
        new UploadPartCopyCommand({ ...upload, PartNumber: 2, CopySource: `${bucket}/source.bin`, CopySourceRange: 'bytes=1000-1999' }),
      );
      const slice = source.subarray(1000, 2000);
      expect(ranged.CopyPartResult?.ETag).toBe(etagOf(slice));

      const done = await complete(s3, upload, [
        { PartNumber: 1, ETag: whole.CopyPartResult?.ETag },
        { PartNumber: 2, ETag: ranged.CopyPartResult?.ETag },
      ]);
      expect(done.ETag).toBe(etagOfParts([source, slice]));
      expect((await getObject(s3, { Bucket: bucket, Key: 'copied' })).bytes.equals(Buffer.concat([source, slice]))).toBe(true);
    });

    it('copies a CopySourceRange that crosses the part boundaries of a multipart source, and a whole multipart source, byte for byte', async () => {
      const bucket = await fixture.newBucket();
      const sourceParts = partBodies(12, MIN_PART, MIN_PART, 3000);
      const sourceUpload = await startUpload(s3, bucket, 'multipart-source');
      await complete(s3, sourceUpload, await uploadParts(s3, sourceUpload, sourceParts));
      const source = Buffer.concat(sourceParts);

      const upload = await startUpload(s3, bucket, 'from-multipart');
      const wholeCopy = await s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 1, CopySource: `${bucket}/multipart-source` }));
      // From 100 bytes before the end of part 1 to 100 bytes into part 3.
      const [first, last] = [MIN_PART - 100, 2 * MIN_PART + 99];
      const crossing = await s3.send(
        new UploadPartCopyCommand({ ...upload, PartNumber: 2, CopySource: `${bucket}/multipart-source`, CopySourceRange: `bytes=${first}-${last}` }),
      );
      const range = source.subarray(first, last + 1);
      expect(wholeCopy.CopyPartResult?.ETag).toBe(etagOf(source));
      expect(crossing.CopyPartResult?.ETag).toBe(etagOf(range));

      await complete(s3, upload, [
        { PartNumber: 1, ETag: wholeCopy.CopyPartResult?.ETag },
        { PartNumber: 2, ETag: crossing.CopyPartResult?.ETag },
      ]);
      const read = await getObject(s3, { Bucket: bucket, Key: 'from-multipart' });
      expect(read.bytes.equals(Buffer.concat([source, range]))).toBe(true);
      expect(read.ETag).toBe(etagOfParts([source, range]));
    });

    it('a failing copy-source condition (If-Match, If-None-Match, If-Unmodified-Since, If-Modified-Since) is 412 and adds no part; a holding one copies', async () => {
      const bucket = await fixture.newBucket();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source', Body: 'conditional source' }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'source' }));
      const modified = head.LastModified!;
      const upload = await startUpload(s3, bucket, 'conditional');
      const copy = (conditions: Record<string, string | Date>) =>
        s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 1, CopySource: `${bucket}/source`, ...conditions }));

      await expectS3Error(copy({ CopySourceIfMatch: etagOf('another body') }), 'PreconditionFailed', 412);
      await expectS3Error(copy({ CopySourceIfNoneMatch: head.ETag! }), 'PreconditionFailed', 412);
      await expectS3Error(copy({ CopySourceIfUnmodifiedSince: new Date(modified.getTime() - 60_000) }), 'PreconditionFailed', 412);
      await expectS3Error(copy({ CopySourceIfModifiedSince: modified }), 'PreconditionFailed', 412);
      expect(await listedPartNumbers(s3, upload)).toEqual([]);

      const copied = await copy({ CopySourceIfMatch: head.ETag!, CopySourceIfUnmodifiedSince: modified });
      expect(copied.CopyPartResult?.ETag).toBe(etagOf('conditional source'));
      expect(await listedPartNumbers(s3, upload)).toEqual([1]);
    });
  });

  describe('ListParts and ListMultipartUploads', () => {
    it('ListParts pages with MaxParts and PartNumberMarker: IsTruncated and NextPartNumberMarker lead through every part once', async () => {
      const upload = await startUpload(s3, await fixture.newBucket(), 'listed');
      const numbers = [1, 2, 3, 5, 8];
      for (const number of numbers) await uploadPart(s3, upload, number, Buffer.from(`part ${number}`.repeat(number)));
      const expected = numbers.map((number) => ({ PartNumber: number, ETag: etagOf(`part ${number}`.repeat(number)), Size: `part ${number}`.length * number }));

      const all = await s3.send(new ListPartsCommand(upload));
      expect(all).toMatchObject({ IsTruncated: false, Bucket: upload.Bucket, Key: upload.Key, UploadId: upload.UploadId });
      expect(all.Parts?.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual(expected);
      for (const part of all.Parts ?? []) expect(Math.abs(part.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);

      const pages: Array<{ marker?: string; numbers: number[]; truncated?: boolean; next?: string }> = [];
      let marker: string | undefined;
      do {
        const page = await s3.send(new ListPartsCommand({ ...upload, MaxParts: 2, PartNumberMarker: marker }));
        expect(page.MaxParts).toBe(2);
        pages.push({ marker, numbers: page.Parts!.map((part) => part.PartNumber!), truncated: page.IsTruncated, next: page.NextPartNumberMarker });
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker !== undefined);
      expect(pages).toEqual([
        { marker: undefined, numbers: [1, 2], truncated: true, next: '2' },
        { marker: '2', numbers: [3, 5], truncated: true, next: '5' },
        { marker: '5', numbers: [8], truncated: false, next: '8' },
      ]);
    });

    const uploadsOf = (page: ListMultipartUploadsCommandOutput) => (page.Uploads ?? []).map((upload) => [upload.Key, upload.UploadId]);

    it('ListMultipartUploads lists uploads by key, several uploads of one key oldest first, with their Initiated times', async () => {
      const bucket = await fixture.newBucket();
      const before = Math.floor(Date.now() / 1000) * 1000;
      const created: Upload[] = [];
      for (const key of ['b', 'a', 'a', 'c/d', 'a', 'b']) created.push(await startUpload(s3, bucket, key));
      const byKey = (key: string) => created.filter((upload) => upload.Key === key).map((upload) => [key, upload.UploadId]);

      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(uploadsOf(listed)).toEqual([...byKey('a'), ...byKey('b'), ...byKey('c/d')]);
      expect(listed).toMatchObject({ Bucket: bucket, IsTruncated: false });
      const initiated = listed.Uploads!.map((upload) => upload.Initiated!.getTime());
      for (const time of initiated) expect(time).toBeGreaterThanOrEqual(before);
      expect(initiated.slice(0, 3)).toEqual([...initiated.slice(0, 3)].sort((x, y) => x - y));
    });

    it('ListMultipartUploads with Prefix and Delimiter rolls uploads below the delimiter up into CommonPrefixes', async () => {
      const bucket = await fixture.newBucket();
      const keys = ['photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/2025/c.jpg', 'photos/top.jpg', 'readme', 'videos/v.mp4'];
      for (const key of keys) await startUpload(s3, bucket, key);
      const list = async (input: Partial<ListMultipartUploadsCommandInput>) => {
        const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, ...input }));
        return { keys: (page.Uploads ?? []).map((upload) => upload.Key), prefixes: (page.CommonPrefixes ?? []).map((common) => common.Prefix) };
      };
      expect(await list({ Delimiter: '/' })).toEqual({ keys: ['readme'], prefixes: ['photos/', 'videos/'] });
      expect(await list({ Prefix: 'photos/', Delimiter: '/' })).toEqual({ keys: ['photos/top.jpg'], prefixes: ['photos/2024/', 'photos/2025/'] });
      expect(await list({ Prefix: 'photos/2024/' })).toEqual({ keys: ['photos/2024/a.jpg', 'photos/2024/b.jpg'], prefixes: [] });
      expect(await list({ Prefix: 'nothing/' })).toEqual({ keys: [], prefixes: [] });
    });

    it('ListMultipartUploads pages with MaxUploads, KeyMarker and UploadIdMarker through every upload once, also between uploads of one key', async () => {
      const bucket = await fixture.newBucket();
      for (const key of ['k1', 'k1', 'k2', 'k2', 'k2', 'p/x', 'p/y', 'z']) await startUpload(s3, bucket, key);
      const everything = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      const all = uploadsOf(everything);
      expect(all.map(([key]) => key)).toEqual(['k1', 'k1', 'k2', 'k2', 'k2', 'p/x', 'p/y', 'z']);

      for (const [maxUploads, delimiter] of [
        [2, undefined],
        [3, undefined],
        [2, '/'],
      ] as const) {
        const pages: Array<{ uploads: unknown[]; prefixes: unknown[] }> = [];
        let markers: Partial<ListMultipartUploadsCommandInput> = {};
        for (;;) {
          const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: maxUploads, Delimiter: delimiter, ...markers }));
          expect(page.MaxUploads).toBe(maxUploads);
          pages.push({ uploads: uploadsOf(page), prefixes: (page.CommonPrefixes ?? []).map((common) => common.Prefix) });
          if (!page.IsTruncated) break;
          expect(pages.at(-1)!.uploads.length + pages.at(-1)!.prefixes.length).toBe(maxUploads);
          markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
        }
        if (delimiter === undefined) {
          expect(pages.flatMap((page) => page.uploads)).toEqual(all);
        } else {
          expect(pages).toEqual([
            { uploads: all.slice(0, 2), prefixes: [] },
            { uploads: all.slice(2, 4), prefixes: [] },
            { uploads: all.slice(4, 5), prefixes: ['p/'] },
            { uploads: all.slice(7), prefixes: [] },
          ]);
        }
      }

      // A KeyMarker alone lists the keys after it.
      const afterK1 = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: 'k1' }));
      expect(uploadsOf(afterK1)).toEqual(all.slice(2));
      expect(afterK1.KeyMarker).toBe('k1');
    });

    it('completed and aborted uploads are no longer listed', async () => {
      const bucket = await fixture.newBucket();
      const done = await startUpload(s3, bucket, 'done');
      const dropped = await startUpload(s3, bucket, 'dropped');
      const open = await startUpload(s3, bucket, 'open');
      await complete(s3, done, [await uploadPart(s3, done, 1, Buffer.from('done'))]);
      await s3.send(new AbortMultipartUploadCommand(dropped));
      expect(await listedUploads(s3, bucket)).toEqual([['open', open.UploadId]]);
    });
  });

  describe('checksums', () => {
    const field = (algorithm: ChecksumAlgorithmName): ChecksumField => `Checksum${algorithm}`;

    /**
     * Uploads two parts (5 MiB and 300 KiB) with the upload's algorithm and completes them with their
     * checksums, as the SDKs do; returns the parts' checksums as UploadPart answered them.
     */
    async function checksummedUpload(bucket: string, algorithm: ChecksumAlgorithmName, type: 'COMPOSITE' | 'FULL_OBJECT', bodies: Buffer[]) {
      const upload = await startUpload(s3, bucket, `${algorithm}-${type}`, { ChecksumAlgorithm: algorithm, ChecksumType: type });
      const answers = await Promise.all(
        bodies.map((body, index) => s3.send(new UploadPartCommand({ ...upload, PartNumber: index + 1, Body: body, ChecksumAlgorithm: algorithm }))),
      );
      const parts: CompletedPart[] = answers.map((answer, index) => ({
        PartNumber: index + 1,
        ETag: answer.ETag,
        [field(algorithm)]: answer[field(algorithm)],
      }));
      return { upload, parts, partChecksums: answers.map((answer) => answer[field(algorithm)]) };
    }

    /** HeadObject and GetObject with ChecksumMode ENABLED both report `checksum` and its type. */
    async function expectObjectChecksum(bucket: string, key: string, algorithm: ChecksumAlgorithmName, checksum: string, type: string, whole: Buffer) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      expect({ checksum: head[field(algorithm)], type: head.ChecksumType }).toEqual({ checksum, type });
      // The SDK checks a full-object checksum against the bytes it receives.
      const read = await getObject(s3, { Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' });
      expect({ checksum: read[field(algorithm)], type: read.ChecksumType }).toEqual({ checksum, type });
      expect(read.bytes.equals(whole)).toBe(true);
    }

    it.each(['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const)(
      'COMPOSITE %s: each part is verified and answered with its checksum, and the object checksum is base64(alg(concat(part checksums)))-N',
      async (algorithm) => {
        const bucket = await fixture.newBucket();
        const bodies = partBodies(13, MIN_PART, 300 * 1024);
        const { upload, parts, partChecksums } = await checksummedUpload(bucket, algorithm, 'COMPOSITE', bodies);
        expect(partChecksums).toEqual(await Promise.all(bodies.map((body) => checksumOf(algorithm, body))));
        const listed = await s3.send(new ListPartsCommand(upload));
        expect(listed).toMatchObject({ ChecksumAlgorithm: algorithm, ChecksumType: 'COMPOSITE' });
        expect(listed.Parts!.map((part) => part[field(algorithm)])).toEqual(partChecksums);

        const expected = `${await checksumOf(algorithm, Buffer.concat(partChecksums.map((value) => Buffer.from(value!, 'base64'))))}-2`;
        const done = await complete(s3, upload, parts);
        expect({ checksum: done[field(algorithm)], type: done.ChecksumType, etag: done.ETag }).toEqual({
          checksum: expected,
          type: 'COMPOSITE',
          etag: etagOfParts(bodies),
        });
        await expectObjectChecksum(bucket, upload.Key, algorithm, expected, 'COMPOSITE', Buffer.concat(bodies));
      },
    );

    it.each(['CRC32', 'CRC32C', 'CRC64NVME'] as const)(
      'FULL_OBJECT %s: the object checksum is the checksum of the whole object, accepted when sent with CompleteMultipartUpload',
      async (algorithm) => {
        const bucket = await fixture.newBucket();
        const bodies = partBodies(14, MIN_PART, MIN_PART, 300 * 1024);
        const whole = Buffer.concat(bodies);
        const { upload, parts, partChecksums } = await checksummedUpload(bucket, algorithm, 'FULL_OBJECT', bodies);
        expect(partChecksums).toEqual(await Promise.all(bodies.map((body) => checksumOf(algorithm, body))));

        const expected = await checksumOf(algorithm, whole);
        const done = await complete(s3, upload, parts, { ChecksumType: 'FULL_OBJECT', [field(algorithm)]: expected, MpuObjectSize: whole.length });
        expect({ checksum: done[field(algorithm)], type: done.ChecksumType }).toEqual({ checksum: expected, type: 'FULL_OBJECT' });
        await expectObjectChecksum(bucket, upload.Key, algorithm, expected, 'FULL_OBJECT', whole);
      },
    );

    it('a wrong FULL_OBJECT checksum sent with CompleteMultipartUpload is BadDigest and stores no object; the upload stays open', async () => {
      const bucket = await fixture.newBucket();
      const bodies = partBodies(15, MIN_PART, 1000);
      const { upload, parts } = await checksummedUpload(bucket, 'CRC64NVME', 'FULL_OBJECT', bodies);
      const wrong = await checksumOf('CRC64NVME', Buffer.from('not the object'));
      await expectS3Error(complete(s3, upload, parts, { ChecksumType: 'FULL_OBJECT', ChecksumCRC64NVME: wrong }), 'BadDigest', 400);
      await expectNoSuchKey(s3, bucket, upload.Key);
      expect(await listedUploads(s3, bucket)).toEqual([[upload.Key, upload.UploadId]]);
      const done = await complete(s3, upload, parts, { ChecksumType: 'FULL_OBJECT', ChecksumCRC64NVME: await checksumOf('CRC64NVME', Buffer.concat(bodies)) });
      expect(done.ETag).toBe(etagOfParts(bodies));
    });

    it('a part whose checksum header does not match its bytes is BadDigest and is not stored', async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'bad-part', { ChecksumAlgorithm: 'CRC32' });
      const blobsBefore = await blobFiles();
      const wrong = await checksumOf('CRC32', Buffer.from('other bytes'));
      await expectS3Error(uploadPart(s3, upload, 1, Buffer.from('part bytes'), { ChecksumCRC32: wrong }), 'BadDigest', 400);
      expect(await listedPartNumbers(s3, upload)).toEqual([]);
      expect(await eventually(async () => (await blobFiles()) === blobsBefore)).toBe(true);
    });

    it("a part sent with another checksum algorithm than the upload's is InvalidRequest and is not stored", async () => {
      const bucket = await fixture.newBucket();
      const upload = await startUpload(s3, bucket, 'other-algorithm', { ChecksumAlgorithm: 'SHA256' });
      for (const algorithm of ['CRC32', 'CRC32C', 'SHA1'] as ChecksumAlgorithm[]) {
        await expectS3Error(uploadPart(s3, upload, 1, Buffer.from('part'), { ChecksumAlgorithm: algorithm }), 'InvalidRequest', 400);
      }
      expect(await listedPartNumbers(s3, upload)).toEqual([]);
    });

    it('CRC64NVME with ChecksumType COMPOSITE, and SHA1 or SHA256 with FULL_OBJECT, are InvalidRequest at CreateMultipartUpload', async () => {
      const bucket = await fixture.newBucket();
      for (const [algorithm, type] of [
        ['CRC64NVME', 'COMPOSITE'],
        ['SHA1', 'FULL_OBJECT'],
        ['SHA256', 'FULL_OBJECT'],
      ] as const) {
        const create = new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k', ChecksumAlgorithm: algorithm, ChecksumType: type });
        await expectS3Error(s3.send(create), 'InvalidRequest', 400);
      }
      expect(await listedUploads(s3, bucket)).toEqual([]);
    });
  });
});

describe('multipart upload state lives in the data directory, not in a gateway process', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-e2e-multipart-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A gateway on the shared data directory and its client, for the duration of `use`. */
  async function onGateway<T>(use: (client: S3Client) => Promise<T>): Promise<T> {
    const gateway = await startGateway({}, { dataDir });
    const client = s3ClientWithChecksums(gateway.endpoint);
    try {
      return await use(client);
    } finally {
      client.destroy();
      await gateway.stop();
    }
  }

  it('an upload started on one gateway is continued and completed by a second gateway process running at the same time on the same data directory', async () => {
    const bodies = partBodies(16, MIN_PART, MIN_PART, 4000);
    await onGateway((first) =>
      onGateway(async (second) => {
        await first.send(new CreateBucketCommand({ Bucket: 'shared' }));
        const upload = await startUpload(first, 'shared', 'object');
        expect(await listedUploads(second, 'shared')).toEqual([['object', upload.UploadId]]);

        // Parts go through both processes at the same time.
        const parts = await Promise.all([
          uploadPart(first, upload, 1, bodies[0]),
          uploadPart(second, upload, 2, bodies[1]),
          uploadPart(first, upload, 3, bodies[2]),
        ]);
        expect(await listedPartNumbers(second, upload)).toEqual([1, 2, 3]);
        expect(await listedPartNumbers(first, upload)).toEqual([1, 2, 3]);

        expect((await complete(second, upload, parts)).ETag).toBe(etagOfParts(bodies));
        const read = await getObject(first, { Bucket: 'shared', Key: 'object' });
        expect(read.bytes.equals(Buffer.concat(bodies))).toBe(true);
        expect(read.ETag).toBe(etagOfParts(bodies));
        expect(await listedUploads(first, 'shared')).toEqual([]);
      }),
    );
  });

  itOn('embedded')('a second gateway starting on the data directory while the first is still receiving a part leaves that part intact', async () => {
    const halves = partBodies(18, 3 * MiB, 3 * MiB);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    async function* slowBody() {
      yield halves[0];
      await released;
      yield halves[1];
    }
    await onGateway(async (first) => {
      await first.send(new CreateBucketCommand({ Bucket: 'in-flight' }));
      const upload = await startUpload(first, 'in-flight', 'object');
      const blobsBefore = countBlobFiles(dataDir);
      const receiving = uploadPart(first, upload, 1, Readable.from(slowBody()), { ContentLength: 6 * MiB });
      // The first half is in a part file being written when the second gateway opens the store.
      expect(await eventually(() => countBlobFiles(dataDir) > blobsBefore)).toBe(true);
      await onGateway(async (second) => {
        release();
        const part = await receiving;
        expect((await complete(second, upload, [part])).ETag).toBe(etagOfParts([Buffer.concat(halves)]));
      });
      const read = await getObject(first, { Bucket: 'in-flight', Key: 'object' });
      expect(read.bytes.equals(Buffer.concat(halves))).toBe(true);
    });
  });

  it('a gateway restart between parts loses nothing: the upload and its parts are still there and it completes', async () => {
    const bodies = partBodies(17, MIN_PART, 4000);
    const { upload, first } = await onGateway(async (client) => {
      await client.send(new CreateBucketCommand({ Bucket: 'restarted' }));
      const started = await startUpload(client, 'restarted', 'object', { ContentType: 'text/x-restart' });
      return { upload: started, first: await uploadPart(client, started, 1, bodies[0]) };
    });
    await onGateway(async (client) => {
      expect(await listedUploads(client, 'restarted')).toEqual([['object', upload.UploadId]]);
      const listed = await client.send(new ListPartsCommand(upload));
      expect(listed.Parts?.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual([
        { PartNumber: 1, ETag: first.ETag, Size: bodies[0].length },
      ]);
      const second = await uploadPart(client, upload, 2, bodies[1]);
      expect((await complete(client, upload, [first, second])).ETag).toBe(etagOfParts(bodies));
    });
    await onGateway(async (client) => {
      const read = await getObject(client, { Bucket: 'restarted', Key: 'object' });
      expect(read.bytes.equals(Buffer.concat(bodies))).toBe(true);
      expect(read.ContentType).toBe('text/x-restart');
    });
  });
});
