import { createHash, randomBytes } from 'node:crypto';
import { S3Error } from '../../s3/errors';
import { NULL_VERSION, type VersionId } from '../store';

/**
 * S3 version ids on the AIS backend. AIS's own object version is a counter that starts again at 1 when an
 * object is deleted and recreated (and that the gateway's PUTs leave at 1, objects.ts says why), so S3 clients
 * comparing ids could not trust it. The gateway makes the id when it writes into a versioning-enabled bucket
 * and keeps it in the object's custom metadata (`x-amz-version-id`).
 *
 * An id is 16 random characters followed by an 8-character tag of the bucket and key it was written under.
 * AIS's own copy (`object_to`) carries custom metadata to another name: the tag keeps such a copy from
 * claiming its source's version, so it reads as unversioned (`null`) until it is written through the gateway.
 */
const RANDOM_BYTES = 12;
const TAG_BYTES = 6;
const RANDOM_CHARS = (RANDOM_BYTES / 3) * 4;
export const VERSION_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;

function nameTag(bucket: string, key: string): string {
  return createHash('sha256').update(bucket).update('\0').update(key).digest().subarray(0, TAG_BYTES).toString('base64url');
}

export function newVersionId(bucket: string, key: string): VersionId {
  return randomBytes(RANDOM_BYTES).toString('base64url') + nameTag(bucket, key);
}

/** Whether `value` is a version id the gateway wrote for this very bucket and key. */
export function isVersionIdOf(value: string | undefined, bucket: string, key: string): value is VersionId {
  return value !== undefined && VERSION_ID_PATTERN.test(value) && value.slice(RANDOM_CHARS) === nameTag(bucket, key);
}

/** Throws 400 InvalidArgument, as S3 answers a malformed version id, for an id the gateway could never have given. */
export function assertVersionIdShape(versionId: VersionId | undefined): void {
  if (versionId === undefined || versionId === NULL_VERSION || VERSION_ID_PATTERN.test(versionId)) return;
  throw new S3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
}
