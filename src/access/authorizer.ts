import type { BucketInfo, ObjectInfo, ObjectStore, TagSet, VersionId } from '../ais/store';
import { CANONICAL_ID, type CredentialStore } from '../auth/credentials';
import { parseCopySource } from '../objects/copy-source';
import { isS3Error, S3Error } from '../s3/errors';
import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { S3Request } from '../s3/s3-request';
import { type AccessDecision, type AccessRequest, ADMINS, decide, type DenyReason, needsAcl, type ObjectAcl, ownerIdOf, owns } from './decision';
import { type Grant, isPublicGrant, privateGrants } from './acl/grants';
import { publicAclEffects } from './policy/public-access-block';
import { aclRequirementOf } from './acl/permissions';
import { BYPASS_GOVERNANCE_ACTIONS, BYPASS_OPERATIONS, copySourceActions, requiredActions } from './policy/actions';
import { asksBypass } from '../object-lock/object-lock-rules';
import { OBJECT_LOCK_KEYS } from './policy/conditions';
import { BucketPolicies } from './policy/bucket-policies';
import { type AppliedPolicy, decidingStatement, type PolicyTarget, policyVerdict } from './policy/policy-request';
import type { Owner, Principal } from './principal';

/** Operations that address a bucket but need nothing of it to be decided (CreateBucket's answer depends on the owner, found by the service). */
const NO_BUCKET_LOOKUP: ReadonlySet<S3Operation> = new Set(['CreateBucket', 'NotImplemented', 'MethodNotAllowed']);
const COPIES: ReadonlySet<S3Operation> = new Set(['CopyObject', 'UploadPartCopy']);
/** Operations S3 gives the s3:ExistingObjectTag/<key> condition keys: those about one existing object version. */
const TAG_CONDITIONED: ReadonlySet<S3Operation> = new Set([
  'GetObject',
  'HeadObject',
  'GetObjectAttributes',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
]);
/** Operations whose lock (the s3:object-lock-* keys) is in their body: a Retention or a LegalHold document. */
const LOCK_DOCUMENTS: ReadonlySet<S3Operation> = new Set(['PutObjectRetention', 'PutObjectLegalHold']);
/** What a store's read of one object version answers when there is no such version (a delete marker: MethodNotAllowed). */
const MISSING_OBJECT = ['NoSuchKey', 'NoSuchVersion', 'MethodNotAllowed', 'InvalidArgument'];
/** Reads of one object: without s3:ListBucket a missing key is AccessDenied (S3Request.hidesMissingKeys). */
const OBJECT_READS: ReadonlySet<S3Operation> = new Set(['GetObject', 'HeadObject', 'GetObjectAttributes']);

