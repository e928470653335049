import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { PolicyVerdict } from './policy/evaluate';
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
  /** The bucket policy's verdict on the request (src/access/policy); absent: the bucket has no policy. */
  policy?: PolicyVerdict;
  /** CopyObject / UploadPartCopy: the source bucket policy's verdict on reading the source object. */
  sourcePolicy?: PolicyVerdict;
}

/** Why a request was refused: the label of s3_access_denied_total, a fixed set. */
export type DenyReason =
  | 'anonymous'
  | 'not_owner'
  | 'source_not_owner'
  | 'expected_owner'
  | 'expected_source_owner'
  // A bucket policy's explicit Deny (of the bucket, of a copy's source bucket).
  | 'policy_deny'
  | 'source_policy_deny';

/** Why a request was allowed, for the debug log. */
export type AllowReason = 'owner' | 'admin' | 'any_user' | 'policy';

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

/** What the bucket owner may always do, whatever the policy says (as an AWS account's root user can): nobody locks themselves out. */
const OWNER_KEEPS: ReadonlySet<S3Operation> = new Set(['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']);

/**
 * May `principal` do `operation` on a bucket owned by `owner` whose policy says `policy`? Admins may; a policy's
 * explicit Deny refuses (the owner's policy operations excepted); the owner may; a policy's Allow lets others in.
 */
function judge(principal: Principal, owner: string, policy: PolicyVerdict | undefined, operation: S3Operation): AccessDecision {
  const isOwner = owns(principal, owner);
  if (principal.kind === 'user' && principal.admin) return { allowed: true, reason: isOwner ? 'owner' : 'admin' };
  if (policy === 'deny' && !(isOwner && OWNER_KEEPS.has(operation))) return { allowed: false, reason: 'policy_deny' };
  if (isOwner) return { allowed: true, reason: 'owner' };
  if (policy === 'allow') return { allowed: true, reason: 'policy' };
  return { allowed: false, reason: principal.kind === 'anonymous' ? 'anonymous' : 'not_owner' };
}

/**
 * The access decision. An expected-owner header that does not name the owner refuses the request for everyone;
 * then, for the bucket (and a copy's source bucket): admins may do anything, a bucket policy's explicit Deny
 * refuses, the owner may do anything, a policy's Allow lets anyone it names in (anonymous requests included),
 * and everyone else is refused. Requests addressing no bucket (ListBuckets, CreateBucket) are any user's.
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
  if (bucketOwner === undefined || ANY_USER.has(request.operation)) {
    return principal.kind === 'user' ? { allowed: true, reason: 'any_user' } : { allowed: false, reason: 'anonymous' };
  }
  const decision = judge(principal, bucketOwner, request.policy, request.operation);
  if (!decision.allowed || sourceBucketOwner === undefined) return decision;
  const source = judge(principal, sourceBucketOwner, request.sourcePolicy, 'GetObject');
  if (!source.allowed) return { allowed: false, reason: source.reason === 'policy_deny' ? 'source_policy_deny' : 'source_not_owner' };
  return decision;
}
