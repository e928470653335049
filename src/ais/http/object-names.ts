import { S3Error } from '../../s3/errors';

/** AIS stores an object as a file named after it: one path segment may not exceed the filesystem's 255 bytes. */
const MAX_SEGMENT_BYTES = 255;

/**
 * Why AIS cannot hold `key` under the same name, or undefined when it can. AIS object names are file paths
 * (docs/ais-native-api.md section 6): a trailing `/`, a `.` or `..` segment are refused, `//` (and a leading
 * `/`) silently collapse, and a segment over 255 bytes is stored under a hashed name that listing skips.
 */
export function unstorableReason(key: string): string | undefined {
  const segments = key.split('/');
  if (key.endsWith('/')) return 'it ends with "/" (AIS object names cannot be directory markers)';
  if (key.startsWith('/')) return 'it starts with "/" (AIS would drop the empty segment)';
  if (key.includes('//')) return 'it contains "//" (AIS would collapse it to "/")';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'it has a "." or ".." path segment (AIS refuses them)';
  if (segments.some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) {
    return `a "/"-separated segment is longer than ${MAX_SEGMENT_BYTES} bytes (AIS could not list it)`;
  }
  return undefined;
}

/**
 * Refuses keys the AIS backend cannot store unaltered, with InvalidArgument naming the reason. A reversible
 * mapping of such keys onto AIS names is future work; silently changing a key is never done.
 */
export function checkStorableKey(key: string): void {
  const reason = unstorableReason(key);
  if (reason !== undefined) {
    throw new S3Error('InvalidArgument', `The AIS backend cannot store this key: ${reason}`, { ArgumentName: 'key', ArgumentValue: key });
  }
}

/** `/v1/objects/<bucket>/<name>` with each segment percent-encoded (AIS decodes the path once). */
export function objectPath(bucket: string, key: string): string {
  return `/v1/objects/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function bucketPath(bucket: string): string {
  return `/v1/buckets/${encodeURIComponent(bucket)}`;
}
