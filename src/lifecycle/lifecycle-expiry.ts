import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectInfo, type ObjectStore, type TagSet } from '../ais/store';
import type { LifecycleRule } from './lifecycle-configuration';
import { currentExpiry, needsTags } from './lifecycle-rules';

/**
 * How long a process answers `x-amz-expiration` from the rules it last read for a bucket (on top of the store's own
 * settings cache): a plain GET or PUT then costs one map lookup. A change through this process is seen at once.
 */
export const EXPIRY_RULES_TRUSTED_MS = 1000;

/**
 * `x-amz-expiration` on PutObject, GetObject and HeadObject: when the bucket's lifecycle rules will expire the current
 * object and by which rule (`expiry-date="<HTTP date>", rule-id="<URL-encoded id>"`), as S3 answers it. Absent when
 * no enabled Expiration rule selects the object.
 */
@Injectable()
export class LifecycleExpiry {
  private readonly seen = new Map<string, { rules: LifecycleRule[] | undefined; expires: boolean; until: number }>();

  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  /** The header for the current object `info` of `bucket`; `tags`: its tags when the caller has them (a PUT). */
  async headerFor(bucket: string, info: ObjectInfo, tags?: TagSet): Promise<string | undefined> {
    const { rules, expires } = await this.rulesOf(bucket);
    if (rules === undefined || !expires) return undefined;
    let known = tags;
    // Tag filters need the tags: read only for an object that has some, in a bucket whose rules filter on them.
    if (known === undefined && (info.tagCount ?? 0) === 0) known = [];
    if (known === undefined && needsTags(rules)) known = (await this.store.getObjectTagging(bucket, info.key, info.versionId)).tags;
    const subject = {
      key: info.key,
      size: info.size,
      lastModified: info.lastModified,
      tags: known === undefined ? undefined : Object.fromEntries(known.map((tag) => [tag.key, tag.value])),
    };
    const expiry = currentExpiry(rules, subject);
    if (expiry === undefined) return undefined;
    return `expiry-date="${expiry.at.toUTCString()}", rule-id="${encodeURIComponent(expiry.ruleId)}"`;
  }

  /**
   * False when the rules this process read for `bucket` within EXPIRY_RULES_TRUSTED_MS expire nothing, so headerFor()
   * would answer undefined: the caller skips it and its awaits (on every GET, HEAD and PUT of a bucket without
   * Expiration rules, which is most of them).
   */
  mayExpire(bucket: string): boolean {
    const seen = this.seen.get(bucket);
    return seen === undefined || seen.until <= Date.now() || seen.expires;
  }

  /** After a Put/DeleteBucketLifecycle through this process: its answers follow at once. */
  forget(bucket: string): void {
    this.seen.delete(bucket);
  }

  private async rulesOf(bucket: string): Promise<{ rules: LifecycleRule[] | undefined; expires: boolean }> {
    const now = Date.now();
    const seen = this.seen.get(bucket);
    if (seen !== undefined && seen.until > now) return seen;
    const rules = await this.store.getBucketSetting(bucket, 'lifecycle', true);
    const read = { rules, expires: rules?.some((rule) => rule.enabled && rule.expiration !== undefined) ?? false, until: now + EXPIRY_RULES_TRUSTED_MS };
    this.seen.set(bucket, read);
    return read;
  }
}
