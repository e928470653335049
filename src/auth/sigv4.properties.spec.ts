/**
 * Properties against the reference signer: requests signed (and URLs presigned) by @smithy/signature-v4
 * configured as @aws-sdk/client-s3 and its presigner configure it (uriEscapePath: false, applyChecksum:
 * false), with random unicode keys, repeated and empty query parameters and random headers, verify; a
 * single changed character anywhere the signature covers makes them fail with SignatureDoesNotMatch.
 */
import { createHash } from 'node:crypto';
import { buildQueryString, extendedEncodeURIComponent, HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { NodeSha256 } from '../../test/fixtures/sigv4';
import { S3Error } from '../s3/errors';
import { canonicalPath } from './canonical-request';
import { formatAmzDate, type SigV4Request, verifyHeaderAuth, verifyPresigned } from './sigv4';

const HOST = '127.0.0.1:8080';
const PREFIX = '/s3/bucket/';

// ---- what a request is made of ----

const TRICKY = [...`+ !'()*~%/?#&=;,:@$\\"<>[]{}|^\`.-_`, 'ü', '日', '😀', '\u00a0', '\u0000', '\u007f', '\ufffd', '%2F', '%41', '..', '.'];
const keyChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'Z', '0') },
);
const keyArb = fc.string({ unit: keyChar, maxLength: 24 });
const textArb = fc.string({ unit: keyChar, maxLength: 10 });

const tokenArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
const queryNameArb = fc
  .oneof(tokenArb, fc.string({ unit: keyChar, minLength: 1, maxLength: 8 }))
  .filter((name) => !name.toLowerCase().startsWith('x-amz-') && name !== 'x-id');
/** Repeated names are arrays; values may be empty. */
const queryArb = fc
  .uniqueArray(fc.tuple(queryNameArb, fc.array(textArb, { minLength: 1, maxLength: 3 })), { selector: ([name]) => name, maxLength: 4 })
  .map((pairs) => Object.fromEntries(pairs.map(([name, values]) => [name, values.length === 1 ? values[0] : values])) as Record<string, string | string[]>);

/** Field-value characters: visible ASCII, space, tab, and unicode (sent as UTF-8); no controls. */
const headerChar = fc.oneof(
  fc.constantFrom(' ', ' ', '\t', ',', '"', 'ü', '日', '😀', '\u00a0', '\ufffd'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c >= ' ' && c !== '\u007f'),
  fc.constantFrom('a', 'B', '7'),
);
const headerValueArb = fc.string({ unit: headerChar, maxLength: 12 });
const reserved = new Set(['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'x-amz-user-agent']);
const headerNameArb = fc
  .tuple(fc.constantFrom('x-amz-meta-', 'x-amz-', 'x-custom-', ''), tokenArb)
  .map(([prefix, token]) => `${prefix}${token}`)
  .filter(
    (name) =>
      !reserved.has(name) &&
      !/^(host|authorization|date|expect|user-agent|content-length|transfer-encoding|connection|te|trailer|upgrade|keep-alive|proxy-|sec-|from|referer|pragma|cache-control|max-forwards|x-amzn-trace-id)/.test(
        name,
      ),
  );
/** Several values of one header travel as separate lines; they have no surrounding whitespace (node trims each line). */
const headersArb = fc.uniqueArray(
  fc.tuple(
    headerNameArb,
    fc.oneof(
      headerValueArb.map((v) => [v]),
      fc.array(
        headerValueArb.map((v) => v.replace(/^[ \t]+|[ \t]+$/g, '')),
        { minLength: 2, maxLength: 3 },
      ),
    ),
    fc.boolean(),
  ),
  { selector: ([name]) => name, maxLength: 4 },
);

const payloadArb = fc.oneof(
  fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'),
  fc.uint8Array({ maxLength: 64 }).map((body) => createHash('sha256').update(body).digest('hex')),
);
const credentialsArb = fc.record({
  accessKeyId: fc.stringMatching(/^[A-Z0-9]{4,20}$/),
  secretAccessKey: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
});
/** Whole seconds: SigV4 times have no fractions. */
const dateArb = fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }).map((s) => new Date(s * 1000));

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD'),
  key: keyArb,
  query: queryArb,
  headers: headersArb,
  payload: payloadArb,
  credentials: credentialsArb,
  region: fc.constantFrom('us-east-1', 'eu-central-1', 'auto', 'garage'),
  date: dateArb,
});
type Model = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

// ---- how clients put it on the wire ----

