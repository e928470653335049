import { Readable } from 'node:stream';
import {
  GetBucketEncryptionCommand,
  DeleteObjectCommand,
  GetBucketLoggingCommand,
  GetBucketWebsiteCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  GetBucketReplicationCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { itOn } from './support/backend';
import { CHECKSUM_ALGORITHMS, checksumOf, type ChecksumField } from './support/checksums';
import { useGateway } from './support/fixture';
import { etagOf, expectNoSuchKey, expectObjectBytes, getObject, md5Base64, storeState, utf8Order } from './support/objects';
import { rawRequest, xmlText } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error } from './support/s3-errors';

describe('objects through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });

  const put = (input: PutObjectCommandInput) => s3.send(new PutObjectCommand(input));

  describe('PutObject, GetObject, HeadObject, DeleteObject', () => {
    it('stores an object and answers GetObject with its bytes, quoted-MD5 ETag, Last-Modified and Accept-Ranges', async () => {
      const bucket = await fixture.newBucket();
      const before = Date.now();
      const written = await put({ Bucket: bucket, Key: 'hello.txt', Body: 'hello, world' });
      expect(written.ETag).toBe(etagOf('hello, world'));
      expect(written.ETag).toMatch(/^"[0-9a-f]{32}"$/);

      const read = await getObject(s3, { Bucket: bucket, Key: 'hello.txt' });
      expect(read.bytes.toString()).toBe('hello, world');
      expect(read.ETag).toBe(etagOf('hello, world'));
      expect(read.ContentLength).toBe(12);
      expect(read.AcceptRanges).toBe('bytes');
      // Last-Modified has whole seconds.
      expect(read.LastModified!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(read.LastModified!.getTime()).toBeLessThanOrEqual(Date.now());
    });

    it('answers HeadObject with the size, ETag and Last-Modified of the object', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'twelve bytes' });
      const listed = await storeState(s3, bucket);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
      expect(head.$metadata.httpStatusCode).toBe(200);
      expect(head.ContentLength).toBe(12);
      expect(head.ETag).toBe(etagOf('twelve bytes'));
      expect(head.AcceptRanges).toBe('bytes');
      expect(head.LastModified!.getTime()).toBe(Math.floor(listed[0].lastModified! / 1000) * 1000);
    });

    it('stores and returns an empty object', async () => {
      const bucket = await fixture.newBucket();
      const written = await put({ Bucket: bucket, Key: 'empty', Body: '', ContentLength: 0 });
      expect(written.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
      const read = await getObject(s3, { Bucket: bucket, Key: 'empty' });
      expect(read.bytes.length).toBe(0);
      expect(read.ContentLength).toBe(0);
    });

    it.each([
      ['inline-sized', 1000, 2000],
      ['blob-sized', 300 * 1024, 200 * 1024],
    ])('replaces a %s object on a second PutObject', async (_label, firstSize, secondSize) => {
      const bucket = await fixture.newBucket();
      const first = Buffer.alloc(firstSize, 'a');
      const second = Buffer.alloc(secondSize, 'b');
      await put({ Bucket: bucket, Key: 'k', Body: first });
      const written = await put({ Bucket: bucket, Key: 'k', Body: second });
      expect(written.ETag).toBe(etagOf(second));
      await expectObjectBytes(s3, bucket, 'k', second);
      expect(await storeState(s3, bucket)).toEqual([expect.objectContaining({ key: 'k', size: secondSize, etag: etagOf(second) })]);
    });

    it('deletes an object with 204, after which GetObject answers NoSuchKey and HeadObject 404', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'doomed', Body: 'x' });
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doomed' }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      await expectNoSuchKey(s3, bucket, 'doomed');
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doomed' })), 'NotFound', 404);
      expect(await storeState(s3, bucket)).toEqual([]);
    });

    it('returns 204 when deleting a key that does not exist', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'other', Body: 'x' });
      const before = await storeState(s3, bucket);
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'never-written' }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      expect(await storeState(s3, bucket)).toEqual(before);
    });

    it('answers NoSuchKey for GetObject and 404 for HeadObject of a key that does not exist', async () => {
      const bucket = await fixture.newBucket();
      const error = await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'missing' })), 'NotFound', 404);
      expect(error.$response?.headers['x-amz-request-id']).toBeTruthy();
      await expectNoSuchKey(s3, bucket, 'missing');
    });

    it('answers NoSuchBucket for object operations on a bucket that does not exist, creating nothing', async () => {
      const buckets = await s3.send(new ListBucketsCommand({}));
      await expectS3Error(put({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' }), 'NoSuchBucket', 404);
      await expectS3Error(getObject(s3, { Bucket: 'no-such-bucket', Key: 'k' }), 'NoSuchBucket', 404);
      await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })), 'NoSuchBucket', 404);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })), 'NotFound', 404);
      expect((await s3.send(new ListBucketsCommand({}))).Buckets).toEqual(buckets.Buckets);
    });

    it('serves an object uploaded without Content-Type as binary/octet-stream', async () => {
      const bucket = await fixture.newBucket();
      const response = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}/untyped`, body: 'raw bytes' });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe(etagOf('raw bytes'));
      const read = await getObject(s3, { Bucket: bucket, Key: 'untyped' });
      expect(read.ContentType).toBe('binary/octet-stream');
      expect(read.bytes.toString()).toBe('raw bytes');
    });
  });

  describe('metadata', () => {
    const expires = new Date('2031-05-06T07:08:09Z');
    const attributes = {
      Metadata: { color: 'blue', 'multi-word-name': 'a value with spaces' },
      ContentType: 'text/plain; charset=utf-8',
      ContentEncoding: 'gzip',
      ContentDisposition: 'attachment; filename="report.txt"',
      ContentLanguage: 'de-CH',
      CacheControl: 'max-age=3600, must-revalidate',
      Expires: expires,
    };
    const expectAttributes = (output: object) => expect(output).toMatchObject({ ...attributes, Expires: expires, ExpiresString: expires.toUTCString() });

    it.each([
      ['a body of known length', () => Buffer.from('metadata body')],
      ['a streamed (aws-chunked) body', () => Readable.from([Buffer.from('metadata body')])],
    ])('keeps x-amz-meta-* and the content headers of %s and returns them on GET and HEAD', async (_label, body) => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'm', Body: body(), ContentLength: 13, ...attributes });
      const read = await getObject(s3, { Bucket: bucket, Key: 'm' });
      expectAttributes(read);
      expect(read.bytes.toString()).toBe('metadata body');
      expectAttributes(await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'm' })));
    });

    // AIS keeps at most 2048 bytes of custom metadata per object, the x-amz-meta- prefixes, content headers,
    // checksum and version id included: S3's full 2 KB of user metadata does not fit there.
    itOn('embedded')('accepts user metadata of exactly 2 KB', async () => {
      const bucket = await fixture.newBucket();
      const metadata = { a: 'x'.repeat(2047) };
      await put({ Bucket: bucket, Key: 'k', Body: 'x', Metadata: metadata });
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).Metadata).toEqual(metadata);
    });

    itOn('ais')('accepts user metadata up to what AIS keeps, and refuses 2 KB with MetadataTooLarge naming the AIS limit, storing nothing', async () => {
      const bucket = await fixture.newBucket();
      const fits = { a: 'x'.repeat(1900) };
      await put({ Bucket: bucket, Key: 'k', Body: 'x', Metadata: fits });
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).Metadata).toEqual(fits);
      const err = await expectS3Error(put({ Bucket: bucket, Key: 'fresh', Body: 'x', Metadata: { a: 'x'.repeat(2047) } }), 'MetadataTooLarge', 400);
      expect(err.message).toMatch(/AIS backend keeps at most 2048 bytes of metadata per object/);
      expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(['k']);
    });

    it('refuses user metadata over 2 KB with MetadataTooLarge, keeping the old object', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'old', Metadata: { v: '1' } });
      const before = await storeState(s3, bucket);
      await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: 'new', Metadata: { ab: 'x'.repeat(2047) } }), 'MetadataTooLarge', 400);
      await expectS3Error(put({ Bucket: bucket, Key: 'fresh', Body: 'new', Metadata: { a: 'é'.repeat(1024) } }), 'MetadataTooLarge', 400);
      expect(await storeState(s3, bucket)).toEqual(before);
      const read = await getObject(s3, { Bucket: bucket, Key: 'k' });
      expect(read.bytes.toString()).toBe('old');
      expect(read.Metadata).toEqual({ v: '1' });
    });
  });

  describe('integrity', () => {
    it('accepts a body whose Content-MD5 matches', async () => {
      const bucket = await fixture.newBucket();
      const written = await put({ Bucket: bucket, Key: 'k', Body: 'checked', ContentMD5: md5Base64('checked') });
      expect(written.ETag).toBe(etagOf('checked'));
      await expectObjectBytes(s3, bucket, 'k', 'checked');
    });

    it.each([
      ['inline-sized', Buffer.alloc(100, 'n')],
      ['blob-sized', Buffer.alloc(256 * 1024, 'n')],
    ])('refuses a %s body whose Content-MD5 does not match with BadDigest, keeping the old object', async (_label, body) => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'old' });
      const before = await storeState(s3, bucket);
      await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: body, ContentMD5: md5Base64('something else') }), 'BadDigest', 400);
      await expectS3Error(put({ Bucket: bucket, Key: 'new', Body: body, ContentMD5: md5Base64('something else') }), 'BadDigest', 400);
      expect(await storeState(s3, bucket)).toEqual(before);
      await expectObjectBytes(s3, bucket, 'k', 'old');
      await expectNoSuchKey(s3, bucket, 'new');
    });

    it('refuses a Content-MD5 that is not a base64 MD5 with InvalidDigest, storing nothing', async () => {
      const bucket = await fixture.newBucket();
      await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: 'x', ContentMD5: 'not-an-md5' }), 'InvalidDigest', 400);
      expect(await storeState(s3, bucket)).toEqual([]);
    });

    it('keeps the CRC32 checksum the SDK sends by default and returns it with ChecksumMode ENABLED', async () => {
      const bucket = await fixture.newBucket();
      const body = Buffer.from('default checksum');
      const written = await put({ Bucket: bucket, Key: 'k', Body: body });
      expect(written.ChecksumCRC32).toBe(await checksumOf('CRC32', body));
      const read = await getObject(s3, { Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED' });
      expect(read.ChecksumCRC32).toBe(await checksumOf('CRC32', body));
    });

    describe.each(CHECKSUM_ALGORITHMS)('flexible checksum %s', (algorithm) => {
      const field: ChecksumField = `Checksum${algorithm}`;
      const body = Buffer.from(`bytes checked with ${algorithm}, ${'z'.repeat(1000)}`);

      it.each([
        ['in a header', () => body],
        ['in an aws-chunked trailer', () => Readable.from([body.subarray(0, 500), body.subarray(500)])],
      ])('is verified, kept and returned with ChecksumMode ENABLED when sent %s', async (_label, makeBody) => {
        const bucket = await fixture.newBucket();
        const expected = await checksumOf(algorithm, body);
        const written = await put({
          Bucket: bucket,
          Key: 'k',
          Body: makeBody(),
          ContentLength: body.length,
          ChecksumAlgorithm: algorithm,
        });
        expect(written[field]).toBe(expected);
        expect(written.ETag).toBe(etagOf(body));
        const read = await getObject(s3, { Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED' });
        expect(read.bytes.equals(body)).toBe(true);
        expect(read[field]).toBe(expected);
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED' }));
        expect(head[field]).toBe(expected);
      });

      it('refuses a wrong value in a header with BadDigest, keeping the old object', async () => {
        const bucket = await fixture.newBucket();
        await put({ Bucket: bucket, Key: 'k', Body: 'old' });
        const before = await storeState(s3, bucket);
        const wrong = await checksumOf(algorithm, Buffer.from('not the body'));
        await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: body, [field]: wrong }), 'BadDigest', 400);
        await expectS3Error(put({ Bucket: bucket, Key: 'other', Body: body, [field]: wrong }), 'BadDigest', 400);
        expect(await storeState(s3, bucket)).toEqual(before);
        await expectObjectBytes(s3, bucket, 'k', 'old');
      });

      it('refuses a wrong value in an aws-chunked trailer with BadDigest, keeping the old object', async () => {
        const bucket = await fixture.newBucket();
        await put({ Bucket: bucket, Key: 'k', Body: 'old' });
        const before = await storeState(s3, bucket);
        const wrong = Buffer.from(await checksumOf(algorithm, Buffer.from('not the body')), 'base64');
        // The SDK computes the trailer with the implementation it is given: this one always answers `wrong`.
        class WrongChecksum {
          update(): void {}
          digest(): Promise<Uint8Array> {
            return Promise.resolve(wrong);
          }
          reset(): void {}
        }
        // (A silent logger: the SDK warns on the console about every failed streaming request.)
        const quiet = { debug() {}, info() {}, warn() {}, error() {} };
        const lying = s3ClientFor(fixture.gateway.endpoint, { checksumAlgorithms: { [algorithm]: WrongChecksum }, logger: quiet });
        try {
          const upload = (key: string) =>
            lying.send(
              new PutObjectCommand({ Bucket: bucket, Key: key, Body: Readable.from([body]), ContentLength: body.length, ChecksumAlgorithm: algorithm }),
            );
          await expectS3Error(upload('k'), 'BadDigest', 400);
          await expectS3Error(upload('other'), 'BadDigest', 400);
        } finally {
          lying.destroy();
        }
        expect(await storeState(s3, bucket)).toEqual(before);
        await expectObjectBytes(s3, bucket, 'k', 'old');
      });
    });
  });

  describe('keys', () => {
    const KEYS: Array<[string, string]> = [
      ['with slashes', 'dir/sub/file.txt'],
      ['that looks percent-encoded', 'a%2Fb%20c'],
      ['with a plus', 'a+b'],
      ['with spaces', 'with  two spaces'],
      ['with a trailing slash', 'folder/'],
      ['with a double slash', 'a//b'],
      ['with a leading slash', '/leading'],
      ['with a parent segment', '../x'],
      ['with a current segment', 'a/./b'],
      ['in unicode', 'ünïcödé/ключ/键'],
      ['with emoji', 'emoji 😀🚀'],
      ['with a literal &amp;', 'a&amp;b'],
      ['with a tag', '<tag>'],
      ['with quotes', `quote" and apos'`],
      ['with ? and #', 'question?mark#hash'],
      ['with a lone %', '100%'],
      ['of 1024 ASCII bytes', 'k'.repeat(1024)],
      ['of 1024 bytes in 2-byte characters', 'é'.repeat(512)],
    ];

    it.each(KEYS)('stores, reads, heads, lists and deletes a key %s', async (_label, key) => {
      const bucket = await fixture.newBucket();
      const body = `body of ${key}`;
      await put({ Bucket: bucket, Key: key, Body: body });
      await expectObjectBytes(s3, bucket, key, body);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength).toBe(Buffer.byteLength(body));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
      expect(listed.Contents?.map((item) => item.Key)).toEqual([key]);
      expect((await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))).$metadata.httpStatusCode).toBe(204);
      await expectNoSuchKey(s3, bucket, key);
      expect(await storeState(s3, bucket)).toEqual([]);
    });

    it('lists all these keys back verbatim, in UTF-8 byte order, through ListObjectsV2', async () => {
      const bucket = await fixture.newBucket();
      const keys = KEYS.map(([, key]) => key);
      for (const key of keys) await put({ Bucket: bucket, Key: key, Body: 'x' });
      expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(utf8Order(keys));
    });

    it('keeps keys that differ only in slashes or dot segments apart', async () => {
      const bucket = await fixture.newBucket();
      const keys = ['a/b', 'a//b', 'a/./b', 'a/../a/b', 'x', '../x', './x'];
      for (const key of keys) await put({ Bucket: bucket, Key: key, Body: `is ${key}` });
      for (const key of keys) await expectObjectBytes(s3, bucket, key, `is ${key}`);
      expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(utf8Order(keys));
    });

    it.each([
      ['1025 ASCII bytes', 'k'.repeat(1025)],
      ['1025 bytes of 2-byte characters and one ASCII', `${'é'.repeat(512)}k`],
    ])('refuses a key of %s with KeyTooLongError, storing nothing', async (_label, key) => {
      const bucket = await fixture.newBucket();
      await expectS3Error(put({ Bucket: bucket, Key: key, Body: 'x' }), 'KeyTooLongError', 400);
      expect(await storeState(s3, bucket)).toEqual([]);
    });
  });

  describe('what the gateway does not serve', () => {
    it.each([
      ['GetBucketLogging', (bucket: string) => s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))],
      ['GetBucketWebsite', (bucket: string) => s3.send(new GetBucketWebsiteCommand({ Bucket: bucket }))],
      ['GetBucketReplication', (bucket: string) => s3.send(new GetBucketReplicationCommand({ Bucket: bucket }))],
      ['GetBucketEncryption', (bucket: string) => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))],
    ])('answers %s with 501 NotImplemented and changes nothing', async (_operation, send) => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'kept', Body: 'kept' });
      const before = await storeState(s3, bucket);
      await expectS3Error(send(bucket), 'NotImplemented', 501);
      expect(await storeState(s3, bucket)).toEqual(before);
      await expectObjectBytes(s3, bucket, 'kept', 'kept');
    });

    it.each(['/', '/favicon.ico', '/s3x/bucket/key', '/__s3/PutObject', '/health/no-such-probe'])(
      'answers GET %s, outside the S3 routes, with an S3 XML NotFound error',
      async (path) => {
        const response = await rawRequest(fixture.gateway.origin, { method: 'GET', path });
        expect(response.status).toBe(404);
        expect(response.headers['content-type']).toMatch(/^application\/xml/);
        expect(response.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\s*<Error>/);
        expect(xmlText(response.body, 'Code')).toBe('NotFound');
        expect(xmlText(response.body, 'RequestId')).toBe(response.headers['x-amz-request-id']);
      },
    );

    it('answers a path with broken percent-encoding with an S3 XML InvalidURI error', async () => {
      const response = await rawRequest(fixture.gateway.origin, { method: 'GET', path: '/s3/bucket/bad%zzkey' });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/xml/);
      expect(xmlText(response.body, 'Code')).toBe('InvalidURI');
    });

    it('answers a method the resource does not take with an S3 XML MethodNotAllowed error, storing nothing', async () => {
      const bucket = await fixture.newBucket();
      const response = await rawRequest(fixture.gateway.origin, { method: 'POST', path: `/s3/${bucket}/key`, body: 'x' });
      expect(response.status).toBe(405);
      expect(response.headers['content-type']).toMatch(/^application\/xml/);
      expect(xmlText(response.body, 'Code')).toBe('MethodNotAllowed');
      expect(await storeState(s3, bucket)).toEqual([]);
    });
  });
});
