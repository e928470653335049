import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { type RunningGateway, startGateway } from './support/gateway';
import { s3ClientFor } from './support/s3-client';
import { type ClientSandbox, clientSandbox, requireClient, runOk } from './support/clients';
import type { Boto3Scenarios } from './support/boto3-scenarios';
import { md5Hex as md5 } from './support/objects';
import { type RawResponse, rawRequest } from './support/raw-http';

/** One plain HTTP request to the gateway's loopback address, with whatever Host header the test names. */
function send(origin: string, method: string, path: string, host: string, body?: string): Promise<RawResponse> {
  return rawRequest(origin, { method, path, headers: { host }, body });
}

describe('virtual-hosted-style addressing with S3_DOMAIN=s3.test.local', () => {
  const DOMAIN = 's3.test.local';
  let gateway: RunningGateway;
  let pathStyle: S3Client;
  let port: string;

  beforeAll(async () => {
    gateway = await startGateway({ S3_DOMAIN: DOMAIN });
    pathStyle = s3ClientFor(gateway.endpoint);
    port = new URL(gateway.origin).port;
  });
  afterAll(async () => {
    pathStyle?.destroy();
    await gateway?.stop();
  });

  it('takes the bucket from Host: BUCKET.s3.test.local for create, put, get and list, and the object is then visible path-style', async () => {
    const host = `vhost-bucket.${DOMAIN}:${port}`;
    expect((await send(gateway.origin, 'PUT', '/s3/', host)).status).toBe(200);
    const put = await send(gateway.origin, 'PUT', '/s3/dir/hello%20world.txt', host, 'virtual body');
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${md5('virtual body')}"`);

    const got = await send(gateway.origin, 'GET', '/s3/dir/hello%20world.txt', host);
    expect(got).toMatchObject({ status: 200, body: 'virtual body' });

    const listed = await send(gateway.origin, 'GET', '/s3?list-type=2&prefix=dir%2F', host);
    expect(listed.status).toBe(200);
    expect(listed.body).toContain('<Name>vhost-bucket</Name>');
    expect(listed.body).toContain('<Key>dir/hello world.txt</Key>');
    expect(listed.body).toContain('<KeyCount>1</KeyCount>');

    const viaPath = await pathStyle.send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'dir/hello world.txt' }));
    expect(await viaPath.Body!.transformToString()).toBe('virtual body');
    const buckets = await pathStyle.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toContain('vhost-bucket');
  });

  it('serves an object written path-style to a virtual-hosted GET of the same bucket', async () => {
    await pathStyle.send(new CreateBucketCommand({ Bucket: 'path-first' }));
    await pathStyle.send(new PutObjectCommand({ Bucket: 'path-first', Key: 'a/b+c.txt', Body: 'written path-style' }));
    const got = await send(gateway.origin, 'GET', '/s3/a/b%2Bc.txt', `path-first.${DOMAIN}:${port}`);
    expect(got).toMatchObject({ status: 200, body: 'written path-style' });
  });

  it('treats a request to the bare domain (Host: s3.test.local) or to the IP as path-style', async () => {
    await pathStyle.send(new CreateBucketCommand({ Bucket: 'bare-domain' }));
    await pathStyle.send(new PutObjectCommand({ Bucket: 'bare-domain', Key: 'k', Body: 'bare' }));
    expect(await send(gateway.origin, 'GET', '/s3/bare-domain/k', `${DOMAIN}:${port}`)).toMatchObject({ status: 200, body: 'bare' });
    expect(await send(gateway.origin, 'GET', '/s3/bare-domain/k', `127.0.0.1:${port}`)).toMatchObject({ status: 200, body: 'bare' });
  });

  describe('boto3 with addressing_style virtual', () => {
    let sandbox: ClientSandbox;
    beforeAll(() => {
      sandbox = clientSandbox();
      requireClient('python3', ['-c', 'import boto3'], sandbox.env, 'install boto3 with `python3 -m pip install boto3` (.ci/run does)');
    });
    afterAll(() => sandbox?.cleanup());

    it('creates a bucket, puts, gets and lists through BUCKET.s3.test.local, and the object is then visible path-style', async () => {
      // The script resolves *.s3.test.local to 127.0.0.1 inside its own process (and refuses any other address).
      const { stdout } = await runOk('python3', [join(__dirname, 'clients', 'boto3_scenarios.py'), 'virtual_hosted'], {
        env: sandbox.env,
        cwd: sandbox.dir,
        input: JSON.stringify({ endpoint: `http://${DOMAIN}:${port}/s3`, domain: DOMAIN, bucket: 'boto-virtual' }),
      });
      const result = JSON.parse(stdout) as Boto3Scenarios['virtual_hosted'];
      expect(result.body).toBe('virtually hosted');
      expect(result.keys).toEqual(['dir/hello world.txt']);
      const requests = result.requests;
      expect(requests.length).toBeGreaterThanOrEqual(4);
      expect(requests.every((entry) => entry.host === `boto-virtual.${DOMAIN}:${port}`)).toBe(true);
      expect(requests.every((entry) => entry.path === '/s3' || entry.path.startsWith('/s3/') || entry.path.startsWith('/s3?'))).toBe(true);

      const viaPath = await pathStyle.send(new GetObjectCommand({ Bucket: 'boto-virtual', Key: 'dir/hello world.txt' }));
      expect(await viaPath.Body!.transformToString()).toBe('virtually hosted');
    });
  });
});

describe('S3 served at the root with S3_PREFIX=/', () => {
  let gateway: RunningGateway;
  let s3: S3Client;

  beforeAll(async () => {
    gateway = await startGateway({ S3_PREFIX: '/' });
    s3 = s3ClientFor(gateway.endpoint);
  });
  afterAll(async () => {
    s3?.destroy();
    await gateway?.stop();
  });

  it('creates a bucket, puts, gets and lists at the root through @aws-sdk/client-s3, and a plain GET /BUCKET/KEY reads the object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'root-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'root-bucket', Key: 'nested/key.txt', Body: 'at the root' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'root-bucket', Key: 'nested/key.txt' }));
    expect(await got.Body!.transformToString()).toBe('at the root');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'root-bucket' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['nested/key.txt']);
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toEqual(['root-bucket']);

    const plain = await send(gateway.origin, 'GET', '/root-bucket/nested/key.txt', new URL(gateway.origin).host);
    expect(plain).toMatchObject({ status: 200, body: 'at the root' });
    // Nothing is served under the default /s3 prefix any more: that is now a bucket named "s3".
    const s3Path = await send(gateway.origin, 'GET', '/s3/root-bucket/nested/key.txt', new URL(gateway.origin).host);
    expect(s3Path.status).toBe(404);
    expect(s3Path.body).toContain('<Code>NoSuchBucket</Code>');
  });

  it.each(['healthy', 'health-data', 'metrics2', 'metrics-archive'])(
    "serves the bucket %p, whose name only starts like the gateway's own /health and /metrics paths",
    async (bucket) => {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: bucket }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
      expect(await got.Body!.transformToString()).toBe(bucket);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(listed.Contents?.map((object) => object.Key)).toEqual(['k']);
    },
  );
});
