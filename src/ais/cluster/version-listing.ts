import { assertVersionIdShape } from './version-ids';
import type { ListObjectsPage, ListObjectsRequest, ListVersionsPage, ListVersionsRequest } from '../store';

/**
 * ListObjectVersions where AIS keeps each key's latest version only: a listing of the current objects, each its
 * key's one (latest) version. A version-id marker names a key's only version, so the page resumes after that key.
 */
export async function latestOnlyVersionsPage(
  listObjects: (request: ListObjectsRequest) => Promise<ListObjectsPage>,
  request: ListVersionsRequest,
): Promise<ListVersionsPage> {
  const { prefix, delimiter, keyMarker, maxKeys } = request;
  assertVersionIdShape(request.versionIdMarker);
  const page = await listObjects({ prefix, delimiter, maxKeys, startAfter: keyMarker === '' ? undefined : keyMarker });
  const last = page.objects.at(-1);
  return {
    versions: page.objects.map((object) => ({ ...object, deleteMarker: false, isLatest: true })),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
    nextKeyMarker: page.isTruncated ? page.lastEntry : undefined,
    nextVersionIdMarker: page.isTruncated && last !== undefined && last.key === page.lastEntry ? last.versionId : undefined,
  };
}
