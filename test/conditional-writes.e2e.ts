import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { e2eBackend } from './support/backend';
import { type ClientSandbox, clientSandbox, requireClient, run, runOk } from './support/clients';
import { AWS_CLI, useGateway } from './support/fixture';
import { type RunningGateway, startGateway } from './support/gateway';
import { listedUploads } from './support/multipart';
import { etagOf, expectNoSuchKey, expectObjectBytes, getObject, md5Hex } from './support/objects';
import { rawRequest } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

/**
 * On AIS, conditional writes need the single-writer mode (AIS has no conditional PUT; README, "S3
 * compatibility"): this suite runs its gateways with it there. test/conditional-writes.ais.e2e.ts checks the
 * 501 without it.
 */
const CONDITIONAL_ENV: Record<string, string> = e2eBackend() === 'ais' ? { AIS_SINGLE_WRITER: 'true' } : {};

const RACERS = 50;

/** What each racer got: `ok`, or the S3 error code and status. */
async function outcomes(requests: Array<Promise<unknown>>): Promise<string[]> {
  const settled = await Promise.allSettled(requests);
  return settled.map((result) => {
    if (result.status === 'fulfilled') return 'ok';
    const err: unknown = result.reason;
    if (err instanceof S3ServiceException) return `${err.name} ${err.$metadata.httpStatusCode}`;
    throw err;
  });
}

function tally(results: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result] = (counts[result] ?? 0) + 1;
  return counts;
}

