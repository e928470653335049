/**
 * fast-check fuzzing of hostile input against a real gateway on the pass's backend: request paths and keys,
 * query strings, headers (Range, x-amz-*, SigV4 Authorization, duplicates, non-ASCII), XML bodies (deep nesting,
 * DOCTYPE and entities), aws-chunked framing, POST Object forms, and with signatures verified, SigV2 headers and
 * SigV2/SigV4 presigned queries.
 * Requests go out as raw bytes over TCP, so nothing is cleaned up on the way.
 * Every case gets an answer within 10 s that is not a 500: an S3 `<Error>` document, a success, or Node's own
 * 400/431 for what is not HTTP at all; and no entity is ever expanded. FAULTS_FUZZ_RUNS cases per property.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type RunningGateway, startGateway } from '../support/gateway';
import { s3ClientFor } from '../support/s3-client';
import { expectS3Error } from '../support/s3-errors';
import { envCount } from './support/random';

const RUNS = envCount('FAULTS_FUZZ_RUNS', 1000);
const BUCKET = 'fuzz';
const ANSWER_MS = 10_000;

let gateway: RunningGateway;
let hostPort: string;

beforeAll(async () => {
  gateway = await startGateway();
  hostPort = new URL(gateway.origin).host;
  const created = await send({ method: 'PUT', target: `/s3/${BUCKET}` });
  expect(created.status).toBe(200);
  expect((await send({ method: 'PUT', target: `/s3/${BUCKET}/existing`, body: Buffer.from('kept') })).status).toBe(200);
});

afterAll(async () => {
  await gateway.stop();
});

interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

interface RawRequest {
  method: string;
  /** The request target as raw bytes (latin1): anything, including what no client library would send. */
  target: string;
  headers?: Array<[string, string]>;
  body?: Buffer;
}

/** One request on its own connection (to `origin`, by default the parse-mode gateway); resolves with the answer once the server closes. */
function send(request: RawRequest, origin?: string): Promise<RawAnswer> {
  const host = origin === undefined ? hostPort : new URL(origin).host;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(host.split(':')[1]) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_MS} ms to ${JSON.stringify(request.method)} ${JSON.stringify(request.target)}`));
    }, ANSWER_MS);
    const finish = (): void => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      const head = split < 0 ? all : all.slice(0, split);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? '' : all.slice(split + 4) });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('error', () => finish());
    const body = request.body ?? Buffer.alloc(0);
    const headers: Array<[string, string]> = [['host', host], ['connection', 'close'], ...(request.headers ?? [])];
    if (request.body !== undefined) headers.push(['content-length', String(body.length)]);
    const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
    // Not end(): a client that half-closes has gone away, for Node's HTTP server (it aborts the request).
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/** What every answer must be: not a 500, and an error answer with a body is an S3 `<Error>` with a Code. */
function expectWellFormed(answer: RawAnswer, request: RawRequest): void {
  const context = `${request.method} ${JSON.stringify(request.target)} -> ${answer.head.split('\r\n')[0]} ${answer.body.slice(0, 300)}`;
  expect({ context, status: answer.status >= 100 }).toEqual({ context, status: true });
  expect({ context, internalError: answer.status === 500 }).toEqual({ context, internalError: false });
  if (answer.status >= 400 && answer.body !== '' && /content-type: application\/xml/i.test(answer.head)) {
    expect({ context, code: /<Error><Code>[A-Za-z]+<\/Code>/.test(answer.body) }).toEqual({ context, code: true });
  }
}

const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '',
    '%2e%2e',
    '%2F',
    '%00',
    '%ff',
    '%c0%af',
    '%e2%82',
    '%',
    '%zz',
    '\u0000',
    '\u00ff',
    ' ',
    '?',
    '#',
    '%20',
    '~',
    'a'.repeat(1025),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => Buffer.from(text, 'utf8').toString('latin1')),
  fc.string({ maxLength: 20 }),
);

const keyPath = fc.array(hostileSegment, { minLength: 0, maxLength: 5 }).map((segments) => segments.join('/'));

const queryName = fc.oneof(
  fc.constantFrom(
    'list-type',
    'prefix',
    'delimiter',
    'max-keys',
    'marker',
    'continuation-token',
    'start-after',
    'encoding-type',
    'versionId',
    'uploadId',
    'partNumber',
    'uploads',
    'versions',
    'versioning',
    'cors',
    'acl',
    'attributes',
    'delete',
    'location',
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Signature',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
  ),
  fc.string({ maxLength: 10 }),
);
const queryValue = fc.oneof(
  fc.constantFrom('', '-1', '0', '1001', '99999999999999999999', '%00', '%ff', 'url', '2', 'null', '../x'),
  fc.string({ maxLength: 30 }),
);
const queryString = fc
  .array(fc.tuple(queryName, queryValue, fc.boolean()), { maxLength: 5 })
  .map((pairs) => pairs.map(([name, value, bare]) => (bare ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${value}`)).join('&'));

