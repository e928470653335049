import type { LifecycleFilter, LifecycleRule } from './lifecycle-configuration';

const DAY_MS = 86_400_000;

/**
 * When an age of `days` counted from `start` is reached, as S3 counts it: the start plus the days, rounded up to the
 * next midnight UTC (created 1/15 10:30 with 3 days: 1/19 00:00).
 */
export function afterDays(start: Date, days: number): Date {
  const reached = start.getTime() + days * DAY_MS;
  return new Date(Math.floor(reached / DAY_MS) * DAY_MS + DAY_MS);
}

/** What a filter can look at of an object version. `tags` undefined: not known (the rule cannot be proven to match). */
export interface LifecycleSubject {
  key: string;
  size: number;
  tags?: Readonly<Record<string, string>>;
}

/** Whether the filter selects the subject; a filter on tags never selects a subject whose tags are not known. */
export function filterMatches(filter: LifecycleFilter, subject: LifecycleSubject): boolean {
  if (filter.prefix !== undefined && !subject.key.startsWith(filter.prefix)) return false;
  if (filter.sizeGreaterThan !== undefined && !(subject.size > filter.sizeGreaterThan)) return false;
  if (filter.sizeLessThan !== undefined && !(subject.size < filter.sizeLessThan)) return false;
  if (filter.tags.length === 0) return true;
  const tags = subject.tags;
  return tags !== undefined && filter.tags.every((tag) => tags[tag.key] === tag.value);
}

/** Whether any enabled rule needs an object's tags to decide (so they are worth reading). */
export function needsTags(rules: readonly LifecycleRule[]): boolean {
  return rules.some((rule) => rule.enabled && rule.filter.tags.length > 0);
}

/** The earliest expiration the rules give a current object, and the rule that gives it (`x-amz-expiration`). */
export function currentExpiry(rules: readonly LifecycleRule[], subject: LifecycleSubject & { lastModified: Date }): { at: Date; ruleId: string } | undefined {
  let earliest: { at: Date; ruleId: string } | undefined;
  for (const rule of rules) {
    const expiration = rule.expiration;
    if (!rule.enabled || expiration === undefined || !filterMatches(rule.filter, subject)) continue;
    const at =
      expiration.days !== undefined ? afterDays(subject.lastModified, expiration.days) : expiration.date !== undefined ? new Date(expiration.date) : undefined;
    if (at !== undefined && (earliest === undefined || at < earliest.at)) earliest = { at, ruleId: rule.id };
  }
  return earliest;
}

/** One version of a key as the planner sees it, newest first in a list. */
export interface KeyVersion extends LifecycleSubject {
  versionId: string;
  deleteMarker: boolean;
  lastModified: Date;
  /** Objects only. */
  etag?: string;
}

/** What the worker does to one key; each names the exact version it evaluated, never "whatever is current". */
export type LifecycleAction =
  | { kind: 'expire-current'; key: string; versionId: string; etag: string; ruleId: string }
  | { kind: 'expire-noncurrent'; key: string; versionId: string; ruleId: string }
  | { kind: 'remove-expired-marker'; key: string; versionId: string; ruleId: string };

/**
 * The actions due at `now` for one key, from its versions newest first (the first is current). A noncurrent version
 * became noncurrent when the next newer version was written; NewerNoncurrentVersions keeps that many of the newest
 * noncurrent versions whatever their age. A delete marker left with no versions behind it is removed by a rule with
 * ExpiredObjectDeleteMarker.
 */
export function plannedActions(rules: readonly LifecycleRule[], versions: readonly KeyVersion[], now: Date, versioned: boolean): LifecycleAction[] {
  const actions: LifecycleAction[] = [];
  const current = versions[0];
  if (current === undefined) return actions;
  if (!current.deleteMarker) {
    const expiry = currentExpiry(rules, current);
    if (expiry !== undefined && expiry.at <= now) {
      actions.push({ kind: 'expire-current', key: current.key, versionId: current.versionId, etag: current.etag ?? '', ruleId: expiry.ruleId });
    }
  }
  if (!versioned) return actions;
  const removed = new Set<string>();
  for (const rule of rules) {
    const expiration = rule.noncurrentVersionExpiration;
    if (!rule.enabled || expiration === undefined) continue;
    let newerNoncurrent = 0;
    for (let at = 1; at < versions.length; at += 1) {
      const version = versions[at];
      const successor = versions[at - 1];
      const keep = newerNoncurrent < (expiration.newerNoncurrentVersions ?? 0);
      newerNoncurrent += 1;
      if (keep || removed.has(version.versionId) || !filterMatches(rule.filter, version)) continue;
      if (afterDays(successor.lastModified, expiration.noncurrentDays) <= now) {
        removed.add(version.versionId);
        actions.push({ kind: 'expire-noncurrent', key: version.key, versionId: version.versionId, ruleId: rule.id });
      }
    }
  }
  const remaining = versions.length - removed.size;
  if (current.deleteMarker && remaining === 1) {
    const rule = rules.find((r) => r.enabled && r.expiration?.expiredObjectDeleteMarker === true && filterMatches(r.filter, { key: current.key, size: 0 }));
    if (rule !== undefined) actions.push({ kind: 'remove-expired-marker', key: current.key, versionId: current.versionId, ruleId: rule.id });
  }
  return actions;
}

/** Whether an upload initiated at `initiated` is due to be aborted by one of the rules, and by which. */
export function abortingRule(rules: readonly LifecycleRule[], key: string, initiated: Date, now: Date): string | undefined {
  const rule = rules.find((r) => {
    const abort = r.abortIncompleteMultipartUpload;
    return r.enabled && abort !== undefined && filterMatches(r.filter, { key, size: 0 }) && afterDays(initiated, abort.daysAfterInitiation) <= now;
  });
  return rule?.id;
}
