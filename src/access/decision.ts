import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { PolicyVerdict } from './policy/evaluate';
import type { Principal } from './principal';
import { aclAllows, type Grant } from './acl/grants';
import { aclRequirementOf } from './acl/permissions';

/** An object as the ACL check sees it: its owner (a canonical id) and grants, or `missing` (no such key or version). */
export type ObjectAcl = { owner: string; grants: readonly Grant[] } | 'missing';

/**
 * What the one access decision looks at (README, "Access control"): owners, the bucket policy's verdicts and the
 * ACLs; the decision is one pure function of this input.
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
  // ACLs (src/access/acl). The Authorizer fills these in only when neither ownership, admin rights nor the policy
  // decide, so the owner's requests need nothing more than the bucket's owner.
  /** The bucket's grants; absent: private (its owner alone). */
  bucketGrants?: readonly Grant[];
  /** The addressed object, for an operation an object's ACL decides (acl/permissions.ts). */
  object?: ObjectAcl;
  /** CopyObject / UploadPartCopy from a bucket the principal does not own: the source object. */
  sourceObject?: ObjectAcl;
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
export type AllowReason = 'owner' | 'admin' | 'any_user' | 'policy' | 'object_owner' | 'acl';

export type AccessDecision = { allowed: true; reason: AllowReason; grant?: Grant } | { allowed: false; reason: DenyReason };

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
 * explicit Deny refuses (the owner's policy operations excepted); the owner may; a policy's Allow lets others in;
 * else what the ACLs grant (`granted`, asked only then: it may need the object's ACL).
 */
function judge(
  principal: Principal,
  owner: string,
  policy: PolicyVerdict | undefined,
  operation: S3Operation,
  granted: () => AccessDecision | undefined,
): AccessDecision {
  const isOwner = owns(principal, owner);
  if (principal.kind === 'user' && principal.admin) return { allowed: true, reason: isOwner ? 'owner' : 'admin' };
  if (policy === 'deny' && !(isOwner && OWNER_KEEPS.has(operation))) return { allowed: false, reason: 'policy_deny' };
  if (isOwner) return { allowed: true, reason: 'owner' };
  if (policy === 'allow') return { allowed: true, reason: 'policy' };
  return granted() ?? { allowed: false, reason: principal.kind === 'anonymous' ? 'anonymous' : 'not_owner' };
}

/**
 * What an ACL gives a principal that does not own the bucket: the bucket's grants for bucket permissions; for an
 * object's, its owner everything and its grants the rest, and a missing object whatever lets the principal list the
 * bucket (S3 then answers 404, else 403: a refusal reveals nothing).
 */
function aclDecision(request: AccessRequest): AccessDecision | undefined {
  const requirement = aclRequirementOf(request.operation);
  if (requirement === undefined) return undefined;
  const { principal } = request;
  const bucketGrants = request.bucketGrants ?? [];
  if (requirement.on === 'bucket') {
    const grant = aclAllows(bucketGrants, principal, requirement.permission);
    return grant && { allowed: true, reason: 'acl', grant };
  }
  const object = request.object;
  if (object === undefined) return undefined;
  if (object === 'missing') {
    const grant = aclAllows(bucketGrants, principal, 'READ');
    return grant && { allowed: true, reason: 'acl', grant };
  }
  if (principal.kind === 'user' && principal.canonicalId === object.owner) return { allowed: true, reason: 'object_owner' };
  const grant = aclAllows(object.grants, principal, requirement.permission);
  return grant && { allowed: true, reason: 'acl', grant };
}

/** What lets a copy read its source object, in a bucket the principal does not own: owning the object, or READ on it. */
function sourceAclDecision(principal: Principal, source: ObjectAcl | undefined): AccessDecision | undefined {
  if (source === undefined || source === 'missing') return undefined;
  if (principal.kind === 'user' && principal.canonicalId === source.owner) return { allowed: true, reason: 'object_owner' };
  const grant = aclAllows(source.grants, principal, 'READ');
  return grant && { allowed: true, reason: 'acl', grant };
}

/**
 * The access decision. An expected-owner header that does not name the owner refuses the request for everyone;
 * then, for the bucket (and a copy's source bucket): admins may do anything, a bucket policy's explicit Deny
 * refuses, the owner may do anything, a policy's Allow lets anyone it names in (anonymous requests included),
 * else what the bucket's or the object's ACL grants (acl/permissions.ts; a copy's source: READ on the source
 * object), and everyone else is refused. Requests addressing no bucket (ListBuckets, CreateBucket) are any user's.
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
  const decision = judge(principal, bucketOwner, request.policy, request.operation, () => aclDecision(request));
  if (!decision.allowed || sourceBucketOwner === undefined) return decision;
  const source = judge(principal, sourceBucketOwner, request.sourcePolicy, 'GetObject', () => sourceAclDecision(principal, request.sourceObject));
  if (!source.allowed) return { allowed: false, reason: source.reason === 'policy_deny' ? 'source_policy_deny' : 'source_not_owner' };
  return decision;
}

/** Whether `decide` may need the ACLs: the principal neither owns the bucket nor is an admin, and the policy decided nothing. */
export function needsAcl(principal: Principal, bucketOwner: string, policy: PolicyVerdict | undefined): boolean {
  if (owns(principal, bucketOwner) || (principal.kind === 'user' && principal.admin)) return false;
  return policy !== 'allow' && policy !== 'deny';
}
