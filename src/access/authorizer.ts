import type { BucketInfo, ObjectInfo, ObjectStore, VersionId } from '../ais/store';
import { CANONICAL_ID, type CredentialStore } from '../auth/credentials';
import { parseCopySource } from '../objects/copy-source';
import { isS3Error, S3Error } from '../s3/errors';
import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { S3Request } from '../s3/s3-request';
import { type AccessDecision, type AccessRequest, ADMINS, decide, type DenyReason, needsAcl, type ObjectAcl, ownerIdOf, owns } from './decision';
import { privateGrants } from './acl/grants';
import { aclRequirementOf } from './acl/permissions';
import type { Owner, Principal } from './principal';

/** Operations that address a bucket but need nothing of it to be decided (CreateBucket's answer depends on the owner, found by the service). */
const NO_BUCKET_LOOKUP: ReadonlySet<S3Operation> = new Set(['CreateBucket', 'NotImplemented', 'MethodNotAllowed']);
const COPIES: ReadonlySet<S3Operation> = new Set(['CopyObject', 'UploadPartCopy']);

function header(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface AuthorizerOptions {
  /** S3_DEFAULT_BUCKET_OWNER: an access key id or a canonical id. */
  defaultBucketOwner?: string;
  /** Called with every decision when decisions are logged (LOG_LEVEL=debug). */
  log?: (request: S3Request, principal: Principal, decision: AccessDecision) => void;
  /** Called for every refusal (s3_access_denied_total). */
  denied?: (operation: S3Operation, reason: DenyReason) => void;
}

/**
 * The one authorization step every S3 request passes in `verify` mode, before its handler reads anything: it
 * finds what `decide` needs (the bucket's owner, a copy's source bucket's owner), asks it, reports the decision
 * and throws AccessDenied for a refusal. Also who owns a bucket and how an owner is shown, for the services.
 */
export class Authorizer {
  constructor(
    private readonly store: ObjectStore,
    /** Undefined in `parse` mode. */
    readonly credentials: CredentialStore | undefined,
    private readonly options: AuthorizerOptions = {},
  ) {}

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
    // Anonymous requests are looked up too (an ACL may grant AllUsers); a missing bucket is NoSuchBucket for them
    // as on S3, and any refusal is AccessDenied whatever exists.
    if (request.bucket !== undefined && !NO_BUCKET_LOOKUP.has(operation)) {
      input.bucketOwner = await this.ownerOfBucket(request.bucket);
      request.bucketOwner = this.display(input.bucketOwner);
      const source = header(request, 'x-amz-copy-source');
      const copySource = COPIES.has(operation) && source !== undefined ? parseCopySource(source) : undefined;
      if (copySource !== undefined) input.sourceBucketOwner = await this.ownerOfBucket(copySource.bucket);
      await this.addAcls(request, input, copySource);
    }
    const decision = decide(input);
    this.options.log?.(request, principal, decision);
    if (!decision.allowed) {
      this.options.denied?.(operation, decision.reason);
      throw new S3Error('AccessDenied');
    }
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
   * What decide() needs of ACLs, read only for a principal that neither owns the bucket nor is an admin: the
   * bucket's grants (a cached setting read), the object's owner and grants only for an operation its ACL decides,
   * and a copy's source object when its bucket is not the principal's.
   */
  private async addAcls(
    request: S3Request,
    input: AccessRequest,
    copySource: { bucket: string; key: string; versionId?: VersionId } | undefined,
  ): Promise<void> {
    const { principal } = input;
    const bucket = request.bucket as string;
    const requirement = aclRequirementOf(request.operation);
    if (requirement !== undefined && needsAcl(principal, input.bucketOwner as string)) {
      input.bucketGrants = (await this.store.getBucketSetting(bucket, 'acl', true)) ?? [];
      if (requirement.on === 'object' && request.key !== undefined) {
        input.object = await this.objectAcl(bucket, request.key, request.query.versionId || undefined, input.bucketOwner as string);
      }
    }
    if (copySource !== undefined && needsAcl(principal, input.sourceBucketOwner as string)) {
      input.sourceObject = await this.objectAcl(copySource.bucket, copySource.key, copySource.versionId, input.sourceBucketOwner as string);
    }
  }

  /** An object's owner and grants (an object that records none is its bucket owner's, private); `missing` when there is no such object. */
  private async objectAcl(bucket: string, key: string, versionId: VersionId | undefined, bucketOwner: string): Promise<ObjectAcl> {
    let info: ObjectInfo;
    try {
      info = await this.store.headObject(bucket, key, versionId);
    } catch (err) {
      if (isS3Error(err) && ['NoSuchKey', 'NoSuchVersion', 'MethodNotAllowed', 'InvalidArgument'].includes(err.code)) return 'missing';
      throw err;
    }
    const owner = info.access?.owner ?? ownerIdOf(bucketOwner);
    return { owner, grants: info.access?.grants ?? privateGrants(owner) };
  }

  private async ownerOfBucket(bucket: string): Promise<string> {
    const info = await this.store.lookupBucket(bucket);
    if (info === undefined) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    return this.ownerOf(info);
  }
}
