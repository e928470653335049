import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectAccess, type ObjectStore } from '../../ais/store';
import { readSmallBody } from '../../s3/body';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import { OWNER } from '../../s3/owner';
import { emptyResponse, type S3Response, xmlResponse } from '../../s3/response';
import type { S3Request } from '../../s3/s3-request';
import { AccessControl } from '../access-control';
import type { Owner } from '../principal';
import { type AclContext, aclDocument, grantsOfBody, grantsOfHeaders, hasAclHeaders } from './acl-request';
import { type Grant, isPrivate, isPublicGrant, privateGrants } from './grants';
import { enforcedAccepts, objectAccessForWrite } from './object-access';
import { type ObjectOwnership, ownershipOfHeader, parseOwnershipControls } from './ownership';
import { publicAclEffects } from '../policy/public-access-block';

/** An AccessControlPolicy of 100 grants is well under this. */
const MAX_ACL_BODY_BYTES = 64 * 1024;

function aclNotSupported(): S3Error {
  return new S3Error('AccessControlListNotSupported');
}

/**
 * Owners and ACLs as the S3 handlers use them (README, "Access control"): the owner and ACL a write gives an object,
 * Get/Put of bucket and object ACLs, and the bucket's Object Ownership setting. The access check itself is
 * decide()'s (src/access/decision.ts); this only reads and writes what it decides on.
 */
