import { parseS3Address } from './address';
import { S3Error } from './errors';
import { thrownS3Error } from '../../test/support/rejections';

const pathStyle = { s3Prefix: '/s3', s3Domain: '' };

describe('parseS3Address', () => {
  it('reads service, bucket and object addresses under the prefix', () => {
    expect(parseS3Address('/s3', undefined, pathStyle)).toEqual({ query: {} });
    expect(parseS3Address('/s3/', undefined, pathStyle)).toEqual({ query: {} });
    expect(parseS3Address('/s3/bck', undefined, pathStyle)).toEqual({ bucket: 'bck', query: {} });
    expect(parseS3Address('/s3/bck/', undefined, pathStyle)).toEqual({ bucket: 'bck', query: {} });
    expect(parseS3Address('/s3/bck/a/b.txt?versionId=1', undefined, pathStyle)).toEqual({ bucket: 'bck', key: 'a/b.txt', query: { versionId: '1' } });
  });

  it('keeps keys verbatim: double slashes, trailing slashes, dot segments, encoded slashes and plus signs', () => {
    const keyOf = (url: string) => parseS3Address(url, undefined, pathStyle)?.key;
    expect(keyOf('/s3/b/a//b')).toBe('a//b');
    expect(keyOf('/s3/b/dir/')).toBe('dir/');
    expect(keyOf('/s3/b/../x')).toBe('../x');
    expect(keyOf('/s3/b/a%2Fb')).toBe('a/b');
    expect(keyOf('/s3/b/a+b%20c')).toBe('a+b c');
    expect(keyOf('/s3/b/%E4%B8%AD%F0%9F%98%80')).toBe('中😀');
  });

  it('returns undefined outside the prefix, including look-alike paths', () => {
    expect(parseS3Address('/other/b', undefined, pathStyle)).toBeUndefined();
    expect(parseS3Address('/s3x/b', undefined, pathStyle)).toBeUndefined();
  });

  it('serves S3 at the root when the prefix is empty', () => {
    expect(parseS3Address('/bck/key', undefined, { s3Prefix: '', s3Domain: '' })).toEqual({ bucket: 'bck', key: 'key', query: {} });
  });

  it('takes the bucket from the Host header in virtual-hosted style', () => {
    const config = { s3Prefix: '/s3', s3Domain: 's3.example.com' };
    expect(parseS3Address('/s3/dir/key', 'photos.s3.example.com:8080', config)).toEqual({ bucket: 'photos', key: 'dir/key', query: {} });
    expect(parseS3Address('/s3/', 'Photos.S3.Example.com', config)).toEqual({ bucket: 'photos', query: {} });
    expect(parseS3Address('/s3/b/k', 's3.example.com', config)).toEqual({ bucket: 'b', key: 'k', query: {} });
  });

  it('refuses bad percent-encoding with InvalidURI', () => {
    expect(() => parseS3Address('/s3/b/%E0%A4%A', undefined, pathStyle)).toThrow(S3Error);
    expect(thrownS3Error(() => parseS3Address('/s3/b/k?prefix=%ZZ', undefined, pathStyle))).toMatchObject({ code: 'InvalidURI' });
  });

  it.each(['/s3/b/%FF', '/s3/b/a%C3%28', '/s3/b/%ED%A0%80', '/s3/%FF/k', '/s3/b/k?prefix=%FF', '/s3/b?list-type=2&start-after=%C3'])(
    'refuses %p, not valid UTF-8 once decoded, with InvalidURI "Couldn\'t parse the specified URI."',
    (url) => {
      expect(thrownS3Error(() => parseS3Address(url, undefined, pathStyle))).toMatchObject({
        code: 'InvalidURI',
        message: "Couldn't parse the specified URI.",
      });
    },
  );
});