/** The key as @aws-sdk/client-s3 writes it into the path. */
const sdkEncode = (key: string) => key.split('/').map(extendedEncodeURIComponent).join('/');
/** Every byte but '/' escaped, lower-case hex. */
const escapeAll = (key: string) =>
  key
    .split('/')
    .map((s) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''))
    .join('/');
/** Only what must be escaped on a request line: sub-delims and friends left raw. */
const escapeMinimal = (key: string) =>
  key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%(21|24|26|27|28|29|2A|2B|2C|3A|3B|3D|40)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))))
    .join('/');

/** What node's parser hands over: each line's value without surrounding spaces/tabs, its UTF-8 bytes as latin1. */
const asReceived = (value: string) => Buffer.from(value.replace(/^[ \t]+|[ \t]+$/g, ''), 'utf8').toString('latin1');
const randomCase = (name: string, upper: boolean) => (upper ? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()) : name);

function smithySigner(model: Model): SignatureV4 {
  return new SignatureV4({
    service: 's3',
    region: model.region,
    credentials: model.credentials,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

interface Signed {
  request: SigV4Request;
  signature: string;
}

async function signWithSmithy(model: Model, encode = sdkEncode): Promise<Signed> {
  const headers: Record<string, string> = { host: HOST, 'x-amz-content-sha256': model.payload };
  for (const [name, values] of model.headers) headers[name] = values.join(',');
  const signed = await smithySigner(model).sign(
    new HttpRequest({
      method: model.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path: PREFIX + sdkEncode(model.key),
      query: model.query,
      headers,
    }),
    { signingDate: model.date },
  );
  const raw: string[] = [];
  for (const [name, value] of Object.entries(signed.headers)) {
    const custom = model.headers.find(([n]) => n === name);
    if (custom === undefined) raw.push(name, asReceived(value));
    else for (const v of custom[1]) raw.push(randomCase(name, custom[2]), asReceived(v));
  }
  const query = buildQueryString(model.query);
  const signature = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)![1];
  return { request: { method: model.method, url: `${PREFIX}${encode(model.key)}${query ? `?${query}` : ''}`, rawHeaders: raw }, signature };
}

const lookupFor = (model: Model) => (id: string) => (id === model.credentials.accessKeyId ? model.credentials.secretAccessKey : undefined);

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof S3Error) return err.code;
    throw err;
  }
}

/** A different character for position `at` of `text` (never whitespace, so no collapsing can hide it). */
function changeCharAt(text: string, at: number): string {
  const chars = [...text];
  const i = at % chars.length;
  chars[i] = chars[i] === 'Q' ? 'Z' : 'Q';
  return chars.join('');
}

const flipHex = (hex: string, at: number) => {
  const i = at % hex.length;
  return hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
};

