import {
  afterKey,
  afterKeyPrefix,
  checkedUploadId,
  decodeKey,
  encodeKey,
  parseRecordName,
  partName,
  partNumberOf,
  recordName,
  recordPrefix,
} from './upload-names';
import { unstorableReason } from './object-names';
import { thrownS3Error } from '../../../test/support/rejections';
import { newUploadId } from '../upload-ids';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('names of multipart state in the uploads bucket', () => {
  const awkwardKeys = ['dir/', 'a//b', '../x', './v', 'k/../w', '/lead', 'unié', 'x'.repeat(1024), '日本/語'.repeat(40), 'a&amp;b %2F +'];

  it('round-trips every S3 key, including those AIS cannot store as names, through a valid AIS object name', () => {
    for (const key of awkwardKeys) {
      const name = recordName('bkt', key, newUploadId());
      expect(decodeKey(encodeKey(key))).toBe(key);
      expect(parseRecordName('bkt', name)?.key).toBe(key);
      expect(unstorableReason(name)).toBeUndefined();
    }
  });

  it('cuts the hex of long keys into path segments AIS can list (at most 255 bytes each)', () => {
    const name = recordName('bkt', 'k'.repeat(1024), newUploadId());
    expect(Math.max(...name.split('/').map((segment) => segment.length))).toBeLessThanOrEqual(255);
  });

  it('sorts records as S3 lists uploads: by key in UTF-8 byte order, then by creation time', () => {
    const keys = ['a', 'a/b', 'a\u0000', 'ab', 'b', 'x'.repeat(100), 'x'.repeat(100) + 'y', 'x'.repeat(101), 'é', '\u{10FFFF}'];
    const early = newUploadId(1_000_000);
    const late = newUploadId(2_000_000);
    const expected = [...keys].sort(byteOrder).flatMap((key) => [recordName('b', key, early), recordName('b', key, late)]);
    const names = keys.flatMap((key) => [recordName('b', key, late), recordName('b', key, early)]);
    expect([...names].sort(byteOrder)).toEqual(expected);
  });

  it('turns a key prefix into a name prefix, and places the "after" names past exactly the right records', () => {
    const id = newUploadId();
    expect(recordName('b', 'photos/2024/a.jpg', id).startsWith(recordPrefix('b', 'photos/'))).toBe(true);
    expect(recordName('b', 'photo', id).startsWith(recordPrefix('b', 'photos/'))).toBe(false);
    // After every upload of "k", before those of "k0" and of anything after "k".
    expect(byteOrder(afterKey('b', 'k'), recordName('b', 'k', 'zzzzzzzzz' + '_'.repeat(16)))).toBeGreaterThan(0);
    expect(byteOrder(afterKey('b', 'k'), recordName('b', 'k0', id))).toBeLessThan(0);
    expect(byteOrder(afterKey('b', 'k'), recordName('b', 'l', id))).toBeLessThan(0);
    // After every key under "p/", before "p0".
    expect(byteOrder(afterKeyPrefix('b', 'p/'), recordName('b', 'p/zzz/\u{10FFFF}', id))).toBeGreaterThan(0);
    expect(byteOrder(afterKeyPrefix('b', 'p/'), recordName('b', 'p0', id))).toBeLessThan(0);
  });

  it('keeps buckets apart even when one name is a prefix of another', () => {
    const name = recordName('abc-d', 'k', newUploadId());
    expect(name.startsWith(recordPrefix('abc'))).toBe(false);
    expect(parseRecordName('abc', name)).toBeUndefined();
  });

  it('takes an upload id from a client only if it can be one of ours: anything else is NoSuchUpload', () => {
    const id = newUploadId();
    expect(checkedUploadId(id)).toBe(id);
    for (const bad of ['', '../../x', 'no-such-upload', `${id}/..`, `${id}x`]) {
      expect(thrownS3Error(() => checkedUploadId(bad))).toMatchObject({ code: 'NoSuchUpload' });
    }
  });

  it('names staged parts by upload and zero-padded part number, so they list in part order', () => {
    const id = newUploadId();
    expect(partName(id, 7)).toBe(`parts/${id}/00007`);
    expect(partName(id, 10000) > partName(id, 9999)).toBe(true);
    expect(partNumberOf(id, partName(id, 10000))).toBe(10000);
    expect(partNumberOf(id, `parts/${id}/x`)).toBeUndefined();
  });
});
