import type { ObjectInfo } from '../ais/store';
import { S3Error } from './errors';
import { objectAttributesDocument, parseAttributesRequest, parseObjectAttributes, partsCountOf, type AttributesRequest } from './object-attributes';
import { toXml } from './xml';

function expectInvalidArgument(run: () => unknown, argumentName: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(S3Error);
  expect((thrown as S3Error).code).toBe('InvalidArgument');
  expect((thrown as S3Error).details).toMatchObject({ ArgumentName: argumentName });
}

const plain: ObjectInfo = {
  key: 'k',
  size: 11,
  etag: '5eb63bbbe01eeed093cb22bb8f5acdc3',
  lastModified: new Date(0),
  versionId: 'null',
  content: {},
  userMetadata: {},
  checksums: {},
};

const multipart: ObjectInfo = {
  ...plain,
  size: 12,
  etag: '0123456789abcdef0123456789abcdef-3',
  partSizes: [5, 5, 2],
  checksums: { CRC32: 'AAAAAA==-3' },
  checksumType: 'COMPOSITE',
  partChecksums: [{ CRC32: 'AQEBAQ==' }, { CRC32: 'AgICAg==' }, { CRC32: 'AwMDAw==' }],
};

function wanting(names: string, maxParts = 1000, partNumberMarker = 0): AttributesRequest {
  return { attributes: parseObjectAttributes(names), maxParts, partNumberMarker };
}

describe('parseObjectAttributes', () => {
  it('reads the comma-separated names the SDKs send, with or without spaces', () => {
    expect([...parseObjectAttributes('ETag,ObjectSize')]).toEqual(['ETag', 'ObjectSize']);
    expect([...parseObjectAttributes('ETag, Checksum , ObjectParts,StorageClass')]).toEqual(['ETag', 'Checksum', 'ObjectParts', 'StorageClass']);
  });

  it('refuses a missing or empty header with InvalidArgument', () => {
    expectInvalidArgument(() => parseObjectAttributes(undefined), 'x-amz-object-attributes');
    expectInvalidArgument(() => parseObjectAttributes(''), 'x-amz-object-attributes');
    expectInvalidArgument(() => parseObjectAttributes(' , '), 'x-amz-object-attributes');
  });

  it('refuses an unknown name, a name in another case, and an empty item with InvalidArgument', () => {
    expectInvalidArgument(() => parseObjectAttributes('ETag,Colour'), 'x-amz-object-attributes');
    expectInvalidArgument(() => parseObjectAttributes('etag'), 'x-amz-object-attributes');
    expectInvalidArgument(() => parseObjectAttributes('ETag,,ObjectSize'), 'x-amz-object-attributes');
  });
});

describe('parseAttributesRequest', () => {
  it('defaults max-parts to 1000 and the marker to 0, and caps max-parts at 1000', () => {
    expect(parseAttributesRequest({ 'x-amz-object-attributes': 'ETag' })).toMatchObject({ maxParts: 1000, partNumberMarker: 0 });
    expect(parseAttributesRequest({ 'x-amz-object-attributes': 'ETag', 'x-amz-max-parts': '5000', 'x-amz-part-number-marker': '7' })).toMatchObject({
      maxParts: 1000,
      partNumberMarker: 7,
    });
    expect(parseAttributesRequest({ 'x-amz-object-attributes': 'ETag', 'x-amz-max-parts': '0' }).maxParts).toBe(0);
  });

  it.each(['-1', 'x', '1.5', '2147483648'])('refuses x-amz-max-parts and x-amz-part-number-marker of %s with InvalidArgument', (value) => {
    expectInvalidArgument(() => parseAttributesRequest({ 'x-amz-object-attributes': 'ETag', 'x-amz-max-parts': value }), 'x-amz-max-parts');
    expectInvalidArgument(() => parseAttributesRequest({ 'x-amz-object-attributes': 'ETag', 'x-amz-part-number-marker': value }), 'x-amz-part-number-marker');
  });
});