const headerValue = fc.oneof(
  fc.constantFrom(
    '',
    'bytes=',
    'bytes=-',
    'bytes=5-1',
    'bytes=0-0,2-3',
    'bytes=99999999999999999999-',
    'bytes=-0',
    'items=0-1',
    '\u00e9\u00ff',
    'x'.repeat(9000),
  ),
  fc.string({ maxLength: 60 }).map((text) => text.replace(/[\r\n]/g, ' ')),
);
const headerName = fc.constantFrom(
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'content-md5',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-copy-source',
  'x-amz-copy-source-range',
  'x-amz-checksum-crc32',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-trailer',
  'x-amz-decoded-content-length',
  'x-amz-meta-a',
  'x-amz-object-attributes',
  'x-amz-expected-bucket-owner',
  'content-encoding',
  'expect',
);
const authorization = fc.oneof(
  fc.constantFrom(
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 Credential=',
    'AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=zz',
    'AWS4-HMAC-SHA256 Credential=AK/x/y, SignedHeaders=, Signature=',
    'AWS AK:',
    'AWS :sig',
    'Bearer x',
  ),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
    .map(([credential, signed, signature]) =>
      `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signed}, Signature=${signature}`.replace(/[\r\n]/g, ' '),
    ),
);

const method = fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'POST');

it(`paths, keys and query strings (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(method, fc.boolean(), keyPath, queryString, async (verb, inBucket, path, query) => {
      const target = `/s3/${inBucket ? `${BUCKET}/` : ''}${path}${query === '' ? '' : `?${query}`}`;
      const request: RawRequest = { method: verb, target, body: verb === 'PUT' || verb === 'POST' ? Buffer.from('x') : undefined };
      expectWellFormed(await send(request), request);
    }),
    { numRuns: RUNS },
  );
});

it(`headers: Range, conditionals, x-amz-*, SigV4 Authorization, duplicates and non-ASCII (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      method,
      fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
      fc.option(authorization, { nil: undefined }),
      async (verb, headers, auth) => {
        const all: Array<[string, string]> = [...headers, ...(auth === undefined ? [] : ([['authorization', auth]] as Array<[string, string]>))];
        // Reads fuzz an object that exists; writes another, so the XML test can check `existing` was left alone.
        const key = verb === 'GET' || verb === 'HEAD' ? 'existing' : 'fuzzed';
        const request: RawRequest = { method: verb, target: `/s3/${BUCKET}/${key}`, headers: all, body: verb === 'PUT' ? Buffer.from('x') : undefined };
        expectWellFormed(await send(request), request);
      },
    ),
    { numRuns: RUNS },
  );
});

