import {
  CopyObjectCommand,
  type CopyObjectCommandInput,
  DeleteObjectsCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { etagOf, expectObjectBytes, getObject, md5Base64, storeState, utf8Order } from './support/objects';
import { rawRequest, xmlText } from './support/raw-http';
import { expectS3Error } from './support/s3-errors';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function deleteDocument(keys: readonly string[]): string {
  const objects = keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${objects}</Delete>`;
}

describe('CopyObject and DeleteObjects through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });

  const put = (input: PutObjectCommandInput) => s3.send(new PutObjectCommand(input));
  const copy = (input: CopyObjectCommandInput) => s3.send(new CopyObjectCommand(input));
  const putKeys = async (bucket: string, keys: readonly string[]) => {
    for (const key of keys) await put({ Bucket: bucket, Key: key, Body: `body of ${key}` });
  };
  const keysIn = async (bucket: string) => (await storeState(s3, bucket)).map((item) => item.key);

  describe('CopyObject', () => {
    const source = {
      Body: 'source bytes',
      ContentType: 'text/csv',
      CacheControl: 'no-cache',
      ContentDisposition: 'inline',
      Metadata: { origin: 'source', n: '1' },
    };

    it('copies an object within a bucket with its bytes, content headers and metadata (directive COPY)', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'src', ...source });
      const before = Date.now();
      const result = await copy({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src` });
      expect(result.CopyObjectResult?.ETag).toBe(etagOf('source bytes'));
      expect(result.CopyObjectResult?.LastModified?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      const read = await getObject(s3, { Bucket: bucket, Key: 'dst' });
      expect(read.bytes.toString()).toBe('source bytes');
      expect(read).toMatchObject({ ContentType: 'text/csv', CacheControl: 'no-cache', ContentDisposition: 'inline', Metadata: source.Metadata });
      expect(read.ETag).toBe(etagOf('source bytes'));
      await expectObjectBytes(s3, bucket, 'src', 'source bytes');
    });

    it('copies an object across buckets, replacing what the target key held', async () => {
      const from = await fixture.newBucket();
      const to = await fixture.newBucket();
      await put({ Bucket: from, Key: 'a/src', ...source });
      await put({ Bucket: to, Key: 'b/dst', Body: 'to be replaced' });
      const result = await copy({ Bucket: to, Key: 'b/dst', CopySource: `${from}/a/src` });
      expect(result.CopyObjectResult?.ETag).toBe(etagOf('source bytes'));
      const read = await getObject(s3, { Bucket: to, Key: 'b/dst' });
      expect(read.bytes.toString()).toBe('source bytes');
      expect(read.Metadata).toEqual(source.Metadata);
      expect(await keysIn(from)).toEqual(['a/src']);
    });

    it('keeps the copy of a blob-sized object intact after its source is overwritten and deleted', async () => {
      const bucket = await fixture.newBucket();
      const large = Buffer.alloc(512 * 1024, 'L');
      await put({ Bucket: bucket, Key: 'src', Body: large });
      await copy({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src` });
      await put({ Bucket: bucket, Key: 'src', Body: 'overwritten' });
      await expectObjectBytes(s3, bucket, 'dst', large);
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'src' }] } }));
      await expectObjectBytes(s3, bucket, 'dst', large);
    });

    const awkwardKey = 'dir/a b+c&d%2F€?#.txt';
    it.each([
      ['encoded whole, slashes as %2F', (bucket: string) => `${bucket}/${encodeURIComponent(awkwardKey)}`],
      ['encoded per path segment', (bucket: string) => `${bucket}/${awkwardKey.split('/').map(encodeURIComponent).join('/')}`],
      ['with a leading slash', (bucket: string) => `/${bucket}/${encodeURIComponent(awkwardKey)}`],
    ])('finds a source key that needs URL-encoding in CopySource, %s', async (_label, copySource) => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: awkwardKey, Body: 'awkward' });
      await copy({ Bucket: bucket, Key: 'copied', CopySource: copySource(bucket) });
      await expectObjectBytes(s3, bucket, 'copied', 'awkward');
    });

    it('replaces content headers and metadata with MetadataDirective REPLACE, leaving the source as it was', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'src', ...source });
      await copy({
        Bucket: bucket,
        Key: 'dst',
        CopySource: `${bucket}/src`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/html',
        Metadata: { fresh: 'yes' },
      });
      const copied = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dst' }));
      expect(copied.Metadata).toEqual({ fresh: 'yes' });
      expect(copied.ContentType).toBe('text/html');
      expect(copied.CacheControl).toBeUndefined();
      const original = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'src' }));
      expect(original).toMatchObject({ Metadata: source.Metadata, ContentType: 'text/csv', CacheControl: 'no-cache' });
    });

    it('refuses to copy an object onto itself without REPLACE with InvalidRequest, leaving it unchanged', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'self', ...source });
      const before = await storeState(s3, bucket);
      await expectS3Error(copy({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self` }), 'InvalidRequest', 400);
      await expectS3Error(copy({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self`, MetadataDirective: 'COPY' }), 'InvalidRequest', 400);
      expect(await storeState(s3, bucket)).toEqual(before);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'self' }))).Metadata).toEqual(source.Metadata);
    });

    it('copies an object onto itself with REPLACE, changing its metadata and keeping its bytes', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'self', ...source });
      const result = await copy({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self`, MetadataDirective: 'REPLACE', Metadata: { n: '2' } });
      expect(result.CopyObjectResult?.ETag).toBe(etagOf('source bytes'));
      const read = await getObject(s3, { Bucket: bucket, Key: 'self' });
      expect(read.Metadata).toEqual({ n: '2' });
      expect(read.bytes.toString()).toBe('source bytes');
    });

    it('copies when CopySourceIfMatch names the source ETag and CopySourceIfNoneMatch does not', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'src', Body: 'conditional' });
      await copy({
        Bucket: bucket,
        Key: 'dst',
        CopySource: `${bucket}/src`,
        CopySourceIfMatch: etagOf('conditional'),
        CopySourceIfNoneMatch: etagOf('something else'),
      });
      await expectObjectBytes(s3, bucket, 'dst', 'conditional');
    });

    it.each([
      ['CopySourceIfMatch names another ETag', () => ({ CopySourceIfMatch: etagOf('something else') })],
      ['CopySourceIfNoneMatch names the source ETag', () => ({ CopySourceIfNoneMatch: etagOf('conditional') })],
      [
        'CopySourceIfUnmodifiedSince lies before the source was written',
        (written: Date) => ({ CopySourceIfUnmodifiedSince: new Date(written.getTime() - 1000) }),
      ],
      ['CopySourceIfModifiedSince is the time the source was written', (written: Date) => ({ CopySourceIfModifiedSince: written })],
    ])('answers 412 PreconditionFailed when %s, copying nothing', async (_label, conditions) => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'src', Body: 'conditional' });
      await put({ Bucket: bucket, Key: 'dst', Body: 'target before' });
      const written = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'src' }))).LastModified!;
      const before = await storeState(s3, bucket);
      await expectS3Error(copy({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src`, ...conditions(written) }), 'PreconditionFailed', 412);
      expect(await storeState(s3, bucket)).toEqual(before);
      await expectObjectBytes(s3, bucket, 'dst', 'target before');
    });

    it('answers NoSuchKey when the copy source does not exist, creating nothing', async () => {
      const bucket = await fixture.newBucket();
      await expectS3Error(copy({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/missing` }), 'NoSuchKey', 404);
      expect(await storeState(s3, bucket)).toEqual([]);
    });

    it('answers NoSuchBucket when the source or the target bucket does not exist, creating nothing', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'src', Body: 'x' });
      const before = await storeState(s3, bucket);
      await expectS3Error(copy({ Bucket: bucket, Key: 'dst', CopySource: 'no-such-bucket/src' }), 'NoSuchBucket', 404);
      await expectS3Error(copy({ Bucket: 'no-such-bucket', Key: 'dst', CopySource: `${bucket}/src` }), 'NoSuchBucket', 404);
      expect(await storeState(s3, bucket)).toEqual(before);
    });

    it('refuses a CopySource without a key with InvalidArgument', async () => {
      const bucket = await fixture.newBucket();
      await expectS3Error(copy({ Bucket: bucket, Key: 'dst', CopySource: bucket }), 'InvalidArgument', 400);
      expect(await storeState(s3, bucket)).toEqual([]);
    });
  });

  describe('DeleteObjects', () => {
    const deleteObjects = (bucket: string, keys: readonly string[], quiet?: boolean) =>
      s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: quiet } }));
    const deletedKeys = (output: { Deleted?: Array<{ Key?: string }> }) => utf8Order((output.Deleted ?? []).map((item) => item.Key!));

    it('deletes several keys in one request and reports each as Deleted', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['a', 'b/c', 'd', 'keep']);
      const output = await deleteObjects(bucket, ['a', 'b/c', 'd']);
      expect(deletedKeys(output)).toEqual(['a', 'b/c', 'd']);
      expect(output.Errors ?? []).toEqual([]);
      expect(await keysIn(bucket)).toEqual(['keep']);
    });

    it('reports keys that do not exist as Deleted', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['present']);
      const output = await deleteObjects(bucket, ['present', 'absent', 'also/absent']);
      expect(deletedKeys(output)).toEqual(['absent', 'also/absent', 'present']);
      expect(await keysIn(bucket)).toEqual([]);
    });

    it('deletes but reports nothing in Quiet mode', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['a', 'b', 'keep']);
      const output = await deleteObjects(bucket, ['a', 'b', 'absent'], true);
      expect(output.Deleted ?? []).toEqual([]);
      expect(output.Errors ?? []).toEqual([]);
      expect(await keysIn(bucket)).toEqual(['keep']);
    });

    it('deletes keys that need XML escaping and reports them verbatim', async () => {
      const bucket = await fixture.newBucket();
      const keys = ['<tag>', 'a&amp;b', 'a & b', `quote" apos'`, 'emoji 😀', 'ключ'];
      await putKeys(bucket, keys);
      const output = await deleteObjects(bucket, keys);
      expect(deletedKeys(output)).toEqual(utf8Order(keys));
      expect(await keysIn(bucket)).toEqual([]);
    });

    it('deletes 1000 keys, the most one request may name', async () => {
      const bucket = await fixture.newBucket();
      const present = ['k0000', 'k0500', 'k0999'];
      await putKeys(bucket, [...present, 'l-keep']);
      const keys = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      const output = await deleteObjects(bucket, keys);
      expect(output.Deleted).toHaveLength(1000);
      expect(await keysIn(bucket)).toEqual(['l-keep']);
    });

    it('refuses a request naming more than 1000 keys with MalformedXML, deleting nothing', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['k0000', 'k1000']);
      const before = await storeState(s3, bucket);
      const keys = Array.from({ length: 1001 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      await expectS3Error(deleteObjects(bucket, keys), 'MalformedXML', 400);
      expect(await storeState(s3, bucket)).toEqual(before);
    });

    it('answers NoSuchBucket for a bucket that does not exist', async () => {
      await expectS3Error(deleteObjects('no-such-bucket', ['a']), 'NoSuchBucket', 404);
    });

    describe('as raw requests', () => {
      const post = (bucket: string, body: string, headers: Record<string, string>) =>
        rawRequest(fixture.gateway.origin, { method: 'POST', path: `/s3/${bucket}?delete`, headers: { 'content-type': 'application/xml', ...headers }, body });

      it('accepts Content-MD5 as the integrity header', async () => {
        const bucket = await fixture.newBucket();
        await putKeys(bucket, ['a', 'keep']);
        const body = deleteDocument(['a']);
        const response = await post(bucket, body, { 'content-md5': md5Base64(body) });
        expect(response.status).toBe(200);
        expect(response.body).toContain('<Deleted><Key>a</Key></Deleted>');
        expect(await keysIn(bucket)).toEqual(['keep']);
      });

      it.each([
        ['text that is not XML', 'this is not xml'],
        ['an unclosed document', '<Delete><Object><Key>a</Key></Object>'],
        ['a document of another kind', '<Other><Object><Key>a</Key></Object></Other>'],
        ['a Delete naming no object', '<Delete><Quiet>true</Quiet></Delete>'],
        ['an Object without a Key', '<Delete><Object><VersionId>null</VersionId></Object></Delete>'],
        ['an empty body', ''],
      ])('refuses %s with MalformedXML, deleting nothing', async (_label, body) => {
        const bucket = await fixture.newBucket();
        await putKeys(bucket, ['a']);
        const before = await storeState(s3, bucket);
        const response = await post(bucket, body, { 'content-md5': md5Base64(body) });
        expect(response.status).toBe(400);
        expect(xmlText(response.body, 'Code')).toBe('MalformedXML');
        expect(await storeState(s3, bucket)).toEqual(before);
      });

      it('refuses a request with neither Content-MD5 nor a checksum header with InvalidRequest, deleting nothing', async () => {
        const bucket = await fixture.newBucket();
        await putKeys(bucket, ['a']);
        const before = await storeState(s3, bucket);
        const response = await post(bucket, deleteDocument(['a']), {});
        expect(response.status).toBe(400);
        expect(xmlText(response.body, 'Code')).toBe('InvalidRequest');
        expect(await storeState(s3, bucket)).toEqual(before);
      });

      it('refuses a request whose Content-MD5 does not match the body with BadDigest, deleting nothing', async () => {
        const bucket = await fixture.newBucket();
        await putKeys(bucket, ['a']);
        const before = await storeState(s3, bucket);
        const response = await post(bucket, deleteDocument(['a']), { 'content-md5': md5Base64('another body') });
        expect(response.status).toBe(400);
        expect(xmlText(response.body, 'Code')).toBe('BadDigest');
        expect(await storeState(s3, bucket)).toEqual(before);
        await expectObjectBytes(s3, bucket, 'a', 'body of a');
      });
    });
  });
});
