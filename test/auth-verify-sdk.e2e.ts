/**
 * Auth mode `verify` end to end, from @aws-sdk/client-s3 and from requests signed by hand with
 * @smithy/signature-v4 (payload hashes, signed streaming bodies, presigned URLs, virtual-hosted Host).
 * After every refused request the store is shown to be unchanged. The aws CLI, boto3 and curl are in
 * auth-verify-clients.e2e.ts.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { eventually } from './support/data-dir';
import { useGateway } from './support/fixture';
import { type RunningGateway, startGateway } from './support/gateway';
import { etagOf, expectNoSuchKey, expectObjectBytes, expectStoreUnchangedBy, getObject, storeState, utf8Order } from './support/objects';
import { rawRequest, type RawResponse, xmlText } from './support/raw-http';
import { digestsOf, seededStream } from './support/seeded-stream';
import { s3ClientFor } from './support/s3-client';
import { bodylessErrorName, expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import {
  type AccessKey,
  objectPath,
  presignPath,
  sha256Hex,
  signedChunkedBody,
  signedChunkedLength,
  signRequest,
  STREAMING_PAYLOAD,
  STREAMING_PAYLOAD_TRAILER,
  streamingHeaders,
} from './support/sigv4-client';

/** The key useGateway's client signs with (s3ClientFor's credentials), configured through the environment. */
const ENV_KEY: AccessKey = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
const FILE_KEY: AccessKey = { accessKeyId: 'AKIAFILEKEY0000001', secretAccessKey: 'fileSecret/Qx7+Lm2vRt9wZp4Kd8' };
const ROTATED_KEY: AccessKey = { accessKeyId: 'AKIAROTATED0000002', secretAccessKey: 'rotatedSecret/Hn3+Yc6bJs1eVu5Wa0' };
const WRONG_SECRET: AccessKey = { accessKeyId: ENV_KEY.accessKeyId, secretAccessKey: 'not-the-secret' };
const UNKNOWN_KEY: AccessKey = { accessKeyId: 'AKIANOBODY00000000', secretAccessKey: 'whatever' };
const DOMAIN = 's3.auth.test';

/** Keys that must be signed exactly as they travel: spaces, '+', unicode, '%'-looking text, a trailing '/'. */
const AWKWARD_KEYS = ['with space.txt', 'plus+sign', 'ünïcødé/日本語 😀', 'percent%20literal%2F', 'dir/trailing/'];

function credentialsFile(...keys: AccessKey[]): string {
  return keys.map((key) => `${key.accessKeyId}:${key.secretAccessKey}\n`).join('');
}

