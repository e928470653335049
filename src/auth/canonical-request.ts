/**
 * The SigV4 canonical request (AWS "Create a canonical request for Signature Version 4"), built from a
 * request exactly as the client sent it, the way S3 does:
 *
 *   METHOD \n canonical path \n canonical query \n canonical headers \n \n signed headers \n payload hash
 *
 * S3 paths are neither normalized (`.`, `..`, `//` stay) nor double-encoded: each `/`-separated segment
 * is percent-decoded to bytes and re-encoded with SigV4's UriEncode, so `+ ! ( ) * '`, unicode and an
 * encoded `%2F` inside a segment come out as every SDK signs them, however the client chose to escape
 * them on the wire. Pure functions, no I/O.
 */

/** The pieces of a request that a SigV4 signature covers. */
export interface CanonicalRequestInput {
  /** HTTP method as sent (node gives it upper-case). */
  method: string;
  /** The path as sent on the request line, still percent-encoded, without the query ('' is taken as '/'). */
  path: string;
  /** The query string as sent, without the '?' ('' when there is none). */
  query: string;
  /** node's `IncomingMessage.rawHeaders`: name, value, name, value, ... with repeated headers kept apart. */
  rawHeaders: readonly string[];
  /** The header names the client signed (SignedHeaders / X-Amz-SignedHeaders), in the client's order. */
  signedHeaders: readonly string[];
  /** The last line: the hex SHA-256 of the body, `UNSIGNED-PAYLOAD`, or a `STREAMING-*` marker. */
  payloadHash: string;
  /** Presigned URL: `X-Amz-Signature` is left out of the canonical query. */
  presigned?: boolean;
}

/** The query parameter carrying a presigned URL's signature, never part of what is signed. */
export const SIGNATURE_QUERY_PARAM = 'X-Amz-Signature';

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const HEX = '0123456789ABCDEF';

function isUnreservedByte(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** SigV4 UriEncode of bytes: everything but `A-Z a-z 0-9 - . _ ~` becomes `%XX` (upper-case hex). */
export function uriEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out += isUnreservedByte(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/** SigV4 UriEncode of a string's UTF-8 bytes (`/` included: encode path segments one by one). */
export function uriEncode(text: string): string {
  return UNRESERVED.test(text) ? text : uriEncodeBytes(Buffer.from(text, 'utf8'));
}

/**
 * Percent-decodes to bytes. `%XX` gives its byte, whether or not the bytes form valid UTF-8 (UriEncode
 * works on bytes, so none is lost); a `%` not followed by two hex digits stands for itself; other
 * characters give their UTF-8 bytes; with `plusIsSpace` (query strings, as S3 reads them) `+` is a space.
 */
export function percentDecode(text: string, plusIsSpace: boolean): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const high = code === 0x25 /* % */ && i + 2 < text.length ? hexValue(text.charCodeAt(i + 1)) : -1;
    const low = high >= 0 ? hexValue(text.charCodeAt(i + 2)) : -1;
    if (low >= 0) {
      bytes.push(high * 16 + low);
      i += 2;
    } else if (code === 0x2b /* + */ && plusIsSpace) {
      bytes.push(0x20);
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const byte of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(byte);
    }
  }
  return Buffer.from(bytes);
}

/** Decode then UriEncode: the canonical form of one path segment or query name/value. */
function recode(text: string, plusIsSpace: boolean): string {
  if (UNRESERVED.test(text)) return text;
  return uriEncodeBytes(percentDecode(text, plusIsSpace));
}

/** The canonical URI: every `/`-separated segment re-encoded, nothing normalized (S3 style). */
export function canonicalPath(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => recode(segment, false))
    .join('/');
}

/**
 * The canonical query string: each `name=value` pair decoded and UriEncoded (a bare `name` is `name=`),
 * sorted by encoded name, then by encoded value; empty pairs (`&&`) are skipped.
 */
export function canonicalQuery(query: string, presigned = false): string {
  if (query === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = recode(eq < 0 ? pair : pair.slice(0, eq), true);
    if (presigned && name === SIGNATURE_QUERY_PARAM) continue;
    pairs.push([name, eq < 0 ? '' : recode(pair.slice(eq + 1), true)]);
  }
  // Encoded names and values are ASCII, so code-unit order is byte order.
  pairs.sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** headerValues() of each request's rawHeaders: a verification needs them three times. Never modified. */
const headerValuesOf = new WeakMap<readonly string[], ReadonlyMap<string, readonly string[]>>();

/** Every value of every header, by lower-case name, in arrival order. */
export function headerValues(rawHeaders: readonly string[]): ReadonlyMap<string, readonly string[]> {
  const known = headerValuesOf.get(rawHeaders);
  if (known !== undefined) return known;
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const list = values.get(name);
    if (list === undefined) values.set(name, [rawHeaders[i + 1]]);
    else list.push(rawHeaders[i + 1]);
  }
  headerValuesOf.set(rawHeaders, values);
  return values;
}

/**
 * node hands header bytes over as latin1 (one char per byte); a client signed the UTF-8 text they
 * encode. Re-decode them as UTF-8 when they are valid UTF-8; leave anything else as it came.
 */
function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex -- the ASCII range, control characters included, is what this tests for
  if (/^[\x00-\x7f]*$/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  // Valid UTF-8 exactly when decoding lost nothing (invalid sequences become U+FFFD, which re-encodes differently).
  return Buffer.from(text, 'utf8').equals(bytes) ? text : value;
}

/** A canonical header value: trimmed, inner runs of spaces/tabs (and folded line breaks) collapsed to one space. */
export function canonicalHeaderValue(value: string): string {
  return headerText(value)
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/**
 * The canonical headers block (one `name:value\n` line per signed header) and the signed headers line.
 * Repeated headers are joined with ',' in arrival order; a signed header the request lacks is empty.
 */
export function canonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): string {
  const values = headerValues(rawHeaders);
  let out = '';
  for (const signed of signedHeaders) {
    const name = signed.toLowerCase();
    out += `${name}:${(values.get(name) ?? []).map(canonicalHeaderValue).join(',')}\n`;
  }
  return out;
}

/** The full canonical request text (hash it as UTF-8). */
export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method,
    canonicalPath(input.path),
    canonicalQuery(input.query, input.presigned ?? false),
    canonicalHeaders(input.rawHeaders, input.signedHeaders),
    input.signedHeaders.map((name) => name.toLowerCase()).join(';'),
    input.payloadHash,
  ].join('\n');
}

/** Splits a request target (`/path?query`) into its raw path and raw query, as sent. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}
