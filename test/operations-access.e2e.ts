/**
 * Operations endpoints and the access log with SigV4 verification on (auth mode `verify`): probes and
 * metrics need no S3 credentials while S3 itself refuses unsigned requests, and every S3 request leaves one
 * JSON log line with the request id the client saw, never a credential or a signature.
 */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { eventually } from './support/data-dir';
import { type RunningGateway, startGateway } from './support/gateway';
import { anyOf } from './support/matchers';
import { getObject } from './support/objects';
import { labelKey, scrapeMetrics } from './support/prometheus';
import { rawRequest } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { bodylessErrorName, expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import { type AccessKey, objectPath, presignPath } from './support/sigv4-client';

const KEY: AccessKey = { accessKeyId: 'AKIAOPSACCESSLOG0001', secretAccessKey: 'opsSecret/Zq8+Wn4kLr7Tv2Yx5Bc9' };
const WRONG_SECRET: AccessKey = { accessKeyId: KEY.accessKeyId, secretAccessKey: 'not-the-secret/Pm3+Qs6' };

interface AccessLine {
  reqId: string;
  operation: string;
  bucket?: string;
  status: number;
  code?: string;
  received: number;
  sent: number;
  ms: number;
}

/** The access-log lines (JSON, `msg: "request"`) among everything the gateway printed. */
function accessLines(output: string[]): AccessLine[] {
  return output.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as AccessLine & { msg?: string };
      return entry.msg === 'request' ? [entry] : [];
    } catch {
      return [];
    }
  });
}

/** Every `Authorization` header the client signed, captured after signing (the deserialize step sees the sent request). */
function captureAuthorizations(s3: S3Client): string[] {
  const seen: string[] = [];
  s3.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      if (headers.authorization !== undefined) seen.push(headers.authorization);
      return next(args);
    },
    { step: 'deserialize', name: 'captureAuthorization' },
  );
  return seen;
}

describe('operations endpoints and access log in auth mode verify', () => {
  let gateway: RunningGateway;
  let s3: S3Client;
  beforeAll(async () => {
    gateway = await startGateway({ S3_ACCESS_KEY_ID: KEY.accessKeyId, S3_SECRET_ACCESS_KEY: KEY.secretAccessKey });
    s3 = s3ClientFor(gateway.endpoint, { credentials: KEY });
  });
  afterAll(async () => {
    s3?.destroy();
    await gateway?.stop();
  });

  it('answers /metrics, /health/live and /health/ready without any credentials, and refuses unsigned S3 requests with AccessDenied', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const probe = await rawRequest(gateway.origin, { method: 'GET', path });
      expect({ path, status: probe.status }).toEqual({ path, status: 200 });
      expect(JSON.parse(probe.body)).toMatchObject({ status: 'ok' });
    }
    const before = await scrapeMetrics(gateway.origin);

    expectS3ErrorResponse(await rawRequest(gateway.origin, { method: 'GET', path: '/s3/' }), 'AccessDenied', 403);
    expectS3ErrorResponse(await rawRequest(gateway.origin, { method: 'PUT', path: '/s3/unsigned-bucket' }), 'AccessDenied', 403);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: 'unsigned-bucket', Key: 'k' })), bodylessErrorName(404), 404);

    const after = await scrapeMetrics(gateway.origin);
    expect(after.changes(before, 's3_errors_total')).toEqual({
      [labelKey({ operation: 'ListBuckets', code: 'AccessDenied' })]: 1,
      [labelKey({ operation: 'CreateBucket', code: 'AccessDenied' })]: 1,
      [labelKey({ operation: 'HeadObject', code: 'NoSuchBucket' })]: 1,
    });
  });

  it('writes one JSON access-log line per S3 request with the x-amz-request-id the client saw, its operation and status, and never a secret, Authorization header or signature', async () => {
    const authorizations = captureAuthorizations(s3);
    const linesBefore = accessLines(gateway.output).length;
    const made: Array<{ reqId: string; operation: string; status: number; code?: string }> = [];
    const record = (operation: string, status: number, reqId: string | undefined, code?: string) => {
      expect(reqId).toMatch(/^[0-9A-F]{16}$/);
      made.push({ reqId: reqId!, operation, status, ...(code ? { code } : {}) });
    };

    record('CreateBucket', 200, (await s3.send(new CreateBucketCommand({ Bucket: 'logged' }))).$metadata.requestId);
    record('PutObject', 200, (await s3.send(new PutObjectCommand({ Bucket: 'logged', Key: 'k', Body: 'logged body' }))).$metadata.requestId);
    record('GetObject', 200, (await getObject(s3, { Bucket: 'logged', Key: 'k' })).$metadata.requestId);
    const missing = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'logged', Key: 'missing' })), 'NoSuchKey', 404);
    record('GetObject', 404, missing.$metadata.requestId, 'NoSuchKey');
    const wrongSecret = s3ClientFor(gateway.endpoint, { credentials: WRONG_SECRET });
    const wrongAuthorizations = captureAuthorizations(wrongSecret);
    const refused = await expectS3Error(wrongSecret.send(new HeadObjectCommand({ Bucket: 'logged', Key: 'k' })), bodylessErrorName(403), 403);
    wrongSecret.destroy();
    record('HeadObject', 403, refused.$metadata.requestId, 'SignatureDoesNotMatch');
    // A presigned URL carries its signature in the query string.
    const presigned = await presignPath(gateway.origin, KEY, { method: 'GET', path: objectPath('/s3', 'logged', 'k'), expiresIn: 300 });
    const presignedGet = await rawRequest(gateway.origin, { method: 'GET', path: presigned });
    expect(presignedGet).toMatchObject({ status: 200, body: 'logged body' });
    record('GetObject', 200, presignedGet.headers['x-amz-request-id'] as string);

    expect(await eventually(() => accessLines(gateway.output).length >= linesBefore + made.length)).toBe(true);
    const lines = accessLines(gateway.output).slice(linesBefore);
    expect(lines.map(({ reqId, operation, status, code }) => ({ reqId, operation, status, ...(code ? { code } : {}) }))).toEqual(made);
    for (const line of lines) {
      expect(line).toMatchObject({ received: anyOf(Number), sent: anyOf(Number), ms: anyOf(Number) });
      expect(line.bucket).toBe('logged');
    }
    expect(lines.find((line) => line.operation === 'PutObject')?.received).toBe('logged body'.length);

    const signatures = [...authorizations, ...wrongAuthorizations].map((value) => /Signature=([0-9a-f]{64})/.exec(value)![1]);
    expect(signatures).toHaveLength(made.length - 1);
    const secrets = [
      KEY.secretAccessKey,
      WRONG_SECRET.secretAccessKey,
      ...authorizations,
      ...wrongAuthorizations,
      ...signatures,
      new URL(presigned, gateway.origin).searchParams.get('X-Amz-Signature')!,
    ];
    const leaked = gateway.output.filter((line) => secrets.some((secret) => line.includes(secret)) || /authorization|x-amz-signature/i.test(line));
    expect(leaked).toEqual([]);
  });
});