describe('header auth against @smithy/signature-v4', () => {
  it('verifies whatever it signs, whichever way the client escapes the path', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.constantFrom(sdkEncode, escapeAll, escapeMinimal), async (model, encode) => {
        const { request, signature } = await signWithSmithy(model, encode);
        const context = verifyHeaderAuth(request, lookupFor(model), model.date);
        expect(context).toMatchObject({
          accessKeyId: model.credentials.accessKeyId,
          signature,
          amzDate: formatAmzDate(model.date.getTime()),
          payloadHash: model.payload,
        });
        expect(context.scope).toBe(`${formatAmzDate(model.date.getTime()).slice(0, 8)}/${model.region}/s3/aws4_request`);
      }),
      { numRuns: 300 },
    );
  });

  it('canonicalizes every escaping of a key alike', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        const expected = canonicalPath(sdkEncode(key));
        expect(canonicalPath(escapeAll(key))).toBe(expected);
        expect(canonicalPath(escapeMinimal(key))).toBe(expected);
        expect(canonicalPath(escapeAll(key).toUpperCase())).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('fails with SignatureDoesNotMatch when one character of the signature changes', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.nat(), async (model, at) => {
        const { request, signature } = await signWithSmithy(model);
        const rawHeaders = request.rawHeaders.map((v, i) =>
          i > 0 && request.rawHeaders[i - 1].toLowerCase() === 'authorization' ? v.replace(signature, flipHex(signature, at)) : v,
        );
        expect(errorCode(() => verifyHeaderAuth({ ...request, rawHeaders }, lookupFor(model), model.date))).toBe('SignatureDoesNotMatch');
      }),
    );
  });

  it('fails with SignatureDoesNotMatch when one character of a signed header value changes, or the header goes', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.nat(), fc.nat(), fc.boolean(), async (model, which, at, drop) => {
        const { request } = await signWithSmithy(model);
        const raw = [...request.rawHeaders];
        // host, or one of the random headers (one of its lines) that has something to change
        const candidates = raw
          .map((value, i) => ({ i, name: raw[i - 1]?.toLowerCase(), value }))
          .filter(({ i, name, value }) => i % 2 === 1 && (name === 'host' || model.headers.some(([n]) => n === name)) && /[^ \t]/.test(value));
        fc.pre(candidates.length > 0);
        const target = candidates[which % candidates.length];
        if (drop && target.name !== 'host') {
          // drop every line of that header: its canonical value becomes empty, which it was not
          const kept: string[] = [];
          for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() !== target.name) kept.push(raw[i], raw[i + 1]);
          raw.splice(0, raw.length, ...kept);
        } else {
          const text = Buffer.from(target.value, 'latin1').toString('utf8');
          const positions = [...text].map((c, i) => (/[ \t]/.test(c) ? -1 : i)).filter((i) => i >= 0);
          raw[target.i] = asReceived(changeCharAt(text, positions[at % positions.length]));
        }
        expect(errorCode(() => verifyHeaderAuth({ ...request, rawHeaders: raw }, lookupFor(model), model.date))).toBe('SignatureDoesNotMatch');
      }),
    );
  });

  it('fails with SignatureDoesNotMatch when one character of the key changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        requestArb.filter((m) => m.key.length > 0),
        fc.nat(),
        async (model, at) => {
          const { request } = await signWithSmithy(model);
          const changed = `${PREFIX}${sdkEncode(changeCharAt(model.key, at))}`;
          const url = changed + request.url.slice(PREFIX.length + sdkEncode(model.key).length);
          expect(errorCode(() => verifyHeaderAuth({ ...request, url }, lookupFor(model), model.date))).toBe('SignatureDoesNotMatch');
        },
      ),
    );
  });

  it('fails with SignatureDoesNotMatch when the query changes: a character of a name or value, a parameter added, dropped or repeated', async () => {
    const edit = fc.constantFrom('name', 'value', 'add', 'drop', 'repeat');
    await fc.assert(
      fc.asyncProperty(requestArb, edit, fc.nat(), fc.nat(), async (model, kind, which, at) => {
        const { request } = await signWithSmithy(model);
        const names = Object.keys(model.query);
        fc.pre(kind === 'add' || names.length > 0);
        const query: Record<string, string | string[]> = { ...model.query };
        const name = names[which % Math.max(names.length, 1)];
        if (kind === 'add') query[`added${which}`] = '';
        else if (kind === 'drop') delete query[name];
        else if (kind === 'repeat') query[name] = [...[query[name]].flat(), [query[name]].flat()[0]];
        else if (kind === 'name') {
          const value = query[name];
          delete query[name];
          const renamed = changeCharAt(name, at);
          query[renamed] = renamed in model.query ? [...[value].flat(), ...[model.query[renamed]].flat()] : value;
        } else {
          const values = [query[name]].flat();
          const i = at % values.length;
          values[i] = values[i] === '' ? 'Q' : changeCharAt(values[i], at);
          query[name] = values.length === 1 ? values[0] : values;
        }
        const qs = buildQueryString(query);
        const url = `${request.url.split('?')[0]}${qs ? `?${qs}` : ''}`;
        expect(errorCode(() => verifyHeaderAuth({ ...request, url }, lookupFor(model), model.date))).toBe('SignatureDoesNotMatch');
      }),
    );
  });

  it('fails with SignatureDoesNotMatch for another method', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (model) => {
        const { request } = await signWithSmithy(model);
        const method = model.method === 'GET' ? 'HEAD' : 'GET';
        expect(errorCode(() => verifyHeaderAuth({ ...request, method }, lookupFor(model), model.date))).toBe('SignatureDoesNotMatch');
      }),
    );
  });
});

// ---- presigned URLs, as @aws-sdk/s3-request-presigner makes them ----

const presignArb = fc.record({
  model: requestArb,
  expiresIn: fc.integer({ min: 1, max: 604800 }),
  /** When, within the URL's validity, it is used. */
  usedAt: fc.double({ min: 0, max: 1, noNaN: true }),
});

/**
 * What S3RequestPresigner.presign does before SignatureV4.presign (read from its source, the package is not
 * installed here): X-Amz-Content-Sha256: UNSIGNED-PAYLOAD (hoisted into the query with the other x-amz-*
 * headers), content-type never signed, host signed.
 */
