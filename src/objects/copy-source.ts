import type { VersionId } from '../ais/store';
import { S3Error } from '../s3/errors';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: VersionId;
}

/**
 * `x-amz-copy-source`: `BUCKET/KEY` or `/BUCKET/KEY`, URL-encoded, with an optional `?versionId=`
 * (S3 CopyObject, "Request syntax"). The key part is decoded once, so `%2F`, `+` and spaces come out right.
 */
export function parseCopySource(header: string): CopySource {
  const trimmed = header.startsWith('/') ? header.slice(1) : header;
  const q = trimmed.indexOf('?');
  const path = q < 0 ? trimmed : trimmed.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : trimmed.slice(q + 1));
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  }
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(path.slice(0, slash));
    key = decodeURIComponent(path.slice(slash + 1));
  } catch {
    throw new S3Error('InvalidArgument', 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source' });
  }
  const versionId = params.get('versionId') ?? undefined;
  if (versionId === '') throw new S3Error('InvalidArgument', 'Version id cannot be the empty string', { ArgumentName: 'x-amz-copy-source' });
  return { bucket, key, versionId };
}
