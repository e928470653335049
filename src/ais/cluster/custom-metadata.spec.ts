import {
  aisMetadataBytes,
  attributesOfCustomMetadata,
  checksumsOfCustomMetadata,
  customMetadataLines,
  customValueOf,
  httpDate,
  HTTP_DATE_LENGTH,
  lastModifiedOfCustomMetadata,
  lastModifiedOfListed,
  ownerOfListed,
  versionIdOfListed,
  writeTime,
} from './custom-metadata';

describe('what the gateway keeps in AIS custom metadata besides S3 attributes', () => {
  const attributes = { content: { contentType: 'text/plain' }, userMetadata: { color: 'blue' } };

  it('keeps checksums and the version id under their S3 header names, next to the attributes', () => {
    const lines = customMetadataLines(attributes, {
      checksums: { CRC32: 'AAAAAA==', SHA256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
      versionId: 'v'.repeat(24),
    });
    expect(lines).toEqual([
      'content-type=text/plain',
      'x-amz-meta-color=blue',
      'x-amz-checksum-crc32=AAAAAA==',
      'x-amz-checksum-sha256=n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
      `x-amz-version-id=${'v'.repeat(24)}`,
    ]);
    expect(checksumsOfCustomMetadata(lines)).toEqual({ CRC32: 'AAAAAA==', SHA256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' });
    expect(customValueOf(lines, 'x-amz-version-id')).toBe('v'.repeat(24));
    expect(attributesOfCustomMetadata(lines)).toEqual(attributes);
  });

  it('reads no checksum from keys or values that are not one', () => {
    expect(checksumsOfCustomMetadata(['x-amz-checksum-md5=AAAA', 'x-amz-checksum-crc32=not base64!', 'x-amz-meta-x-amz-checksum-crc32=AAAAAA=='])).toEqual({});
    expect(checksumsOfCustomMetadata(undefined)).toEqual({});
    expect(customValueOf('s3-of=abc', 'x-amz-version-id')).toBeUndefined();
  });

  it('counts the room the lines take as AIS does: the bytes of each key and value, without the "="', () => {
    expect(aisMetadataBytes(['a=b', 'x-amz-meta-k=é'])).toBe(2 + 12 + 2);
    expect(aisMetadataBytes(customMetadataLines({ content: {}, userMetadata: { a: 'x'.repeat(2047) } }))).toBe(2059);
  });

  it('finds the version id in a listed entry, where AIS prints custom metadata as [k1:v1 k2:v2]', () => {
    const id = 'AbC_-0123456789abcdefXYZ';
    expect(versionIdOfListed(`[x-amz-version-id:${id}]`)).toBe(id);
    expect(versionIdOfListed(`[ETag:abc x-amz-meta-a:with space x-amz-version-id:${id} content-type:text/plain]`)).toBe(id);
    expect(versionIdOfListed('[x-amz-meta-note:x-amz-version-id:fake]')).toBeUndefined();
    expect(versionIdOfListed('[content-type:text/plain]')).toBeUndefined();
    expect(versionIdOfListed(undefined)).toBeUndefined();
  });
});

describe('the write time the gateway keeps: exact, and under the key AIS reads as Last-Modified', () => {
  const written = writeTime(Date.parse('2026-11-26T13:32:11.789Z'));

  it('records the write to the millisecond, and as an HTTP date of fixed length for AIS', () => {
    expect(written.toISOString()).toBe('2026-11-26T13:32:11.789Z');
    expect(customMetadataLines({ content: {}, userMetadata: {} }, { lastModified: written })).toEqual([
      'Last-Modified=Thu, 26 Nov 2026 13:32:11 GMT',
      `s3-modified=${written.getTime()}`,
    ]);
    expect(httpDate(new Date('1000-01-01T00:00:00Z'))).toHaveLength(HTTP_DATE_LENGTH);
    expect(httpDate(new Date('9999-12-31T23:59:59Z'))).toHaveLength(HTTP_DATE_LENGTH);
  });

  it('reads the exact time back from a GET or HEAD answer and from a listed custom-md print', () => {
    const lines = customMetadataLines({ content: {}, userMetadata: { a: '1' } }, { lastModified: written });
    expect(lastModifiedOfCustomMetadata(lines)).toEqual(written);
    expect(lastModifiedOfListed(`[Last-Modified:Thu, 26 Nov 2026 13:32:11 GMT s3-modified:${written.getTime()} x-amz-meta-a:1]`)).toEqual(written);
  });

  it('falls back to the HTTP date alone (to the second) when the exact time is missing', () => {
    const second = new Date('2026-11-26T13:32:11.000Z');
    expect(lastModifiedOfCustomMetadata(['x-amz-meta-a=1', 'Last-Modified=Thu, 26 Nov 2026 13:32:11 GMT'])).toEqual(second);
    expect(lastModifiedOfListed('[ETag:abc-2 Last-Modified:Thu, 26 Nov 2026 13:32:11 GMT x-amz-meta-a:1]')).toEqual(second);
  });

  it('has none for an object written natively', () => {
    expect(lastModifiedOfCustomMetadata(['x-amz-meta-a=1'])).toBeUndefined();
    expect(lastModifiedOfCustomMetadata(['Last-Modified=yesterday'])).toBeUndefined();
    expect(lastModifiedOfListed('[x-amz-meta-a:1]')).toBeUndefined();
    expect(lastModifiedOfListed(undefined)).toBeUndefined();
  });
});

describe('object owner and ACL in custom metadata', () => {
  it('are written as s3-owner and, unless private, s3-acl, and read back', () => {
    const owner = 'ab'.repeat(32);
    const access = { owner, grants: [{ grantee: { group: 'AllUsers' as const }, permission: 'READ' as const }] };
    const lines = customMetadataLines({ content: {}, userMetadata: {}, access });
    expect(lines).toEqual([`s3-owner=${owner}`, 's3-acl=R*']);
    expect(attributesOfCustomMetadata(lines).access).toEqual(access);
    expect(attributesOfCustomMetadata([`s3-owner=${owner}`, 's3-acl=']).access).toEqual({ owner, grants: undefined });
    expect(attributesOfCustomMetadata(['s3-owner=', 's3-acl=']).access).toBeUndefined();
    expect(ownerOfListed(`[s3-owner:${owner} x-amz-version-id:abc]`)).toBe(owner);
    expect(ownerOfListed('[x-amz-meta-a:b]')).toBeUndefined();
  });
});
