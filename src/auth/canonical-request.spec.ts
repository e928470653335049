import { createHash } from 'node:crypto';
import { awsSigV4TestSuite, type SuiteCase, type SuiteVariant } from '../../test/fixtures/sigv4';
import {
  canonicalHeaders,
  canonicalHeaderValue,
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  percentDecode,
  splitTarget,
  uriEncode,
} from './canonical-request';
import { credentialScope, sign, signingKey } from './signing-key';
import { parseAuthorizationHeader } from './sigv4-parse';
import { stringToSign } from './sigv4';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('uriEncode', () => {
  it('keeps exactly the unreserved set and encodes every other UTF-8 byte in upper-case hex', () => {
    expect(uriEncode('AZaz09-._~')).toBe('AZaz09-._~');
    expect(uriEncode("a b+c!d'e(f)g*h/i")).toBe('a%20b%2Bc%21d%27e%28f%29g%2Ah%2Fi');
    expect(uriEncode('ü日😀')).toBe('%C3%BC%E6%97%A5%F0%9F%98%80');
    expect(uriEncode('%')).toBe('%25');
  });
});

describe('percentDecode', () => {
  it('decodes to bytes, keeping invalid UTF-8 and stray percent signs', () => {
    expect([...percentDecode('%ff%C3%bc', false)]).toEqual([0xff, 0xc3, 0xbc]);
    expect(percentDecode('100%', false).toString()).toBe('100%');
    expect(percentDecode('%zz%4', false).toString()).toBe('%zz%4');
    expect(percentDecode('a+b', false).toString()).toBe('a+b');
    expect(percentDecode('a+b', true).toString()).toBe('a b');
  });
});

describe('canonicalPath (S3: no normalization, no double encoding)', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/bucket/key', '/bucket/key'],
    // An SDK sends these encoded; a hand-rolled client may not: both canonicalize alike.
    ['/b/a%2Bb%20c', '/b/a%2Bb%20c'],
    ['/b/a+b c', '/b/a%2Bb%20c'],
    ["/b/a!b'c(d)e*f~g", '/b/a%21b%27c%28d%29e%2Af~g'],
    ['/b/a%21b%27c%28d%29e%2Af%7Eg', '/b/a%21b%27c%28d%29e%2Af~g'],
    // A literal "%2F" in a key travels as %252F; an encoded slash inside a segment stays encoded.
    ['/b/literal%252Fpercent', '/b/literal%252Fpercent'],
    ['/b/a%2Fb', '/b/a%2Fb'],
    ['/b/a%2fb', '/b/a%2Fb'],
    ['/b/%C3%BC/%E6%97%A5', '/b/%C3%BC/%E6%97%A5'],
    ['/b/dir/', '/b/dir/'],
    ['/b/a//b', '/b/a//b'],
    ['/b/../x/./y', '/b/../x/./y'],
    ['//example//', '//example//'],
    ['/b/semi;colon,comma:colon@at$dollar=eq', '/b/semi%3Bcolon%2Ccomma%3Acolon%40at%24dollar%3Deq'],
  ])('%s -> %s', (path, expected) => {
    expect(canonicalPath(path)).toBe(expected);
  });
});

describe('canonicalQuery', () => {
  it('turns a bare name into name=', () => {
    expect(canonicalQuery('uploads')).toBe('uploads=');
    expect(canonicalQuery('delete&')).toBe('delete=');
  });

  it('sorts by encoded name, then by encoded value (not by the whole pair)', () => {
    expect(canonicalQuery('Param-3=Value3&Param=Value2&%E1%88%B4=Value1')).toBe('%E1%88%B4=Value1&Param=Value2&Param-3=Value3');
    expect(canonicalQuery('b=2&a=z&a=y&a=&A=1')).toBe('A=1&a=&a=y&a=z&b=2');
  });

  it('re-encodes every name and value, reading + as a space as S3 does in queries', () => {
    expect(canonicalQuery('prefix=a+b%2Bc%2fd!&empty=&x=%7E')).toBe('empty=&prefix=a%20b%2Bc%2Fd%21&x=~');
    expect(canonicalQuery('k=%C3%BC')).toBe('k=%C3%BC');
  });

  it('drops X-Amz-Signature only for presigned URLs', () => {
    expect(canonicalQuery('X-Amz-Signature=abc&a=1', true)).toBe('a=1');
    expect(canonicalQuery('X-Amz-Signature=abc&a=1', false)).toBe('X-Amz-Signature=abc&a=1');
  });
});