const ENTITY_TEXT = 'ENTITY-WAS-EXPANDED';
const xmlBody = fc.oneof(
  fc.constant(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "${ENTITY_TEXT}">]><Delete><Object><Key>&e;</Key></Object></Delete>`),
  fc.constant(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>`),
  fc.constant(
    `<!DOCTYPE l [<!ENTITY a "${ENTITY_TEXT}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><CORSConfiguration><CORSRule><AllowedOrigin>&b;</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
  ),
  fc.integer({ min: 1, max: 5000 }).map((depth) => `<Delete>${'<Object>'.repeat(depth)}${'</Object>'.repeat(depth)}</Delete>`),
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        '<Delete>',
        '</Delete>',
        '<Object>',
        '</Object>',
        '<Key>',
        '</Key>',
        'k',
        '<Quiet>true</Quiet>',
        '<![CDATA[x]]>',
        '<!-- c -->',
        '&amp;',
        '&#0;',
        '&#x110000;',
        '<?pi?>',
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => parts.join('')),
);
const xmlTarget = fc.constantFrom(
  `/s3/${BUCKET}?delete`,
  `/s3/${BUCKET}?cors`,
  `/s3/${BUCKET}?versioning`,
  `/s3/${BUCKET}/k?uploadId=x`,
  `/s3/${BUCKET}?acl`,
  `/s3/${BUCKET}`,
);

it(`XML bodies: deep nesting, DOCTYPE and entities, broken documents (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(xmlTarget, fc.constantFrom('POST', 'PUT'), xmlBody, async (target, verb, xml) => {
      const body = Buffer.from(xml, 'utf8');
      // DeleteObjects needs an integrity header; the fuzz wants the XML read, so it gets one.
      const headers: Array<[string, string]> = [['content-md5', createHash('md5').update(body).digest('base64')]];
      const request: RawRequest = { method: verb, target, headers, body };
      const answer = await send(request);
      expectWellFormed(answer, request);
      expect(answer.body).not.toContain(ENTITY_TEXT);
      expect(answer.body).not.toContain('root:');
    }),
    { numRuns: RUNS },
  );
  // Nothing the fuzz sent removed the object it could name, or made it unreadable.
  const kept = await send({ method: 'GET', target: `/s3/${BUCKET}/existing` });
  expect({ status: kept.status, body: kept.body }).toEqual({ status: 200, body: 'kept' });
});

/** Whether the object `key` of the fuzz bucket exists, and its size. */
async function storedSize(key: string, origin = gateway.origin): Promise<number | undefined> {
  const answer = await send({ method: 'HEAD', target: `/s3/${BUCKET}/${key}` }, origin);
  if (answer.status === 404) return undefined;
  expect(answer.status).toBe(200);
  return Number(/content-length: (\d+)/i.exec(answer.head)?.[1]);
}

const lineEnd = fc.constantFrom('\r\n', '\n', '', '\r');
const chunkSize = fc.oneof(
  fc.constantFrom('0', 'a', 'ffffffffffffffff', '-1', '', 'zz', '10000000', ' 5'),
  fc.nat(80).map((size) => size.toString(16)),
);
const chunkExtension = fc.constantFrom('', `;chunk-signature=${'0'.repeat(64)}`, ';chunk-signature=', ';x=y', ';');
const chunkData = fc.string({ maxLength: 80 }).map((text) => Buffer.from(text, 'utf8').toString('latin1'));
const chunkTrailer = fc.constantFrom(
  '',
  'x-amz-checksum-crc32:AAAAAA==\r\n',
  'x-amz-checksum-crc32:\r\n',
  'x-amz-checksum-sha256:not base64\r\n',
  'x-amz-trailer-signature:zz\r\n',
  'garbage\r\n',
  ':\r\n',
);
const awsChunkedBody = fc
  .tuple(fc.array(fc.tuple(chunkSize, chunkExtension, lineEnd, chunkData, lineEnd), { maxLength: 5 }), fc.boolean(), chunkTrailer, lineEnd)
  .map(
    ([chunks, final, trailer, end]) =>
      chunks.map(([size, extension, afterSize, data, afterData]) => `${size}${extension}${afterSize}${data}${afterData}`).join('') +
      (final ? `0\r\n${trailer}${end}` : ''),
  );

let fuzzedKeys = 0;

