/**
 * How each kind of target is spoken to: S3 (the gateway, s3rver, AIS's /s3, and the ceiling, which takes
 * S3-shaped paths without auth) or AIS's native REST API. Pure request builders: no I/O here.
 */
import { createHash } from 'node:crypto';
import { type AccessKey, objectPath, presignedPath, signedHeaders } from './sigv4';

export interface Endpoint {
  origin: string;
  dialect: 's3' | 'ais';
  /** S3 path prefix (`/s3` for the gateway and AIS, '' for s3rver and the ceiling). */
  prefix: string;
  /** Requests are SigV4-signed with this key; none: sent unsigned. */
  key?: AccessKey;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function hostOf(endpoint: Endpoint): string {
  return new URL(endpoint.origin).host;
}

function s3Request(endpoint: Endpoint, method: string, path: string, query = '', headers: Record<string, string> = {}): HttpRequest {
  const target = query ? `${path}?${query}` : path;
  if (endpoint.key === undefined) return { method, path: target, headers };
  return { method, path: target, headers: signedHeaders(endpoint.key, { method, host: hostOf(endpoint), path, query, headers }) };
}

/** An object call; for AIS-native endpoints it goes to the proxy, which redirects it to the owning target. */
export function objectRequest(endpoint: Endpoint, method: string, bucket: string, key: string, headers: Record<string, string> = {}): HttpRequest {
  if (endpoint.dialect === 'ais') return { method, path: `/v1/objects/${bucket}/${encodeKey(key)}?provider=ais`, headers };
  return s3Request(endpoint, method, objectPath(endpoint.prefix, bucket, key), '', headers);
}

/** A path that can be sent again and again as it is (wrk): presigned when the endpoint signs. */
export function repeatablePath(endpoint: Endpoint, method: string, bucket: string, key: string): string {
  const path = objectPath(endpoint.prefix, bucket, key);
  return endpoint.key ? presignedPath(endpoint.key, method, hostOf(endpoint), path) : path;
}

export function createBucketRequest(endpoint: Endpoint, bucket: string): HttpRequest {
  if (endpoint.dialect === 'ais') {
    // The props of a bucket made through the gateway (MD5 checksums, versioning off): AIS's defaults turn versioning
    // on, which the gateway reads as S3 versioning Enabled (a version id made on every PUT and checked on every read).
    const body = JSON.stringify({ action: 'create-bck', value: { checksum: { type: 'md5' }, versioning: { enabled: false } } });
    return { method: 'POST', path: `/v1/buckets/${bucket}?provider=ais`, headers: { 'content-type': 'application/json' }, body };
  }
  return s3Request(endpoint, 'PUT', `${endpoint.prefix}/${bucket}`);
}

/** A PUT of a bucket's `?<subresource>` configuration document, with the Content-MD5 S3 requires for it. */
export function bucketConfigurationRequest(endpoint: Endpoint, bucket: string, subresource: string, xml: string): HttpRequest {
  const headers = { 'content-md5': createHash('md5').update(xml).digest('base64') };
  return { ...s3Request(endpoint, 'PUT', `${endpoint.prefix}/${bucket}`, subresource, headers), body: xml };
}

/** One page of up to 1000 keys: ListObjectsV2, or AIS's list action (a GET with a JSON body). */
export function listRequest(endpoint: Endpoint, bucket: string, page: { token?: string; startAfter?: string }): HttpRequest {
  if (endpoint.dialect === 'ais') {
    const value: Record<string, unknown> = { pagesize: 1000, props: 'name,size' };
    if (page.token) value.continuation_token = page.token;
    else if (page.startAfter) value.start_after = page.startAfter;
    return {
      method: 'GET',
      path: `/v1/buckets/${bucket}?provider=ais`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'list', value }),
    };
  }
  const params = [
    ['list-type', '2'],
    ['max-keys', '1000'],
  ];
  if (page.token) params.push(['continuation-token', page.token]);
  else if (page.startAfter) params.push(['start-after', page.startAfter]);
  const query = params
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return s3Request(endpoint, 'GET', `${endpoint.prefix}/${bucket}`, query);
}

/** The next page's token from a list answer, and how many keys the page held. */
export function parseListPage(endpoint: Endpoint, text: string): { keys: number; token?: string } {
  if (endpoint.dialect === 'ais') {
    const page = JSON.parse(text) as { entries: unknown[] | null; continuation_token?: string };
    return { keys: page.entries?.length ?? 0, token: page.continuation_token || undefined };
  }
  const keys = text.split('<Key>').length - 1;
  const token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text)?.[1];
  return { keys, token: token ? token.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>') : undefined };
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** DeleteObjects (Quiet) with the Content-MD5 S3 requires. */
export function deleteObjectsRequest(endpoint: Endpoint, bucket: string, keys: string[]): HttpRequest {
  const body = `<Delete><Quiet>true</Quiet>${keys.map((key) => `<Object><Key>${xmlEscape(key)}</Key></Object>`).join('')}</Delete>`;
  const md5 = createHash('md5').update(body).digest('base64');
  return { ...s3Request(endpoint, 'POST', `${endpoint.prefix}/${bucket}`, 'delete', { 'content-md5': md5, 'content-type': 'application/xml' }), body };
}