describe('canonical headers', () => {
  it('trims, collapses inner whitespace and folded lines', () => {
    expect(canonicalHeaderValue('  a   b \t c  ')).toBe('a b c');
    expect(canonicalHeaderValue('value1\r\n  value2\r\n     value3')).toBe('value1 value2 value3');
    expect(canonicalHeaderValue('"a   b   c"')).toBe('"a b c"');
  });

  it('joins repeated headers with commas in arrival order, names lower-cased', () => {
    const raw = ['Host', 'h', 'My-Header1', 'value2', 'my-header1', ' value2 ', 'MY-HEADER1', 'value1'];
    expect(canonicalHeaders(raw, ['host', 'my-header1'])).toBe('host:h\nmy-header1:value2,value2,value1\n');
  });

  it('reads header bytes that node gives as latin1 back as the UTF-8 the client signed', () => {
    const utf8AsLatin1 = Buffer.from('café ü', 'utf8').toString('latin1');
    expect(canonicalHeaderValue(utf8AsLatin1)).toBe('café ü');
    // A lone latin1 byte (not UTF-8) stays what it is; a real U+FFFD survives.
    expect(canonicalHeaderValue('\u00fc')).toBe('\u00fc');
    expect(canonicalHeaderValue(Buffer.from('a\ufffdb', 'utf8').toString('latin1'))).toBe('a\ufffdb');
  });

  it('gives a signed header the request lacks an empty value', () => {
    expect(canonicalHeaders(['Host', 'h'], ['host', 'range'])).toBe('host:h\nrange:\n');
  });
});

describe('splitTarget', () => {
  it('splits at the first ?', () => {
    expect(splitTarget('/a/b?x=1&y=?')).toEqual({ path: '/a/b', query: 'x=1&y=?' });
    expect(splitTarget('/a')).toEqual({ path: '/a', query: '' });
  });
});

/**
 * The AWS SigV4 test suite (test/fixtures/sigv4/aws-sig-v4-test-suite.json): the cases S3's rules apply to
 * (paths neither normalized nor double-encoded), with header and with query (presigned) signatures.
 */
describe('AWS SigV4 test suite', () => {
  const suite = awsSigV4TestSuite();
  const cases = suite.cases.filter((c) => c.s3);

  function check(variant: SuiteVariant, context: SuiteCase['context'], presigned: boolean) {
    const { path, query } = splitTarget(variant.target);
    const rawHeaders = variant.headers.flatMap(([name, value]) => [name, value.replace(/\n/g, '\r\n')]);
    let signedHeaders: string[];
    let signature: string;
    let amzDate: string;
    let scope: string;
    if (presigned) {
      const params = new URLSearchParams(query);
      signedHeaders = params.get('X-Amz-SignedHeaders')!.split(';');
      signature = params.get('X-Amz-Signature')!;
      amzDate = params.get('X-Amz-Date')!;
      scope = params.get('X-Amz-Credential')!.split('/').slice(1).join('/');
    } else {
      const authorization = variant.headers.find(([name]) => name.toLowerCase() === 'authorization')![1];
      const parsed = parseAuthorizationHeader(authorization);
      signedHeaders = parsed.signedHeaders;
      signature = parsed.signature;
      amzDate = variant.headers.find(([name]) => name.toLowerCase() === 'x-amz-date')![1];
      scope = credentialScope(parsed.date, parsed.region, parsed.service);
    }
    const canonical = canonicalRequest({ method: variant.method, path, query, rawHeaders, signedHeaders, payloadHash: sha256(variant.body), presigned });
    expect(canonical).toBe(variant.canonicalRequest);
    const toSign = stringToSign(amzDate, scope, canonical);
    expect(toSign).toBe(variant.stringToSign);
    const [date, region, service] = scope.split('/');
    const key = signingKey(context.credentials.secret_access_key, date, region, service);
    expect(sign(key, toSign)).toBe(variant.signature);
    expect(signature).toBe(variant.signature);
  }

  it('covers the cases that apply to S3', () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'get-vanilla',
        'get-vanilla-query-order-key-case',
        'get-vanilla-query-order-encoded',
        'get-header-value-trim',
        'get-header-key-duplicate',
        'get-header-value-multiline',
        'get-utf8',
        'get-space-unnormalized',
        'get-slashes-unnormalized',
        'get-relative-relative-unnormalized',
        'post-x-www-form-urlencoded',
        'post-x-www-form-urlencoded-parameters',
        'post-sts-header-before',
      ]),
    );
    expect(cases).toHaveLength(32);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('header auth: canonical request, string to sign, signature', () => check(c.header, c.context, false));
    // Not for post-sts-header-after: its presigned form leaves the session token unsigned, which S3 never does.
    if (c.s3Query) it('query auth: canonical request, string to sign, signature', () => check(c.query, c.context, true));
  });

  it('the normalizing cases S3 does not follow canonicalize the S3 way instead', () => {
    const normalized = suite.cases.find((c) => c.name === 'get-slashes-normalized')!;
    const { path } = splitTarget(normalized.header.target);
    expect(canonicalPath(path)).toBe('//example//');
    expect(normalized.header.canonicalRequest.split('\n')[1]).toBe('/example/');
  });
});
