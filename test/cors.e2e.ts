import {
  type CORSRule,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { e2eBackend } from './support/backend';
import { eventually } from './support/data-dir';
import { useGateway } from './support/fixture';
import { type RunningGateway, startGateway } from './support/gateway';
import { type RawResponse, rawRequest, xmlText } from './support/raw-http';
import { type AccessKey, objectPath, presignPath } from './support/sigv4-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

const APP = 'https://app.example.com';
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

const RULES: CORSRule[] = [
  {
    ID: 'browser-uploads',
    AllowedOrigins: [APP, 'https://*.preview.example.com'],
    AllowedMethods: ['PUT', 'POST', 'GET'],
    AllowedHeaders: ['x-amz-*', 'Content-Type'],
    ExposeHeaders: ['ETag', 'x-amz-version-id'],
    MaxAgeSeconds: 3000,
  },
  { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'] },
];

/** The access-control-* headers and Vary of an answer: what a browser reads to decide. */
function corsHeadersOf(response: RawResponse): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (name.startsWith('access-control-') || name === 'vary') picked[name] = String(value);
  }
  return picked;
}

/** The key the SDK client of the fixture signs with (s3ClientFor). */
const KEY: AccessKey = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };

function contentMd5(body: string): string {
  return createHash('md5').update(body).digest('base64');
}