describe('objectAttributesDocument', () => {
  it('answers only what was asked, the ETag unquoted, and no Checksum or ObjectParts for a plain object without checksums', () => {
    expect(objectAttributesDocument(plain, wanting('ETag,Checksum,ObjectParts,StorageClass,ObjectSize'))).toEqual({
      ETag: plain.etag,
      StorageClass: 'STANDARD',
      ObjectSize: 11,
    });
    expect(objectAttributesDocument(plain, wanting('ObjectSize'))).toEqual({ ObjectSize: 11 });
  });

  it('gives a plain object every checksum it has, FULL_OBJECT', () => {
    const info = { ...plain, checksums: { CRC32: 'DUoRhQ==', SHA256: 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=' } };
    expect(objectAttributesDocument(info, wanting('Checksum')).Checksum).toEqual({
      ChecksumCRC32: 'DUoRhQ==',
      ChecksumSHA256: 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=',
      ChecksumType: 'FULL_OBJECT',
    });
  });

  it('gives a COMPOSITE checksum without the -N suffix', () => {
    expect(objectAttributesDocument(multipart, wanting('Checksum')).Checksum).toEqual({ ChecksumCRC32: 'AAAAAA==', ChecksumType: 'COMPOSITE' });
  });

  it('lists the parts of a multipart object with checksums, page by page', () => {
    expect(objectAttributesDocument(multipart, wanting('ObjectParts', 2)).ObjectParts).toEqual({
      PartsCount: 3,
      PartNumberMarker: 0,
      NextPartNumberMarker: 2,
      MaxParts: 2,
      IsTruncated: true,
      Part: [
        { PartNumber: 1, Size: 5, ChecksumCRC32: 'AQEBAQ==' },
        { PartNumber: 2, Size: 5, ChecksumCRC32: 'AgICAg==' },
      ],
    });
    expect(objectAttributesDocument(multipart, wanting('ObjectParts', 2, 2)).ObjectParts).toEqual({
      PartsCount: 3,
      PartNumberMarker: 2,
      NextPartNumberMarker: 3,
      MaxParts: 2,
      IsTruncated: false,
      Part: [{ PartNumber: 3, Size: 2, ChecksumCRC32: 'AwMDAw==' }],
    });
    expect(objectAttributesDocument(multipart, wanting('ObjectParts', 2, 3)).ObjectParts).toMatchObject({
      NextPartNumberMarker: 3,
      IsTruncated: false,
      Part: [],
    });
    expect(objectAttributesDocument(multipart, wanting('ObjectParts', 0)).ObjectParts).toMatchObject({ NextPartNumberMarker: 0, IsTruncated: true, Part: [] });
  });

  it('gives only PartsCount for a multipart object without checksums, or whose part checksums are not known', () => {
    const unchecked = { ...multipart, checksums: {}, checksumType: undefined, partChecksums: undefined };
    expect(objectAttributesDocument(unchecked, wanting('ObjectParts')).ObjectParts).toEqual({ PartsCount: 3 });
    expect(objectAttributesDocument({ ...multipart, partChecksums: undefined }, wanting('ObjectParts')).ObjectParts).toEqual({ PartsCount: 3 });
  });

  it('counts the parts from the ETag when the part sizes are not known', () => {
    expect(partsCountOf({ ...multipart, partSizes: undefined })).toBe(3);
    expect(partsCountOf(plain)).toBeUndefined();
    expect(objectAttributesDocument({ ...multipart, partSizes: undefined }, wanting('ObjectParts')).ObjectParts).toEqual({ PartsCount: 3 });
  });

  it('serialises as S3 does: PartsCount, unwrapped Part elements, the document in the S3 namespace', () => {
    const xml = toXml('GetObjectAttributesResponse', objectAttributesDocument(multipart, wanting('ETag,ObjectParts', 1)));
    expect(xml).toContain('<GetObjectAttributesResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ETag>0123456789abcdef0123456789abcdef-3</ETag>');
    expect(xml).toContain(
      '<ObjectParts><PartsCount>3</PartsCount><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>1</NextPartNumberMarker><MaxParts>1</MaxParts>' +
        '<IsTruncated>true</IsTruncated><Part><PartNumber>1</PartNumber><Size>5</Size><ChecksumCRC32>AQEBAQ==</ChecksumCRC32></Part></ObjectParts>',
    );
  });
});