describe('S3_AUTH=verify (the default) with one key from the environment and one from S3_CREDENTIALS_FILE', () => {
  // Named now (useGateway takes its environment at once), written before the gateway starts.
  const credentialsDir = join(tmpdir(), `ais-s3-auth-${process.pid}-${Date.now()}`);
  const credentialsPath = join(credentialsDir, 'credentials');
  beforeAll(() => {
    mkdirSync(credentialsDir);
    writeFileSync(credentialsPath, `# mounted Secret\n${credentialsFile(FILE_KEY)}`);
  });
  const fixture = useGateway({
    S3_ACCESS_KEY_ID: ENV_KEY.accessKeyId,
    S3_SECRET_ACCESS_KEY: ENV_KEY.secretAccessKey,
    S3_CREDENTIALS_FILE: credentialsPath,
    S3_DOMAIN: DOMAIN,
  });
  const clients: S3Client[] = [];
  afterAll(() => {
    clients.forEach((client) => client.destroy());
    rmSync(credentialsDir, { recursive: true, force: true });
  });

  const clientWith = (key: AccessKey, overrides: Parameters<typeof s3ClientFor>[1] = {}): S3Client => {
    const client = s3ClientFor(fixture.gateway.endpoint, { credentials: key, ...overrides });
    clients.push(client);
    return client;
  };
  const prefix = () => new URL(fixture.gateway.endpoint).pathname;

  const expectStoreUnchanged = (refusals: () => Promise<void>) => expectStoreUnchangedBy(fixture.s3, fixture.gateway.dataDir, refusals);

  /** A write answered 200 with the ETag of `bytes`, which the object now holds. */
  async function expectStored(response: RawResponse, bucket: string, key: string, bytes: Buffer | string): Promise<void> {
    expect({ status: response.status, etag: response.headers.etag }).toEqual({ status: 200, etag: etagOf(bytes) });
    await expectObjectBytes(fixture.s3, bucket, key, bytes);
  }

  async function bucketWithObject(key = 'existing', body = 'original bytes'): Promise<string> {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return bucket;
  }

  it('starts without the parse-mode warning and refuses a request without credentials with AccessDenied 403', async () => {
    expect(fixture.gateway.output.join('\n')).not.toContain('NOT verified');
    const bucket = await bucketWithObject();
    await expectStoreUnchanged(async () => {
      expectS3ErrorResponse(await rawRequest(fixture.gateway.origin, { method: 'GET', path: `${prefix()}/` }), 'AccessDenied', 403);
      expectS3ErrorResponse(await rawRequest(fixture.gateway.origin, { method: 'GET', path: objectPath(prefix(), bucket, 'existing') }), 'AccessDenied', 403);
      const put = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: objectPath(prefix(), bucket, 'anonymous'), body: 'anonymous write' });
      expectS3ErrorResponse(put, 'AccessDenied', 403);
      expectS3ErrorResponse(await rawRequest(fixture.gateway.origin, { method: 'PUT', path: `${prefix()}/anonymous-bucket` }), 'AccessDenied', 403);
    });
  });

  it('lets the SDK with the environment key create, list, head and delete buckets', async () => {
    const s3 = clientWith(ENV_KEY);
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-bucket-ops' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).toContain('sdk-bucket-ops');
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'sdk-bucket-ops' }))).$metadata.httpStatusCode).toBe(200);
    await s3.send(new DeleteBucketCommand({ Bucket: 'sdk-bucket-ops' }));
    await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: 'sdk-bucket-ops' })), bodylessErrorName(404), 404);
  });

  it.each(AWKWARD_KEYS)('lets the SDK put, get, head, range-read and delete an object with metadata and a SHA-256 checksum under the key %j', async (key) => {
    const s3 = clientWith(ENV_KEY);
    const bucket = await fixture.newBucket();
    const body = `contents of ${key}`;
    const size = Buffer.byteLength(body);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'text/plain',
        Metadata: { colour: 'blue', note: 'signed' },
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    expect(put.ETag).toBe(etagOf(body));

    const got = await getObject(s3, { Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' });
    expect(got.bytes.toString()).toBe(body);
    expect(got.Metadata).toEqual({ colour: 'blue', note: 'signed' });
    expect(got.ChecksumSHA256).toBe(put.ChecksumSHA256);
    expect(got.ChecksumSHA256).toBe(Buffer.from(sha256Hex(body), 'hex').toString('base64'));

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect({ length: head.ContentLength, type: head.ContentType, etag: head.ETag }).toEqual({ length: size, type: 'text/plain', etag: etagOf(body) });

    const range = await getObject(s3, { Bucket: bucket, Key: key, Range: 'bytes=0-7' });
    expect({ bytes: range.bytes.toString(), contentRange: range.ContentRange }).toEqual({ bytes: 'contents', contentRange: `bytes 0-7/${size}` });

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await expectNoSuchKey(s3, bucket, key);
  });

  it('lets the SDK upload a stream, which it sends as STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer under a signed header', async () => {
    const s3 = clientWith(ENV_KEY);
    const bucket = await fixture.newBucket();
    const size = 3 * 1024 * 1024 + 17;
    const sent: Array<string | undefined> = [];
    s3.middlewareStack.add(
      (next) => async (args) => {
        sent.push((args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256']);
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed by the sdk', Body: seededStream(7, size), ContentLength: size }));
    expect(sent).toEqual(['STREAMING-UNSIGNED-PAYLOAD-TRAILER']);
    expect(put.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    const expected = await digestsOf(seededStream(7, size));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed by the sdk', ChecksumMode: 'ENABLED' }));
    expect({ etag: put.ETag, digests: await digestsOf(got.Body as AsyncIterable<Uint8Array>), crc32: got.ChecksumCRC32 }).toEqual({
      etag: `"${expected.md5}"`,
      digests: expected,
      crc32: put.ChecksumCRC32,
    });
  });

  it('lets the SDK page through ListObjectsV2, copy objects and delete several at once, awkward keys included', async () => {
    const s3 = clientWith(ENV_KEY);
    const bucket = await fixture.newBucket();
    for (const key of AWKWARD_KEYS) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));

    const listed: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2, ContinuationToken: token }));
      listed.push(...(page.Contents ?? []).map((item) => item.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages += 1;
    } while (token !== undefined);
    expect({ listed, pages }).toEqual({ listed: utf8Order(AWKWARD_KEYS), pages: Math.ceil(AWKWARD_KEYS.length / 2) });

    for (const key of AWKWARD_KEYS) {
      const copySource = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: `copies/${key}`, CopySource: copySource }));
      await expectObjectBytes(s3, bucket, `copies/${key}`, key);
    }

    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: AWKWARD_KEYS.map((key) => ({ Key: key })) } }));
    expect({ deleted: utf8Order((deleted.Deleted ?? []).map((entry) => entry.Key!)), errors: deleted.Errors ?? [] }).toEqual({
      deleted: utf8Order(AWKWARD_KEYS),
      errors: [],
    });
    expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(utf8Order(AWKWARD_KEYS.map((key) => `copies/${key}`)));
  });

  // The embedded store keeps one version per key for now (issue 2: full multi-version behaviour comes later).
  it('lets the SDK turn versioning on, list object versions and read one by its VersionId', async () => {
    const s3 = clientWith(ENV_KEY);
    const bucket = await fixture.newBucket();
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
    const written = [];
    for (const key of [AWKWARD_KEYS[1], AWKWARD_KEYS[2]])
      written.push([key, (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }))).VersionId, true]);
    expect(written.every(([, versionId]) => typeof versionId === 'string' && versionId !== 'null')).toBe(true);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect((versions.Versions ?? []).map((version) => [version.Key, version.VersionId, version.IsLatest])).toEqual(written);
    const [key, versionId] = written[1] as [string, string];
    expect((await getObject(s3, { Bucket: bucket, Key: key, VersionId: versionId })).bytes.toString()).toBe(key);
  });

  it('accepts the key from the credentials file just as well as the environment key', async () => {
    const s3 = clientWith(FILE_KEY);
    await s3.send(new CreateBucketCommand({ Bucket: 'file-key-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'file-key-bucket', Key: 'from file key', Body: 'file key bytes' }));
    await expectObjectBytes(s3, 'file-key-bucket', 'from file key', 'file key bytes');
    await expectObjectBytes(fixture.s3, 'file-key-bucket', 'from file key', 'file key bytes');
  });

  it.each([
    ['a wrong secret', 'SignatureDoesNotMatch', WRONG_SECRET],
    ['an unknown access key', 'InvalidAccessKeyId', UNKNOWN_KEY],
  ])('refuses %s with %s 403 and changes nothing: no bucket, no write, no overwrite, no delete', async (_label, code, key) => {
    const bucket = await bucketWithObject();
    const s3 = clientWith(key);
    await expectStoreUnchanged(async () => {
      await expectS3Error(s3.send(new ListBucketsCommand({})), code, 403);
      await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: 'refused-bucket' })), code, 403);
      await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'new', Body: 'never stored' })), code, 403);
      await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'existing', Body: 'never stored' })), code, 403);
      await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'existing' })), code, 403);
      await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), code, 403);
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'existing' }), code, 403);
    });
    await expectObjectBytes(fixture.s3, bucket, 'existing', 'original bytes');
  });

  it.each([
    ['20 minutes behind', -20],
    ['20 minutes ahead of', 20],
  ])('refuses requests from a client whose clock is %s the server with RequestTimeTooSkewed 403, changing nothing', async (_label, minutes) => {
    const bucket = await bucketWithObject();
    await expectStoreUnchanged(async () => {
      // One client per request: the SDK corrects its clock offset from the answer to a skewed request.
      const skewed = () => clientWith(ENV_KEY, { systemClockOffset: minutes * 60_000 });
      await expectS3Error(skewed().send(new ListBucketsCommand({})), 'RequestTimeTooSkewed', 403);
      await expectS3Error(skewed().send(new PutObjectCommand({ Bucket: bucket, Key: 'skewed', Body: 'never stored' })), 'RequestTimeTooSkewed', 403);
      await expectS3Error(skewed().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'existing' })), 'RequestTimeTooSkewed', 403);
    });
  });

  it('accepts a client clock 10 minutes off, inside the 15 minutes S3 allows', async () => {
    for (const minutes of [-10, 10]) {
      const s3 = clientWith(ENV_KEY, { systemClockOffset: minutes * 60_000 });
      expect((await s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
    }
  });

  it('refuses a request carrying an x-amz-* header it did not sign with AccessDenied 403, storing nothing', async () => {
    const bucket = await fixture.newBucket();
    const body = 'metadata slipped in after signing';
    const signed = await signRequest(fixture.gateway.origin, ENV_KEY, { method: 'PUT', path: objectPath(prefix(), bucket, 'k'), body });
    await expectStoreUnchanged(async () => {
      const headers = { ...signed.headers, 'x-amz-meta-added': 'later' };
      const response = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: signed.path, headers, body });
      expectS3ErrorResponse(response, 'AccessDenied', 403);
      expect(xmlText(response.body, 'HeadersNotSigned')).toBe('x-amz-meta-added');
    });
    expect((await rawRequest(fixture.gateway.origin, { method: 'PUT', path: signed.path, headers: signed.headers, body })).status).toBe(200);
  });

  describe('signed payloads', () => {
    const body = Buffer.from('the body that was signed');

    it('stores a PUT whose x-amz-content-sha256 is the SHA-256 of its body', async () => {
      const bucket = await fixture.newBucket();
      const signed = await signRequest(fixture.gateway.origin, ENV_KEY, { method: 'PUT', path: objectPath(prefix(), bucket, 'hashed key'), body });
      await expectStored(
        await rawRequest(fixture.gateway.origin, { method: 'PUT', path: signed.path, headers: signed.headers, body }),
        bucket,
        'hashed key',
        body,
      );
    });

    it('refuses a PUT whose x-amz-content-sha256 is the hash of another body with XAmzContentSHA256Mismatch 400, storing nothing', async () => {
      const bucket = await bucketWithObject('hashed key');
      await expectStoreUnchanged(async () => {
        for (const key of ['hashed key', 'new key']) {
          const signed = await signRequest(fixture.gateway.origin, ENV_KEY, {
            method: 'PUT',
            path: objectPath(prefix(), bucket, key),
            payloadHash: sha256Hex('a different body'),
          });
          const response = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: signed.path, headers: signed.headers, body });
          expectS3ErrorResponse(response, 'XAmzContentSHA256Mismatch', 400);
          expect(xmlText(response.body, 'S3ComputedContentSHA256')).toBe(sha256Hex(body));
        }
      });
      await expectNoSuchKey(fixture.s3, bucket, 'new key');
    });
  });

  describe('signed streaming uploads (aws-chunked, every chunk signed)', () => {
    const chunks = [Buffer.alloc(64 * 1024, 'a'), Buffer.alloc(64 * 1024, 'b'), Buffer.from('and the rest')];
    const whole = Buffer.concat(chunks);
    const crc32Base64 = (data: Buffer) => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(data));
      return out.toString('base64');
    };

    async function streamingPut(bucket: string, key: string, options: { trailers?: Array<[string, string]>; tamper?: (body: Buffer) => void } = {}) {
      const trailerName = options.trailers?.[0]?.[0];
      const signed = await signRequest(fixture.gateway.origin, ENV_KEY, {
        method: 'PUT',
        path: objectPath(prefix(), bucket, key),
        payloadHash: options.trailers === undefined ? STREAMING_PAYLOAD : STREAMING_PAYLOAD_TRAILER,
        headers: streamingHeaders(
          whole.length,
          signedChunkedLength(
            chunks.map((chunk) => chunk.length),
            options.trailers,
          ),
          trailerName,
        ),
      });
      const framed = await signedChunkedBody(ENV_KEY, signed, chunks, options.trailers);
      options.tamper?.(framed);
      return rawRequest(fixture.gateway.origin, { method: 'PUT', path: signed.path, headers: signed.headers, body: framed });
    }

    it('stores an upload sent as STREAMING-AWS4-HMAC-SHA256-PAYLOAD with a correct chunk signature chain', async () => {
      const bucket = await fixture.newBucket();
      await expectStored(await streamingPut(bucket, 'streamed key'), bucket, 'streamed key', whole);
    });

    it('refuses the same upload with one byte of the second chunk changed with SignatureDoesNotMatch 403, storing nothing', async () => {
      const bucket = await bucketWithObject('streamed key');
      await expectStoreUnchanged(async () => {
        for (const key of ['streamed key', 'new streamed key']) {
          const response = await streamingPut(bucket, key, {
            tamper: (framed) => {
              const at = framed.indexOf('b'.repeat(16)) + 1000;
              framed[at] = 'c'.charCodeAt(0);
            },
          });
          expectS3ErrorResponse(response, 'SignatureDoesNotMatch', 403);
        }
      });
      await expectObjectBytes(fixture.s3, bucket, 'streamed key', 'original bytes');
      await expectNoSuchKey(fixture.s3, bucket, 'new streamed key');
    });

    it('stores a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER upload whose signed trailer carries the right CRC32', async () => {
      const bucket = await fixture.newBucket();
      await expectStored(await streamingPut(bucket, 'trailer key', { trailers: [['x-amz-checksum-crc32', crc32Base64(whole)]] }), bucket, 'trailer key', whole);
      const head = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'trailer key', ChecksumMode: 'ENABLED' }));
      expect(head.ChecksumCRC32).toBe(crc32Base64(whole));
    });

    it('refuses a -TRAILER upload whose trailer signature is wrong with SignatureDoesNotMatch 403, storing nothing', async () => {
      const bucket = await bucketWithObject('trailer key');
      await expectStoreUnchanged(async () => {
        for (const key of ['trailer key', 'new trailer key']) {
          const response = await streamingPut(bucket, key, {
            trailers: [['x-amz-checksum-crc32', crc32Base64(whole)]],
            tamper: (framed) => {
              const at = framed.indexOf('x-amz-trailer-signature:') + 'x-amz-trailer-signature:'.length;
              framed[at] = framed[at] === '0'.charCodeAt(0) ? '1'.charCodeAt(0) : '0'.charCodeAt(0);
            },
          });
          expectS3ErrorResponse(response, 'SignatureDoesNotMatch', 403);
        }
      });
      await expectObjectBytes(fixture.s3, bucket, 'trailer key', 'original bytes');
      await expectNoSuchKey(fixture.s3, bucket, 'new trailer key');
    });

    it('refuses a -TRAILER upload whose correctly signed trailer carries a CRC32 of other bytes with BadDigest 400, storing nothing', async () => {
      const bucket = await fixture.newBucket();
      await expectStoreUnchanged(async () => {
        const response = await streamingPut(bucket, 'bad crc', { trailers: [['x-amz-checksum-crc32', crc32Base64(Buffer.from('other bytes'))]] });
        expectS3ErrorResponse(response, 'BadDigest', 400);
      });
    });
  });

  describe('presigned URLs (SigV4 query authentication) used with plain HTTP', () => {
    const presign = (method: string, bucket: string, key: string, expiresIn: number, signingDate?: Date) =>
      presignPath(fixture.gateway.origin, ENV_KEY, { method, path: objectPath(prefix(), bucket, key), expiresIn, signingDate });

    it('accepts a presigned PUT and serves a presigned GET of the same awkward key', async () => {
      const bucket = await fixture.newBucket();
      const key = 'shared/ünï cødé+plus%41.txt';
      const put = await rawRequest(fixture.gateway.origin, {
        method: 'PUT',
        path: await presign('PUT', bucket, key, 300),
        body: 'put through a presigned URL',
      });
      await expectStored(put, bucket, key, 'put through a presigned URL');
      const get = await rawRequest(fixture.gateway.origin, { method: 'GET', path: await presign('GET', bucket, key, 300) });
      expect({ status: get.status, body: get.body }).toEqual({ status: 200, body: 'put through a presigned URL' });
    });

    it('refuses an expired presigned GET or PUT with AccessDenied "Request has expired", changing nothing', async () => {
      const bucket = await bucketWithObject();
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      await expectStoreUnchanged(async () => {
        for (const method of ['GET', 'PUT']) {
          const body = method === 'PUT' ? 'too late' : undefined;
          const response = await rawRequest(fixture.gateway.origin, { method, path: await presign(method, bucket, 'existing', 60, twoMinutesAgo), body });
          expectS3ErrorResponse(response, 'AccessDenied', 403);
          expect(xmlText(response.body, 'Message')).toBe('Request has expired');
        }
      });
    });

    it('refuses an expired presigned URL made with X-Amz-Expires=1 once the second is over', async () => {
      const bucket = await bucketWithObject();
      const path = await presign('GET', bucket, 'existing', 1);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const response = await rawRequest(fixture.gateway.origin, { method: 'GET', path });
      expectS3ErrorResponse(response, 'AccessDenied', 403);
      expect(xmlText(response.body, 'Message')).toBe('Request has expired');
    });

    it('refuses a presigned URL whose key was changed with SignatureDoesNotMatch 403, changing nothing', async () => {
      const bucket = await bucketWithObject();
      await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'other', Body: 'other bytes' }));
      await expectStoreUnchanged(async () => {
        for (const method of ['GET', 'PUT']) {
          const path = (await presign(method, bucket, 'existing', 300)).replace('/existing?', '/other?');
          expect(path).toContain('/other?');
          const body = method === 'PUT' ? 'tampered' : undefined;
          expectS3ErrorResponse(await rawRequest(fixture.gateway.origin, { method, path, body }), 'SignatureDoesNotMatch', 403);
        }
      });
    });

    it('accepts X-Amz-Expires=604800 (seven days) and refuses 604801 with AuthorizationQueryParametersError 400', async () => {
      const bucket = await bucketWithObject();
      const sevenDays = await presign('GET', bucket, 'existing', 604800);
      expect(await rawRequest(fixture.gateway.origin, { method: 'GET', path: sevenDays })).toMatchObject({ status: 200, body: 'original bytes' });
      const tooLong = sevenDays.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801');
      expect(tooLong).toContain('X-Amz-Expires=604801');
      expectS3ErrorResponse(await rawRequest(fixture.gateway.origin, { method: 'GET', path: tooLong }), 'AuthorizationQueryParametersError', 400);
    });
  });

  it(`verifies a virtual-hosted-style request (Host: BUCKET.${DOMAIN}) signed over that Host`, async () => {
    const bucket = await fixture.newBucket();
    const host = `${bucket}.${DOMAIN}:${new URL(fixture.gateway.origin).port}`;
    const body = 'virtually hosted and signed';
    const put = await signRequest(fixture.gateway.origin, ENV_KEY, { method: 'PUT', host, path: `${prefix()}/dir/v%20key.txt`, body });
    expect((await rawRequest(fixture.gateway.origin, { method: 'PUT', path: put.path, headers: put.headers, body })).status).toBe(200);
    const list = await signRequest(fixture.gateway.origin, ENV_KEY, { method: 'GET', host, path: `${prefix()}/`, query: { 'list-type': '2', prefix: 'dir/' } });
    const listed = await rawRequest(fixture.gateway.origin, { method: 'GET', path: list.path, headers: list.headers });
    expect({ status: listed.status, key: xmlText(listed.body, 'Key') }).toEqual({ status: 200, key: 'dir/v key.txt' });
    await expectObjectBytes(fixture.s3, bucket, 'dir/v key.txt', body);
  });

  it('keeps StringToSign and CanonicalRequest out of SignatureDoesNotMatch when S3_AUTH_DEBUG is off', async () => {
    const signed = await signRequest(fixture.gateway.origin, WRONG_SECRET, { method: 'GET', path: `${prefix()}/` });
    const response = await rawRequest(fixture.gateway.origin, { method: 'GET', path: signed.path, headers: signed.headers });
    expectS3ErrorResponse(response, 'SignatureDoesNotMatch', 403);
    expect(response.body).not.toContain('StringToSign');
    expect(response.body).not.toContain('CanonicalRequest');
  });

  it('picks up a rotated credentials file (new key in, old key out) within about 10 seconds, without a restart', async () => {
    const rotated = clientWith(ROTATED_KEY);
    await expectS3Error(rotated.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    writeFileSync(credentialsPath, credentialsFile(ROTATED_KEY));
    const later = new Date(Date.now() + 5000);
    utimesSync(credentialsPath, later, later);
    const accepted = await eventually(async () => {
      try {
        await rotated.send(new ListBucketsCommand({}));
        return true;
      } catch {
        return false;
      }
    }, 12_000);
    expect(accepted).toBe(true);
    await expectS3Error(clientWith(FILE_KEY).send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    expect((await fixture.s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
  });

  it('never writes a secret to its output', () => {
    const output = fixture.gateway.output.join('\n');
    expect(output).toContain('gateway listening');
    for (const key of [ENV_KEY, FILE_KEY, ROTATED_KEY, WRONG_SECRET]) expect(output).not.toContain(key.secretAccessKey);
  });
});

describe('S3_AUTH_DEBUG=true', () => {
  const KEY: AccessKey = { accessKeyId: 'AKIADEBUGKEY000001', secretAccessKey: 'debugSecret/Pw4+Nx8cQe2rTy6u' };
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({ S3_ACCESS_KEY_ID: KEY.accessKeyId, S3_SECRET_ACCESS_KEY: KEY.secretAccessKey, S3_AUTH_DEBUG: 'true', LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('puts the StringToSign and CanonicalRequest the gateway computed in the SignatureDoesNotMatch body, never the secret', async () => {
    const signed = await signRequest(
      gateway.origin,
      { accessKeyId: KEY.accessKeyId, secretAccessKey: 'a wrong secret' },
      {
        method: 'GET',
        path: '/s3/',
        query: { 'list-type': '2' },
      },
    );
    const response = await rawRequest(gateway.origin, { method: 'GET', path: signed.path, headers: signed.headers });
    expectS3ErrorResponse(response, 'SignatureDoesNotMatch', 403);
    const canonical = xmlText(response.body, 'CanonicalRequest');
    const toSign = xmlText(response.body, 'StringToSign');
    expect(canonical?.split('\n').slice(0, 3)).toEqual(['GET', '/s3/', 'list-type=2']);
    expect(toSign?.split('\n')).toEqual(['AWS4-HMAC-SHA256', signed.amzDate, signed.scope, sha256Hex(canonical ?? '')]);
    expect(xmlText(response.body, 'SignatureProvided')).toBe(signed.signature);
    expect(response.body).not.toContain(KEY.secretAccessKey);
    expect(gateway.output.join('\n')).not.toContain(KEY.secretAccessKey);
  });
});

describe('S3_AUTH=parse with credentials configured', () => {
  const KEY: AccessKey = { accessKeyId: 'AKIAPARSEKEY000001', secretAccessKey: 'parseSecret/Lk5+Vb9mAs3dFg7h' };
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({ S3_ACCESS_KEY_ID: KEY.accessKeyId, S3_SECRET_ACCESS_KEY: KEY.secretAccessKey, S3_AUTH: 'parse' });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('warns at start that request signatures are not verified', () => {
    expect(gateway.output.find((line) => line.includes('S3_AUTH=parse: request signatures are NOT verified'))).toBeDefined();
  });

  it('accepts a wrong secret, an unknown key and no credentials at all', async () => {
    const wrong = s3ClientFor(gateway.endpoint, { credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: 'wrong' } });
    const unknown = s3ClientFor(gateway.endpoint, { credentials: UNKNOWN_KEY });
    try {
      await wrong.send(new CreateBucketCommand({ Bucket: 'parse-mode' }));
      await unknown.send(new PutObjectCommand({ Bucket: 'parse-mode', Key: 'k', Body: 'anything goes' }));
      const anonymous = await rawRequest(gateway.origin, { method: 'GET', path: '/s3/parse-mode/k' });
      expect({ status: anonymous.status, body: anonymous.body }).toEqual({ status: 200, body: 'anything goes' });
    } finally {
      wrong.destroy();
      unknown.destroy();
    }
    expect(gateway.output.join('\n')).not.toContain(KEY.secretAccessKey);
  });
});
