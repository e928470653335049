import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/errors';

/**
 * AWS Signature Version 2 (S3 API reference, "Signing and authenticating REST requests"), still what
 * `aws s3 presign` (CLI v1), boto3's generate_presigned_url and s3cmd's `signature_v2` send by default.
 */

/** Query parameters that belong to the resource being signed; all others are left out of it. */
const SIGNED_SUBRESOURCES = new Set([
  'acl',
  'accelerate',
  'analytics',
  'cors',
  'delete',
  'inventory',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'partNumber',
  'policy',
  'requestPayment',
  'replication',
  'restore',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

export interface SigV2Request {
  method: string;
  headers: IncomingHttpHeaders;
  /** The resource paths the client may have signed: `/bucket/key` as sent, with and without the gateway's prefix. */
  resourcePaths: string[];
  /** The raw query string. */
  rawQuery: string;
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

function canonicalAmzHeaders(headers: IncomingHttpHeaders): string {
  return Object.keys(headers)
    .filter((name) => name.startsWith('x-amz-'))
    .sort()
    .map((name) => `${name}:${headerText(headers, name).replace(/\s+/g, ' ')}\n`)
    .join('');
}

function canonicalSubresources(rawQuery: string): string {
  const pairs = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      return { name, text: eq < 0 ? name : `${name}=${decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '))}` };
    })
    .filter(({ name }) => SIGNED_SUBRESOURCES.has(name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return pairs.length === 0 ? '' : `?${pairs.map((pair) => pair.text).join('&')}`;
}

export function stringToSignV2(request: SigV2Request, resourcePath: string, dateOrExpires: string): string {
  return [
    request.method,
    headerText(request.headers, 'content-md5'),
    headerText(request.headers, 'content-type'),
    dateOrExpires,
    canonicalAmzHeaders(request.headers) + resourcePath + canonicalSubresources(request.rawQuery),
  ].join('\n');
}

export function signV2(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

/** Constant-time comparison of two base64 signatures. */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function verifyAgainstResources(request: SigV2Request, secret: string, dateOrExpires: string, signature: string): void {
  const matches = request.resourcePaths.some((path) => sameSignature(signV2(secret, stringToSignV2(request, path, dateOrExpires)), signature));
  if (!matches) throw new S3Error('SignatureDoesNotMatch');
}

/** `Authorization: AWS AKID:signature`. */
export function parseV2Header(authorization: string): { accessKeyId: string; signature: string } {
  const match = /^AWS ([^:\s]+):(\S+)$/.exec(authorization);
  if (match === null) throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; expected "AWS ACCESSKEY:SIGNATURE".');
  return { accessKeyId: match[1], signature: match[2] };
}

export function verifyV2Header(request: SigV2Request, secret: string, signature: string, now: number, maxSkewMs: number): void {
  // With x-amz-date the Date line is empty and the time is signed among the x-amz-* headers.
  const signedDate = request.headers['x-amz-date'] !== undefined ? '' : headerText(request.headers, 'date');
  const time = Date.parse(headerText(request.headers, 'x-amz-date') || headerText(request.headers, 'date'));
  if (Number.isNaN(time)) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  if (Math.abs(now - time) > maxSkewMs) throw new S3Error('RequestTimeTooSkewed');
  verifyAgainstResources(request, secret, signedDate, signature);
}

/** Query authentication: `?AWSAccessKeyId=&Expires=&Signature=`. */
export function isPresignedV2(query: Readonly<Record<string, string>>): boolean {
  return 'AWSAccessKeyId' in query && 'Signature' in query;
}

export function verifyV2Presigned(request: SigV2Request, secret: string, query: Readonly<Record<string, string>>, now: number): void {
  const expires = query.Expires;
  if (expires === undefined || !/^\d+$/.test(expires)) throw new S3Error('AccessDenied', 'Query-string authentication requires the Expires parameter');
  if (Number(expires) * 1000 < now) throw new S3Error('AccessDenied', 'Request has expired');
  verifyAgainstResources(request, secret, expires, query.Signature);
}
