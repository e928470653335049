import type { VersionId } from '../ais/store';
import { isDeleteMarkerAddressed } from '../s3/delete-markers';
import { S3Error } from '../s3/errors';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: VersionId;
}

const ENCODING_ERROR = (): S3Error => new S3Error('InvalidArgument', 'Invalid copy source encoding.', { ArgumentName: 'x-amz-copy-source' });

/**
 * Percent-decodes a part of the header as UTF-8. Node hands header bytes over as latin1, so bytes above 0x7f sent
 * unencoded are percent-encoded first and decode as the UTF-8 they are; bytes that are not valid UTF-8, raw or
 * percent-encoded (`%FF`), are refused as S3 refuses them.
 */
function decodePart(text: string): string {
  const escaped = /[\x80-\xff]/.test(text) ? text.replace(/[\x80-\xff]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`) : text;
  try {
    return decodeURIComponent(escaped);
  } catch {
    throw ENCODING_ERROR();
  }
}

/**
 * `x-amz-copy-source`: `BUCKET/KEY` or `/BUCKET/KEY`, URL-encoded, with an optional `?versionId=`
 * (S3 CopyObject, "Request syntax"). The key part is decoded once, so `%2F`, `+` and spaces come out right.
 */
export function parseCopySource(header: string): CopySource {
  const trimmed = header.startsWith('/') ? header.slice(1) : header;
  const q = trimmed.indexOf('?');
  const path = q < 0 ? trimmed : trimmed.slice(0, q);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  }
  const bucket = decodePart(path.slice(0, slash));
  const key = decodePart(path.slice(slash + 1));
  const versionId = q < 0 ? undefined : versionIdOf(trimmed.slice(q + 1));
  if (versionId === '') throw new S3Error('InvalidArgument', 'Version id cannot be the empty string', { ArgumentName: 'x-amz-copy-source' });
  return { bucket, key, versionId };
}

/** The first `versionId=` of the header's query, decoded as strictly as the path. */
function versionIdOf(query: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)) === 'versionId') return eq < 0 ? '' : decodePart(pair.slice(eq + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

/** A copy whose source version is a delete marker is 400 InvalidRequest in S3, where a GET of it is 405. */
export function copySourceFailure(err: unknown): never {
  if (isDeleteMarkerAddressed(err))
    throw new S3Error('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.');
  throw err;
}
