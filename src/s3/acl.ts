import { S3Error } from './errors';
import type { Owner } from '../access/principal';
import { OWNER } from './owner';
import { type S3Response, xmlResponse } from './response';
import type { S3Request } from './s3-request';

/** Only the canned `private` ACL exists here: anything else would promise access control we do not do. */
export function assertPrivateAcl(request: Pick<S3Request, 'headers'>): void {
  const canned = request.headers['x-amz-acl'];
  const grants = Object.keys(request.headers).some((name) => name.startsWith('x-amz-grant-'));
  if ((canned !== undefined && canned !== 'private') || grants) {
    throw new S3Error('NotImplemented', 'Only the canned ACL "private" is supported.');
  }
}

/** The owner of `request`'s bucket as S3 shows it: the access check found it (`verify` mode), else the gateway's account. */
export function bucketOwnerOf(request: S3Request): Owner {
  return { ...(request.bucketOwner ?? OWNER) };
}

/** The only ACL there is: the owner (the bucket's, who owns every object in it) with FULL_CONTROL. */
export function privateAclResponse(owner: Owner): S3Response {
  return xmlResponse('AccessControlPolicy', {
    Owner: { ...owner },
    AccessControlList: {
      Grant: {
        Grantee: { _attributes: { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xsi:type': 'CanonicalUser' }, ...owner },
        Permission: 'FULL_CONTROL',
      },
    },
  });
}
