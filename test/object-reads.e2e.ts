import { type GetObjectCommandInput, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { etagOf, expectObjectBytes, getObject } from './support/objects';
import { rawRequest } from './support/raw-http';
import { bodylessErrorName, expectS3Error } from './support/s3-errors';

/** Bytes whose every position is recognisable, so a wrong slice shows. */
function patterned(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) % 256));
}

type Conditions = Pick<GetObjectCommandInput, 'IfMatch' | 'IfNoneMatch' | 'IfModifiedSince' | 'IfUnmodifiedSince'>;

describe('reads through @aws-sdk/client-s3: ranges and conditionals', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });

  async function putPatterned(size: number): Promise<{ bucket: string; body: Buffer }> {
    const bucket = await fixture.newBucket();
    const body = patterned(size);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'object', Body: body }));
    return { bucket, body };
  }

  // Small objects are served from their metadata record, larger ones from a blob file: both paths are read.
  describe.each([
    ['an inline-sized object', 1000],
    ['a blob-sized object', 200 * 1024 + 3],
  ])('Range GET of %s', (_label, size) => {
    let bucket: string;
    let body: Buffer;
    beforeAll(async () => {
      ({ bucket, body } = await putPatterned(size));
    });

    it.each([
      ['bytes=a-b', () => 'bytes=10-19', 10, 19],
      ['bytes=0-0', () => 'bytes=0-0', 0, 0],
      ['bytes=a- (to the end)', () => `bytes=${size - 10}-`, size - 10, size - 1],
      ['bytes=-n (the last n bytes)', () => 'bytes=-25', size - 25, size - 1],
      ['a range whose end lies past the end, clamped to the last byte', () => `bytes=${size - 5}-${size + 100}`, size - 5, size - 1],
      ['bytes=0-(beyond the end), the whole object', () => `bytes=0-${size * 2}`, 0, size - 1],
      ['a suffix longer than the object, the whole object', () => `bytes=-${size * 2}`, 0, size - 1],
    ])('answers %s with 206, exactly those bytes and Content-Range', async (_case, range, first, last) => {
      const read = await getObject(s3, { Bucket: bucket, Key: 'object', Range: range() });
      expect(read.$metadata.httpStatusCode).toBe(206);
      expect(read.ContentRange).toBe(`bytes ${first}-${last}/${size}`);
      expect(read.ContentLength).toBe(last - first + 1);
      expect(read.AcceptRanges).toBe('bytes');
      expect(read.ETag).toBe(etagOf(body));
      expect(read.bytes.equals(body.subarray(first, last + 1))).toBe(true);
    });

    it.each([
      ['a range starting at the size', () => `bytes=${size}-`],
      ['a range starting past the end', () => `bytes=${size + 1}-${size + 10}`],
      ['a zero-length suffix', () => 'bytes=-0'],
    ])('answers %s with 416 InvalidRange, leaving the object as it was', async (_case, range) => {
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'object', Range: range() }), 'InvalidRange', 416);
      await expectObjectBytes(s3, bucket, 'object', body);
    });

    it('ignores a header asking for several ranges and sends the whole object with 200', async () => {
      const read = await getObject(s3, { Bucket: bucket, Key: 'object', Range: 'bytes=0-1,5-6' });
      expect(read.$metadata.httpStatusCode).toBe(200);
      expect(read.ContentRange).toBeUndefined();
      expect(read.bytes.equals(body)).toBe(true);
    });

    it('answers HeadObject with a Range with 206, the range length and Content-Range', async () => {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'object', Range: 'bytes=100-199' }));
      expect(head.$metadata.httpStatusCode).toBe(206);
      expect(head.ContentLength).toBe(100);
      expect(head.ContentRange).toBe(`bytes 100-199/${size}`);
    });
  });

  it('answers any Range on an empty object with 416 InvalidRange', async () => {
    const { bucket } = await putPatterned(0);
    await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'object', Range: 'bytes=0-0' }), 'InvalidRange', 416);
    await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'object', Range: 'bytes=-1' }), 'InvalidRange', 416);
  });

  it('overrides response headers with the response-* parameters of GetObject, leaving the stored ones as they were', async () => {
    const { bucket, body } = await putPatterned(100);
    const expires = new Date('2030-01-02T03:04:05Z');
    const read = await getObject(s3, {
      Bucket: bucket,
      Key: 'object',
      ResponseContentType: 'image/png',
      ResponseContentDisposition: 'attachment; filename="x.png"',
      ResponseCacheControl: 'no-store',
      ResponseContentLanguage: 'fr',
      ResponseContentEncoding: 'identity',
      ResponseExpires: expires,
    });
    expect(read).toMatchObject({
      ContentType: 'image/png',
      ContentDisposition: 'attachment; filename="x.png"',
      CacheControl: 'no-store',
      ContentLanguage: 'fr',
      ContentEncoding: 'identity',
      Expires: expires,
    });
    expect(read.bytes.equals(body)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'object' }));
    // What the SDK sent with the Buffer body, not the override.
    expect(head.ContentType).toBe('application/octet-stream');
    expect(head.CacheControl).toBeUndefined();
  });

  describe('conditional requests', () => {
    let bucket: string;
    let body: Buffer;
    let etag: string;
    /** Last-Modified as HTTP carries it: whole seconds. */
    let modified: Date;
    const secondsFrom = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

    beforeAll(async () => {
      ({ bucket, body } = await putPatterned(5000));
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'object' }));
      etag = head.ETag!;
      modified = head.LastModified!;
    });

    const CASES: Array<[string, () => Conditions, 200 | 304 | 412]> = [
      ['If-Match with the ETag', () => ({ IfMatch: etag }), 200],
      ['If-Match with * ', () => ({ IfMatch: '*' }), 200],
      ['If-Match with a list holding the ETag', () => ({ IfMatch: `"0123", ${etag}` }), 200],
      ['If-Match with another ETag', () => ({ IfMatch: '"0123456789abcdef0123456789abcdef"' }), 412],
      ['If-None-Match with the ETag', () => ({ IfNoneMatch: etag }), 304],
      ['If-None-Match with *', () => ({ IfNoneMatch: '*' }), 304],
      ['If-None-Match with another ETag', () => ({ IfNoneMatch: '"0123456789abcdef0123456789abcdef"' }), 200],
      ['If-Modified-Since the Last-Modified time', () => ({ IfModifiedSince: modified }), 304],
      ['If-Modified-Since an earlier time', () => ({ IfModifiedSince: secondsFrom(modified, -1) }), 200],
      ['If-Unmodified-Since the Last-Modified time', () => ({ IfUnmodifiedSince: modified }), 200],
      ['If-Unmodified-Since an earlier time', () => ({ IfUnmodifiedSince: secondsFrom(modified, -1) }), 412],
      // S3's documented combinations: If-Match decides over If-Unmodified-Since, If-None-Match over If-Modified-Since.
      ['If-Match true and If-Unmodified-Since false', () => ({ IfMatch: etag, IfUnmodifiedSince: secondsFrom(modified, -60) }), 200],
      ['If-None-Match false and If-Modified-Since true', () => ({ IfNoneMatch: etag, IfModifiedSince: secondsFrom(modified, -60) }), 304],
    ];

    describe.each(CASES)('%s', (_case, conditions, status) => {
      it(`answers GetObject with ${status}`, async () => {
        const read = getObject(s3, { Bucket: bucket, Key: 'object', ...conditions() });
        if (status === 200) {
          const output = await read;
          expect(output.$metadata.httpStatusCode).toBe(200);
          expect(output.bytes.equals(body)).toBe(true);
        } else {
          await expectS3Error(read, status === 412 ? 'PreconditionFailed' : bodylessErrorName(304), status);
        }
      });

      it(`answers HeadObject with ${status}`, async () => {
        const head = s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'object', ...conditions() }));
        if (status === 200) expect((await head).ETag).toBe(etag);
        else await expectS3Error(head, bodylessErrorName(status), status);
      });
    });

    it('applies a Range once the conditions hold', async () => {
      const read = await getObject(s3, { Bucket: bucket, Key: 'object', IfMatch: etag, Range: 'bytes=0-9' });
      expect(read.$metadata.httpStatusCode).toBe(206);
      expect(read.bytes.equals(body.subarray(0, 10))).toBe(true);
    });

    it.each(['GET', 'HEAD'])('answers a %s with 304 without a body but with the ETag and Last-Modified, as S3 does', async (method) => {
      const response = await rawRequest(fixture.gateway.origin, {
        method,
        path: `/s3/${bucket}/object`,
        headers: { 'if-none-match': etag },
      });
      expect(response.status).toBe(304);
      expect(response.body).toBe('');
      expect(response.headers.etag).toBe(etag);
      expect(response.headers['last-modified']).toBe(modified.toUTCString());
    });

    it('answers 412 PreconditionFailed in S3 XML naming the failed condition', async () => {
      const response = await rawRequest(fixture.gateway.origin, {
        method: 'GET',
        path: `/s3/${bucket}/object`,
        headers: { 'if-match': '"0123456789abcdef0123456789abcdef"' },
      });
      expect(response.status).toBe(412);
      expect(response.body).toContain('<Code>PreconditionFailed</Code>');
      expect(response.body).toContain('<Condition>If-Match</Condition>');
    });
  });
});
