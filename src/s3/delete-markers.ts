import { S3Error } from './errors';

/**
 * The answers S3 gives when a read meets a delete marker. Both carry `x-amz-delete-marker: true` and the marker's
 * version id, which is how clients (and `aws s3api head-object`) tell "deleted" from "never existed".
 */

/** GET or HEAD without a version id of a key whose latest version is a delete marker: 404 NoSuchKey. */
export function latestIsDeleteMarker(key: string, markerVersionId: string): S3Error {
  return new S3Error('NoSuchKey', undefined, { Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': markerVersionId });
}

/** A delete marker asked for by its version id: 405 MethodNotAllowed, with the marker's Last-Modified. */
export function deleteMarkerAddressed(markerVersionId: string, lastModified: Date): S3Error {
  return new S3Error(
    'MethodNotAllowed',
    undefined,
    { ResourceType: 'DeleteMarker' },
    { 'x-amz-delete-marker': 'true', 'x-amz-version-id': markerVersionId, 'last-modified': lastModified.toUTCString(), allow: 'DELETE' },
  );
}

/** Whether `err` is deleteMarkerAddressed's answer (a copy from a marker is refused differently). */
export function isDeleteMarkerAddressed(err: unknown): boolean {
  return err instanceof S3Error && err.code === 'MethodNotAllowed' && err.headers['x-amz-delete-marker'] === 'true';
}