describe('bucket CORS configuration through @aws-sdk/client-s3', () => {
  const fixture = useGateway();

  it('PutBucketCors is read back by GetBucketCors rule for rule; DeleteBucketCors removes it', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
    const read = await fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(read.CORSRules).toEqual(RULES);
    const deleted = await fixture.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
  });

  it('a second PutBucketCors replaces the first configuration whole', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
    const only: CORSRule = { AllowedOrigins: ['http://localhost:*'], AllowedMethods: ['DELETE'] };
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [only] } }));
    expect((await fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toEqual([only]);
  });

  it('GetBucketCors of a bucket without a configuration is 404 NoSuchCORSConfiguration, as S3 words it', async () => {
    const bucket = await fixture.newBucket();
    await expectS3Error(fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
    const raw = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}?cors` });
    expectS3ErrorResponse(raw, 'NoSuchCORSConfiguration', 404);
    expect(xmlText(raw.body, 'Message')).toBe('The CORS configuration does not exist');
    // Deleting a configuration that is not there is fine.
    expect((await fixture.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
  });

  it('every CORS call on a bucket that does not exist is NoSuchBucket', async () => {
    await expectS3Error(fixture.s3.send(new GetBucketCorsCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
    await expectS3Error(fixture.s3.send(new DeleteBucketCorsCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
    await expectS3Error(fixture.s3.send(new PutBucketCorsCommand({ Bucket: 'no-such-bucket', CORSConfiguration: { CORSRules: RULES } })), 'NoSuchBucket', 404);
  });

  it.each([
    [
      'an unsupported method',
      [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PATCH'] }],
      'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
    ],
    [
      'an origin with two wildcards',
      [{ AllowedOrigins: ['https://*.*.example.com'], AllowedMethods: ['GET'] }],
      'AllowedOrigin "https://*.*.example.com" can not have more than one wildcard.',
    ],
    [
      'a wildcard ExposeHeader',
      [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], ExposeHeaders: ['x-amz-meta-*'] }],
      'ExposeHeader "x-amz-meta-*" contains wildcard. We currently do not support wildcard for ExposeHeader.',
    ],
    [
      '101 rules',
      Array.from({ length: 101 }, (): CORSRule => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] })),
      'The number of CORS rules should not exceed allowed limit of 100 rules.',
    ],
  ])('PutBucketCors with %s is 400 InvalidRequest, and the configuration stays as it was', async (_what, rules, message) => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
    const err = await expectS3Error(
      fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } })),
      'InvalidRequest',
      400,
    );
    expect(err.message).toBe(message);
    expect((await fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toEqual(RULES);
  });

  it('PutBucketCors with 100 rules is taken', async () => {
    const bucket = await fixture.newBucket();
    const rules = Array.from({ length: 100 }, (_, at): CORSRule => ({
      ID: `rule-${at}`,
      AllowedOrigins: [`https://site-${at}.test`],
      AllowedMethods: ['GET'],
    }));
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
    expect((await fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toEqual(rules);
  });

  it('a document that is not a CORSConfiguration is MalformedXML; one without Content-MD5 or checksum is InvalidRequest; neither changes anything', async () => {
    const bucket = await fixture.newBucket();
    const put = (body: string, headers: Record<string, string>) =>
      rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}?cors`, headers, body });
    for (const body of ['<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>', '<CORSConfiguration>', 'cors']) {
      expectS3ErrorResponse(await put(body, { 'content-md5': contentMd5(body) }), 'MalformedXML', 400);
    }
    const good = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>';
    const missing = await put(good, {});
    expectS3ErrorResponse(missing, 'InvalidRequest', 400);
    expect(xmlText(missing.body, 'Message')).toBe('Missing required header for this request: Content-MD5');
    await expectS3Error(fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
    expect((await put(good, { 'content-md5': contentMd5(good) })).status).toBe(200);
  });

  it('a document over 64 KB is refused with MaxMessageLengthExceeded and leaves the configuration as it was', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
    const origins = Array.from({ length: 1200 }, (_, at) => `<AllowedOrigin>https://site-${at}.example.com</AllowedOrigin>`).join('');
    const body = `<CORSConfiguration><CORSRule>${origins}<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`;
    expect(body.length).toBeGreaterThan(64 * 1024);
    const answer = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}?cors`, headers: { 'content-md5': contentMd5(body) }, body });
    expectS3ErrorResponse(answer, 'MaxMessageLengthExceeded', 400);
    expect(xmlText(answer.body, 'Message')).toBe('Your request was too big.');
    expect((await fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toEqual(RULES);
  });

  it('a bucket deleted and made again starts without the old configuration', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: 'reborn', CORSConfiguration: { CORSRules: RULES } }));
    await fixture.s3.send(new DeleteBucketCommand({ Bucket: 'reborn' }));
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    await expectS3Error(fixture.s3.send(new GetBucketCorsCommand({ Bucket: 'reborn' })), 'NoSuchCORSConfiguration', 404);
    const preflight = await rawRequest(fixture.gateway.origin, {
      method: 'OPTIONS',
      path: '/s3/reborn/k',
      headers: { origin: APP, 'access-control-request-method': 'GET' },
    });
    expectS3ErrorResponse(preflight, 'AccessForbidden', 403);
  });
});

describe('CORS preflights (OPTIONS) and actual requests, as a browser sends them', () => {
  // Signatures are verified: preflights must pass without one, and a refused request must still be readable.
  const fixture = useGateway({ S3_ACCESS_KEY_ID: KEY.accessKeyId, S3_SECRET_ACCESS_KEY: KEY.secretAccessKey });
  let bucket: string;

  /** A presigned URL's path and query, as a page gets it from its backend. */
  const presigned = (method: string, key: string) => presignPath(fixture.gateway.origin, KEY, { method, path: objectPath('/s3', bucket, key), expiresIn: 300 });

  const preflight = (path: string, headers: Record<string, string>) => rawRequest(fixture.gateway.origin, { method: 'OPTIONS', path, headers });

  beforeAll(async () => {
    bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
    await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hello' }));
  });

  it('answers a preflight for an object from the first matching rule, with no signature', async () => {
    const answer = await preflight(`/s3/${bucket}/photos/cat.jpg`, {
      origin: APP,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, X-Amz-Date, x-amz-content-sha256',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    expect(corsHeadersOf(answer)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT, POST, GET',
      'access-control-allow-headers': 'content-type, x-amz-date, x-amz-content-sha256',
      'access-control-expose-headers': 'ETag, x-amz-version-id',
      'access-control-max-age': '3000',
      vary: VARY,
    });
  });

  it('matches a wildcard origin, and answers `*` from a rule for any origin', async () => {
    const preview = await preflight(`/s3/${bucket}`, { origin: 'https://pr-42.preview.example.com', 'access-control-request-method': 'POST' });
    expect(preview.status).toBe(200);
    expect(preview.headers['access-control-allow-origin']).toBe('https://pr-42.preview.example.com');
    const anyone = await preflight(`/s3/${bucket}/hello.txt`, { origin: 'https://elsewhere.test', 'access-control-request-method': 'HEAD' });
    expect(corsHeadersOf(anyone)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD', vary: VARY });
  });

  it.each([
    ['an origin no rule names', { origin: 'https://evil.test', 'access-control-request-method': 'PUT' }, 'PUT'],
    ['a method its origin is not allowed', { origin: APP, 'access-control-request-method': 'DELETE' }, 'DELETE'],
    [
      'a header its rule does not allow',
      { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-amz-date, authorization' },
      'PUT',
    ],
  ])('refuses a preflight with %s: 403 AccessForbidden, no CORS headers', async (_what, headers, method) => {
    const answer = await preflight(`/s3/${bucket}/k`, headers);
    expectS3ErrorResponse(answer, 'AccessForbidden', 403);
    expect(xmlText(answer.body, 'Message')).toBe(NOT_ALLOWED);
    expect({ method: xmlText(answer.body, 'Method'), resource: xmlText(answer.body, 'ResourceType') }).toEqual({ method, resource: 'OBJECT' });
    expect(corsHeadersOf(answer)).toEqual({});
  });

  it('refuses a preflight on a bucket without CORS configuration, or one that does not exist, with 403', async () => {
    const plain = await fixture.newBucket();
    for (const name of [plain, 'no-such-bucket']) {
      const answer = await preflight(`/s3/${name}`, { origin: APP, 'access-control-request-method': 'GET' });
      expectS3ErrorResponse(answer, 'AccessForbidden', 403);
      expect(xmlText(answer.body, 'Message')).toBe('CORSResponse: CORS is not enabled for this bucket.');
    }
  });

  it('refuses a preflight without Origin or Access-Control-Request-Method with 400, as S3 does', async () => {
    const noOrigin = await preflight(`/s3/${bucket}/k`, { 'access-control-request-method': 'GET' });
    expectS3ErrorResponse(noOrigin, 'BadRequest', 400);
    expect(xmlText(noOrigin.body, 'Message')).toBe('Insufficient information. Origin request header needed.');
    const noMethod = await preflight(`/s3/${bucket}/k`, { origin: APP });
    expectS3ErrorResponse(noMethod, 'BadRequest', 400);
    expect(xmlText(noMethod.body, 'Message')).toBe('Invalid Access-Control-Request-Method: null');
    const patch = await preflight(`/s3/${bucket}/k`, { origin: APP, 'access-control-request-method': 'PATCH' });
    expect(xmlText(patch.body, 'Message')).toBe('Invalid Access-Control-Request-Method: PATCH');
  });

  it('gives a presigned GET from an allowed origin the CORS headers of its rule, another origin those of the rule for any origin, and none without Origin', async () => {
    const url = await presigned('GET', 'hello.txt');
    const fromApp = await rawRequest(fixture.gateway.origin, { method: 'GET', path: url, headers: { origin: APP } });
    expect({ status: fromApp.status, body: fromApp.body }).toEqual({ status: 200, body: 'hello' });
    expect(corsHeadersOf(fromApp)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT, POST, GET',
      'access-control-expose-headers': 'ETag, x-amz-version-id',
      'access-control-max-age': '3000',
      vary: VARY,
    });
    const noOrigin = await rawRequest(fixture.gateway.origin, { method: 'GET', path: url });
    expect({ status: noOrigin.status, cors: corsHeadersOf(noOrigin) }).toEqual({ status: 200, cors: {} });
    const fromElsewhere = await rawRequest(fixture.gateway.origin, { method: 'GET', path: url, headers: { origin: 'https://evil.test' } });
    // The rule for any origin answers it: `*`, and only GET and HEAD.
    expect(corsHeadersOf(fromElsewhere)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD', vary: VARY });
  });

  it('puts the CORS headers on S3 errors too, so that a page can read the error: a missing key, a refused signature', async () => {
    const missing = await rawRequest(fixture.gateway.origin, { method: 'GET', path: await presigned('GET', 'missing.txt'), headers: { origin: APP } });
    expectS3ErrorResponse(missing, 'NoSuchKey', 404);
    expect(missing.headers['access-control-allow-origin']).toBe(APP);
    expect(missing.headers['access-control-expose-headers']).toBe('ETag, x-amz-version-id');
    const unsigned = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}/hello.txt`, headers: { origin: 'https://any.test' } });
    expectS3ErrorResponse(unsigned, 'AccessDenied', 403);
    expect(corsHeadersOf(unsigned)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD', vary: VARY });
  });

  it('answers an actual request by its own method: a DELETE from the app origin gets no CORS headers', async () => {
    await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doomed.txt', Body: 'x' }));
    const url = await presigned('DELETE', 'doomed.txt');
    const answer = await rawRequest(fixture.gateway.origin, { method: 'DELETE', path: url, headers: { origin: APP } });
    expect({ status: answer.status, cors: corsHeadersOf(answer) }).toEqual({ status: 204, cors: {} });
  });
});

