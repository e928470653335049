import type { Owner } from '../access/principal';
import { OWNER } from './owner';
import type { S3Request } from './s3-request';

/** The owner of `request`'s bucket as S3 shows it: the access check found it (`verify` mode), else the gateway's account. */
export function bucketOwnerOf(request: S3Request): Owner {
  return { ...(request.bucketOwner ?? OWNER) };
}
