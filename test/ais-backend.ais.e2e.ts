import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { AisNativeApi } from './support/ais-cluster';
import { devCluster } from './support/ais-global-setup';
import { E2E_AIS_ENDPOINT } from './support/backend';
import { ClientSandbox, clientSandbox, requireClient, runOk } from './support/clients';
import { eventually } from './support/data-dir';
import { AWS_CLI, useGateway } from './support/fixture';
import { etagOf, expectObjectBytes, getObject, md5Hex } from './support/objects';
import { rawRequest, xmlText } from './support/raw-http';
import { bodylessErrorName, expectS3Error } from './support/s3-errors';

/**
 * The gateway with STORE=ais in front of a real AIStore cluster (aisnode v1.5.0, 1 proxy + 1 target on
 * loopback, from scripts/ais-dev-cluster.sh), driven by @aws-sdk/client-s3 and the aws CLI, and checked
 * through AIS's own REST API.
 */
describe('the gateway on a real AIS cluster (STORE=ais)', () => {
  const native = new AisNativeApi(E2E_AIS_ENDPOINT);
  const fixture = useGateway();

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

      await devCluster('stop', 'target');
      try {
        const ready = await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' });
        expect(ready.status).toBe(503);
        const read = await rawRequest(gateway.origin, { method: 'GET', path: `/s3/${bucket}/survives` });
        expect({ status: read.status, code: xmlText(read.body, 'Code') }).toEqual({ status: 503, code: 'ServiceUnavailable' });
        const listing = await rawRequest(gateway.origin, { method: 'GET', path: `/s3/${bucket}?list-type=2` });
        expect({ status: listing.status, code: xmlText(listing.body, 'Code') }).toEqual({ status: 503, code: 'ServiceUnavailable' });
      } finally {
        await devCluster('start');
      }
      expect(await eventually(async () => (await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' })).status === 200, 30_000)).toBe(true);
      await expectObjectBytes(s3, bucket, 'survives', 'kept across the outage');
    }, 120_000);
  });
});
