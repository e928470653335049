import {
  checkAttributesFit,
  completedObjectMetadata,
  customMetadataBytes,
  decodePartChecksums,
  decodePartSizes,
  encodePartChecksums,
  encodePartSizes,
  multipartEtagOfListed,
  multipartFactsOfHead,
  partChecksumsOfListed,
  recordChecksumMetadata,
  recordChecksumOfListed,
} from './multipart-metadata';
import { attributesOfCustomMetadata, CUSTOM_METADATA_LIMIT } from './custom-metadata';
import { thrownS3Error } from '../../../test/support/rejections';

const MiB = 1024 * 1024;
const ETAG = '0123456789abcdef0123456789abcdef-3';

/** The `Ais-Custom-Md` header lines AIS answers a HEAD with, for this metadata. */
function lines(metadata: Record<string, string>): string[] {
  return Object.entries(metadata).map(([key, value]) => `${key}=${value}`);
}

describe('part sizes in custom metadata', () => {
  it('run-length encodes the sizes clients send (equal parts, a smaller last one)', () => {
    expect(encodePartSizes([8 * MiB, 8 * MiB, 8 * MiB, 1234])).toBe('8388608*3,1234');
    expect(encodePartSizes([5, 6, 6, 5])).toBe('5,6*2,5');
    expect(encodePartSizes(new Array(10000).fill(8 * MiB))).toBe('8388608*10000');
  });

  it('decodes what it encodes, and rejects anything else', () => {
    for (const sizes of [[1], [0], [8 * MiB, 8 * MiB, 17], [3, 1, 4, 1, 5, 9, 2, 6]]) expect(decodePartSizes(encodePartSizes(sizes))).toEqual(sizes);
    for (const bad of ['', '1,', 'x', '5*0', '1*10001', '-1']) expect(decodePartSizes(bad)).toBeUndefined();
  });
});

