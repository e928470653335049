import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DevAisCluster, AisNativeApi } from './support/ais-cluster';
import { ClientSandbox, clientSandbox, requireClient, runOk } from './support/clients';
import { eventually } from './support/data-dir';
import { AWS_CLI, useGateway } from './support/fixture';
import { ListingQuery, modelPages } from './support/listing-model';
import { etagOf, expectObjectBytes, getObject, md5Hex, storeState } from './support/objects';
import { rawRequest, xmlText } from './support/raw-http';
import { bodylessErrorName, expectS3Error } from './support/s3-errors';

/** Proxy public port of this file's AIS cluster; it also takes the five ports after it. */
const AIS_PORT = Number(process.env.AIS_E2E_PORT ?? 52080);

/**
 * The gateway with STORE=ais in front of a real AIStore cluster (aisnode v1.5.0, 1 proxy + 1 target on
 * loopback, from scripts/ais-dev-cluster.sh), driven by @aws-sdk/client-s3 and the aws CLI, and checked
 * through AIS's own REST API.
 */
describe('the gateway on a real AIS cluster (STORE=ais)', () => {
  const cluster = new DevAisCluster(AIS_PORT);
  const native = new AisNativeApi(cluster.endpoint);
  // Building aisnode when it is missing takes minutes (cold Go caches); starting a built one about 20 s.
  beforeAll(() => cluster.start(), 15 * 60_000);
  afterAll(() => cluster.stop(), 60_000);
  const fixture = useGateway({ STORE: 'ais', AIS_ENDPOINT: cluster.endpoint, AIS_TIMEOUT_MS: '5000', AIS_RETRIES: '1' });

  it('a bucket made through S3 is an ordinary ais:// bucket: listed, headed, refused twice, and gone after DeleteBucket', async () => {
    const { s3 } = fixture;
    await s3.send(new CreateBucketCommand({ Bucket: 'made-by-s3' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).toContain('made-by-s3');
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'made-by-s3' }))).$metadata.httpStatusCode).toBe(200);
    expect(await native.bucketNames()).toContain('made-by-s3');
    await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: 'made-by-s3' })), 'BucketAlreadyOwnedByYou', 409);

    await s3.send(new DeleteBucketCommand({ Bucket: 'made-by-s3' }));
    await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: 'made-by-s3' })), bodylessErrorName(404), 404);
    expect(await native.bucketNames()).not.toContain('made-by-s3');
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'made-by-s3' })), 'NoSuchBucket', 404);
  });

  it('DeleteBucket of a bucket with objects is BucketNotEmpty and leaves every object in it', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep/me', Body: 'still here' }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'BucketNotEmpty', 409);
    await expectObjectBytes(s3, bucket, 'keep/me', 'still here');
    expect(await native.objectNames(bucket)).toEqual(['keep/me']);
  });

  it('PUT, GET and HEAD keep the bytes, an MD5 ETag, Content-Type and user metadata; DELETE answers 204, also for a missing key', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    const body = 'hello, ais\n'.repeat(1000);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt', Body: body, ContentType: 'text/plain; charset=utf-8', Metadata: { color: 'blue', note: 'a=b, c' } }),
    );
    expect(put.ETag).toBe(etagOf(body));

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' }));
    expect({ etag: head.ETag, size: head.ContentLength, type: head.ContentType, metadata: head.Metadata }).toEqual({
      etag: etagOf(body),
      size: body.length,
      type: 'text/plain; charset=utf-8',
      metadata: { color: 'blue', note: 'a=b, c' },
    });
    expect(Math.abs(head.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);

    const got = await getObject(s3, { Bucket: bucket, Key: 'dir/hello.txt' });
    expect({ text: got.bytes.toString(), etag: got.ETag, type: got.ContentType, metadata: got.Metadata }).toEqual({
      text: body,
      etag: etagOf(body),
      type: 'text/plain; charset=utf-8',
      metadata: { color: 'blue', note: 'a=b, c' },
    });

    expect((await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' }))).$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' })), bodylessErrorName(404), 404);
    expect((await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'never/was' }))).$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })), 'NoSuchBucket', 404);
    await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'never/was' }), 'NoSuchKey', 404);
  });

  it('ranged GETs answer 206 with the selected bytes, and 416 InvalidRange past the end', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'digits', Body: '0123456789' }));
    const middle = await getObject(s3, { Bucket: bucket, Key: 'digits', Range: 'bytes=2-5' });
    expect({ status: middle.$metadata.httpStatusCode, text: middle.bytes.toString(), range: middle.ContentRange, etag: middle.ETag }).toEqual({
      status: 206,
      text: '2345',
      range: 'bytes 2-5/10',
      etag: etagOf('0123456789'),
    });
    expect((await getObject(s3, { Bucket: bucket, Key: 'digits', Range: 'bytes=-3' })).bytes.toString()).toBe('789');
    expect((await getObject(s3, { Bucket: bucket, Key: 'digits', Range: 'bytes=7-' })).bytes.toString()).toBe('789');
    await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'digits', Range: 'bytes=50-60' }), 'InvalidRange', 416);
  });

  it('ListObjectsV2 pages through 30 keys with prefixes and delimiters exactly as the S3 model', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    const keys = [
      ...Array.from({ length: 12 }, (_, i) => `photos/2024/img-${String(i).padStart(2, '0')}.jpg`),
      ...Array.from({ length: 6 }, (_, i) => `photos/2025/img-${i}.jpg`),
      ...Array.from({ length: 5 }, (_, i) => `docs/report-${i}.txt`),
      'docs/deep/a/b.txt',
      'readme',
      'zz-last',
      'unicode/é',
      'unicode/中文',
      'unicode/😀',
      'a-b-c',
    ];
    await Promise.all(keys.map((key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }))));
    const queries: ListingQuery[] = [
      { prefix: '', maxKeys: 7 },
      { prefix: '', delimiter: '/', maxKeys: 2 },
      { prefix: 'photos/', delimiter: '/', maxKeys: 1 },
      { prefix: 'photos/2024/img-0', maxKeys: 4 },
      { prefix: 'unicode/', maxKeys: 2 },
      { prefix: '', delimiter: '-', maxKeys: 3 },
      { prefix: 'nothing-here', delimiter: '/', maxKeys: 5 },
      { prefix: '', maxKeys: 1000 },
    ];
    for (const query of queries) {
      const pages = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: query.prefix || undefined, Delimiter: query.delimiter, MaxKeys: query.maxKeys, ContinuationToken: token }),
        );
        pages.push({
          keys: (page.Contents ?? []).map((item) => item.Key!),
          commonPrefixes: (page.CommonPrefixes ?? []).map((item) => item.Prefix!),
          isTruncated: page.IsTruncated ?? false,
        });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      expect({ query, pages }).toEqual({ query, pages: modelPages(keys, query).map(({ lastEntry: _, ...page }) => page) });
    }
    const listed = await storeState(s3, bucket);
    expect(listed.find((item) => item.key === 'readme')).toMatchObject({ etag: etagOf('readme'), size: 6 });
  });

  it('CopyObject keeps the source attributes (COPY) or takes new ones (REPLACE), within and across buckets', async () => {
    const { s3 } = fixture;
    const source = await fixture.newBucket();
    const target = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: source, Key: 'orig', Body: 'copy me', ContentType: 'text/x-orig', Metadata: { from: 'source' } }));

    const copied = await s3.send(new CopyObjectCommand({ Bucket: target, Key: 'dup/copy', CopySource: `${source}/orig` }));
    expect(copied.CopyObjectResult?.ETag).toBe(etagOf('copy me'));
    const copyHead = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'dup/copy' }));
    expect({ type: copyHead.ContentType, metadata: copyHead.Metadata }).toEqual({ type: 'text/x-orig', metadata: { from: 'source' } });
    await expectObjectBytes(s3, target, 'dup/copy', 'copy me');

    await s3.send(
      new CopyObjectCommand({ Bucket: source, Key: 'orig', CopySource: `${source}/orig`, MetadataDirective: 'REPLACE', ContentType: 'text/x-new', Metadata: { from: 'replace' } }),
    );
    const replaced = await getObject(s3, { Bucket: source, Key: 'orig' });
    expect({ text: replaced.bytes.toString(), type: replaced.ContentType, metadata: replaced.Metadata, etag: replaced.ETag }).toEqual({
      text: 'copy me',
      type: 'text/x-new',
      metadata: { from: 'replace' },
      etag: etagOf('copy me'),
    });
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: target, Key: 'x', CopySource: `${source}/missing` })), 'NoSuchKey', 404);
  });

  it('an object written through AIS native API reads through S3, and one written through S3 reads through AIS', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    await native.putObject(bucket, 'native/written.txt', 'from ais', { 'x-amz-meta-origin': 'native', 'content-type': 'text/native' });
    const got = await getObject(s3, { Bucket: bucket, Key: 'native/written.txt' });
    expect({ text: got.bytes.toString(), etag: got.ETag, metadata: got.Metadata, type: got.ContentType }).toEqual({
      text: 'from ais',
      etag: etagOf('from ais'),
      metadata: { origin: 'native' },
      type: 'text/native',
    });

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/written.bin', Body: 'from s3' }));
    const read = await native.getObject(bucket, 's3/written.bin');
    expect({ status: read.status, body: read.body, md5: read.headers['ais-checksum-value'] }).toEqual({ status: 200, body: 'from s3', md5: md5Hex('from s3') });
    expect(await native.objectNames(bucket)).toEqual(['native/written.txt', 's3/written.bin']);
  });

  it('keys AIS cannot store unaltered are refused with InvalidArgument naming why, and nothing is written', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    for (const [key, why] of [
      ['folder/', 'ends with "/"'],
      ['a//b', 'contains "//"'],
      ['a/../b', '"." or ".." path segment'],
    ]) {
      const err = await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })), 'InvalidArgument', 400);
      expect(err.message).toContain(why);
    }
    expect(await native.objectNames(bucket)).toEqual([]);
  });

  it('multipart uploads are answered 501 NotImplemented in S3 XML, not yet on the AIS backend', async () => {
    const bucket = await fixture.newBucket();
    const err = await expectS3Error(fixture.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' })), 'NotImplemented', 501);
    expect(err.message).toContain('not yet on the AIS backend');
  });

  describe('the aws CLI transcript of issue 3', () => {
    let sandbox: ClientSandbox;
    beforeAll(() => {
      sandbox = clientSandbox();
      requireClient(AWS_CLI.command, AWS_CLI.args, sandbox.env, AWS_CLI.hint);
    });
    afterAll(() => sandbox.cleanup());
    const aws = (...args: string[]) => runOk('aws', ['--endpoint-url', fixture.gateway.endpoint, ...args], { env: sandbox.env, cwd: sandbox.dir });

    it('s3 mb makes an ais:// bucket that s3 ls and AIS both list, and s3 rb removes it', async () => {
      expect((await aws('s3', 'mb', 's3://bck1')).stdout).toContain('make_bucket: bck1');
      expect((await aws('s3', 'ls')).stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d bck1\n/);
      expect(await native.bucketNames()).toContain('bck1');
      expect((await aws('s3', 'rb', 's3://bck1')).stdout).toContain('remove_bucket: bck1');
      expect(await native.bucketNames()).not.toContain('bck1');
    });
  });

  // Last: it stops and restarts the AIS target.
  describe('an AIS outage', () => {
    it('with the AIS target stopped, requests get 503 in S3 XML and readiness fails; both recover when it is back', async () => {
      const { s3, gateway } = fixture;
      const bucket = await fixture.newBucket();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'survives', Body: 'kept across the outage' }));
      expect((await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' })).status).toBe(200);

      await cluster.stop('target');
      try {
        const ready = await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' });
        expect(ready.status).toBe(503);
        const read = await rawRequest(gateway.origin, { method: 'GET', path: `/s3/${bucket}/survives` });
        expect({ status: read.status, code: xmlText(read.body, 'Code') }).toEqual({ status: 503, code: 'ServiceUnavailable' });
        const listing = await rawRequest(gateway.origin, { method: 'GET', path: `/s3/${bucket}?list-type=2` });
        expect({ status: listing.status, code: xmlText(listing.body, 'Code') }).toEqual({ status: 503, code: 'ServiceUnavailable' });
      } finally {
        await cluster.start();
      }
      expect(await eventually(async () => (await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' })).status === 200, 30_000)).toBe(true);
      await expectObjectBytes(s3, bucket, 'survives', 'kept across the outage');
    }, 120_000);
  });
});
