/**
 * SigV4 verification for S3 requests: the `Authorization` header and presigned URLs (AWS S3 API reference,
 * "Authenticating Requests (AWS Signature Version 4)"). Pure: no NestJS, no I/O; the caller passes the
 * request as the client sent it, a secret lookup and the current time, and gets back the verified context
 * (what chunk signatures and payload checks build on) or an S3Error as S3 would answer.
 */
import { S3Error } from '../s3/errors';
import { parseQuery, type Query } from '../s3/query';
import { canonicalRequest, headerValues, splitTarget } from './canonical-request';
import { ALGORITHM, credentialScope, sha256Hex, sign, signaturesEqual, signingKey } from './signing-key';
import { isPresigned, parseAuthorizationHeader, parsePresignedQuery, type SigV4Credentials } from './sigv4-parse';
import { isValidPayloadHash, UNSIGNED_PAYLOAD } from './payload-hash';

/** A request as the client sent it. */
export interface SigV4Request {
  method: string;
  /** The request target exactly as sent (node's `req.url` before any rewrite): raw path and raw query. */
  url: string;
  /** node's `IncomingMessage.rawHeaders`. */
  rawHeaders: readonly string[];
  /** The query of `url` as parseQuery() reads it, when the caller has it already (saves parsing it again). */
  query?: Query;
}

function queryOf(request: SigV4Request): Query {
  return request.query ?? parseQuery(splitTarget(request.url).query);
}

/** The secret of an access key, or undefined if the key is unknown. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export interface VerifyOptions {
  /** Put StringToSign and CanonicalRequest (and their bytes) in SignatureDoesNotMatch errors. */
  debug?: boolean;
  /** When set, the credential scope's region must be this one (AuthorizationHeaderMalformed otherwise). */
  region?: string;
  /** Allowed clock skew; 15 minutes as S3. */
  maxSkewMs?: number;
}

/** What a verified request establishes; chunk and trailer signatures are chained from it. */
export interface SigV4Context {
  accessKeyId: string;
  /** The request's signature (hex): the seed of a signed aws-chunked payload. */
  signature: string;
  signingKey: Buffer;
  /** `yyyymmdd/region/s3/aws4_request`. */
  scope: string;
  /** The request time as signed, ISO 8601 basic (`20130524T000000Z`). */
  amzDate: string;
  /** The canonical request's last line: x-amz-content-sha256, or UNSIGNED-PAYLOAD for presigned URLs. */
  payloadHash: string;
}

export const SERVICE = 's3';
export const MAX_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The last time parsed: the requests of one second (and every use of one presigned URL) carry the same. */
let lastAmzDate: { value: string; time: number | undefined } = { value: '', time: undefined };

/** Milliseconds since the epoch of an ISO 8601 basic time (`20130524T000000Z`), or undefined if it is not one. */
export function parseAmzDate(value: string): number | undefined {
  if (value !== lastAmzDate.value) lastAmzDate = { value, time: parseAmzDateOnce(value) };
  return lastAmzDate.time;
}

function parseAmzDateOnce(value: string): number | undefined {
  const match = AMZ_DATE.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(time);
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return exact ? time : undefined;
}

/** `20130524T000000Z`. */
export function formatAmzDate(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `2013-05-24T00:00:00Z`, as S3 writes ServerTime and Expires. */
function isoSeconds(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An HTTP `Date` header (IMF-fixdate `Fri, 24 May 2013 00:00:00 GMT`, or the obsolete forms Date.parse knows). */
function parseHttpDate(value: string): number | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? parseAmzDate(value) : Math.floor(time / 1000) * 1000;
}

function first(headers: ReadonlyMap<string, readonly string[]>, name: string): string | undefined {
  return headers.get(name)?.[0];
}

function toMillis(now: number | Date): number {
  return typeof now === 'number' ? now : now.getTime();
}

function headerMalformed(detail: string, details?: Record<string, string>): S3Error {
  return new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, details);
}

function queryError(detail: string, details?: Record<string, string>): S3Error {
  return new S3Error('AuthorizationQueryParametersError', detail, details);
}

