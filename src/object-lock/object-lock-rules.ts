import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectLock, RetentionMode } from '../ais/store';
import { S3Error } from '../s3/errors';
import { headerValue } from '../s3/headers';
import { childElement, parseXml, textOf, type XmlElement } from '../s3/xml';

/**
 * S3 Object Lock as pure rules (no store, no clock of its own: `now` is an argument): the bucket's
 * ObjectLockConfiguration, the Retention and LegalHold documents, the `x-amz-object-lock-*` headers of a write, and
 * what a lock forbids. The errors are the codes and messages S3 answers.
 */

/** Whether the request asks to bypass GOVERNANCE retention (`x-amz-bypass-governance-retention: true`). */
export function asksBypass(request: { headers: IncomingHttpHeaders }): boolean {
  return headerValue(request.headers, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
}

/** A bucket's default retention: a mode and a period of whole days or years. */
export interface DefaultRetention {
  mode: RetentionMode;
  days?: number;
  years?: number;
}

/** The bucket setting `objectLock`: present means Object Lock is enabled; `rule` is the default retention. */
export interface ObjectLockConfiguration {
  rule?: DefaultRetention;
}

const MODES: readonly string[] = ['GOVERNANCE', 'COMPLIANCE'];
const DAY_MS = 24 * 3600 * 1000;
/** S3's limits on a default retention period. */
const MAX_DAYS = 36500;
const MAX_YEARS = 100;

/** S3's answer to a delete or retention change that a lock forbids. */
export function lockedError(): S3Error {
  return new S3Error('AccessDenied', 'Access Denied because object protected by object lock.');
}

/** S3's answer to a lock operation (or lock headers) on a bucket without Object Lock. */
export function missingConfigurationError(): S3Error {
  return new S3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration');
}

function retentionPeriod(text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new S3Error('MalformedXML');
  const value = Number(text.trim());
  if (value <= 0) throw new S3Error('InvalidRetentionPeriod', 'Default retention period must be a positive integer value.');
  if (value > max) throw new S3Error('InvalidRetentionPeriod', 'Default retention period is too large.');
  return value;
}

/** PutObjectLockConfiguration's document. ObjectLockEnabled must be `Enabled`; a Rule needs DefaultRetention with a Mode and Days or Years. */
export function parseLockConfiguration(text: string): ObjectLockConfiguration {
  const root = childElement(parseXml(text), 'ObjectLockConfiguration');
  if (root === undefined || textOf(root.ObjectLockEnabled) !== 'Enabled') throw new S3Error('MalformedXML');
  const rule = childElement(root, 'Rule');
  if (rule === undefined) return {};
  const retention = childElement(rule, 'DefaultRetention');
  if (retention === undefined) throw new S3Error('MalformedXML');
  const mode = textOf(retention.Mode);
  if (mode === undefined || !MODES.includes(mode)) throw new S3Error('MalformedXML');
  const days = retentionPeriod(textOf(retention.Days), MAX_DAYS);
  const years = retentionPeriod(textOf(retention.Years), MAX_YEARS);
  if ((days === undefined) === (years === undefined)) throw new S3Error('MalformedXML');
  return { rule: { mode: mode as RetentionMode, ...(days !== undefined ? { days } : { years }) } };
}

/** GetObjectLockConfiguration's document (without the root element). */
export function lockConfigurationXml(config: ObjectLockConfiguration): XmlElement {
  const out: XmlElement = { ObjectLockEnabled: 'Enabled' };
  if (config.rule !== undefined) {
    const { mode, days, years } = config.rule;
    out.Rule = { DefaultRetention: { Mode: mode, ...(days !== undefined ? { Days: days } : { Years: years }) } };
  }
  return out;
}

/** The retention a new version gets from the bucket's default rule at `now`. */
export function defaultRetention(rule: DefaultRetention, now: number): ObjectLock {
  if (rule.days !== undefined) return { mode: rule.mode, retainUntil: now + rule.days * DAY_MS };
  const until = new Date(now);
  until.setUTCFullYear(until.getUTCFullYear() + (rule.years ?? 0));
  return { mode: rule.mode, retainUntil: until.getTime() };
}

/** An ISO 8601 date-time (what SDKs send: `2030-01-01T00:00:00Z`, with or without fractions); NaN otherwise. */
function isoTime(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) return NaN;
  return Date.parse(text.trim());
}

/** The Retention document of PutObjectRetention: a mode and a date, or neither (which removes the retention). */
export function parseRetention(text: string, now: number): Pick<ObjectLock, 'mode' | 'retainUntil'> {
  const root = childElement(parseXml(text), 'Retention');
  if (root === undefined) throw new S3Error('MalformedXML');
  const mode = textOf(root.Mode);
  const date = textOf(root.RetainUntilDate);
  if (mode === undefined && date === undefined) return {};
  if (mode === undefined || date === undefined || !MODES.includes(mode)) throw new S3Error('MalformedXML');
  const retainUntil = isoTime(date);
  if (Number.isNaN(retainUntil)) throw new S3Error('MalformedXML');
  if (retainUntil <= now) throw new S3Error('InvalidArgument', 'The retain until date must be in the future!');
  return { mode: mode as RetentionMode, retainUntil };
}

/** The LegalHold document of PutObjectLegalHold: Status ON or OFF. */
export function parseLegalHold(text: string): boolean {
  const root = childElement(parseXml(text), 'LegalHold');
  const status = root === undefined ? undefined : textOf(root.Status);
  if (status !== 'ON' && status !== 'OFF') throw new S3Error('MalformedXML');
  return status === 'ON';
}

