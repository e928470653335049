import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { Principal } from './principal';

/**
 * What the one access decision looks at (README, "Access control"). Later slices add the bucket's ACL, its
 * policy and its public access block here; the decision stays one pure function of this input.
 */
export interface AccessRequest {
  principal: Principal;
  operation: S3Operation;
  /** The addressed bucket's owner (its canonical id), or `admins` for a bucket nobody owns; absent: no bucket addressed. */
  bucketOwner?: string;
  /** `x-amz-expected-bucket-owner`, when sent. */
  expectedBucketOwner?: string;
  /** CopyObject / UploadPartCopy: the source bucket's owner, as bucketOwner. */
  sourceBucketOwner?: string;
  /** `x-amz-source-expected-bucket-owner`, when sent. */
  expectedSourceBucketOwner?: string;
}

/** Why a request was refused: the label of s3_access_denied_total, a fixed set. */
export type DenyReason = 'anonymous' | 'not_owner' | 'source_not_owner' | 'expected_owner' | 'expected_source_owner';

/** Why a request was allowed, for the debug log. */
export type AllowReason = 'owner' | 'admin' | 'any_user';

export type AccessDecision = { allowed: true; reason: AllowReason } | { allowed: false; reason: DenyReason };

/** Owner of a bucket that records none (created before owners were kept, or with AIS's own tools) and has no configured default. */
export const ADMINS = 'admins';

/** The canonical id S3 clients see for an owner (`x-amz-expected-bucket-owner` is compared with it): admins' buckets show the gateway's account. */
export function ownerIdOf(owner: string): string {
  return owner === ADMINS ? OWNER.ID : owner;
}

/** Operations any signed-in user may ask for: ListBuckets answers with the caller's own buckets, CreateBucket decides in the service. */
const ANY_USER: ReadonlySet<S3Operation> = new Set(['ListBuckets', 'CreateBucket', 'NotImplemented', 'MethodNotAllowed']);

/** Whether `principal` owns a bucket whose owner is `owner` (admins own the buckets nobody owns). */
export function owns(principal: Principal, owner: string): boolean {
  if (principal.kind === 'anonymous') return false;
  return owner === ADMINS ? principal.admin : principal.canonicalId === owner;
}

function mayUse(principal: Principal, owner: string): AllowReason | undefined {
  if (owns(principal, owner)) return 'owner';
  return principal.kind === 'user' && principal.admin ? 'admin' : undefined;
}

/**
 * The access decision. An expected-owner header that does not name the owner refuses the request for everyone;
 * anonymous requests are refused (no grant to everyone exists yet); the bucket's owner and admins may do anything
 * with the bucket and its objects, and a copy needs the same of its source bucket.
 */
export function decide(request: AccessRequest): AccessDecision {
  const { principal, bucketOwner, sourceBucketOwner } = request;
  if (bucketOwner !== undefined && request.expectedBucketOwner !== undefined && request.expectedBucketOwner !== ownerIdOf(bucketOwner)) {
    return { allowed: false, reason: 'expected_owner' };
  }
  if (
    sourceBucketOwner !== undefined &&
    request.expectedSourceBucketOwner !== undefined &&
    request.expectedSourceBucketOwner !== ownerIdOf(sourceBucketOwner)
  ) {
    return { allowed: false, reason: 'expected_source_owner' };
  }
  if (principal.kind === 'anonymous') return { allowed: false, reason: 'anonymous' };
  if (bucketOwner === undefined || ANY_USER.has(request.operation)) return { allowed: true, reason: 'any_user' };
  const allowed = mayUse(principal, bucketOwner);
  if (allowed === undefined) return { allowed: false, reason: 'not_owner' };
  if (sourceBucketOwner !== undefined && mayUse(principal, sourceBucketOwner) === undefined) return { allowed: false, reason: 'source_not_owner' };
  return { allowed: true, reason: allowed };
}
