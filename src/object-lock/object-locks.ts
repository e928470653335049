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
   * The guards deletes pass to the store, by the version id each names: a version under legal hold or retention is
   * AccessDenied, a GOVERNANCE retention giving way to the bypass header when the caller may use it. A delete by
   * version id always gets one, whatever this process last read of the bucket's configuration: a lock found on the
   * version is enforced (Object Lock cannot be turned off), so another process's fresh configuration cannot be
   * outrun; the check costs no store call more (embedded: inside the delete's transaction; AIS: the HEAD it makes
   * anyway). A delete without one gets a guard only in a bucket with Object Lock (on AIS it costs a HEAD). The bypass
   * header on a bucket without Object Lock is InvalidArgument on DeleteObject, as S3 answers (`strict`); DeleteObjects
   * ignores it there.
   */
  async deleteGuards(request: S3Request, bucket: string, strict = true): Promise<(versionId: string | undefined) => VersionGuard | undefined> {
    const config = await this.configOf(bucket);
    const bypass = asksBypass(request);
    if (config === undefined && bypass && strict) {
      throw new S3Error('InvalidArgument', 'x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.');
    }
    const mayBypass = config !== undefined && bypass && request.bypassGovernanceDenied !== true;
    const guard: VersionGuard = (lock) => {
      if (blocksDelete(lock, Date.now(), mayBypass)) throw lockedError();
    };
    return (versionId) => (versionId !== undefined || config !== undefined ? guard : undefined);
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
