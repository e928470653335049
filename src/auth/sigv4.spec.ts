import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildQueryString, HttpRequest, HttpResponse } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsS3Examples, botocoreRequests, type HeaderLine, NodeSha256, rawHeadersOf } from '../../test/fixtures/sigv4';
import { canonicalRequest, splitTarget } from './canonical-request';
import { payloadMode } from './payload-hash';
import { credentialScope, sign, signingKey } from './signing-key';
import { parseAuthorizationHeader } from './sigv4-parse';
import { formatAmzDate, parseAmzDate, type SigV4Request, stringToSign, verifyHeaderAuth, verifyPresigned, verifyRequest } from './sigv4';
import { thrownS3Error } from '../../test/support/rejections';

const examples = awsS3Examples();
const EXAMPLE_TIME = Date.UTC(2013, 4, 24);
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const lookupExample = (id: string) => (id === examples.credentials.accessKeyId ? examples.credentials.secretAccessKey : undefined);

function requestOf(example: { method: string; target: string; headers: HeaderLine[] }): SigV4Request {
  return { method: example.method, url: example.target, rawHeaders: rawHeadersOf(example.headers) };
}

function withHeaders(request: SigV4Request, edit: (headers: HeaderLine[]) => HeaderLine[]): SigV4Request {
  const lines: HeaderLine[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
  return { ...request, rawHeaders: rawHeadersOf(edit(lines)) };
}

const setHeader = (name: string, value: string | undefined) => (headers: HeaderLine[]) => {
  const rest = headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase());
  return value === undefined ? rest : [...rest, [name, value] as HeaderLine];
};

/**
 * Signs a request with this module's own primitives (for shapes no published vector or SDK produces,
 * such as a Date header instead of x-amz-date); SDK-signed requests are in sigv4.properties.spec.ts.
 */
function selfSigned(opts: {
  method?: string;
  target?: string;
  headers: HeaderLine[];
  signed: string[];
  date: string;
  amzDate: string;
  secret?: string;
  payloadHash?: string;
  service?: string;
}): SigV4Request {
  const secret = opts.secret ?? examples.credentials.secretAccessKey;
  const service = opts.service ?? 's3';
  const { path, query } = splitTarget(opts.target ?? '/bucket/key');
  const rawHeaders = rawHeadersOf(opts.headers);
  const payloadHash = opts.payloadHash ?? EMPTY_SHA256;
  const canonical = canonicalRequest({ method: opts.method ?? 'GET', path, query, rawHeaders, signedHeaders: opts.signed, payloadHash });
  const scope = credentialScope(opts.date, 'us-east-1', service);
  const signature = sign(signingKey(secret, opts.date, 'us-east-1', service), stringToSign(opts.amzDate, scope, canonical));
  const authorization = `AWS4-HMAC-SHA256 Credential=${examples.credentials.accessKeyId}/${scope}, SignedHeaders=${opts.signed.join(';')}, Signature=${signature}`;
  return { method: opts.method ?? 'GET', url: opts.target ?? '/bucket/key', rawHeaders: [...rawHeaders, 'Authorization', authorization] };
}