it(`aws-chunked framing: broken sizes, extensions, line ends and trailers store nothing or exactly the decoded length (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(
        'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'STREAMING-NONSENSE',
      ),
      fc.oneof(fc.constantFrom('0', '-1', 'x', '99999999999', ''), fc.nat(200).map(String)),
      fc.option(fc.constantFrom('x-amz-checksum-crc32', 'x-amz-checksum-sha256', 'x-amz-checksum-nonsense', ''), { nil: undefined }),
      awsChunkedBody,
      async (sha, decodedLength, trailer, framing) => {
        const key = `chunked-${fuzzedKeys++}`;
        const headers: Array<[string, string]> = [
          ['content-encoding', 'aws-chunked'],
          ['x-amz-content-sha256', sha],
          ['x-amz-decoded-content-length', decodedLength],
        ];
        if (trailer !== undefined) headers.push(['x-amz-trailer', trailer]);
        const request: RawRequest = { method: 'PUT', target: `/s3/${BUCKET}/${key}`, headers, body: Buffer.from(framing, 'latin1') };
        const answer = await send(request);
        expectWellFormed(answer, request);
        // Refused: nothing stored. Stored: exactly the length the client declared for the decoded body.
        expect({ key, status: answer.status, stored: await storedSize(key) }).toEqual({
          key,
          status: answer.status,
          stored: answer.status === 200 ? Number(decodedLength) : undefined,
        });
      },
    ),
    { numRuns: RUNS },
  );
});

const FORM_BOUNDARY = 'fuzzboundary';
const formFieldName = fc.constantFrom(
  'key',
  'policy',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-algorithm',
  'x-amz-date',
  'success_action_status',
  'success_action_redirect',
  'content-type',
  'x-amz-meta-a',
  'acl',
  'tagging',
  'AWSAccessKeyId',
  'signature',
  'file',
  '',
  'na"me',
);
const formFieldValue = fc.oneof(
  fc.constantFrom('', '${filename}', '../x', '\u0000', 'x'.repeat(5000), '201', '999', 'eyJ9', '<Tagging>'),
  fc.string({ maxLength: 40 }),
);
const formPart = fc.oneof(
  fc.tuple(formFieldName, formFieldValue).map(([name, value]) => `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  fc.constantFrom(
    `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n`,
    `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\nno end`,
    `--${FORM_BOUNDARY}\r\nContent-Disposition: attachment\r\n\r\nx\r\n`,
    `--${FORM_BOUNDARY}\r\n\r\n\r\n`,
    `--${FORM_BOUNDARY}--\r\n`,
    `--other\r\n`,
    '\r\n',
  ),
);