describe('CORS_ALLOWED_ORIGINS: one policy for every bucket without its own', () => {
  const fixture = useGateway({ CORS_ALLOWED_ORIGINS: `${APP}, http://localhost:*` });

  it('admits those origins for all five methods and any header, exposing the headers S3 clients read', async () => {
    const bucket = await fixture.newBucket();
    const answer = await rawRequest(fixture.gateway.origin, {
      method: 'OPTIONS',
      path: `/s3/${bucket}/upload.bin`,
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'x-amz-date, x-custom' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(answer.headers['access-control-allow-methods']).toBe('GET, PUT, POST, DELETE, HEAD');
    expect(answer.headers['access-control-allow-headers']).toBe('x-amz-date, x-custom');
    const exposed = String(answer.headers['access-control-expose-headers']).split(', ');
    expect(exposed).toEqual(expect.arrayContaining(['ETag', 'x-amz-version-id', 'x-amz-request-id', 'Content-Length', 'Content-Range']));
    const put = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}/k`, headers: { origin: APP }, body: 'v' });
    expect({ status: put.status, origin: put.headers['access-control-allow-origin'] }).toEqual({ status: 200, origin: APP });
    const other = await rawRequest(fixture.gateway.origin, {
      method: 'OPTIONS',
      path: `/s3/${bucket}/k`,
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expectS3ErrorResponse(other, 'AccessForbidden', 403);
    // The default is no configuration of the bucket's.
    await expectS3Error(fixture.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
  });

  it("a bucket's own configuration takes precedence over the default", async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(
      new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://only.test'], AllowedMethods: ['GET'] }] } }),
    );
    const fromApp = await rawRequest(fixture.gateway.origin, {
      method: 'OPTIONS',
      path: `/s3/${bucket}/k`,
      headers: { origin: APP, 'access-control-request-method': 'GET' },
    });
    expectS3ErrorResponse(fromApp, 'AccessForbidden', 403);
    const get = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}/k`, headers: { origin: APP } });
    expect({ status: get.status, cors: corsHeadersOf(get) }).toEqual({ status: 404, cors: {} });
    await fixture.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    const again = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}/k`, headers: { origin: APP } });
    expect({ status: again.status, origin: again.headers['access-control-allow-origin'] }).toEqual({ status: 404, origin: APP });
  });
});

describe('CORS configuration seen by another gateway process on the same store', () => {
  const fixture = useGateway();
  let other: RunningGateway | undefined;

  afterAll(async () => {
    await other?.stop();
  });

  // The other process trusts the configuration it read for 1 s (embedded) or SETTINGS_TRUSTED_MS, 5 s (AIS); the
  // bound allows a loaded machine 1 s more. Without the trust window the change would show at the next request.
  it('takes a change within 1 s on the embedded store, within 5 s on AIS', async () => {
    const bucket = await fixture.newBucket();
    other = await startGateway({}, { dataDir: fixture.gateway.dataDir });
    const preflightStatus = async (): Promise<number> =>
      (await rawRequest(other!.origin, { method: 'OPTIONS', path: `/s3/${bucket}/k`, headers: { origin: APP, 'access-control-request-method': 'GET' } }))
        .status;
    expect(await preflightStatus()).toBe(403);
    await fixture.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
    const changed = Date.now();
    expect(await eventually(async () => (await preflightStatus()) === 200, 8000)).toBe(true);
    const seenAfterMs = Date.now() - changed;
    expect(seenAfterMs).toBeLessThan((e2eBackend() === 'embedded' ? 1000 : 5000) + 1000);
  });
});