@Injectable()
export class AclService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly access: AccessControl,
  ) {}

  /** The canonical id of the request's bucket owner as grants name it (set by the access check; the gateway's account in `parse` mode). */
  private bucketOwnerId(request: S3Request): string {
    return request.bucketOwner?.ID ?? OWNER.ID;
  }

  /** The caller's canonical id; a request without one (anonymous, `parse` mode) writes for the bucket's owner. */
  private writerId(request: S3Request): string {
    const principal = request.auth?.principal;
    return principal?.kind === 'user' ? principal.canonicalId : this.bucketOwnerId(request);
  }

  private context(request: S3Request, owner: string): AclContext {
    const credentials = this.access.credentials;
    return {
      owner,
      bucketOwner: this.bucketOwnerId(request),
      knownId: (id) => credentials === undefined || id === OWNER.ID || credentials.userById(id) !== undefined,
    };
  }

  /** An owner (canonical id) as ACLs and listings show it. */
  display(id: string): Owner {
    return id === OWNER.ID ? { ...OWNER } : this.access.display(id);
  }

  /** A listed object's owner: the one it records, else the bucket's. */
  ownerOfListed(request: S3Request, owner: string | undefined): Owner {
    return owner === undefined ? this.display(this.bucketOwnerId(request)) : this.display(owner);
  }

  /** BlockPublicAcls: a write of an ACL with a public grant is refused (403 AccessDenied, as S3), and changes nothing. */
  private async refusePublicAcl(bucket: string, grants: readonly Grant[] | undefined): Promise<void> {
    if (grants === undefined || !grants.some(isPublicGrant)) return;
    if (publicAclEffects(await this.store.getBucketSetting(bucket, 'publicAccessBlock', true)).refusePublicAclWrites) throw new S3Error('AccessDenied');
  }

  private ownership(bucket: string): Promise<ObjectOwnership | undefined> {
    return this.store.getBucketSetting(bucket, 'ownership', true);
  }

  /** The owner and ACL a PutObject, CopyObject or CreateMultipartUpload gives its object (object-access.ts); none in `parse` mode, where the headers are only checked. */
  async objectAccessForWrite(request: S3Request): Promise<ObjectAccess | undefined> {
    if (this.access.credentials === undefined) {
      grantsOfHeaders(request.headers, this.context(request, OWNER.ID));
      return undefined;
    }
    const bucket = request.bucket as string;
    const access = await objectAccessForWrite(
      request.headers,
      this.writerId(request),
      this.bucketOwnerId(request),
      () => this.ownership(bucket),
      (owner) => this.context(request, owner),
    );
    await this.refusePublicAcl(bucket, access?.grants);
    return access;
  }

  /** The grants a PutBucketAcl / PutObjectAcl asks for: its headers or its AccessControlPolicy body, exactly one of them. */
  private async requestedGrants(request: S3Request, owner: string): Promise<Grant[]> {
    const body = await readSmallBody(request, MAX_ACL_BODY_BYTES);
    const headed = hasAclHeaders(request.headers);
    if (headed && body.length > 0) throw new S3Error('InvalidRequest', 'Specifying both an ACL body and ACL headers is not allowed');
    if (body.length > 0) return grantsOfBody(body.toString('utf8'), this.context(request, owner));
    const grants = grantsOfHeaders(request.headers, this.context(request, owner));
    if (grants === undefined) throw new S3Error('MissingSecurityHeader', undefined, { MissingHeaderName: 'x-amz-acl' });
    return grants;
  }

  /** CreateBucket, before the bucket is made: its ACL and Object Ownership from the headers, checked (nothing is kept yet). */
  bucketSettingsForCreate(request: S3Request): { grants?: Grant[]; ownership?: ObjectOwnership } {
    const ownership = ownershipOfHeader(headerValue(request.headers, 'x-amz-object-ownership'));
    const owner = this.writerId(request);
    const context = { ...this.context(request, owner), bucketOwner: owner };
    if (ownership === 'BucketOwnerEnforced' && !enforcedAccepts(request.headers) && headerValue(request.headers, 'x-amz-acl') !== 'private') {
      throw new S3Error('InvalidBucketAclWithObjectOwnership');
    }
    const grants = grantsOfHeaders(request.headers, context);
    return { grants: grants === undefined || isPrivate(grants, owner) ? undefined : grants, ownership };
  }

  /** CreateBucket, once the bucket is made by this request: keeps what bucketSettingsForCreate() found. */
  async applyCreateSettings(bucket: string, settings: { grants?: Grant[]; ownership?: ObjectOwnership }): Promise<void> {
    if (settings.grants !== undefined) await this.store.putBucketSetting(bucket, 'acl', settings.grants);
    if (settings.ownership !== undefined) await this.store.putBucketSetting(bucket, 'ownership', settings.ownership);
  }

  async getBucketAcl(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const owner = this.bucketOwnerId(request);
    const grants = (await this.store.getBucketSetting(bucket, 'acl')) ?? privateGrants(owner);
    return xmlResponse(
      'AccessControlPolicy',
      aclDocument(this.display(owner), grants, (id) => this.display(id)),
    );
  }

  async putBucketAcl(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    await this.store.headBucket(bucket);
    const owner = this.bucketOwnerId(request);
    if ((await this.store.getBucketSetting(bucket, 'ownership')) === 'BucketOwnerEnforced' && !enforcedAccepts(request.headers)) throw aclNotSupported();
    const grants = await this.requestedGrants(request, owner);
    await this.refusePublicAcl(bucket, grants);
    if (isPrivate(grants, owner)) await this.store.deleteBucketSetting(bucket, 'acl');
    else await this.store.putBucketSetting(bucket, 'acl', grants);
    return emptyResponse(200);
  }

  /** The owner (recorded, else the bucket's) and grants of an object, or the version asked for. */
  private async objectAccess(request: S3Request): Promise<{ owner: string; grants: Grant[]; versionId: string }> {
    const info = await this.store.headObject(request.bucket as string, request.key as string, request.query.versionId);
    const owner = info.access?.owner ?? this.bucketOwnerId(request);
    return { owner, grants: info.access?.grants ?? privateGrants(owner), versionId: info.versionId };
  }

  async getObjectAcl(request: S3Request): Promise<S3Response> {
    const { owner, grants, versionId } = await this.objectAccess(request);
    const response = xmlResponse(
      'AccessControlPolicy',
      aclDocument(this.display(owner), grants, (id) => this.display(id)),
    );
    if (versionId !== 'null') response.headers = { ...response.headers, 'x-amz-version-id': versionId };
    return response;
  }

  async putObjectAcl(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const { owner, versionId } = await this.objectAccess(request);
    if ((await this.store.getBucketSetting(bucket, 'ownership')) === 'BucketOwnerEnforced' && !enforcedAccepts(request.headers)) throw aclNotSupported();
    const grants = await this.requestedGrants(request, owner);
    await this.refusePublicAcl(bucket, grants);
    await this.store.putObjectAcl(bucket, request.key as string, request.query.versionId, { owner, grants: isPrivate(grants, owner) ? undefined : grants });
    return emptyResponse(200, versionId !== 'null' ? { 'x-amz-version-id': versionId } : {});
  }

  async getOwnershipControls(request: S3Request): Promise<S3Response> {
    const ownership = await this.store.getBucketSetting(request.bucket as string, 'ownership');
    if (ownership === undefined) throw new S3Error('OwnershipControlsNotFoundError', undefined, { BucketName: request.bucket as string });
    return xmlResponse('OwnershipControls', { Rule: { ObjectOwnership: ownership } });
  }

  async putOwnershipControls(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    await this.store.headBucket(bucket);
    const body = await readSmallBody(request, MAX_ACL_BODY_BYTES);
    await this.store.putBucketSetting(bucket, 'ownership', parseOwnershipControls(body.toString('utf8')));
    return emptyResponse(200);
  }

  async deleteOwnershipControls(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucketSetting(request.bucket as string, 'ownership');
    return emptyResponse(204);
  }
}
