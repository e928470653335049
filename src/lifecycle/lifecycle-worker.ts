import type { BucketInfo, ObjectStore, VersionEntry, VersionGuard } from '../ais/store';
import { isProtected } from '../object-lock/object-lock-rules';
import { isS3Error } from '../s3/errors';
import type { LifecycleRule } from './lifecycle-configuration';
import { abortingRule, type KeyVersion, type LifecycleAction, needsTags, plannedActions } from './lifecycle-rules';

/** What a pass did, by action: the label values of s3_lifecycle_actions_total (a fixed set). */
export type LifecycleActionName = 'expire_current' | 'expire_noncurrent' | 'remove_expired_marker' | 'abort_upload';

const ACTION_NAMES: Record<LifecycleAction['kind'], LifecycleActionName> = {
  'expire-current': 'expire_current',
  'expire-noncurrent': 'expire_noncurrent',
  'remove-expired-marker': 'remove_expired_marker',
};

/** Most actions one pass takes; the next pass goes on where the work is left (it plans from the stored state). */
export const MAX_ACTIONS_PER_PASS = 10_000;
const PAGE = 1000;

/** Thrown by keepLocked: the refusal the worker skips quietly. */
const LOCKED = new Error('protected by Object Lock');

/**
 * The guard of every delete the worker makes: S3's lifecycle never removes a version Object Lock protects (legal hold,
 * retention in force by the real clock, not the pass's). Only a delete that would remove a version for good asks it
 * (a delete marker over a locked current version is fine).
 */
const keepLocked: VersionGuard = (lock) => {
  if (isProtected(lock, Date.now())) throw LOCKED;
};

export interface PassReport {
  buckets: number;
  actions: Record<LifecycleActionName, number>;
  /** Actions that failed (logged; the next pass tries again). */
  failed: number;
  /** The pass stopped at MAX_ACTIONS_PER_PASS. */
  budgetReached: boolean;
}

export interface LifecycleWorkerOptions {
  /** An object version's tags (lifecycle Tag filters); undefined: not known, so a Tag filter does not select it. */
  tagsOf?: (bucket: string, key: string, versionId: string) => Promise<Record<string, string> | undefined>;
  /** Called for every action done. */
  acted?: (action: LifecycleActionName) => void;
  warn?: (message: string) => void;
  maxActions?: number;
}

function keyVersion(entry: VersionEntry): KeyVersion {
  return entry.deleteMarker
    ? { key: entry.key, versionId: entry.versionId, deleteMarker: true, lastModified: entry.lastModified, size: 0 }
    : { key: entry.key, versionId: entry.versionId, deleteMarker: false, lastModified: entry.lastModified, size: entry.size, etag: entry.etag };
}

/**
 * One pass of bucket lifecycle rules over every bucket that has them: plans each key's actions from its versions as
 * listed (lifecycle-rules.ts) and carries them out against exactly the versions planned on, so passes are idempotent,
 * can restart anywhere, and several replicas may run them at once:
 * - a noncurrent version or a delete marker is deleted by its version id (deleting it twice is a no-op);
 * - a current object is expired only while its ETag is still the one evaluated (a conditional delete); where the
 *   backend has no conditional delete (AIS without AIS_SINGLE_WRITER) it is checked just before the delete, which
 *   leaves a window of one round trip in which a newer write could be expired (README, "Lifecycle").
 * Time comes from the caller (`now`), so tests can move it.
 */
export class LifecycleWorker {
  constructor(
    private readonly store: ObjectStore,
    private readonly options: LifecycleWorkerOptions = {},
  ) {}

  async runPass(now: Date): Promise<PassReport> {
    const report: PassReport = {
      buckets: 0,
      actions: { expire_current: 0, expire_noncurrent: 0, remove_expired_marker: 0, abort_upload: 0 },
      failed: 0,
      budgetReached: false,
    };
    for (const bucket of await this.store.listBuckets()) {
      if (this.spent(report)) break;
      const rules = (await this.store.getBucketSetting(bucket.name, 'lifecycle').catch(() => undefined))?.filter((rule) => rule.enabled);
      if (rules === undefined || rules.length === 0) continue;
      report.buckets += 1;
      await this.expireObjects(bucket, rules, now, report);
      await this.abortUploads(bucket.name, rules, now, report);
    }
    return report;
  }

