import {
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  GetObjectAttributesCommand,
  type GetObjectAttributesCommandInput,
  HeadObjectCommand,
  type ObjectAttributes,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type ChecksumAlgorithmName, checksumOf, type ChecksumField } from './support/checksums';
import { patternBytes } from './support/clients';
import { itOn } from './support/backend';
import { boto3Scenario } from './support/clients';
import { BOTO3, useClientGateway, useGateway } from './support/fixture';
import { multipartEtag } from './support/multipart';
import { stringMatching } from './support/matchers';
import { md5Hex } from './support/objects';
import { rawRequest } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

const MiB = 1024 * 1024;
const ALL: ObjectAttributes[] = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];
const field = (algorithm: ChecksumAlgorithmName): ChecksumField => `Checksum${algorithm}`;

/** A multipart object of these part bodies; with an algorithm, every part carries its checksum (COMPOSITE). */
async function multipartObject(
  s3: S3Client,
  bucket: string,
  key: string,
  bodies: Buffer[],
  algorithm?: ChecksumAlgorithmName,
  create: Partial<CreateMultipartUploadCommandInput> = {},
): Promise<string[]> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: algorithm, ...create }));
  const upload = { Bucket: bucket, Key: key, UploadId };
  const parts: CompletedPart[] = [];
  const checksums: string[] = [];
  for (const [index, body] of bodies.entries()) {
    const answer = await s3.send(new UploadPartCommand({ ...upload, PartNumber: index + 1, Body: body, ChecksumAlgorithm: algorithm }));
    const checksum = algorithm === undefined ? undefined : answer[field(algorithm)];
    if (checksum !== undefined) checksums.push(checksum);
    parts.push({ PartNumber: index + 1, ETag: answer.ETag, ...(algorithm === undefined ? {} : { [field(algorithm)]: checksum }) });
  }
  await s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts } }));
  return checksums;
}