/** Service and (optionally) region of the credential scope, with the message S3 gives for each. */
function checkScope(credentials: SigV4Credentials, options: VerifyOptions, error: (detail: string, details?: Record<string, string>) => S3Error): void {
  if (credentials.service !== SERVICE) {
    throw error(`incorrect service "${credentials.service}". This endpoint belongs to "${SERVICE}".`);
  }
  if (options.region !== undefined && credentials.region !== options.region) {
    throw error(`the region '${credentials.region}' is wrong; expecting '${options.region}'`, { Region: options.region });
  }
}

function lookup(lookupSecret: SecretLookup, accessKeyId: string): string {
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  return secret;
}

/**
 * `host` must be signed, and so must every `x-amz-*` header the request carries (S3: AccessDenied, "There
 * were headers present in the request which were not signed", with HeadersNotSigned). x-amz-content-sha256
 * is exempt: its value is the canonical request's last line, so it is covered either way.
 */
function checkSignedHeaders(headers: ReadonlyMap<string, readonly string[]>, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders.map((name) => name.toLowerCase()));
  const unsigned: string[] = [];
  if (!signed.has('host')) unsigned.push('host');
  for (const name of headers.keys()) {
    if (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256' && !signed.has(name)) unsigned.push(name);
  }
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
  }
}

/** `AWS4-HMAC-SHA256 \n time \n scope \n hex(sha256(canonical request))`. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

function spacedHex(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

/** SignatureDoesNotMatch as S3 words it; the signed material only with `debug`. */
export function signatureMismatch(accessKeyId: string, provided: string, toSign: string, canonical: string | undefined, debug: boolean): S3Error {
  const details: Record<string, string> = { AWSAccessKeyId: accessKeyId };
  if (debug) details.StringToSign = toSign;
  details.SignatureProvided = provided;
  if (debug) {
    details.StringToSignBytes = spacedHex(toSign);
    if (canonical !== undefined) {
      details.CanonicalRequest = canonical;
      details.CanonicalRequestBytes = spacedHex(canonical);
    }
  }
  return new S3Error('SignatureDoesNotMatch', undefined, details);
}

interface Signed {
  request: SigV4Request;
  credentials: SigV4Credentials;
  secret: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
}

/** Rebuilds the signature and compares it in constant time. */
function verifySignature(signed: Signed, options: VerifyOptions): SigV4Context {
  const { request, credentials, amzDate, payloadHash, presigned } = signed;
  const { path, query } = splitTarget(request.url);
  const canonical = canonicalRequest({
    method: request.method,
    path,
    query,
    rawHeaders: request.rawHeaders,
    signedHeaders: credentials.signedHeaders,
    payloadHash,
    presigned,
  });
  const scope = credentialScope(credentials.date, credentials.region, credentials.service);
  const toSign = stringToSign(amzDate, scope, canonical);
  const key = signingKey(signed.secret, credentials.date, credentials.region, credentials.service);
  if (!signaturesEqual(sign(key, toSign), credentials.signature)) {
    throw signatureMismatch(credentials.accessKeyId, credentials.signature, toSign, canonical, options.debug ?? false);
  }
  // A copy: the cached key must not be reachable for modification through a request's context.
  return { accessKeyId: credentials.accessKeyId, signature: credentials.signature, signingKey: Buffer.from(key), scope, amzDate, payloadHash };
}

/**
 * Verifies `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
 * The time is x-amz-date, or the Date header when there is none; x-amz-content-sha256 is required.
 */
