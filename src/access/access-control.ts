import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type BucketInfo, OBJECT_STORE, type ObjectStore } from '../ais/store';
import { CANONICAL_ID, CredentialStore } from '../auth/credentials';
import type { AppConfig } from '../config/configuration';
import { MetricsService } from '../metrics/metrics.service';
import { parseCopySource } from '../objects/copy-source';
import { S3Error } from '../s3/errors';
import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { S3Request } from '../s3/s3-request';
import { type AccessDecision, type AccessRequest, ADMINS, decide, ownerIdOf, owns } from './decision';
import type { Owner, Principal } from './principal';

/** Operations that address a bucket but need nothing of it to be decided (CreateBucket's answer depends on the owner, found by the service). */
const NO_BUCKET_LOOKUP: ReadonlySet<S3Operation> = new Set(['CreateBucket', 'NotImplemented', 'MethodNotAllowed']);
const COPIES: ReadonlySet<S3Operation> = new Set(['CopyObject', 'UploadPartCopy']);

function header(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Access control (`verify` mode; README, "Access control"): the keys and who they are, who owns each bucket, and
 * the one authorization step every S3 request passes before its handler reads anything: it finds what `decide`
 * needs (the bucket's owner, a copy's source bucket's owner), asks it, logs the decision at debug and counts refusals.
 */
@Injectable()
export class AccessControl {
  /** Undefined in `parse` mode: no identity can be trusted, nothing is enforced. */
  readonly credentials?: CredentialStore;
  private readonly logger = new Logger('Access');
  private readonly debug: boolean;
  private readonly defaultBucketOwner?: string;

  constructor(
    config: ConfigService<AppConfig, true>,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly metrics: MetricsService,
  ) {
    if (config.get('auth', { infer: true }) === 'verify') {
      this.credentials = new CredentialStore(config.get('accessKey', { infer: true }), config.get('credentialsFile', { infer: true }), Date.now, {
        adminKeys: config.get('adminKeys', { infer: true }),
      });
    }
    this.defaultBucketOwner = config.get('defaultBucketOwner', { infer: true });
    this.debug = ['debug', 'trace'].includes(config.get('logLevel', { infer: true }));
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
    // Nothing is looked up for anonymous requests: no grant to everyone exists yet, and a refusal reveals nothing.
    if (principal.kind === 'user' && request.bucket !== undefined && !NO_BUCKET_LOOKUP.has(operation)) {
      input.bucketOwner = await this.ownerOfBucket(request.bucket);
      request.bucketOwner = this.display(input.bucketOwner);
      const source = header(request, 'x-amz-copy-source');
      if (COPIES.has(operation) && source !== undefined) input.sourceBucketOwner = await this.ownerOfBucket(parseCopySource(source).bucket);
    }
    const decision = decide(input);
    if (this.debug) this.log(request, principal, decision);
    if (!decision.allowed) {
      this.metrics.accessDenied.inc({ operation, reason: decision.reason });
      throw new S3Error('AccessDenied');
    }
  }

  /** The owner of a bucket as the decision sees it: its creator, else the configured default owner, else ADMINS. */
  ownerOf(info: BucketInfo): string {
    if (info.owner !== undefined) return info.owner;
    const fallback = this.defaultBucketOwner;
    if (fallback === undefined) return ADMINS;
    if (CANONICAL_ID.test(fallback.toLowerCase())) return fallback.toLowerCase();
    return this.credentials?.userOf(fallback)?.canonicalId ?? ADMINS;
  }

  /** Whether `principal` owns the bucket `info` describes (CreateBucket of an existing name). */
  owns(principal: Principal, info: BucketInfo): boolean {
    return owns(principal, this.ownerOf(info));
  }

  /** An owner as ACLs and listings show it: its id, and the display name of a configured key with that id. */
  display(owner: string): Owner {
    if (owner === ADMINS) return { ...OWNER };
    return { ID: ownerIdOf(owner), DisplayName: this.credentials?.userById(owner)?.displayName ?? owner };
  }

  private async ownerOfBucket(bucket: string): Promise<string> {
    const info = await this.store.lookupBucket(bucket);
    if (info === undefined) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    return this.ownerOf(info);
  }

  private log(request: S3Request, principal: Principal, decision: AccessDecision): void {
    const who = principal.kind === 'user' ? `${principal.accessKeyId}${principal.admin ? ' (admin)' : ''}` : 'anonymous';
    this.logger.debug(
      `${decision.allowed ? 'allowed' : 'denied'} ${request.operation} on ${request.bucket ?? '-'} for ${who}: ${decision.reason} [${request.id}]`,
    );
  }
}
