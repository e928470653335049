import { S3Error } from './errors';
import { OWNER } from './owner';
import { type S3Response, xmlResponse } from './response';
import type { S3Request } from './s3-request';

/** Only the canned `private` ACL exists here: anything else would promise access control we do not do. */
export function assertPrivateAcl(request: S3Request): void {
  const canned = request.headers['x-amz-acl'];
  const grants = Object.keys(request.headers).some((name) => name.startsWith('x-amz-grant-'));
  if ((canned !== undefined && canned !== 'private') || grants) {
    throw new S3Error('NotImplemented', 'Only the canned ACL "private" is supported.');
  }
}

export function privateAclResponse(): S3Response {
  return xmlResponse('AccessControlPolicy', {
    Owner: { ...OWNER },
    AccessControlList: {
      Grant: {
        Grantee: { _attributes: { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xsi:type': 'CanonicalUser' }, ...OWNER },
        Permission: 'FULL_CONTROL',
      },
    },
  });
}