describe('conditional writes through @aws-sdk/client-s3', () => {
  const fixture = useGateway(CONDITIONAL_ENV);
  const put = (input: PutObjectCommandInput) => fixture.s3.send(new PutObjectCommand(input));

  async function upload(
    bucket: string,
    key: string,
    body: string,
  ): Promise<{ uploadId: string; complete: (headers?: { IfNoneMatch?: string; IfMatch?: string }) => Promise<CompleteMultipartUploadCommandOutput> }> {
    const { UploadId } = await fixture.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const { ETag } = await fixture.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: body }));
    const complete = (headers: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
      fixture.s3.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] }, ...headers }),
      );
    return { uploadId: UploadId!, complete };
  }

  describe('PutObject', () => {
    it('If-None-Match: * creates a missing key, then refuses with 412 and keeps the object', async () => {
      const bucket = await fixture.newBucket();
      const created = await put({ Bucket: bucket, Key: 'k', Body: 'first', IfNoneMatch: '*' });
      expect(created.ETag).toBe(etagOf('first'));
      const err = await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: 'second', IfNoneMatch: '*' }), 'PreconditionFailed', 412);
      expect(err.message).toBe('At least one of the preconditions you specified did not hold.');
      await expectObjectBytes(fixture.s3, bucket, 'k', 'first');
    });

    it('If-Match overwrites only the object with that ETag; a missing key is 404 NoSuchKey and stays missing', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'v1' });
      await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: 'v2', IfMatch: etagOf('other') }), 'PreconditionFailed', 412);
      await expectObjectBytes(fixture.s3, bucket, 'k', 'v1');
      const replaced = await put({ Bucket: bucket, Key: 'k', Body: 'v2', IfMatch: etagOf('v1') });
      expect(replaced.ETag).toBe(etagOf('v2'));
      await expectObjectBytes(fixture.s3, bucket, 'k', 'v2');
      // The ETag unquoted, as some clients send it, names the same object.
      await put({ Bucket: bucket, Key: 'k', Body: 'v3', IfMatch: md5Hex('v2') });
      await expectObjectBytes(fixture.s3, bucket, 'k', 'v3');
      await expectS3Error(put({ Bucket: bucket, Key: 'missing', Body: 'x', IfMatch: etagOf('x') }), 'NoSuchKey', 404);
      await expectNoSuchKey(fixture.s3, bucket, 'missing');
    });

    it('answers an ETag in If-None-Match, and both headers together, with 501 NotImplemented, writing nothing', async () => {
      const bucket = await fixture.newBucket();
      await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: 'x', IfNoneMatch: etagOf('x') }), 'NotImplemented', 501);
      await expectS3Error(put({ Bucket: bucket, Key: 'k', Body: 'x', IfNoneMatch: '*', IfMatch: etagOf('x') }), 'NotImplemented', 501);
      await expectNoSuchKey(fixture.s3, bucket, 'k');
    });

    it('answers an empty If-Match item with 400 InvalidArgument, writing nothing', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'kept' });
      const response = await rawRequest(fixture.gateway.origin, {
        method: 'PUT',
        path: `/s3/${bucket}/k`,
        headers: { 'if-match': `${etagOf('kept')},,`, 'content-length': '3' },
        body: 'new',
      });
      expectS3ErrorResponse(response, 'InvalidArgument', 400);
      await expectObjectBytes(fixture.s3, bucket, 'k', 'kept');
    });

    it(`of ${RACERS} racing If-None-Match: * PUTs of one key exactly one wins, the others get 412`, async () => {
      const bucket = await fixture.newBucket();
      const clients: S3Client[] = Array.from({ length: RACERS }, () => s3ClientFor(fixture.gateway.endpoint));
      try {
        const results = await outcomes(
          clients.map((client, index) => client.send(new PutObjectCommand({ Bucket: bucket, Key: 'race', Body: `racer ${index}`, IfNoneMatch: '*' }))),
        );
        expect(tally(results)).toEqual({ ok: 1, 'PreconditionFailed 412': RACERS - 1 });
        await expectObjectBytes(fixture.s3, bucket, 'race', `racer ${results.indexOf('ok')}`);
      } finally {
        for (const client of clients) client.destroy();
      }
    });

    it(`of ${RACERS} racing If-Match PUTs naming the same ETag exactly one replaces the object (compare-and-swap)`, async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'cas', Body: 'v0' });
      const clients: S3Client[] = Array.from({ length: RACERS }, () => s3ClientFor(fixture.gateway.endpoint));
      try {
        const results = await outcomes(
          clients.map((client, index) => client.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: `swap ${index}`, IfMatch: etagOf('v0') }))),
        );
        expect(tally(results)).toEqual({ ok: 1, 'PreconditionFailed 412': RACERS - 1 });
        await expectObjectBytes(fixture.s3, bucket, 'cas', `swap ${results.indexOf('ok')}`);
      } finally {
        for (const client of clients) client.destroy();
      }
    });
  });

  describe('CompleteMultipartUpload', () => {
    it('If-None-Match: * refuses an existing key with 412, shows nothing, and leaves the upload completable', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'existing' });
      const { uploadId, complete } = await upload(bucket, 'k', 'from parts');
      await expectS3Error(complete({ IfNoneMatch: '*' }), 'PreconditionFailed', 412);
      await expectObjectBytes(fixture.s3, bucket, 'k', 'existing');
      expect(await listedUploads(fixture.s3, bucket)).toEqual([['k', uploadId]]);
      const parts = await fixture.s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId }));
      expect(parts.Parts?.map((part) => part.PartNumber)).toEqual([1]);
      // The same upload, completed without the condition, becomes the object.
      await complete();
      await expectObjectBytes(fixture.s3, bucket, 'k', 'from parts');
      expect(await listedUploads(fixture.s3, bucket)).toEqual([]);
    });

    it('If-None-Match: * completes onto a missing key; If-Match completes onto the object with that ETag only', async () => {
      const bucket = await fixture.newBucket();
      await (await upload(bucket, 'new', 'made')).complete({ IfNoneMatch: '*' });
      await expectObjectBytes(fixture.s3, bucket, 'new', 'made');

      await put({ Bucket: bucket, Key: 'k', Body: 'v1' });
      const second = await upload(bucket, 'k', 'v2 from parts');
      await expectS3Error(second.complete({ IfMatch: etagOf('other') }), 'PreconditionFailed', 412);
      await expectObjectBytes(fixture.s3, bucket, 'k', 'v1');
      await second.complete({ IfMatch: etagOf('v1') });
      await expectObjectBytes(fixture.s3, bucket, 'k', 'v2 from parts');

      // The upload is looked at before the condition: an aborted upload is NoSuchUpload, whatever the key holds.
      const aborted = await upload(bucket, 'k', 'never');
      await fixture.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'k', UploadId: aborted.uploadId }));
      await expectS3Error(aborted.complete({ IfNoneMatch: '*' }), 'NoSuchUpload', 404);

      const third = await upload(bucket, 'absent', 'x');
      await expectS3Error(third.complete({ IfMatch: etagOf('x') }), 'NoSuchKey', 404);
      await expectNoSuchKey(fixture.s3, bucket, 'absent');
      expect(await listedUploads(fixture.s3, bucket, 'absent')).toEqual([['absent', third.uploadId]]);
    });

    it(`of ${RACERS} racing If-None-Match: * Completes of one key exactly one wins; the others' uploads stay`, async () => {
      const bucket = await fixture.newBucket();
      const uploads = [];
      for (let index = 0; index < RACERS; index += 1) uploads.push(await upload(bucket, 'race', `racer ${index}`));
      const clients: S3Client[] = Array.from({ length: RACERS }, () => s3ClientFor(fixture.gateway.endpoint));
      try {
        const results = await outcomes(
          uploads.map(({ uploadId }, index) =>
            clients[index].send(
              new CompleteMultipartUploadCommand({
                Bucket: bucket,
                Key: 'race',
                UploadId: uploadId,
                MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etagOf(`racer ${index}`) }] },
                IfNoneMatch: '*',
              }),
            ),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, 'PreconditionFailed 412': RACERS - 1 });
        const winner = results.indexOf('ok');
        await expectObjectBytes(fixture.s3, bucket, 'race', `racer ${winner}`);
        const losers = uploads.filter((_, index) => index !== winner).map(({ uploadId }) => uploadId);
        expect((await listedUploads(fixture.s3, bucket)).map(([, uploadId]) => uploadId).sort()).toEqual(losers.sort());
      } finally {
        for (const client of clients) client.destroy();
      }
    });
  });

  describe('CopyObject (destination)', () => {
    it('If-None-Match: * copies onto a missing key only; If-Match onto the object with that ETag only', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'src', Body: 'source' });
      await put({ Bucket: bucket, Key: 'dst', Body: 'target' });
      const copy = (Key: string, headers: { IfNoneMatch?: string; IfMatch?: string }) =>
        fixture.s3.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/src`, ...headers }));
      await expectS3Error(copy('dst', { IfNoneMatch: '*' }), 'PreconditionFailed', 412);
      await expectS3Error(copy('dst', { IfMatch: etagOf('other') }), 'PreconditionFailed', 412);
      await expectS3Error(copy('missing', { IfMatch: etagOf('source') }), 'NoSuchKey', 404);
      await expectObjectBytes(fixture.s3, bucket, 'dst', 'target');
      await expectNoSuchKey(fixture.s3, bucket, 'missing');
      await copy('fresh', { IfNoneMatch: '*' });
      await expectObjectBytes(fixture.s3, bucket, 'fresh', 'source');
      await copy('dst', { IfMatch: etagOf('target') });
      await expectObjectBytes(fixture.s3, bucket, 'dst', 'source');
    });
  });

  describe('DeleteObject', () => {
    it('If-Match deletes only the object with that ETag (or any, with *); a missing key is 404 NoSuchKey', async () => {
      const bucket = await fixture.newBucket();
      await put({ Bucket: bucket, Key: 'k', Body: 'v1' });
      const del = (Key: string, IfMatch: string) => fixture.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key, IfMatch }));
      await expectS3Error(del('k', etagOf('other')), 'PreconditionFailed', 412);
      await expectObjectBytes(fixture.s3, bucket, 'k', 'v1');
      expect((await del('k', etagOf('v1'))).$metadata.httpStatusCode).toBe(204);
      await expectNoSuchKey(fixture.s3, bucket, 'k');
      await expectS3Error(del('k', etagOf('v1')), 'NoSuchKey', 404);
      await expectS3Error(del('k', '*'), 'NoSuchKey', 404);
      await put({ Bucket: bucket, Key: 'k', Body: 'v2' });
      expect((await del('k', '*')).$metadata.httpStatusCode).toBe(204);
      await expectNoSuchKey(fixture.s3, bucket, 'k');
      // Without If-Match a missing key is still deleted with 204.
      expect((await fixture.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).$metadata.httpStatusCode).toBe(204);
    });
  });

  it('reads an object as before after conditional writes (a plain GET)', async () => {
    const bucket = await fixture.newBucket();
    await put({ Bucket: bucket, Key: 'k', Body: 'plain', IfNoneMatch: '*' });
    const read = await getObject(fixture.s3, { Bucket: bucket, Key: 'k' });
    expect({ body: read.bytes.toString(), etag: read.ETag }).toEqual({ body: 'plain', etag: etagOf('plain') });
  });
});

describe('conditional writes through the aws CLI (s3api put-object --if-none-match / --if-match)', () => {
  let gateway: RunningGateway;
  let sandbox: ClientSandbox;
  let sdk: S3Client;
  beforeAll(async () => {
    sandbox = clientSandbox();
    requireClient(AWS_CLI.command, AWS_CLI.args, sandbox.env, AWS_CLI.hint);
    gateway = await startGateway(CONDITIONAL_ENV);
    sdk = s3ClientFor(gateway.endpoint);
  });
  afterAll(async () => {
    sdk?.destroy();
    await gateway?.stop();
    sandbox?.cleanup();
  });

  const aws = (...args: string[]) =>
    run('aws', ['--endpoint-url', gateway.endpoint, 's3api', ...args, '--output', 'json'], { env: sandbox.env, cwd: sandbox.dir });

  it('creates once with --if-none-match "*", then fails with PreconditionFailed; --if-match replaces', async () => {
    await sdk.send(new CreateBucketCommand({ Bucket: 'cli' }));
    const first = sandbox.write('first.txt', 'first');
    const second = sandbox.write('second.txt', 'second');
    const created = await runOk(
      'aws',
      ['--endpoint-url', gateway.endpoint, 's3api', 'put-object', '--bucket', 'cli', '--key', 'k', '--body', first, '--if-none-match', '*', '--output', 'json'],
      {
        env: sandbox.env,
        cwd: sandbox.dir,
      },
    );
    expect((JSON.parse(created.stdout) as { ETag: string }).ETag).toBe(etagOf('first'));
    const refused = await aws('put-object', '--bucket', 'cli', '--key', 'k', '--body', second, '--if-none-match', '*');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('PreconditionFailed');
    await expectObjectBytes(sdk, 'cli', 'k', 'first');
    const stale = await aws('put-object', '--bucket', 'cli', '--key', 'k', '--body', second, '--if-match', etagOf('stale'));
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('PreconditionFailed');
    const replaced = await aws('put-object', '--bucket', 'cli', '--key', 'k', '--body', second, '--if-match', etagOf('first'));
    expect(replaced.code).toBe(0);
    await expectObjectBytes(sdk, 'cli', 'k', 'second');
  });
});
