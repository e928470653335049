import { parseRange } from './range';
import { thrownS3Error } from '../../test/support/rejections';

describe('parseRange', () => {
  it.each([
    ['bytes=0-4', 10, { start: 0, end: 4 }],
    ['bytes=5-', 10, { start: 5, end: 9 }],
    ['bytes=-3', 10, { start: 7, end: 9 }],
    ['bytes=-30', 10, { start: 0, end: 9 }],
    ['bytes=8-100', 10, { start: 8, end: 9 }],
    ['bytes=9-9', 10, { start: 9, end: 9 }],
  ])('reads %s of a %i-byte object', (header, size, range) => {
    expect(parseRange(header, size)).toEqual(range);
  });

  it.each(['bytes=5-2', 'items=0-1', 'bytes=0-1,3-4', 'bytes=-', 'bytes=a-b'])('ignores %s (whole object), as S3 does', (header) => {
    expect(parseRange(header, 10)).toBeUndefined();
  });

  it.each([
    ['bytes=10-', 10],
    ['bytes=10-20', 10],
    ['bytes=-0', 10],
    ['bytes=0-', 0],
    ['bytes=-5', 0],
  ])('answers InvalidRange for %s of a %i-byte object', (header, size) => {
    expect(thrownS3Error(() => parseRange(header, size))).toMatchObject({ code: 'InvalidRange', status: 416 });
  });
});
