import type { VersionId } from '../ais/store';
import { MAX_KEY_BYTES } from '../s3/address';
import { S3Error } from '../s3/errors';
import type { S3Request } from '../s3/s3-request';

export function bucketAndKey(request: S3Request): { bucket: string; key: string } {
  return { bucket: request.bucket as string, key: request.key as string };
}

export function assertValidKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', undefined, { Key: key.slice(0, 64) });
}

/** `?versionId=` of the request; an empty one is refused, as S3 does. */
export function requestedVersion(request: S3Request): VersionId | undefined {
  const versionId = request.query.versionId;
  if (versionId === undefined) return undefined;
  if (versionId === '') throw new S3Error('InvalidArgument', 'Version id cannot be the empty string', { ArgumentName: 'versionId' });
  return versionId;
}