describe('GetObjectAttributes through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  const attributesOf = (input: Omit<GetObjectAttributesCommandInput, 'ObjectAttributes'> & { ObjectAttributes?: ObjectAttributes[] }) =>
    fixture.s3.send(new GetObjectAttributesCommand({ ObjectAttributes: ALL, ...input }));

  describe('a plain object', () => {
    const body = Buffer.from('hello, attributes');
    let bucket: string;
    beforeAll(async () => {
      bucket = await fixture.newBucket();
      await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain.txt', Body: body, ChecksumAlgorithm: 'SHA256' }));
    });

    it('answers the unquoted ETag, its checksum (FULL_OBJECT), STANDARD, its size and Last-Modified as HEAD does; no ObjectParts', async () => {
      const answer = await attributesOf({ Bucket: bucket, Key: 'plain.txt' });
      const head = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plain.txt' }));
      expect(answer).toMatchObject({
        ETag: md5Hex(body),
        Checksum: { ChecksumSHA256: await checksumOf('SHA256', body), ChecksumType: 'FULL_OBJECT' },
        StorageClass: 'STANDARD',
        ObjectSize: body.length,
        LastModified: head.LastModified,
      });
      expect(answer.ObjectParts).toBeUndefined();
      expect(answer.VersionId).toBeUndefined();
    });

    it('answers only the attributes asked for', async () => {
      const answer = await attributesOf({ Bucket: bucket, Key: 'plain.txt', ObjectAttributes: ['ObjectSize'] });
      expect(answer).toMatchObject({ ObjectSize: body.length });
      expect([answer.ETag, answer.Checksum, answer.StorageClass]).toEqual([undefined, undefined, undefined]);
    });

    it('refuses an attribute name S3 does not define with 400 InvalidArgument', async () => {
      await expectS3Error(attributesOf({ Bucket: bucket, Key: 'plain.txt', ObjectAttributes: ['ETag', 'Colour' as ObjectAttributes] }), 'InvalidArgument', 400);
    });

    it('refuses a missing x-amz-object-attributes header, and x-amz-max-parts or x-amz-part-number-marker that are no integer, with 400 InvalidArgument', async () => {
      const path = `/s3/${bucket}/plain.txt?attributes`;
      const headers: Record<string, string> = {};
      expectS3ErrorResponse(await rawRequest(fixture.gateway.origin, { method: 'GET', path }), 'InvalidArgument', 400);
      expectS3ErrorResponse(
        await rawRequest(fixture.gateway.origin, { method: 'GET', path, headers: { 'x-amz-object-attributes': '' } }),
        'InvalidArgument',
        400,
      );
      for (const name of ['x-amz-max-parts', 'x-amz-part-number-marker']) {
        const response = await rawRequest(fixture.gateway.origin, {
          method: 'GET',
          path,
          headers: { ...headers, 'x-amz-object-attributes': 'ETag', [name]: '-1' },
        });
        expectS3ErrorResponse(response, 'InvalidArgument', 400);
      }
      const fine = await rawRequest(fixture.gateway.origin, { method: 'GET', path, headers: { ...headers, 'x-amz-object-attributes': 'ETag, ObjectSize' } });
      expect(fine.status).toBe(200);
      expect(fine.body).toContain(`<ETag>${md5Hex(body)}</ETag><ObjectSize>${body.length}</ObjectSize>`);
    });

    it("takes the If-* headers as HEAD does (the API reference's conditional request headers): 412 and 304", async () => {
      const path = `/s3/${bucket}/plain.txt?attributes`;
      const ask = (headers: Record<string, string>) =>
        rawRequest(fixture.gateway.origin, { method: 'GET', path, headers: { 'x-amz-object-attributes': 'ObjectSize', ...headers } });
      expectS3ErrorResponse(await ask({ 'if-match': '"0123456789abcdef0123456789abcdef"' }), 'PreconditionFailed', 412);
      expect((await ask({ 'if-none-match': `"${md5Hex(body)}"` })).status).toBe(304);
      expect((await ask({ 'if-match': `"${md5Hex(body)}"` })).status).toBe(200);
    });

    it('answers NoSuchKey for a missing key and NoSuchBucket for a missing bucket', async () => {
      await expectS3Error(attributesOf({ Bucket: bucket, Key: 'missing' }), 'NoSuchKey', 404);
      await expectS3Error(attributesOf({ Bucket: 'no-such-bucket-here', Key: 'plain.txt' }), 'NoSuchBucket', 404);
    });
  });

  describe('a multipart object with CRC32 part checksums (5 MiB, 5 MiB, 1 MiB + 3)', () => {
    const bodies = [patternBytes(5 * MiB, 1), patternBytes(5 * MiB, 2), patternBytes(MiB + 3, 3)];
    let bucket: string;
    let partChecksums: string[];
    beforeAll(async () => {
      bucket = await fixture.newBucket();
      partChecksums = await multipartObject(fixture.s3, bucket, 'crc32.bin', bodies, 'CRC32');
    });

    it('answers the -3 ETag, the COMPOSITE checksum without its -3, the size, and all three parts with their sizes and checksums', async () => {
      const composite = await checksumOf('CRC32', Buffer.concat(partChecksums.map((value) => Buffer.from(value, 'base64'))));
      const answer = await attributesOf({ Bucket: bucket, Key: 'crc32.bin' });
      expect(partChecksums).toEqual(await Promise.all(bodies.map((body) => checksumOf('CRC32', body))));
      expect(answer).toMatchObject({
        ETag: multipartEtag(bodies.map((body) => md5Hex(body))).replace(/"/g, ''),
        Checksum: { ChecksumCRC32: composite, ChecksumType: 'COMPOSITE' },
        StorageClass: 'STANDARD',
        ObjectSize: 10 * MiB + MiB + 3,
      });
      expect(answer.ObjectParts).toEqual({
        TotalPartsCount: 3,
        PartNumberMarker: '0',
        NextPartNumberMarker: '3',
        MaxParts: 1000,
        IsTruncated: false,
        Parts: bodies.map((body, index) => ({ PartNumber: index + 1, Size: body.length, ChecksumCRC32: partChecksums[index] })),
      });
    });

    it('pages the parts with MaxParts and PartNumberMarker', async () => {
      const first = await attributesOf({ Bucket: bucket, Key: 'crc32.bin', ObjectAttributes: ['ObjectParts'], MaxParts: 2 });
      expect(first.ObjectParts).toMatchObject({ TotalPartsCount: 3, MaxParts: 2, IsTruncated: true, NextPartNumberMarker: '2' });
      expect(first.ObjectParts?.Parts?.map((part) => part.PartNumber)).toEqual([1, 2]);
      const rest = await attributesOf({
        Bucket: bucket,
        Key: 'crc32.bin',
        ObjectAttributes: ['ObjectParts'],
        MaxParts: 2,
        PartNumberMarker: first.ObjectParts?.NextPartNumberMarker,
      });
      expect(rest.ObjectParts).toMatchObject({ TotalPartsCount: 3, PartNumberMarker: '2', IsTruncated: false, NextPartNumberMarker: '3' });
      expect(rest.ObjectParts?.Parts).toEqual([{ PartNumber: 3, Size: MiB + 3, ChecksumCRC32: partChecksums[2] }]);
    });
  });

  it('lists SHA256 part checksums of a multipart object uploaded with SHA256', async () => {
    const bucket = await fixture.newBucket();
    const bodies = [patternBytes(5 * MiB, 4), patternBytes(1000, 5)];
    const partChecksums = await multipartObject(fixture.s3, bucket, 'sha256.bin', bodies, 'SHA256');
    const answer = await attributesOf({ Bucket: bucket, Key: 'sha256.bin', ObjectAttributes: ['Checksum', 'ObjectParts'] });
    const composite = await checksumOf('SHA256', Buffer.concat(partChecksums.map((value) => Buffer.from(value, 'base64'))));
    expect(answer.Checksum).toEqual({ ChecksumSHA256: composite, ChecksumType: 'COMPOSITE' });
    expect(answer.ObjectParts?.Parts).toEqual([
      { PartNumber: 1, Size: 5 * MiB, ChecksumSHA256: await checksumOf('SHA256', bodies[0]) },
      { PartNumber: 2, Size: 1000, ChecksumSHA256: await checksumOf('SHA256', bodies[1]) },
    ]);
  });

  it('gives a multipart object uploaded without a checksum algorithm only its PartsCount, and no Checksum', async () => {
    const bucket = await fixture.newBucket();
    await multipartObject(fixture.s3, bucket, 'unchecked.bin', [patternBytes(5 * MiB, 6), patternBytes(10, 7)]);
    const answer = await attributesOf({ Bucket: bucket, Key: 'unchecked.bin' });
    expect(answer.ObjectParts).toEqual({ TotalPartsCount: 2 });
    expect(answer.Checksum).toBeUndefined();
    expect(answer.ObjectSize).toBe(5 * MiB + 10);
  });

  describe('a SHA256 multipart object whose user metadata leaves AIS no room for the per-part checksums', () => {
    // 1640 bytes of user metadata: CreateMultipartUpload accepts them on AIS (at most about 1650 beside this
    // content type), and the two parts' SHA256 digests (105 bytes with their key) no longer fit in AIS's 2048.
    const bodies = [patternBytes(5 * MiB, 8), patternBytes(10, 9)];
    const create = { ContentType: 'application/octet-stream', Metadata: { big: 'x'.repeat(1640) } };
    const ask = async () => {
      const bucket = await fixture.newBucket();
      const partChecksums = await multipartObject(fixture.s3, bucket, 'crowded.bin', bodies, 'SHA256', create);
      return { partChecksums, answer: await attributesOf({ Bucket: bucket, Key: 'crowded.bin', ObjectAttributes: ['Checksum', 'ObjectParts'] }) };
    };

    itOn('ais')('answers its checksum and PartsCount on AIS, without a part list (README, AIS compatibility)', async () => {
      const { answer } = await ask();
      expect(answer.Checksum).toMatchObject({ ChecksumType: 'COMPOSITE' });
      expect(answer.ObjectParts).toEqual({ TotalPartsCount: 2 });
    });

    itOn('embedded')('answers its parts with their checksums on the embedded store, which has no such limit', async () => {
      const { answer, partChecksums } = await ask();
      expect(answer.ObjectParts?.Parts).toEqual(
        bodies.map((body, index) => ({ PartNumber: index + 1, Size: body.length, ChecksumSHA256: partChecksums[index] })),
      );
    });
  });

  it('answers the version asked for in a versioning-enabled bucket, with x-amz-version-id; another version id is NoSuchVersion', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const put = await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'v', Body: 'versioned' }));
    expect(put.VersionId).toBeDefined();
    const answer = await attributesOf({ Bucket: bucket, Key: 'v', VersionId: put.VersionId });
    expect(answer).toMatchObject({ VersionId: put.VersionId, ObjectSize: 9, ETag: md5Hex('versioned') });
    expect((await attributesOf({ Bucket: bucket, Key: 'v' })).VersionId).toBe(put.VersionId);
    // A version id the gateway gave another object: well-formed on either backend, but not one of this object's.
    const other = await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'other', Body: 'other' }));
    await expectS3Error(attributesOf({ Bucket: bucket, Key: 'v', VersionId: other.VersionId }), 'NoSuchVersion', 404);
  });
});