describe('AWS S3 API reference examples, header auth', () => {
  it.each(examples.header.map((e) => [e.name, e] as const))('%s', (_name, example) => {
    const context = verifyHeaderAuth(requestOf(example), lookupExample, EXAMPLE_TIME);
    const authorization = parseAuthorizationHeader(example.headers.find(([n]) => n === 'Authorization')![1]);
    expect(context).toEqual({
      accessKeyId: examples.credentials.accessKeyId,
      signature: example.signature,
      signingKey: signingKey(examples.credentials.secretAccessKey, '20130524', 'us-east-1', 's3'),
      scope: '20130524/us-east-1/s3/aws4_request',
      amzDate: examples.amzDate,
      payloadHash: example.headers.find(([n]) => n === 'x-amz-content-sha256')![1],
    });
    const { path, query } = splitTarget(example.target);
    const canonical = canonicalRequest({
      method: example.method,
      path,
      query,
      rawHeaders: rawHeadersOf(example.headers),
      signedHeaders: authorization.signedHeaders,
      payloadHash: context.payloadHash,
    });
    expect(canonical).toBe(example.canonicalRequest);
    if (example.stringToSign) expect(stringToSign(context.amzDate, context.scope, canonical)).toBe(example.stringToSign);
    if (example.body !== undefined) expect(createHash('sha256').update(example.body).digest('hex')).toBe(context.payloadHash);
  });

  it('answers SignatureDoesNotMatch with the signed material only in debug mode', () => {
    const example = examples.header[0];
    const tampered = withHeaders(requestOf(example), setHeader('Range', 'bytes=0-10'));
    const quiet = thrownS3Error(() => verifyHeaderAuth(tampered, lookupExample, EXAMPLE_TIME));
    expect(quiet.code).toBe('SignatureDoesNotMatch');
    expect(quiet.status).toBe(403);
    expect(quiet.details).toEqual({ AWSAccessKeyId: examples.credentials.accessKeyId, SignatureProvided: example.signature });

    const loud = thrownS3Error(() => verifyHeaderAuth(tampered, lookupExample, EXAMPLE_TIME, { debug: true }));
    expect(loud.details.CanonicalRequest).toBe(example.canonicalRequest.replace('range:bytes=0-9', 'range:bytes=0-10'));
    expect(loud.details.StringToSign).toMatch(/^AWS4-HMAC-SHA256\n20130524T000000Z\n20130524\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    expect(loud.details.StringToSignBytes).toMatch(/^41 57 53 34 2d/);
    expect(Buffer.from(loud.details.CanonicalRequestBytes.replace(/ /g, ''), 'hex').toString()).toBe(loud.details.CanonicalRequest);
    expect(Object.keys(loud.details)).toEqual([
      'AWSAccessKeyId',
      'StringToSign',
      'SignatureProvided',
      'StringToSignBytes',
      'CanonicalRequest',
      'CanonicalRequestBytes',
    ]);
  });

  it('refuses a wrong secret, an unknown key, and no Authorization at all', () => {
    const request = requestOf(examples.header[0]);
    expect(thrownS3Error(() => verifyHeaderAuth(request, () => 'not-the-secret', EXAMPLE_TIME)).code).toBe('SignatureDoesNotMatch');
    const unknown = thrownS3Error(() => verifyHeaderAuth(request, () => undefined, EXAMPLE_TIME));
    expect(unknown).toMatchObject({ code: 'InvalidAccessKeyId', status: 403, details: { AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE' } });
    const anonymous = withHeaders(request, setHeader('Authorization', undefined));
    expect(thrownS3Error(() => verifyHeaderAuth(anonymous, lookupExample, EXAMPLE_TIME)).code).toBe('AccessDenied');
  });
});

describe('header auth: time', () => {
  const request = requestOf(examples.header[0]);

  it('allows 15 minutes of skew either way, and not a second more', () => {
    const fifteen = 15 * 60 * 1000;
    expect(() => verifyHeaderAuth(request, lookupExample, EXAMPLE_TIME + fifteen)).not.toThrow();
    expect(() => verifyHeaderAuth(request, lookupExample, new Date(EXAMPLE_TIME - fifteen))).not.toThrow();
    for (const now of [EXAMPLE_TIME + fifteen + 1000, EXAMPLE_TIME - fifteen - 1000]) {
      const error = thrownS3Error(() => verifyHeaderAuth(request, lookupExample, now));
      expect(error).toMatchObject({ code: 'RequestTimeTooSkewed', status: 403 });
      expect(error.details).toEqual({
        RequestTime: '20130524T000000Z',
        ServerTime: new Date(now).toISOString().replace('.000Z', 'Z'),
        MaxAllowedSkewMilliseconds: '900000',
      });
    }
    expect(() => verifyHeaderAuth(request, lookupExample, EXAMPLE_TIME + 3_600_000, { maxSkewMs: 3_600_000 })).not.toThrow();
  });

  it('requires a valid x-amz-date or Date (AccessDenied as S3)', () => {
    const message = 'AWS authentication requires a valid Date or x-amz-date header';
    const none = withHeaders(request, setHeader('x-amz-date', undefined));
    expect(thrownS3Error(() => verifyHeaderAuth(none, lookupExample, EXAMPLE_TIME))).toMatchObject({ code: 'AccessDenied', message });
    for (const bad of ['20130524', '2013-05-24T00:00:00Z', '20130532T000000Z', '20130524T250000Z', 'yesterday']) {
      const invalid = withHeaders(request, setHeader('x-amz-date', bad));
      expect(thrownS3Error(() => verifyHeaderAuth(invalid, lookupExample, EXAMPLE_TIME))).toMatchObject({ code: 'AccessDenied', message });
    }
  });

  it('takes the Date header when there is no x-amz-date, and signs its ISO 8601 form', () => {
    const headers: HeaderLine[] = [
      ['Host', 'examplebucket.s3.amazonaws.com'],
      ['Date', 'Fri, 24 May 2013 00:00:00 GMT'],
      ['x-amz-content-sha256', EMPTY_SHA256],
    ];
    const request = selfSigned({ headers, signed: ['date', 'host', 'x-amz-content-sha256'], date: '20130524', amzDate: '20130524T000000Z' });
    expect(verifyHeaderAuth(request, lookupExample, EXAMPLE_TIME).amzDate).toBe('20130524T000000Z');
    const skewed = thrownS3Error(() => verifyHeaderAuth(request, lookupExample, EXAMPLE_TIME + 3_600_000));
    expect(skewed.code).toBe('RequestTimeTooSkewed');
    expect(skewed.details.RequestTime).toBe('Fri, 24 May 2013 00:00:00 GMT');
  });

  it('wants the credential scope date to be the request date', () => {
    const request = selfSigned({
      headers: [
        ['Host', 'h'],
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-content-sha256', EMPTY_SHA256],
      ],
      signed: ['host', 'x-amz-content-sha256', 'x-amz-date'],
      date: '20130523',
      amzDate: '20130524T000000Z',
    });
    const error = thrownS3Error(() => verifyHeaderAuth(request, lookupExample, EXAMPLE_TIME));
    expect(error).toMatchObject({ code: 'AuthorizationHeaderMalformed', status: 400 });
    expect(error.message).toBe('The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.');
  });

  it('parses and formats ISO 8601 basic times', () => {
    expect(parseAmzDate('20130524T000000Z')).toBe(EXAMPLE_TIME);
    expect(parseAmzDate('20240229T235959Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseAmzDate('20230229T000000Z')).toBeUndefined();
    expect(formatAmzDate(EXAMPLE_TIME + 1234)).toBe('20130524T000001Z');
  });
});

describe('header auth: scope, headers, payload', () => {
  const base = () => requestOf(examples.header[0]);

  it('is for s3 only, in the configured region if there is one', () => {
    const iam = selfSigned({
      headers: [
        ['Host', 'h'],
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-content-sha256', EMPTY_SHA256],
      ],
      signed: ['host', 'x-amz-content-sha256', 'x-amz-date'],
      date: '20130524',
      amzDate: '20130524T000000Z',
      service: 'iam',
    });
    expect(thrownS3Error(() => verifyHeaderAuth(iam, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'AuthorizationHeaderMalformed',
      message: 'The authorization header is malformed; incorrect service "iam". This endpoint belongs to "s3".',
    });
    expect(() => verifyHeaderAuth(base(), lookupExample, EXAMPLE_TIME, { region: 'us-east-1' })).not.toThrow();
    expect(thrownS3Error(() => verifyHeaderAuth(base(), lookupExample, EXAMPLE_TIME, { region: 'eu-west-1' }))).toMatchObject({
      code: 'AuthorizationHeaderMalformed',
      message: "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
      details: { Region: 'eu-west-1' },
    });
  });

  it('refuses a malformed Authorization header', () => {
    for (const authorization of [
      'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=',
      'AWS4-HMAC-SHA256 Credential=x',
      'AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=xyz',
    ]) {
      const request = withHeaders(base(), setHeader('Authorization', authorization));
      expect(thrownS3Error(() => verifyHeaderAuth(request, lookupExample, EXAMPLE_TIME)).code).toBe('AuthorizationHeaderMalformed');
    }
  });

  it('wants host and every x-amz-* header signed (x-amz-content-sha256 is covered by the payload line anyway)', () => {
    const extra = withHeaders(base(), (headers) => [...headers, ['x-amz-meta-sneaky', 'yes'], ['X-Amz-Acl', 'public-read']]);
    expect(thrownS3Error(() => verifyHeaderAuth(extra, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: 'There were headers present in the request which were not signed',
      details: { HeadersNotSigned: 'x-amz-meta-sneaky, x-amz-acl' },
    });
    const noHost = selfSigned({
      headers: [
        ['Host', 'h'],
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-content-sha256', EMPTY_SHA256],
      ],
      signed: ['x-amz-content-sha256', 'x-amz-date'],
      date: '20130524',
      amzDate: '20130524T000000Z',
    });
    expect(thrownS3Error(() => verifyHeaderAuth(noHost, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'AccessDenied',
      details: { HeadersNotSigned: 'host' },
    });
    const unsignedSha = selfSigned({
      headers: [
        ['Host', 'h'],
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-content-sha256', EMPTY_SHA256],
      ],
      signed: ['host', 'x-amz-date'],
      date: '20130524',
      amzDate: '20130524T000000Z',
    });
    expect(verifyHeaderAuth(unsignedSha, lookupExample, EXAMPLE_TIME).payloadHash).toBe(EMPTY_SHA256);
    // Not x-amz-: headers outside the prefix may stay unsigned (user-agent, x-amzn-trace-id, ...).
    const loose = withHeaders(base(), (headers) => [...headers, ['User-Agent', 'curl'], ['X-Amzn-Trace-Id', 'Root=1']]);
    expect(() => verifyHeaderAuth(loose, lookupExample, EXAMPLE_TIME)).not.toThrow();
  });

  it('requires x-amz-content-sha256, with a value S3 knows', () => {
    const missing = withHeaders(base(), setHeader('x-amz-content-sha256', undefined));
    expect(thrownS3Error(() => verifyHeaderAuth(missing, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'InvalidRequest',
      message: 'Missing required header for this request: x-amz-content-sha256',
    });
    const bogus = withHeaders(base(), setHeader('x-amz-content-sha256', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'));
    expect(thrownS3Error(() => verifyHeaderAuth(bogus, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'InvalidArgument',
      details: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' },
    });
  });
});

describe('AWS S3 API reference example, presigned URL', () => {
  const example = examples.presigned[0];
  const request = requestOf(example);

  it('verifies, with UNSIGNED-PAYLOAD', () => {
    const context = verifyPresigned(request, lookupExample, EXAMPLE_TIME + 1000);
    expect(context).toMatchObject({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      signature: example.signature,
      amzDate: '20130524T000000Z',
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    expect(verifyRequest(request, lookupExample, EXAMPLE_TIME + 1000)).toEqual(context);
    const { path, query } = splitTarget(example.target);
    const canonical = canonicalRequest({
      method: 'GET',
      path,
      query,
      rawHeaders: request.rawHeaders,
      signedHeaders: ['host'],
      payloadHash: 'UNSIGNED-PAYLOAD',
      presigned: true,
    });
    expect(canonical).toBe(example.canonicalRequest);
    expect(stringToSign(context.amzDate, context.scope, canonical)).toBe(example.stringToSign);
  });

  it('is valid from X-Amz-Date (less the skew) through X-Amz-Date + X-Amz-Expires', () => {
    const day = 86_400_000;
    expect(() => verifyPresigned(request, lookupExample, EXAMPLE_TIME + day)).not.toThrow();
    const expired = thrownS3Error(() => verifyPresigned(request, lookupExample, EXAMPLE_TIME + day + 1000));
    expect(expired).toMatchObject({ code: 'AccessDenied', status: 403, message: 'Request has expired' });
    expect(expired.details).toEqual({ 'X-Amz-Expires': '86400', Expires: '2013-05-25T00:00:00Z', ServerTime: '2013-05-25T00:00:01Z' });
    expect(() => verifyPresigned(request, lookupExample, EXAMPLE_TIME - 14 * 60_000)).not.toThrow();
    const early = thrownS3Error(() => verifyPresigned(request, lookupExample, EXAMPLE_TIME - 16 * 60_000));
    expect(early).toMatchObject({ code: 'AccessDenied', message: 'Request is not yet valid' });
    expect(early.details).toEqual({ 'X-Amz-Date': String(EXAMPLE_TIME), Expires: '2013-05-25T00:00:00Z', ServerTime: '2013-05-23T23:44:00Z' });
  });

  it.each(['0', '-1', '-7777'])('treats X-Amz-Expires=%s as a URL that has expired: 403 AccessDenied "Request has expired"', (expires) => {
    const url = request.url.replace('X-Amz-Expires=86400', `X-Amz-Expires=${expires}`);
    expect(thrownS3Error(() => verifyPresigned({ ...request, url }, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
    });
  });

  it('refuses tampering with the path, the query, the method or the signature', () => {
    const tampered: SigV4Request[] = [
      { ...request, url: request.url.replace('/test.txt', '/test.txu') },
      { ...request, url: `${request.url}&extra=1` },
      { ...request, url: request.url.replace('X-Amz-Expires=86400', 'X-Amz-Expires=86401') },
      { ...request, method: 'PUT' },
      { ...request, url: request.url.replace(/.$/, '5') },
      withHeaders(request, setHeader('Host', 'otherbucket.s3.amazonaws.com')),
    ];
    for (const t of tampered) expect(thrownS3Error(() => verifyPresigned(t, lookupExample, EXAMPLE_TIME)).code).toBe('SignatureDoesNotMatch');
    expect(thrownS3Error(() => verifyPresigned(request, () => 'wrong', EXAMPLE_TIME)).code).toBe('SignatureDoesNotMatch');
    expect(thrownS3Error(() => verifyPresigned(request, () => undefined, EXAMPLE_TIME)).code).toBe('InvalidAccessKeyId');
  });

  it('answers query errors with AuthorizationQueryParametersError', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['X-Amz-Expires=86400', 'X-Amz-Expires=1.5', /X-Amz-Expires/],
      ['X-Amz-Expires=86400', 'X-Amz-Expires=604801', /X-Amz-Expires/],
      ['X-Amz-Date=20130524T000000Z', 'X-Amz-Date=20130524', /ISO8601 Long Format/],
      ['X-Amz-Date=20130524T000000Z', 'X-Amz-Date=20130525T000000Z', /Invalid credential date/],
      ['%2Fs3%2F', '%2Fiam%2F', /incorrect service "iam"/],
      ['X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-HMAC-SHA1', /X-Amz-Algorithm/],
      ['&X-Amz-SignedHeaders=host', '', /X-Amz-SignedHeaders/],
    ];
    for (const [from, to, message] of cases) {
      const error = thrownS3Error(() => verifyPresigned({ ...request, url: request.url.replace(from, to) }, lookupExample, EXAMPLE_TIME));
      expect(error.code).toBe('AuthorizationQueryParametersError');
      expect(error.status).toBe(400);
      expect(error.message).toMatch(message);
    }
  });

  it('takes the payload hash from X-Amz-Content-Sha256 when the URL has one', async () => {
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: examples.credentials,
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const bodyHash = createHash('sha256').update('exactly this body').digest('hex');
    const presign = async (payload: string) => {
      const signed = await signer.presign(
        new HttpRequest({ method: 'PUT', protocol: 'http:', hostname: 'h', path: '/b/k', headers: { host: 'h', 'X-Amz-Content-Sha256': payload } }),
        { signingDate: new Date(EXAMPLE_TIME), expiresIn: 60 },
      );
      return { method: 'PUT', url: `${signed.path}?${buildQueryString(signed.query ?? {})}`, rawHeaders: ['Host', 'h'] };
    };
    const hashed = await presign(bodyHash);
    expect(hashed.url).toContain(`X-Amz-Content-Sha256=${bodyHash}`);
    expect(verifyPresigned(hashed, lookupExample, EXAMPLE_TIME).payloadHash).toBe(bodyHash);
    const bogus = await presign('whatever');
    expect(thrownS3Error(() => verifyPresigned(bogus, lookupExample, EXAMPLE_TIME)).code).toBe('AuthorizationQueryParametersError');
  });

  it('hands out a copy of the cached signing key', () => {
    const context = verifyPresigned(request, lookupExample, EXAMPLE_TIME);
    context.signingKey.fill(0);
    expect(verifyPresigned(request, lookupExample, EXAMPLE_TIME).signingKey).toEqual(
      signingKey(examples.credentials.secretAccessKey, '20130524', 'us-east-1', 's3'),
    );
    expect(signingKey(examples.credentials.secretAccessKey, '20130524', 'us-east-1', 's3').equals(Buffer.alloc(32))).toBe(false);
  });

  it('wants every x-amz-* header the request carries to be signed, as header auth does', () => {
    const acl = withHeaders(request, (headers) => [...headers, ['x-amz-acl', 'public-read']]);
    expect(thrownS3Error(() => verifyPresigned(acl, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'AccessDenied',
      details: { HeadersNotSigned: 'x-amz-acl' },
    });
  });
});

describe('verifyRequest', () => {
  it('refuses anonymous requests and requests carrying both auth styles', () => {
    expect(thrownS3Error(() => verifyRequest({ method: 'GET', url: '/b/k', rawHeaders: ['Host', 'h'] }, lookupExample, EXAMPLE_TIME)).code).toBe(
      'AccessDenied',
    );
    const header = requestOf(examples.header[0]);
    const both = { ...header, url: `${header.url}?X-Amz-Algorithm=AWS4-HMAC-SHA256` };
    expect(thrownS3Error(() => verifyRequest(both, lookupExample, EXAMPLE_TIME))).toMatchObject({
      code: 'InvalidArgument',
      details: { ArgumentName: 'Authorization' },
    });
    expect(verifyRequest(header, lookupExample, EXAMPLE_TIME).signature).toBe(examples.header[0].signature);
  });
});

/** test/fixtures/sigv4/botocore-requests.json: what botocore (boto3, the aws CLI) really signs. */
describe('requests signed by botocore', () => {
  const fixture = botocoreRequests();
  const lookup = (id: string) => (id === fixture.accessKeyId ? fixture.secretAccessKey : undefined);

  it.each(fixture.cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const request = requestOf(c);
    const amzDate =
      c.style === 'presigned'
        ? new URLSearchParams(splitTarget(c.target).query).get('X-Amz-Date')!
        : c.headers.find(([n]) => n.toLowerCase() === 'x-amz-date')![1];
    const now = parseAmzDate(amzDate)!;
    const context = c.style === 'presigned' ? verifyPresigned(request, lookup, now) : verifyHeaderAuth(request, lookup, now);
    expect(verifyRequest(request, lookup, now)).toEqual(context);
    const body = Buffer.from(c.bodyBase64, 'base64');
    if (payloadMode(context.payloadHash) === 'sha256') expect(createHash('sha256').update(body).digest('hex')).toBe(context.payloadHash);
    const moved = { ...request, url: request.url.replace('/bucket', '/bucket2') };
    expect(thrownS3Error(() => (c.style === 'presigned' ? verifyPresigned(moved, lookup, now) : verifyHeaderAuth(moved, lookup, now))).code).toBe(
      'SignatureDoesNotMatch',
    );
  });
});

/** @aws-sdk/client-s3, signing for real; its transport replaced by one that records the request as it would be sent. */
describe('requests signed by @aws-sdk/client-s3', () => {
  const credentials = { accessKeyId: 'AKIDJSSDK', secretAccessKey: 'js/sdk+secret' };
  const lookup = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
  const sent: Array<{ request: SigV4Request; body: Buffer }> = [];
  const client = new S3Client({
    region: 'eu-central-1',
    endpoint: 'http://127.0.0.1:8080/s3',
    forcePathStyle: true,
    credentials,
    requestHandler: {
      async handle(request: HttpRequest) {
        const query = buildQueryString(request.query ?? {});
        const chunks: Buffer[] = [];
        const body = request.body as unknown;
        if (body instanceof Readable) for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
        else if (typeof body === 'string' || body instanceof Uint8Array) chunks.push(Buffer.from(body));
        sent.push({
          request: { method: request.method, url: query ? `${request.path}?${query}` : request.path, rawHeaders: Object.entries(request.headers).flat() },
          body: Buffer.concat(chunks),
        });
        const xml =
          request.query?.uploads !== undefined
            ? '<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>'
            : '<ListBucketResult/>';
        return { response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([Buffer.from(xml)]) }) };
      },
    },
  });

  afterAll(() => client.destroy());

  const keys = [
    'plain',
    'a+b c',
    "a!b'c(d)e*f~g",
    'dir/sub dir/ü ñ 日本語',
    'literal%2Fpercent',
    'dir/',
    'a//b',
    '../x/./y',
    'q?a=b&c=d#f',
    'emoji 😀 \u00a0',
    'back\\slash',
  ];

  async function lastSent(send: () => Promise<unknown>) {
    sent.length = 0;
    await send().catch(() => undefined);
    expect(sent).toHaveLength(1);
    return sent[0];
  }

  function verifyAtItsTime(request: SigV4Request) {
    const amzDate = request.rawHeaders[request.rawHeaders.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'x-amz-date') + 1];
    return verifyHeaderAuth(request, lookup, parseAmzDate(amzDate), { region: 'eu-central-1' });
  }

  it.each(keys)('PutObject and GetObject of %j', async (key) => {
    const put = await lastSent(() =>
      client.send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: 'hello', Metadata: { spaced: '  a   b  ' }, ContentType: 'text/plain' })),
    );
    const context = verifyAtItsTime(put.request);
    expect(createHash('sha256').update(put.body).digest('hex')).toBe(context.payloadHash);
    const get = await lastSent(() => client.send(new GetObjectCommand({ Bucket: 'bucket', Key: key, Range: 'bytes=0-1' })));
    expect(verifyAtItsTime(get.request).payloadHash).toBe(EMPTY_SHA256);
  });

  it('a streamed PutObject (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    const put = await lastSent(() =>
      client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'stream', Body: Readable.from([Buffer.from('hello stream')]), ContentLength: 12 })),
    );
    expect(verifyAtItsTime(put.request).payloadHash).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  });

  it('ListObjectsV2 with a tricky prefix, CreateMultipartUpload (?uploads), DeleteObjects (?delete)', async () => {
    for (const send of [
      () => client.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a b+c/ü&=?', Delimiter: '/', StartAfter: '', MaxKeys: 5 })),
      () => client.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: 'mpu key' })),
      () => client.send(new DeleteObjectsCommand({ Bucket: 'bucket', Delete: { Objects: [{ Key: 'a+b' }, { Key: 'ü' }] } })),
    ]) {
      const { request } = await lastSent(send);
      expect(() => verifyAtItsTime(request)).not.toThrow();
    }
  });
});
