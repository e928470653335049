import type { IncomingHttpHeaders } from 'node:http';
import { type Checksums, type ContentHeaders, NULL_VERSION, type ObjectAttributes, type ObjectInfo, type ObjectLock } from '../ais/store';
import { storedContentEncoding } from './body';
import { type ChecksumAlgorithm, checksumHeader } from './checksum';
import { S3Error } from './errors';
import type { S3Response } from './response';

const META_PREFIX = 'x-amz-meta-';
/** S3 limits user-defined metadata to 2 KB (names and values, UTF-8). */
const MAX_USER_METADATA_BYTES = 2 * 1024;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Content-Type, -Encoding, -Disposition, -Language, Cache-Control and Expires as S3 keeps them. */
export function contentHeadersOf(headers: IncomingHttpHeaders): ContentHeaders {
  const content: ContentHeaders = {};
  const set = (field: keyof ContentHeaders, value: string | undefined): void => {
    if (value !== undefined && value !== '') content[field] = value;
  };
  set('contentType', single(headers, 'content-type'));
  set('contentEncoding', storedContentEncoding(headers));
  set('contentDisposition', single(headers, 'content-disposition'));
  set('contentLanguage', single(headers, 'content-language'));
  set('cacheControl', single(headers, 'cache-control'));
  set('expires', single(headers, 'expires'));
  return content;
}

export function userMetadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(META_PREFIX)) continue;
    const key = name.slice(META_PREFIX.length);
    const value = single(headers, name) ?? '';
    metadata[key] = value;
    // Node hands header bytes over as latin1 (one char per byte): the length in latin1 is the length of the UTF-8
    // the client sent, which is what S3 counts. The value is kept as it came, so GET and HEAD return the same bytes.
    bytes += key.length + Buffer.byteLength(value, 'latin1');
  }
  if (bytes > MAX_USER_METADATA_BYTES) throw new S3Error('MetadataTooLarge');
  return metadata;
}

export function attributesOf(headers: IncomingHttpHeaders): ObjectAttributes {
  return { content: contentHeadersOf(headers), userMetadata: userMetadataOf(headers) };
}

export function quotedEtag(etag: string): string {
  return `"${etag}"`;
}

/** An ETag as clients send it (quoted or not) as the store keeps it. */
export function unquotedEtag(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

/** The ETag and verified checksums a write answers with (PutObject, UploadPart, copies). */
export function integrityHeaders(etag: string, checksums: Checksums): NonNullable<S3Response['headers']> {
  const headers: NonNullable<S3Response['headers']> = { etag: quotedEtag(etag) };
  for (const [algorithm, value] of Object.entries(checksums)) headers[checksumHeader(algorithm as ChecksumAlgorithm)] = value;
  return headers;
}

/** Headers of a GET or HEAD answer (S3 GetObject "Response syntax"). */
export function objectResponseHeaders(info: ObjectInfo, withChecksums: boolean): NonNullable<S3Response['headers']> {
  const out: NonNullable<S3Response['headers']> = {
    etag: quotedEtag(info.etag),
    'last-modified': info.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': info.content.contentType ?? 'binary/octet-stream',
    'content-encoding': info.content.contentEncoding,
    'content-disposition': info.content.contentDisposition,
    'content-language': info.content.contentLanguage,
    'cache-control': info.content.cacheControl,
    expires: info.content.expires,
  };
  if (info.versionId !== NULL_VERSION) out['x-amz-version-id'] = info.versionId;
  if (info.partSizes !== undefined) out['x-amz-mp-parts-count'] = info.partSizes.length;
  if (info.tagCount !== undefined && info.tagCount > 0) out['x-amz-tagging-count'] = info.tagCount;
  if (info.lock !== undefined) addLockHeaders(out, info.lock);
  // for...in, not Object.entries: this runs on every GET and HEAD, mostly over empty objects.
  for (const name in info.userMetadata) out[META_PREFIX + name] = info.userMetadata[name];
  if (withChecksums) {
    let any = false;
    for (const algorithm in info.checksums) {
      out[checksumHeader(algorithm as ChecksumAlgorithm)] = info.checksums[algorithm as ChecksumAlgorithm];
      any = true;
    }
    if (any) out['x-amz-checksum-type'] = info.checksumType ?? 'FULL_OBJECT';
  }
  return out;
}

/** `x-amz-object-lock-mode`, `-retain-until-date` and `-legal-hold` of a GET or HEAD, as S3 answers a locked version. */
function addLockHeaders(out: NonNullable<S3Response['headers']>, lock: ObjectLock): void {
  if (lock.mode !== undefined && lock.retainUntil !== undefined) {
    out['x-amz-object-lock-mode'] = lock.mode;
    out['x-amz-object-lock-retain-until-date'] = new Date(lock.retainUntil).toISOString();
  }
  if (lock.legalHold !== undefined) out['x-amz-object-lock-legal-hold'] = lock.legalHold ? 'ON' : 'OFF';
}

/** S3 lets a GET override some response headers with `response-*` query parameters. */
export const RESPONSE_OVERRIDES: ReadonlyArray<readonly [param: string, header: string]> = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];