describe('GetObjectAttributes through boto3', () => {
  const fixture = useClientGateway(BOTO3);

  it('get_object_attributes answers a plain object and pages the SHA256 parts of a multipart one; a missing key is NoSuchKey, a bad name InvalidArgument', async () => {
    const result = await boto3Scenario(fixture.sandbox, fixture.gateway.endpoint, 'object_attributes', { bucket: 'boto-attributes' });
    expect(result.plain).toEqual({
      ETag: md5Hex('plain attributes'),
      Checksum: { ChecksumCRC32: result.plain_crc32, ChecksumType: 'FULL_OBJECT' },
      ObjectParts: null,
      StorageClass: 'STANDARD',
      ObjectSize: 'plain attributes'.length,
    });
    const composite = await checksumOf('SHA256', Buffer.concat(result.part_sha256.map((value) => Buffer.from(value, 'base64'))));
    expect(result.pages).toHaveLength(2);
    for (const [index, page] of result.pages.entries()) {
      expect(page).toEqual({
        ETag: stringMatching(/^[0-9a-f]{32}-2$/),
        Checksum: { ChecksumSHA256: composite, ChecksumType: 'COMPOSITE' },
        ObjectParts: {
          TotalPartsCount: 2,
          PartNumberMarker: index,
          NextPartNumberMarker: index + 1,
          MaxParts: 1,
          IsTruncated: index === 0,
          Parts: [{ PartNumber: index + 1, Size: result.part_sizes[index], ChecksumSHA256: result.part_sha256[index] }],
        },
        StorageClass: 'STANDARD',
        ObjectSize: result.part_sizes[0] + result.part_sizes[1],
      });
    }
    expect(result.missing).toMatchObject({ code: 'NoSuchKey', status: 404 });
    expect(result.bad_attribute).toMatchObject({ code: 'InvalidArgument', status: 400 });
  });
});

describe('GetObjectAttributes with S3_AUTH=verify', () => {
  const fixture = useGateway({ S3_ACCESS_KEY_ID: 'test-key', S3_SECRET_ACCESS_KEY: 'test-secret' });

  it('answers a request the SDK signed (x-amz-object-attributes among the signed headers), and refuses a wrong secret with 403 SignatureDoesNotMatch', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'signed', Body: 'signed' }));
    const answer = await fixture.s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'signed', ObjectAttributes: ['ObjectSize'] }));
    expect(answer.ObjectSize).toBe(6);
    const wrong = s3ClientFor(fixture.gateway.endpoint, { credentials: { accessKeyId: 'test-key', secretAccessKey: 'not-the-secret' } });
    try {
      await expectS3Error(
        wrong.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'signed', ObjectAttributes: ['ObjectSize'] })),
        'SignatureDoesNotMatch',
        403,
      );
    } finally {
      wrong.destroy();
    }
  });
});
