import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectLock, type ObjectStore, type VersionGuard } from '../ais/store';
import { hasIntegrityHeader } from '../s3/body';
import { S3Error } from '../s3/errors';
import type { S3Request } from '../s3/s3-request';
import {
  asksBypass,
  blocksDelete,
  defaultRetention,
  lockedError,
  lockOfHeaders,
  missingConfigurationError,
  type ObjectLockConfiguration,
} from './object-lock-rules';

/**
 * How long a process answers from the Object Lock configuration it last read for a bucket (on top of the store's own
 * settings cache): a plain PUT or DELETE then costs one map lookup. A change through this process is seen at once.
 */
export const LOCK_CONFIGURATION_TRUSTED_MS = 1000;

/**
 * What object operations ask of Object Lock: a bucket's configuration (cached briefly), the lock a write gives its
 * new version, and the guard a delete passes to the store. The Object Lock operations themselves are
 * ObjectLockService's.
 */
@Injectable()
export class ObjectLocks {
  private readonly seen = new Map<string, { config: ObjectLockConfiguration | undefined; until: number }>();

  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  /** The bucket's Object Lock configuration, undefined when Object Lock is not enabled; throws NoSuchBucket. */
  async configOf(bucket: string): Promise<ObjectLockConfiguration | undefined> {
    const now = Date.now();
    const seen = this.seen.get(bucket);
    if (seen !== undefined && seen.until > now) return seen.config;
    const config = await this.store.getBucketSetting(bucket, 'objectLock', true);
    this.seen.set(bucket, { config, until: now + LOCK_CONFIGURATION_TRUSTED_MS });
    return config;
  }

  /** After a change of the bucket's configuration (or the bucket) through this process: answers follow at once. */
  forget(bucket: string): void {
    this.seen.delete(bucket);
  }

  /**
   * The lock a write (PutObject, CopyObject, CreateMultipartUpload) gives its new version: its headers', else the
   * bucket's default retention, else none. Lock headers on a bucket without Object Lock are InvalidRequest. A write
   * with a body (`withBody`) that gets a retention or legal hold needs Content-MD5 or a checksum header, as on S3.
   */
  async lockForWrite(request: S3Request, bucket: string, withBody: boolean): Promise<ObjectLock | undefined> {
    const now = Date.now();
    const asked = lockOfHeaders(request.headers, now);
    const config = await this.configOf(bucket);
    if (config === undefined) {
      if (asked !== undefined) throw missingConfigurationError();
      return undefined;
    }
    const lock = asked?.mode !== undefined || config.rule === undefined ? asked : { ...asked, ...defaultRetention(config.rule, now) };
    const locks = lock !== undefined && (lock.mode !== undefined || lock.legalHold === true);
    if (withBody && locks && !hasIntegrityHeader(request.headers)) {
      throw new S3Error('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
    }
    return locks ? lock : undefined;
  }

  /**
   * The guard a delete passes to the store (undefined for a bucket without Object Lock): a version under legal hold
   * or retention is AccessDenied, a GOVERNANCE retention giving way to the bypass header when the caller may use it.
   * The bypass header on a bucket without Object Lock is InvalidArgument on DeleteObject, as S3 answers (`strict`);
   * DeleteObjects ignores it there.
   */
  async deleteGuard(request: S3Request, bucket: string, strict = true): Promise<VersionGuard | undefined> {
    const config = await this.configOf(bucket);
    const bypass = asksBypass(request);
    if (config === undefined) {
      if (bypass && strict) throw new S3Error('InvalidArgument', 'x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.');
      return undefined;
    }
    const mayBypass = bypass && request.bypassGovernanceDenied !== true;
    return (lock) => {
      if (blocksDelete(lock, Date.now(), mayBypass)) throw lockedError();
    };
  }

  /**
   * The guard a write passes to the store (undefined for a bucket without Object Lock): a backend that keeps no older
   * versions (AIS) must not replace a version under legal hold or retention (the bypass does not count for writes).
   */
  async writeGuard(bucket: string): Promise<VersionGuard | undefined> {
    if ((await this.configOf(bucket)) === undefined) return undefined;
    return (lock) => {
      if (blocksDelete(lock, Date.now(), false)) throw lockedError();
    };
  }

  /** Whether the caller asked for and may use the GOVERNANCE bypass (PutObjectRetention). */
  mayBypass(request: S3Request): boolean {
    return asksBypass(request) && request.bypassGovernanceDenied !== true;
  }
}