  private spent(report: PassReport): boolean {
    const done = Object.values(report.actions).reduce((sum, n) => sum + n, 0) + report.failed;
    report.budgetReached ||= done >= (this.options.maxActions ?? MAX_ACTIONS_PER_PASS);
    return report.budgetReached;
  }

  private async expireObjects(bucket: BucketInfo, rules: LifecycleRule[], now: Date, report: PassReport): Promise<void> {
    if (!rules.some((rule) => rule.expiration !== undefined || rule.noncurrentVersionExpiration !== undefined)) return;
    const versioned = bucket.versioning !== undefined;
    const withTags = needsTags(rules) && this.options.tagsOf !== undefined;
    let group: KeyVersion[] = [];
    const flush = async (): Promise<void> => {
      if (group.length > 0) await this.act(bucket.name, plannedActions(rules, group, now, versioned), report);
      group = [];
    };
    let marker: { keyMarker?: string; versionIdMarker?: string } = {};
    for (;;) {
      const page = await this.store.listObjectVersions(bucket.name, { prefix: '', maxKeys: PAGE, ...marker });
      for (const entry of page.versions) {
        // A key's versions come together, newest first; one may run on into the next page.
        if (group.length > 0 && group[0].key !== entry.key) await flush();
        if (this.spent(report)) return;
        const version = keyVersion(entry);
        if (withTags && !version.deleteMarker) version.tags = await this.options.tagsOf!(bucket.name, entry.key, entry.versionId);
        group.push(version);
      }
      if (!page.isTruncated) break;
      marker = { keyMarker: page.nextKeyMarker, versionIdMarker: page.nextVersionIdMarker };
    }
    await flush();
  }

  private async act(bucket: string, actions: LifecycleAction[], report: PassReport): Promise<void> {
    for (const action of actions) {
      try {
        if (action.kind === 'expire-current') await this.expireCurrent(bucket, action);
        else await this.store.deleteObject(bucket, action.key, action.versionId, undefined, keepLocked);
        report.actions[ACTION_NAMES[action.kind]] += 1;
        this.options.acted?.(ACTION_NAMES[action.kind]);
      } catch (err) {
        // Already gone (another replica), or changed since it was listed: nothing to do.
        if (isS3Error(err) && ['NoSuchKey', 'NoSuchVersion', 'PreconditionFailed'].includes(err.code)) continue;
        // A version Object Lock protects stays (keepLocked); a later pass removes it once it is free.
        if (err === LOCKED) continue;
        report.failed += 1;
        this.options.warn?.(`lifecycle: ${action.kind} of ${bucket}/${action.key} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Deletes the current object only while it is still the one evaluated: in a versioned bucket this writes a delete marker. */
  private async expireCurrent(bucket: string, action: Extract<LifecycleAction, { kind: 'expire-current' }>): Promise<void> {
    try {
      await this.store.deleteObject(bucket, action.key, undefined, { kind: 'match', etags: [action.etag] }, keepLocked);
    } catch (err) {
      if (!isS3Error(err) || err.code !== 'NotImplemented') throw err;
      // No conditional delete on this backend: check, then delete.
      const current = await this.store.headObject(bucket, action.key);
      if (current.etag !== action.etag) return;
      await this.store.deleteObject(bucket, action.key, undefined, undefined, keepLocked);
    }
  }

  private async abortUploads(bucket: string, rules: LifecycleRule[], now: Date, report: PassReport): Promise<void> {
    if (!rules.some((rule) => rule.abortIncompleteMultipartUpload !== undefined)) return;
    let marker: { keyMarker?: string; uploadIdMarker?: string } = {};
    for (;;) {
      const page = await this.store.listMultipartUploads(bucket, { prefix: '', maxUploads: PAGE, ...marker });
      for (const upload of page.uploads) {
        if (this.spent(report)) return;
        if (abortingRule(rules, upload.key, upload.initiated, now) === undefined) continue;
        try {
          await this.store.abortMultipartUpload(bucket, upload.key, upload.uploadId);
          report.actions.abort_upload += 1;
          this.options.acted?.('abort_upload');
        } catch (err) {
          if (isS3Error(err) && err.code === 'NoSuchUpload') continue;
          report.failed += 1;
          this.options.warn?.(
            `lifecycle: abort of upload ${upload.uploadId} (${bucket}/${upload.key}) failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
      const last = page.uploads.at(-1);
      if (!page.isTruncated || last === undefined) break;
      marker = { keyMarker: last.key, uploadIdMarker: last.uploadId };
    }
  }
}
