/**
 * SigV4 for the load generator, built on the gateway's own canonical-request and signing-key pieces:
 * signed headers for requests sent one by one, presigned URLs for requests repeated by wrk. Payloads are
 * `UNSIGNED-PAYLOAD`, so no target spends time hashing bodies for the signature.
 */
import { canonicalRequest, uriEncode } from '../src/auth/canonical-request';
import { ALGORITHM, credentialScope, sha256Hex, sign, signingKey } from '../src/auth/signing-key';

export interface AccessKey {
  id: string;
  secret: string;
}

export const REGION = 'us-east-1';
const SERVICE = 's3';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

function amzDate(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `/prefix/bucket/key` with each key segment encoded as SDKs encode it. */
export function objectPath(prefix: string, bucket: string, key = ''): string {
  return `${prefix}/${bucket}/${key.split('/').map(uriEncode).join('/')}`;
}

function signature(key: AccessKey, date: string, canonical: string): { scope: string; value: string } {
  const scope = credentialScope(date.slice(0, 8), REGION, SERVICE);
  const toSign = `${ALGORITHM}\n${date}\n${scope}\n${sha256Hex(canonical)}`;
  return { scope, value: sign(signingKey(key.secret, date.slice(0, 8), REGION, SERVICE), toSign) };
}

/**
 * Headers for one request (host included, so what is signed is what is sent). `path` is as sent
 * (percent-encoded), `query` without the `?`.
 */
export function signedHeaders(
  key: AccessKey,
  request: { method: string; host: string; path: string; query?: string; headers?: Record<string, string> },
  now = Date.now(),
): Record<string, string> {
  const date = amzDate(now);
  const headers: Record<string, string> = { host: request.host, 'x-amz-content-sha256': UNSIGNED_PAYLOAD, 'x-amz-date': date, ...request.headers };
  const names = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    query: request.query ?? '',
    rawHeaders: names.flatMap((name) => [name, headers[name]]),
    signedHeaders: names,
    payloadHash: UNSIGNED_PAYLOAD,
  });
  const { scope, value } = signature(key, date, canonical);
  headers.authorization = `${ALGORITHM} Credential=${key.id}/${scope}, SignedHeaders=${names.join(';')}, Signature=${value}`;
  return headers;
}

/** A presigned path+query (host signed) valid for `expiresSeconds`: wrk repeats it as it is. */
export function presignedPath(key: AccessKey, method: string, host: string, path: string, expiresSeconds = 6 * 3600, now = Date.now()): string {
  const date = amzDate(now);
  const params: Array<[string, string]> = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${key.id}/${credentialScope(date.slice(0, 8), REGION, SERVICE)}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const query = params.map(([name, value]) => `${name}=${uriEncode(value)}`).join('&');
  const canonical = canonicalRequest({
    method,
    path,
    query,
    rawHeaders: ['host', host],
    signedHeaders: ['host'],
    payloadHash: UNSIGNED_PAYLOAD,
    presigned: true,
  });
  return `${path}?${query}&X-Amz-Signature=${signature(key, date, canonical).value}`;
}
