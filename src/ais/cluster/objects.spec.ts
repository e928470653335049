import type { IncomingHttpHeaders } from 'node:http';
import { objectInfoOfHead } from './objects';
import { newVersionId } from './version-ids';

const MD5 = '5d41402abc4b2a76b9719d911017c592';

/** The headers of AIS's HEAD of an object with this custom metadata. */
function head(custom: string[]): IncomingHttpHeaders {
  return { 'content-length': '5', 'ais-checksum-type': 'md5', 'ais-checksum-value': MD5, 'ais-custom-md': custom };
}

describe('an object as the AIS backend reports it from AIS HEAD', () => {
  it('reports the checksums written with the upload', () => {
    expect(objectInfoOfHead('b1', 'k', head(['x-amz-checksum-crc32=NhCmhg==', 'content-type=text/plain'])).checksums).toEqual({ CRC32: 'NhCmhg==' });
  });

  it('reports checksums added after the upload only while the object still has the bytes they describe', () => {
    expect(objectInfoOfHead('b1', 'k', head(['x-amz-checksum-crc32c=PVH5bA==', `s3-of=${MD5}`])).checksums).toEqual({ CRC32C: 'PVH5bA==' });
    expect(objectInfoOfHead('b1', 'k', head(['x-amz-checksum-crc32c=PVH5bA==', 's3-of=0123456789abcdef0123456789abcdef'])).checksums).toEqual({});
  });

  it('reports the version id the gateway wrote for this bucket and key, and version null otherwise', () => {
    const id = newVersionId('b1', 'k');
    expect(objectInfoOfHead('b1', 'k', head([`x-amz-version-id=${id}`])).versionId).toBe(id);
    expect(objectInfoOfHead('b2', 'k', head([`x-amz-version-id=${id}`])).versionId).toBe('null');
    expect(objectInfoOfHead('b1', 'k', head([])).versionId).toBe('null');
  });

  it('reports the write time the gateway recorded, before AIS Last-Modified and the access time', () => {
    const recorded = 'Last-Modified=Thu, 26 Nov 2026 13:32:12 GMT';
    expect(objectInfoOfHead('b1', 'k', head([recorded])).lastModified.toISOString()).toBe('2026-11-26T13:32:12.000Z');
    expect(objectInfoOfHead('b1', 'k', { ...head([]), 'last-modified': 'Fri, 27 Nov 2026 10:00:00 GMT' }).lastModified.toISOString()).toBe(
      '2026-11-27T10:00:00.000Z',
    );
    expect(objectInfoOfHead('b1', 'k', { ...head([]), 'ais-atime': '1795699932892877060' }).lastModified.toISOString()).toBe('2026-11-26T13:32:12.892Z');
  });
});