describe('the custom metadata of a completed multipart object', () => {
  const attributes = { content: { contentType: 'text/plain; charset=utf-8' }, userMetadata: { origin: 'multipart' } };
  const lastModified = new Date('2026-11-26T13:32:12Z');

  it('keeps the attributes as a plain PUT does, with the multipart ETag, part sizes and checksum beside them', () => {
    const { metadata, partSizesKept } = completedObjectMetadata(attributes, {
      etag: ETAG,
      partSizes: [5 * MiB, 5 * MiB, 7],
      checksum: { algorithm: 'CRC32', type: 'COMPOSITE', value: 'AAAAAA==-3' },
      lastModified,
    });
    expect(partSizesKept).toBe(true);
    expect(metadata).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'x-amz-meta-origin': 'multipart',
      ETag: ETAG,
      's3-part-sizes': '5242880*2,7',
      's3-checksum': 'CRC32:COMPOSITE:AAAAAA==-3',
      'Last-Modified': 'Thu, 26 Nov 2026 13:32:12 GMT',
      's3-modified': String(lastModified.getTime()),
    });
    expect(attributesOfCustomMetadata(lines(metadata))).toEqual(attributes);
  });

  it('keeps the S3 version id under the key a plain PUT uses, when the bucket has versioning Enabled', () => {
    const { metadata } = completedObjectMetadata(attributes, { etag: ETAG, partSizes: [1], versionId: 'AAAAAAAAAAAAAAAAAAAAAAAA', lastModified });
    expect(metadata['x-amz-version-id']).toBe('AAAAAAAAAAAAAAAAAAAAAAAA');
  });

  it('is read back from a HEAD answer while AIS still has the object it was written for', () => {
    const { metadata } = completedObjectMetadata(attributes, {
      etag: ETAG,
      partSizes: [5 * MiB, 1],
      checksum: { algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: 'AAAAAAAAAAA=' },
      lastModified,
    });
    const headers = { 'ais-checksum-type': 'md5', 'ais-checksum-value': 'feed', 'ais-custom-md': lines({ ...metadata, 's3-of': 'feed' }) };
    expect(multipartFactsOfHead(headers)).toEqual({
      etag: ETAG,
      partSizes: [5 * MiB, 1],
      checksums: { CRC64NVME: 'AAAAAAAAAAA=' },
      checksumType: 'FULL_OBJECT',
    });
  });

  it('is ignored once a plain PUT replaced the bytes (AIS merges custom metadata on PUT, the checksum changes)', () => {
    const { metadata } = completedObjectMetadata(attributes, { etag: ETAG, partSizes: [1], lastModified });
    expect(multipartFactsOfHead({ 'ais-checksum-value': 'other', 'ais-custom-md': lines({ ...metadata, 's3-of': 'feed' }) })).toBeUndefined();
    expect(multipartFactsOfHead({ 'ais-checksum-value': 'feed', 'ais-custom-md': lines(metadata) })).toBeUndefined();
  });

  it('leaves the part sizes out rather than exceed AIS 2 KiB when they cannot be run-length encoded small enough', () => {
    const partSizes = Array.from({ length: 500 }, (_, index) => 5 * MiB + index);
    const { metadata, partSizesKept } = completedObjectMetadata(attributes, { etag: ETAG, partSizes, lastModified });
    expect(partSizesKept).toBe(false);
    expect(metadata['s3-part-sizes']).toBeUndefined();
    expect(customMetadataBytes(metadata) + 's3-of'.length + 32).toBeLessThanOrEqual(CUSTOM_METADATA_LIMIT);
  });

  it("keeps the parts' checksums as their digests one after the other, and reads them back from a HEAD answer", () => {
    const partChecksums = ['AQIDBA==', 'BQYHCA==', 'CQoLDA=='];
    expect(encodePartChecksums(partChecksums)).toBe('AQIDBAUGBwgJCgsM');
    const { metadata, partChecksumsKept } = completedObjectMetadata(attributes, {
      etag: ETAG,
      partSizes: [5 * MiB, 5 * MiB, 7],
      partChecksums,
      checksum: { algorithm: 'CRC32', type: 'COMPOSITE', value: 'AAAAAA==-3' },
      lastModified,
    });
    expect(partChecksumsKept).toBe(true);
    expect(metadata['s3-part-checksums']).toBe('AQIDBAUGBwgJCgsM');
    const headers = { 'ais-checksum-value': 'feed', 'ais-custom-md': lines({ ...metadata, 's3-of': 'feed' }) };
    expect(multipartFactsOfHead(headers)?.partChecksums).toEqual([{ CRC32: 'AQIDBA==' }, { CRC32: 'BQYHCA==' }, { CRC32: 'CQoLDA==' }]);
  });

  it('reads no part checksums from a value that does not hold one digest per part', () => {
    expect(decodePartChecksums('AQIDBAUGBwgJCgsM', 'CRC32', 3)).toHaveLength(3);
    expect(decodePartChecksums('AQIDBAUGBwgJCgsM', 'CRC32', 2)).toBeUndefined();
    expect(decodePartChecksums('AQIDBAUGBwgJCgsM', 'SHA256', 1)).toBeUndefined();
    expect(decodePartChecksums('AQID!', 'CRC32', 1)).toBeUndefined();
  });

  it("leaves the parts' checksums out rather than exceed AIS 2 KiB (SHA256 of 100 parts)", () => {
    const sha256 = Buffer.alloc(32, 7).toString('base64');
    const partSizes = new Array<number>(100).fill(5 * MiB);
    const { metadata, partSizesKept, partChecksumsKept } = completedObjectMetadata(attributes, {
      etag: '0123456789abcdef0123456789abcdef-100',
      partSizes,
      partChecksums: partSizes.map(() => sha256),
      checksum: { algorithm: 'SHA256', type: 'COMPOSITE', value: `${sha256}-100` },
      lastModified,
    });
    expect(partSizesKept).toBe(true);
    expect(partChecksumsKept).toBe(false);
    expect(metadata['s3-part-checksums']).toBeUndefined();
    expect(customMetadataBytes(metadata) + 's3-of'.length + 32).toBeLessThanOrEqual(CUSTOM_METADATA_LIMIT);
  });

  it('refuses, at CreateMultipartUpload, attributes that would leave no room for the multipart entries', () => {
    expect(() => checkAttributesFit(attributes)).not.toThrow();
    const big = { content: {}, userMetadata: { a: 'x'.repeat(1900) } };
    expect(thrownS3Error(() => checkAttributesFit(big))).toMatchObject({ code: 'MetadataTooLarge' });
  });

  it("reads a listed object's multipart ETag from the front of AIS's custom-md print, only while the checksum matches", () => {
    const custom = `[ETag:${ETAG} x-amz-meta-z:a b s3-of:x s3-of:cafe content-type:text/plain; charset=utf-8 s3-part-sizes:1,2]`;
    expect(multipartEtagOfListed(custom, 'cafe')).toBe(ETAG);
    expect(multipartEtagOfListed(custom, 'caf')).toBeUndefined();
    expect(multipartEtagOfListed(custom, 'beef')).toBeUndefined();
    expect(multipartEtagOfListed('[content-type:text/plain s3-of:cafe]', 'cafe')).toBeUndefined();
    expect(multipartEtagOfListed(undefined, 'cafe')).toBeUndefined();
  });
});

describe('the checksums of a staged part', () => {
  it('are read from a listing of the staged parts, under their header names as any PUT keeps them', () => {
    const listed = '[x-amz-checksum-crc32:AAAAAA== x-amz-checksum-sha256:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=]';
    expect(partChecksumsOfListed(listed, 'feed')).toEqual({ CRC32: 'AAAAAA==', SHA256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' });
    expect(partChecksumsOfListed(undefined, 'feed')).toEqual({});
  });

  it('added after the upload (a trailer) count only while AIS still has the bytes they were computed over', () => {
    expect(partChecksumsOfListed('[s3-of:feed x-amz-checksum-crc32c:AAAAAA==]', 'feed')).toEqual({ CRC32C: 'AAAAAA==' });
    expect(partChecksumsOfListed('[s3-of:feed x-amz-checksum-crc32c:AAAAAA==]', 'beef')).toEqual({});
  });
});

describe('the checksum of an upload record', () => {
  it('is kept in custom metadata and read back from a listing of the records', () => {
    const metadata = recordChecksumMetadata({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
    const listed = `[${Object.entries(metadata)
      .map(([key, value]) => `${key}:${value}`)
      .join(' ')}]`;
    expect(recordChecksumOfListed(listed)).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
    expect(recordChecksumMetadata(undefined)).toEqual({});
    expect(recordChecksumOfListed('[s3-checksum-algorithm:MD5 s3-checksum-type:COMPOSITE]')).toBeUndefined();
    expect(recordChecksumOfListed(undefined)).toBeUndefined();
  });
});