/** The ISO 8601 form S3 answers a retain-until date in (RetainUntilDate, `x-amz-object-lock-retain-until-date`). */
export function retainUntilText(retainUntil: number): string {
  return new Date(retainUntil).toISOString();
}

export const LOCK_HEADERS = ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold'] as const;

/**
 * The lock a request names, as the bucket policy's s3:object-lock-* condition keys see it (before any check of the
 * values): its mode, retain-until date and legal-hold status as sent (headers, form fields), or as a Retention or
 * LegalHold document gave them.
 */
export interface RequestedLock {
  mode?: string;
  retainUntilDate?: string;
  legalHold?: string;
}

/** The `x-amz-object-lock-*` headers (or a form's fields of those names) as a RequestedLock; undefined without any. */
export function requestedLockOf(headers: IncomingHttpHeaders): RequestedLock | undefined {
  const [mode, retainUntilDate, legalHold] = LOCK_HEADERS.map((name) => headerValue(headers, name));
  if (mode === undefined && retainUntilDate === undefined && legalHold === undefined) return undefined;
  return { mode, retainUntilDate, legalHold };
}

/**
 * s3:object-lock-remaining-retention-days: the whole days from `now` to the retain-until date, a part of a day
 * counting as one (a policy's "at most 30 days" then refuses 30 days and an hour); undefined for a date that is not
 * ISO 8601.
 */
export function remainingRetentionDays(retainUntilDate: string | undefined, now: number): number | undefined {
  const until = retainUntilDate === undefined ? NaN : isoTime(retainUntilDate);
  return Number.isNaN(until) ? undefined : Math.ceil((until - now) / DAY_MS);
}

/**
 * The lock a write asks for in its headers (PutObject, CopyObject, CreateMultipartUpload), undefined when it names
 * none. Mode and date go together; the date must be in the future.
 */
export function lockOfHeaders(headers: IncomingHttpHeaders, now: number): ObjectLock | undefined {
  const mode = headerValue(headers, 'x-amz-object-lock-mode');
  const date = headerValue(headers, 'x-amz-object-lock-retain-until-date');
  const hold = headerValue(headers, 'x-amz-object-lock-legal-hold');
  if (mode === undefined && date === undefined && hold === undefined) return undefined;
  const lock: ObjectLock = {};
  if (mode !== undefined || date !== undefined) {
    if (mode === undefined || date === undefined) {
      throw new S3Error('InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
    }
    if (!MODES.includes(mode))
      throw new S3Error('InvalidArgument', 'Unknown wormMode directive.', { ArgumentName: 'x-amz-object-lock-mode', ArgumentValue: mode });
    const retainUntil = isoTime(date);
    if (Number.isNaN(retainUntil)) {
      throw new S3Error('InvalidArgument', 'The retain until date must be provided in ISO 8601 format', {
        ArgumentName: 'x-amz-object-lock-retain-until-date',
        ArgumentValue: date,
      });
    }
    if (retainUntil <= now) throw new S3Error('InvalidArgument', 'The retain until date must be in the future!');
    lock.mode = mode as RetentionMode;
    lock.retainUntil = retainUntil;
  }
  if (hold !== undefined) {
    if (hold !== 'ON' && hold !== 'OFF') {
      throw new S3Error('InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'", { ArgumentName: 'x-amz-object-lock-legal-hold', ArgumentValue: hold });
    }
    if (hold === 'ON') lock.legalHold = true;
  }
  return lock;
}

/** Whether a retention is in force at `now`. */
export function retentionActive(lock: ObjectLock | undefined, now: number): boolean {
  return lock?.mode !== undefined && lock.retainUntil !== undefined && lock.retainUntil > now;
}

/** Whether the version may not be deleted for good at `now` by anyone (legal hold, retention in force). */
export function isProtected(lock: ObjectLock | undefined, now: number): boolean {
  return lock?.legalHold === true || retentionActive(lock, now);
}

/**
 * Whether a delete of the version for good is refused at `now`: a legal hold, a COMPLIANCE retention in force, or a
 * GOVERNANCE one unless the caller bypasses it (header and permission).
 */
export function blocksDelete(lock: ObjectLock | undefined, now: number, bypassGovernance: boolean): boolean {
  if (lock?.legalHold === true) return true;
  if (!retentionActive(lock, now)) return false;
  return lock?.mode === 'COMPLIANCE' || !bypassGovernance;
}

/**
 * Checks PutObjectRetention's new retention against the version's current one at `now` (throws AccessDenied):
 * a retention in force may be extended (a GOVERNANCE one may also become COMPLIANCE); shortening, removing it or
 * turning COMPLIANCE into GOVERNANCE is refused, except for a GOVERNANCE retention with the bypass.
 */
export function checkRetentionChange(
  current: ObjectLock | undefined,
  next: Pick<ObjectLock, 'mode' | 'retainUntil'>,
  now: number,
  bypassGovernance: boolean,
): void {
  if (!retentionActive(current, now)) return;
  const currentUntil = current?.retainUntil as number;
  const extends_ = next.retainUntil !== undefined && next.retainUntil >= currentUntil;
  if (current?.mode === 'COMPLIANCE') {
    if (next.mode === 'COMPLIANCE' && extends_) return;
    throw lockedError();
  }
  if (extends_ || bypassGovernance) return;
  throw lockedError();
}
