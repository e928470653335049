import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectAccess } from '../../ais/store';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import { type AclContext, grantsOfHeaders, hasAclHeaders } from './acl-request';
import { isPrivate } from './grants';
import { type ObjectOwnership, objectOwnerFor } from './ownership';

/** Whether the ACL headers are none, or only what BucketOwnerEnforced still accepts (bucket-owner-full-control). */
export function enforcedAccepts(headers: IncomingHttpHeaders): boolean {
  if (!hasAclHeaders(headers)) return true;
  return headerValue(headers, 'x-amz-acl') === 'bucket-owner-full-control' && Object.keys(headers).every((name) => !name.startsWith('x-amz-grant-'));
}

/**
 * The owner and ACL of an object a PutObject, CopyObject or CreateMultipartUpload writes: the writer and the
 * request's canned ACL or grants (nothing kept for private), or the bucket owner where the bucket's Object
 * Ownership says so; under BucketOwnerEnforced any ACL but bucket-owner-full-control is
 * AccessControlListNotSupported. The bucket owner writing without ACL headers owns the object, private, whatever
 * the setting says: `ownership` is not asked then, so the owner's plain PUT reads no setting.
 */
export async function objectAccessForWrite(
  headers: IncomingHttpHeaders,
  writer: string,
  bucketOwner: string,
  ownership: () => Promise<ObjectOwnership | undefined>,
  context: (owner: string) => AclContext,
): Promise<ObjectAccess> {
  if (writer === bucketOwner && !hasAclHeaders(headers)) return { owner: writer };
  const setting = await ownership();
  if (setting === 'BucketOwnerEnforced') {
    if (!enforcedAccepts(headers)) throw new S3Error('AccessControlListNotSupported');
    return { owner: bucketOwner };
  }
  const owner = objectOwnerFor(setting, writer, bucketOwner, headerValue(headers, 'x-amz-acl') === 'bucket-owner-full-control');
  const grants = grantsOfHeaders(headers, context(owner));
  return { owner, grants: grants === undefined || isPrivate(grants, owner) ? undefined : grants };
}