async function presignWithSmithy(model: Model, expiresIn: number): Promise<Signed> {
  const headers: Record<string, string> = { host: HOST, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'text/plain' };
  const kept = model.headers.filter(([name]) => !name.startsWith('x-amz-'));
  for (const [name, values] of kept) headers[name] = values.join(',');
  const presigned = await smithySigner(model).presign(
    new HttpRequest({
      method: model.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path: PREFIX + sdkEncode(model.key),
      query: model.query,
      headers,
    }),
    { signingDate: model.date, expiresIn, unsignableHeaders: new Set(['content-type']) },
  );
  const raw = ['Host', HOST, 'Content-Type', 'text/plain'];
  for (const [name, values, upper] of kept) for (const v of values) raw.push(randomCase(name, upper), asReceived(v));
  const query = presigned.query as Record<string, string | string[]>;
  return {
    request: { method: model.method, url: `${presigned.path}?${buildQueryString(query)}`, rawHeaders: raw },
    signature: query['X-Amz-Signature'] as string,
  };
}

describe('presigned URLs against @smithy/signature-v4', () => {
  const usedTime = (model: Model, expiresIn: number, usedAt: number) => model.date.getTime() + Math.floor(usedAt * expiresIn) * 1000;

  it('verifies whatever it presigns, at any time within its validity', async () => {
    await fc.assert(
      fc.asyncProperty(presignArb, async ({ model, expiresIn, usedAt }) => {
        const { request, signature } = await presignWithSmithy(model, expiresIn);
        expect(request.url).toContain('X-Amz-Content-Sha256=UNSIGNED-PAYLOAD');
        const context = verifyPresigned(request, lookupFor(model), usedTime(model, expiresIn, usedAt));
        expect(context).toMatchObject({ accessKeyId: model.credentials.accessKeyId, signature, payloadHash: 'UNSIGNED-PAYLOAD' });
        const late = model.date.getTime() + expiresIn * 1000 + 1000;
        expect(errorCode(() => verifyPresigned(request, lookupFor(model), late))).toBe('AccessDenied');
      }),
      { numRuns: 200 },
    );
  });

  it('fails with SignatureDoesNotMatch when one character of the key, a query value, a signed header or the signature changes', async () => {
    await fc.assert(
      fc.asyncProperty(presignArb, fc.constantFrom('key', 'query', 'header', 'signature'), fc.nat(), async ({ model, expiresIn }, kind, at) => {
        const { request, signature } = await presignWithSmithy(model, expiresIn);
        const now = model.date.getTime();
        let tampered: SigV4Request;
        if (kind === 'key') {
          fc.pre(model.key.length > 0);
          tampered = { ...request, url: request.url.replace(`${PREFIX}${sdkEncode(model.key)}?`, `${PREFIX}${sdkEncode(changeCharAt(model.key, at))}?`) };
        } else if (kind === 'query') {
          // the presigned query itself: change its expiry (still valid) or one of the client's values
          const names = Object.keys(model.query);
          if (names.length === 0)
            tampered = { ...request, url: request.url.replace(`X-Amz-Expires=${expiresIn}`, `X-Amz-Expires=${expiresIn === 1 ? 2 : expiresIn - 1}`) };
          else {
            const name = names[at % names.length];
            const values = [model.query[name]].flat();
            values[0] = values[0] === '' ? 'Q' : changeCharAt(values[0], at);
            const query = { ...(Object.fromEntries(new URLSearchParams(request.url.split('?')[1]).entries()) as Record<string, string>) };
            const all: Record<string, string | string[]> = { ...model.query, [name]: values.length === 1 ? values[0] : values };
            for (const [k, v] of Object.entries(query)) if (k.startsWith('X-Amz-')) all[k] = v;
            tampered = { ...request, url: `${request.url.split('?')[0]}?${buildQueryString(all)}` };
          }
        } else if (kind === 'header') {
          const lines = request.rawHeaders
            .map((value, i) => ({ i, value }))
            .filter(({ i, value }) => i % 2 === 1 && request.rawHeaders[i - 1].toLowerCase() !== 'content-type' && /[^ \t]/.test(value));
          const target = lines[at % lines.length];
          const text = Buffer.from(target.value, 'latin1').toString('utf8');
          const positions = [...text].map((c, i) => (/[ \t]/.test(c) ? -1 : i)).filter((i) => i >= 0);
          const raw = [...request.rawHeaders];
          raw[target.i] = asReceived(changeCharAt(text, positions[at % positions.length]));
          tampered = { ...request, rawHeaders: raw };
        } else {
          tampered = { ...request, url: request.url.replace(`X-Amz-Signature=${signature}`, `X-Amz-Signature=${flipHex(signature, at)}`) };
        }
        expect(errorCode(() => verifyPresigned(tampered, lookupFor(model), now))).toBe('SignatureDoesNotMatch');
      }),
    );
  });
});
