import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { Principal } from './principal';
import { aclAllows, type Grant } from './acl/grants';
import { aclRequirementOf } from './acl/permissions';

/** An object as the ACL check sees it: its owner (a canonical id) and grants, or `missing` (no such key or version). */
export type ObjectAcl = { owner: string; grants: readonly Grant[] } | 'missing';

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
  // ACLs (src/access/acl). The Authorizer fills these in only for a principal that neither owns the bucket nor is
  // an admin, so the owner's requests need nothing more than the bucket's owner.
  /** The bucket's grants; absent: private (its owner alone). */
  bucketGrants?: readonly Grant[];
  /** The addressed object, for an operation an object's ACL decides (acl/permissions.ts). */
  object?: ObjectAcl;
  /** CopyObject / UploadPartCopy from a bucket the principal does not own: the source object. */
  sourceObject?: ObjectAcl;
}

/** Why a request was refused: the label of s3_access_denied_total, a fixed set. */
export type DenyReason = 'anonymous' | 'not_owner' | 'source_not_owner' | 'expected_owner' | 'expected_source_owner';

/** Why a request was allowed, for the debug log. */
export type AllowReason = 'owner' | 'admin' | 'any_user' | 'object_owner' | 'acl';

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

function mayUse(principal: Principal, owner: string): AllowReason | undefined {
  if (owns(principal, owner)) return 'owner';
  return principal.kind === 'user' && principal.admin ? 'admin' : undefined;
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

/** Whether a copy may read its source object, in a bucket the principal does not own. */
function mayReadSource(principal: Principal, source: ObjectAcl | undefined): boolean {
  if (source === undefined || source === 'missing') return false;
  if (principal.kind === 'user' && principal.canonicalId === source.owner) return true;
  return aclAllows(source.grants, principal, 'READ') !== undefined;
}

/**
 * The access decision. An expected-owner header that does not name the owner refuses the request for everyone;
 * the bucket's owner and admins may do anything with the bucket and its objects; anyone else, the anonymous
 * principal included, what the bucket's or the object's ACL grants (acl/permissions.ts); a copy needs the same
 * of its source bucket, or READ on its source object.
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
    return principal.kind === 'anonymous' ? { allowed: false, reason: 'anonymous' } : { allowed: true, reason: 'any_user' };
  }
  const allowed = mayUse(principal, bucketOwner) ?? aclDecision(request);
  if (allowed === undefined) return { allowed: false, reason: principal.kind === 'anonymous' ? 'anonymous' : 'not_owner' };
  if (sourceBucketOwner !== undefined && mayUse(principal, sourceBucketOwner) === undefined && !mayReadSource(principal, request.sourceObject)) {
    return { allowed: false, reason: 'source_not_owner' };
  }
  return typeof allowed === 'string' ? { allowed: true, reason: allowed } : allowed;
}

/** Whether `decide` needs the ACLs: the principal neither owns the bucket nor is an admin. */
export function needsAcl(principal: Principal, bucketOwner: string): boolean {
  return mayUse(principal, bucketOwner) === undefined;
}