it(`POST Object forms: hostile fields, missing and repeated parts, broken framing store nothing unless answered as stored (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(formPart, { maxLength: 8 }), fc.boolean(), fc.constantFrom(FORM_BOUNDARY, '', 'x'), async (parts, closed, boundary) => {
      const key = `posted-${fuzzedKeys++}`;
      const keyField = `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\n\r\n${key}\r\n`;
      const body = Buffer.from(keyField + parts.join('') + (closed ? `--${FORM_BOUNDARY}--\r\n` : ''), 'utf8');
      const headers: Array<[string, string]> = [['content-type', `multipart/form-data; boundary=${boundary}`]];
      const request: RawRequest = { method: 'POST', target: `/s3/${BUCKET}`, headers, body };
      const answer = await send(request);
      expectWellFormed(answer, request);
      // A form the gateway refused stored nothing under the key it named first.
      if (answer.status >= 400) expect({ key, stored: await storedSize(key) }).toEqual({ key, stored: undefined });
    }),
    { numRuns: RUNS },
  );
});

describe('with signatures verified (S3_AUTH=verify)', () => {
  let verifying: RunningGateway;

  beforeAll(async () => {
    verifying = await startGateway({ S3_ACCESS_KEY_ID: 'AKFUZZ', S3_SECRET_ACCESS_KEY: 'fuzz-secret' });
    const s3 = s3ClientFor(verifying.endpoint, { credentials: { accessKeyId: 'AKFUZZ', secretAccessKey: 'fuzz-secret' } });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing', Body: 'kept' }));
    s3.destroy();
  });

  afterAll(async () => {
    await verifying.stop();
  });

  const accessKey = fc.constantFrom('AKFUZZ', '', 'AKOTHER', 'AK FUZZ', '\u00e9');
  const signature = fc.oneof(fc.constantFrom('', 'AAAA', '%2B%2F%3D', 'x'.repeat(300)), fc.string({ maxLength: 40 }).map(encodeURIComponent));
  const sigV2Header = fc
    .tuple(fc.constantFrom('AWS ', 'AWS', 'aws ', 'AWS  '), accessKey, fc.constantFrom(':', '', '::'), signature)
    .map(([scheme, key, colon, sig]) => `${scheme}${key}${colon}${decodeURIComponent(sig)}`.replace(/[\r\n]/g, ' '));
  const dateHeader = fc.constantFrom(new Date().toUTCString(), 'Thu, 01 Jan 1970 00:00:00 GMT', 'not a date', '', '99999999999');
  const expires = fc.constantFrom('', '0', '-1', '99999999999', 'x', String(Math.floor(Date.now() / 1000) + 600));
  const presignedV2 = fc
    .tuple(accessKey, expires, signature)
    .map(([key, when, sig]) => `AWSAccessKeyId=${encodeURIComponent(key)}&Expires=${when}&Signature=${sig}`);
  const presignedV4 = fc
    .tuple(
      fc.constantFrom('AWS4-HMAC-SHA256', '', 'AWS4-HMAC-SHA1'),
      fc.constantFrom('AKFUZZ/20260101/us-east-1/s3/aws4_request', 'AKFUZZ', '', 'AKFUZZ/x/y/z/w', 'AKOTHER/20260101/us-east-1/s3/aws4_request'),
      fc.constantFrom('20260101T000000Z', '', 'yesterday', '99991231T235959Z'),
      fc.constantFrom('0', '-5', '604801', 'x', '3600', ''),
      fc.constantFrom('host', '', 'host;x-amz-date', ';;'),
      signature,
    )
    .map(
      ([algorithm, credential, date, lifetime, signed, sig]) =>
        `X-Amz-Algorithm=${algorithm}&X-Amz-Credential=${encodeURIComponent(credential)}&X-Amz-Date=${date}&X-Amz-Expires=${lifetime}&X-Amz-SignedHeaders=${encodeURIComponent(signed)}&X-Amz-Signature=${sig}`,
    );

  it(`SigV2 headers and SigV2/SigV4 presigned queries with hostile parts are refused with an S3 error, changing nothing (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'HEAD'),
        fc.oneof(
          fc.tuple(sigV2Header, dateHeader).map(([auth, date]) => ({
            headers: [
              ['authorization', auth],
              ['date', date],
            ] as Array<[string, string]>,
            query: '',
          })),
          presignedV2.map((query) => ({ headers: [] as Array<[string, string]>, query })),
          presignedV4.map((query) => ({ headers: [] as Array<[string, string]>, query })),
        ),
        async (verb, { headers, query }) => {
          const key = verb === 'GET' || verb === 'HEAD' ? 'existing' : 'existing-or-fuzzed';
          const request: RawRequest = { method: verb, target: `/s3/${BUCKET}/${key}?${query}`, headers, body: verb === 'PUT' ? Buffer.from('x') : undefined };
          const answer = await send(request, verifying.origin);
          expectWellFormed(answer, request);
          // No signature here can be right: every case is refused, as a client error.
          expect({ request: `${verb} ${query} ${JSON.stringify(headers)}`, status: answer.status >= 400 && answer.status < 500 }).toEqual({
            request: `${verb} ${query} ${JSON.stringify(headers)}`,
            status: true,
          });
        },
      ),
      { numRuns: RUNS },
    );
    const s3 = s3ClientFor(verifying.endpoint, { credentials: { accessKeyId: 'AKFUZZ', secretAccessKey: 'fuzz-secret' } });
    const kept = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'existing' }));
    expect(await kept.Body!.transformToString()).toBe('kept');
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'existing-or-fuzzed' })), 'NoSuchKey', 404);
    s3.destroy();
  });
});