export function verifyHeaderAuth(
  request: SigV4Request,
  lookupSecret: SecretLookup,
  now: number | Date = Date.now(),
  options: VerifyOptions = {},
): SigV4Context {
  const headers = headerValues(request.rawHeaders);
  const authorization = first(headers, 'authorization');
  if (authorization === undefined) throw new S3Error('AccessDenied');
  const credentials = parseAuthorizationHeader(authorization);
  checkScope(credentials, options, headerMalformed);

  const xAmzDate = first(headers, 'x-amz-date');
  const httpDate = first(headers, 'date');
  const requestTime = xAmzDate !== undefined ? parseAmzDate(xAmzDate) : httpDate !== undefined ? parseHttpDate(httpDate) : undefined;
  if (requestTime === undefined) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const amzDate = xAmzDate ?? formatAmzDate(requestTime);
  if (credentials.date !== amzDate.slice(0, 8)) throw headerMalformed('Invalid credential date. Date is not the same as X-Amz-Date.');

  const payloadHash = first(headers, 'x-amz-content-sha256');
  if (payloadHash === undefined) throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  if (!isValidPayloadHash(payloadHash)) {
    throw new S3Error(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    );
  }

  const secret = lookup(lookupSecret, credentials.accessKeyId);
  const serverTime = toMillis(now);
  if (Math.abs(serverTime - requestTime) > (options.maxSkewMs ?? MAX_SKEW_MS)) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: xAmzDate ?? httpDate!,
      ServerTime: isoSeconds(serverTime),
      MaxAllowedSkewMilliseconds: String(options.maxSkewMs ?? MAX_SKEW_MS),
    });
  }
  checkSignedHeaders(headers, credentials.signedHeaders);
  return verifySignature({ request, credentials, secret, amzDate, payloadHash, presigned: false }, options);
}

/**
 * Verifies a presigned URL (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
 * `X-Amz-SignedHeaders`, `X-Amz-Signature` in the query). Valid from X-Amz-Date (less the allowed skew)
 * through X-Amz-Date + X-Amz-Expires; the payload is UNSIGNED-PAYLOAD unless the URL says otherwise
 * in an `X-Amz-Content-Sha256` parameter.
 */
export function verifyPresigned(request: SigV4Request, lookupSecret: SecretLookup, now: number | Date = Date.now(), options: VerifyOptions = {}): SigV4Context {
  const params = queryOf(request);
  const credentials = parsePresignedQuery(params);
  checkScope(credentials, options, (detail, details) => queryError(`Error parsing the X-Amz-Credential parameter; ${detail}`, details));

  const requestTime = parseAmzDate(credentials.amzDate);
  if (requestTime === undefined) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  if (credentials.date !== credentials.amzDate.slice(0, 8)) throw queryError('Invalid credential date. Date is not the same as X-Amz-Date.');

  const secret = lookup(lookupSecret, credentials.accessKeyId);
  const serverTime = toMillis(now);
  const expiresAt = requestTime + credentials.expires * 1000;
  if (requestTime - serverTime > (options.maxSkewMs ?? MAX_SKEW_MS)) {
    throw new S3Error('AccessDenied', 'Request is not yet valid', {
      'X-Amz-Date': String(requestTime),
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(serverTime),
    });
  }
  // X-Amz-Expires of 0 or less: expired the moment it was signed.
  if (credentials.expires <= 0 || serverTime > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(credentials.expires),
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(serverTime),
    });
  }
  checkSignedHeaders(headerValues(request.rawHeaders), credentials.signedHeaders);
  const payloadHash = params['X-Amz-Content-Sha256'] ?? UNSIGNED_PAYLOAD;
  if (!isValidPayloadHash(payloadHash)) throw queryError('X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.');
  return verifySignature({ request, credentials, secret, amzDate: credentials.amzDate, payloadHash, presigned: true }, options);
}

/**
 * Either SigV4 style, as the request carries it; neither is AccessDenied (no anonymous access), both at
 * once is InvalidArgument as S3 answers it. SigV2 (`Authorization: AWS key:sig`, `?AWSAccessKeyId=...
 * &Signature=...`) is sigv2.ts's job: route those there first, or the header parser refuses them here.
 */
export function verifyRequest(request: SigV4Request, lookupSecret: SecretLookup, now: number | Date = Date.now(), options: VerifyOptions = {}): SigV4Context {
  const hasHeader = headerValues(request.rawHeaders).has('authorization');
  const presigned = isPresigned(queryOf(request));
  if (hasHeader && presigned) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization' },
    );
  }
  if (hasHeader) return verifyHeaderAuth(request, lookupSecret, now, options);
  if (presigned) return verifyPresigned(request, lookupSecret, now, options);
  throw new S3Error('AccessDenied');
}