function header(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withoutPublicGrants(grants: readonly Grant[] | undefined): Grant[] {
  return (grants ?? []).filter((grant) => !isPublicGrant(grant));
}

function withoutPublicObjectGrants(object: ObjectAcl | undefined): ObjectAcl | undefined {
  return object === undefined || object === 'missing' ? object : { ...object, grants: withoutPublicGrants(object.grants) };
}

export interface AuthorizerOptions {
  /** S3_DEFAULT_BUCKET_OWNER: an access key id or a canonical id. */
  defaultBucketOwner?: string;
  /** Called with every decision when decisions are logged (LOG_LEVEL=debug). */
  log?: (request: S3Request, principal: Principal, decision: AccessDecision, statement?: string) => void;
  /** Called for every refusal (s3_access_denied_total). */
  denied?: (operation: S3Operation, reason: DenyReason) => void;
}

/**
 * The one authorization step every S3 request passes in `verify` mode, before its handler reads anything: it
 * finds what `decide` needs (the bucket's owner, a copy's source bucket's owner), asks it, reports the decision
 * and throws AccessDenied for a refusal. Also who owns a bucket and how an owner is shown, for the services.
 */
export class Authorizer {
  /** Bucket policies, compiled once each (src/access/policy). */
  private readonly policies: BucketPolicies;

  constructor(
    private readonly store: ObjectStore,
    /** Undefined in `parse` mode. */
    readonly credentials: CredentialStore | undefined,
    private readonly options: AuthorizerOptions = {},
  ) {
    this.policies = new BucketPolicies(store);
  }

  /** Throws AccessDenied (or NoSuchBucket for a bucket that does not exist) unless the request's principal may make it. */
  async authorize(request: S3Request): Promise<void> {
    const principal = (request.auth as { principal: Principal }).principal;
    const { operation } = request;
    const input: AccessRequest = {
      principal,
      operation,
      expectedBucketOwner: header(request, 'x-amz-expected-bucket-owner'),
      expectedSourceBucketOwner: header(request, 'x-amz-source-expected-bucket-owner'),
    };
    // Anonymous requests too: a bucket policy or an ACL may let everyone in (a missing bucket is NoSuchBucket, as S3
    // answers), and any refusal is AccessDenied whatever exists.
    let applied: AppliedPolicy | undefined;
    let target: PolicyTarget | undefined;
    if (request.bucket !== undefined && !NO_BUCKET_LOOKUP.has(operation)) {
      input.bucketOwner = await this.ownerOfBucket(request.bucket);
      request.bucketOwner = this.display(input.bucketOwner);
      applied = await this.policies.of(request.bucket);
      if (applied !== undefined && this.waitsForLockDocument(request, applied)) return;
      if (applied !== undefined && operation === 'DeleteObjects') this.checkEachKey(request, input, applied);
      else if (applied !== undefined) {
        target = { bucket: request.bucket, key: request.key };
        if (applied.policy.readsObjectTags && TAG_CONDITIONED.has(operation) && request.key !== undefined) {
          target.existingTags = await this.tagsOf(request.bucket, request.key, request.query.versionId || undefined);
        }
        input.policy = policyVerdict(applied, request, principal, target);
      }
      const source = header(request, 'x-amz-copy-source');
      const copied = COPIES.has(operation) && source !== undefined ? parseCopySource(source) : undefined;
      if (copied !== undefined) {
        input.sourceBucketOwner = await this.ownerOfBucket(copied.bucket);
        const sourcePolicy = await this.policies.of(copied.bucket);
        if (sourcePolicy !== undefined) {
          // The source is read as GetObject reads it: its own tags count for s3:ExistingObjectTag.
          const existingTags = sourcePolicy.policy.readsObjectTags ? await this.tagsOf(copied.bucket, copied.key, copied.versionId) : undefined;
          input.sourcePolicy = policyVerdict(sourcePolicy, request, principal, { ...copied, actions: copySourceActions(copied.versionId), existingTags });
        }
      }
      await this.addAcls(request, input, copied);
      if (BYPASS_OPERATIONS.has(operation) && asksBypass(request)) request.bypassGovernanceDenied = !this.mayBypass(request, input, applied);
    }
    const decision = decide(input);
    if (applied !== undefined && decision.reason === 'policy' && OBJECT_READS.has(operation)) {
      request.hidesMissingKeys = !this.mayList(request, principal, input, applied);
    }
    if (this.options.log !== undefined) {
      // Only for the debug log: the bucket policy's statement that decided (evaluated again, never otherwise).
      const decisive = decision.reason === 'policy' || decision.reason === 'policy_deny';
      const statement = applied !== undefined && target !== undefined && decisive ? decidingStatement(applied, request, principal, target) : undefined;
      this.options.log(request, principal, decision, statement);
    }
    if (!decision.allowed) {
      this.options.denied?.(operation, decision.reason);
      throw new S3Error('AccessDenied');
    }
  }

  /**
   * A PutObjectRetention or PutObjectLegalHold whose bucket policy tests s3:object-lock-* keys cannot be decided before
   * its document is read: the whole check waits for the handler, which reads and parses the body and calls
   * `authorizeLockDocument` with the lock it names before changing anything.
   */
  private waitsForLockDocument(request: S3Request, applied: AppliedPolicy): boolean {
    if (!LOCK_DOCUMENTS.has(request.operation) || request.requestedLock !== undefined) return false;
    if (![...applied.policy.conditionKeys].some((key) => OBJECT_LOCK_KEYS.has(key))) return false;
    request.authorizeLockDocument = (lock) => {
      request.requestedLock = lock;
      return this.authorize(request);
    };
    return true;
  }

  /**
   * Whether the caller may bypass GOVERNANCE retention (s3:BypassGovernanceRetention): the bucket owner and admins
   * unless the policy denies it, others only where the policy allows it (no ACL grants it). For DeleteObjects it is
   * decided on the bucket's objects as a whole (`<bucket>/*`).
   */
  private mayBypass(request: S3Request, input: AccessRequest, applied: AppliedPolicy | undefined): boolean {
    const bucket = request.bucket as string;
    const key = request.key ?? '*';
    const policy = applied === undefined ? undefined : policyVerdict(applied, request, input.principal, { bucket, key, actions: BYPASS_GOVERNANCE_ACTIONS });
    // Only the addressed bucket counts (a copy's source is not involved), and no ACL grants the bypass.
    return decide({ ...input, sourceBucketOwner: undefined, policy, bucketGrants: [], object: undefined }).allowed;
  }

  /** Whether a caller let in by the bucket's policy may also list the bucket (s3:ListBucket, no prefix). */
  private mayList(request: S3Request, principal: Principal, input: AccessRequest, applied: AppliedPolicy): boolean {
    const policy = policyVerdict(applied, request, principal, { bucket: request.bucket as string, actions: { kind: 'bucket', actions: ['s3:ListBucket'] } });
    return decide({ ...input, operation: 'ListObjectsV2', policy }).allowed;
  }

  /**
   * DeleteObjects on a bucket with a policy: S3 lets the request in and decides each key (s3:DeleteObject, or
   * s3:DeleteObjectVersion with a version id), a refused key being that entry's AccessDenied. The gate then
   * counts the policy as allowing; the handler asks `mayDeleteKey` for every entry.
   */
  private checkEachKey(request: S3Request, input: AccessRequest, policy: AppliedPolicy): void {
    const bucket = request.bucket as string;
    input.policy = 'allow';
    request.mayDeleteKey = (key, versionId) => {
      const actions = requiredActions('DeleteObject', { versionId });
      const decision = decide({ ...input, policy: policyVerdict(policy, request, input.principal, { bucket, key, actions }) });
      if (!decision.allowed) this.options.denied?.(request.operation, decision.reason);
      return decision.allowed;
    };
  }

  /** The owner of a bucket as the decision sees it: its creator, else the configured default owner, else ADMINS. */
  ownerOf(info: BucketInfo): string {
    if (info.owner !== undefined) return info.owner;
    const fallback = this.options.defaultBucketOwner;
    if (fallback === undefined) return ADMINS;
    if (CANONICAL_ID.test(fallback.toLowerCase())) return fallback.toLowerCase();
    return this.credentials?.userOf(fallback)?.canonicalId ?? ADMINS;
  }

  /** Whether `principal` owns the bucket `info` describes (CreateBucket of an existing name, ListBuckets). */
  owns(principal: Principal, info: BucketInfo): boolean {
    return owns(principal, this.ownerOf(info));
  }

  /** An owner as ACLs and listings show it: its id, and the display name of a configured key with that id. */
  display(owner: string): Owner {
    if (owner === ADMINS) return { ...OWNER };
    return { ID: ownerIdOf(owner), DisplayName: this.credentials?.userById(owner)?.displayName ?? owner };
  }

  // ACLs (src/access/acl) -------------------------------------------------------------------------------------

  /**
   * What decide() needs of ACLs, read only for a principal that neither owns the bucket nor is an admin, where the
   * bucket policy decided nothing: the bucket's grants (a cached setting read), the object's owner and grants only
   * for an operation its ACL decides, and a copy's source object when its bucket is not the principal's.
   */
  private async addAcls(
    request: S3Request,
    input: AccessRequest,
    copySource: { bucket: string; key: string; versionId?: VersionId } | undefined,
  ): Promise<void> {
    const { principal } = input;
    const bucket = request.bucket as string;
    const requirement = aclRequirementOf(request.operation);
    if (requirement !== undefined && needsAcl(principal, input.bucketOwner as string, input.policy)) {
      input.bucketGrants = (await this.store.getBucketSetting(bucket, 'acl', true)) ?? [];
      if (requirement.on === 'object' && request.key !== undefined) {
        input.object = await this.objectAcl(bucket, request.key, request.query.versionId || undefined, input.bucketOwner as string);
      }
      if (await this.ignoresPublicGrants(bucket, input.bucketGrants, input.object)) {
        input.bucketGrants = withoutPublicGrants(input.bucketGrants);
        input.object = withoutPublicObjectGrants(input.object);
      }
    }
    if (copySource !== undefined && needsAcl(principal, input.sourceBucketOwner as string, input.sourcePolicy)) {
      input.sourceObject = await this.objectAcl(copySource.bucket, copySource.key, copySource.versionId, input.sourceBucketOwner as string);
      // The source bucket's own block decides for the object read from it.
      if (await this.ignoresPublicGrants(copySource.bucket, undefined, input.sourceObject)) input.sourceObject = withoutPublicObjectGrants(input.sourceObject);
    }
  }

  /**
   * IgnorePublicAcls: grants to AllUsers and AuthenticatedUsers count for nothing (they stay in the ACL). The
   * public access block is read only when the ACLs at hand hold such a grant.
   */
  private async ignoresPublicGrants(bucket: string, bucketGrants: readonly Grant[] | undefined, object: ObjectAcl | undefined): Promise<boolean> {
    const objectGrants = object !== undefined && object !== 'missing' ? object.grants : [];
    if (!(bucketGrants ?? []).some(isPublicGrant) && !objectGrants.some(isPublicGrant)) return false;
    return publicAclEffects(await this.store.getBucketSetting(bucket, 'publicAccessBlock', true)).ignorePublicGrants;
  }

  /** An object's owner and grants (an object that records none is its bucket owner's, private); `missing` when there is no such object. */
  private async objectAcl(bucket: string, key: string, versionId: VersionId | undefined, bucketOwner: string): Promise<ObjectAcl> {
    let info: ObjectInfo;
    try {
      info = await this.store.headObject(bucket, key, versionId);
    } catch (err) {
      if (isS3Error(err) && MISSING_OBJECT.includes(err.code)) return 'missing';
      throw err;
    }
    const owner = info.access?.owner ?? ownerIdOf(bucketOwner);
    return { owner, grants: info.access?.grants ?? privateGrants(owner) };
  }

  /** An object version's tags for s3:ExistingObjectTag; undefined when there is no such version (the key is then absent). */
  private async tagsOf(bucket: string, key: string, versionId: VersionId | undefined): Promise<TagSet | undefined> {
    try {
      return (await this.store.getObjectTagging(bucket, key, versionId)).tags;
    } catch (err) {
      if (isS3Error(err) && MISSING_OBJECT.includes(err.code)) return undefined;
      throw err;
    }
  }

  private async ownerOfBucket(bucket: string): Promise<string> {
    const info = await this.store.lookupBucket(bucket);
    if (info === undefined) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    return this.ownerOf(info);
  }
}
