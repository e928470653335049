import { parseCopySource } from './copy-source';
import { thrownS3Error } from '../../test/support/rejections';

/** A header value as node hands it over: each byte of the UTF-8 the client sent as one latin1 char. */
const asSent = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('parseCopySource', () => {
  it.each([
    ['bkt/a%20b%2Bc', { bucket: 'bkt', key: 'a b+c' }],
    ['/bkt/dir/%C3%BC', { bucket: 'bkt', key: 'dir/ü' }],
    [asSent('/bkt/ü 日本'), { bucket: 'bkt', key: 'ü 日本' }],
    ['/bkt/k?versionId=v%2B1', { bucket: 'bkt', key: 'k', versionId: 'v+1' }],
    ['/bkt/k?other=1&versionId=abc', { bucket: 'bkt', key: 'k', versionId: 'abc' }],
  ])('reads %p', (header, expected) => {
    expect(parseCopySource(header)).toEqual(expected);
  });

  it.each(['/bkt/%FF', '/bkt/a%C3%28', '/bkt/%ED%A0%80', '/bkt/100%', '/b%FFt/k', '/bkt/k?versionId=%FF', '/bkt/\xff', '/bkt/\xc3('])(
    'refuses %p, which is not valid UTF-8, with InvalidArgument "Invalid copy source encoding."',
    (header) => {
      expect(thrownS3Error(() => parseCopySource(header))).toMatchObject({ code: 'InvalidArgument', message: 'Invalid copy source encoding.' });
    },
  );

  it('refuses an empty version id', () => {
    expect(thrownS3Error(() => parseCopySource('/bkt/k?versionId='))).toMatchObject({ code: 'InvalidArgument' });
  });
});
