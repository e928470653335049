import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectInfo, WriteCondition } from '../ais/store';
import { S3Error } from './errors';
import { headerValue } from './headers';
import { unquotedEtag } from './object-headers';

/** Whether an If-Match / If-None-Match list names this ETag (`*` names any; weak markers are ignored). */
function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((item) => {
    const candidate = item.trim().replace(/^W\//, '');
    return candidate === '*' || unquotedEtag(candidate) === etag;
  });
}

/** HTTP dates have whole seconds; Last-Modified is compared at that precision. */
function modifiedAfter(info: ObjectInfo, httpDate: string): boolean | undefined {
  const since = Date.parse(httpDate);
  if (Number.isNaN(since)) return undefined;
  return Math.floor(info.lastModified.getTime() / 1000) > Math.floor(since / 1000);
}

interface ConditionHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

type Outcome = 'proceed' | 'not-modified' | { failed: 'If-Match' | 'If-Unmodified-Since' };

/**
 * RFC 9110 section 13.2.2 order, as S3 applies it: If-Match, else If-Unmodified-Since; then If-None-Match,
 * else If-Modified-Since. An unparsable date is ignored, as the RFC says.
 */
function evaluate(info: ObjectInfo, conditions: ConditionHeaders): Outcome {
  if (conditions.ifMatch !== undefined) {
    if (!etagListMatches(conditions.ifMatch, info.etag)) return { failed: 'If-Match' };
  } else if (conditions.ifUnmodifiedSince !== undefined && modifiedAfter(info, conditions.ifUnmodifiedSince) === true) {
    return { failed: 'If-Unmodified-Since' };
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, info.etag)) return 'not-modified';
  } else if (conditions.ifModifiedSince !== undefined && modifiedAfter(info, conditions.ifModifiedSince) === false) {
    return 'not-modified';
  }
  return 'proceed';
}

function validatorsOf(info: ObjectInfo): Record<string, string> {
  const validators: Record<string, string> = { etag: `"${info.etag}"`, 'last-modified': info.lastModified.toUTCString() };
  if (info.versionId !== 'null') validators['x-amz-version-id'] = info.versionId;
  return validators;
}

/** GET/HEAD preconditions: 412 PreconditionFailed or 304 Not Modified. */
export function checkReadConditions(info: ObjectInfo, headers: IncomingHttpHeaders): void {
  const outcome = evaluate(info, {
    ifMatch: headerValue(headers, 'if-match'),
    ifNoneMatch: headerValue(headers, 'if-none-match'),
    ifModifiedSince: headerValue(headers, 'if-modified-since'),
    ifUnmodifiedSince: headerValue(headers, 'if-unmodified-since'),
  });
  // A 304 carries the validators a 200 would have (RFC 9110 section 15.4.5), as S3 sends them.
  if (outcome === 'not-modified') throw new S3Error('NotModified', undefined, {}, validatorsOf(info));
  if (outcome !== 'proceed') throw new S3Error('PreconditionFailed', undefined, { Condition: outcome.failed });
}

/** CopyObject's `x-amz-copy-source-if-*`: any failure is 412 (a copy has no 304). */
export function checkCopySourceConditions(info: ObjectInfo, headers: IncomingHttpHeaders): void {
  const outcome = evaluate(info, {
    ifMatch: headerValue(headers, 'x-amz-copy-source-if-match'),
    ifNoneMatch: headerValue(headers, 'x-amz-copy-source-if-none-match'),
    ifModifiedSince: headerValue(headers, 'x-amz-copy-source-if-modified-since'),
    ifUnmodifiedSince: headerValue(headers, 'x-amz-copy-source-if-unmodified-since'),
  });
  if (outcome !== 'proceed') throw new S3Error('PreconditionFailed');
}

/**
 * If-None-Match / If-Match of a write (PutObject, CompleteMultipartUpload, CopyObject's destination) or of
 * DeleteObject (If-Match only; S3 defines no If-None-Match for it), as S3 takes them: If-None-Match only as `*`
 * (S3 answers an ETag there with 501 NotImplemented, as it does both headers together); If-Match as an ETag,
 * quoted or not, a list of them, or `*`. Undefined when the request has no condition: the write is plain.
 */
export function writeConditionOf(headers: IncomingHttpHeaders, operation: 'write' | 'delete'): WriteCondition | undefined {
  const ifMatch = headerValue(headers, 'if-match');
  const ifNoneMatch = operation === 'write' ? headerValue(headers, 'if-none-match') : undefined;
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new S3Error('NotImplemented', 'If-Match and If-None-Match cannot be combined on a write.', { Header: 'If-None-Match' });
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 'If-None-Match on a write takes only "*".', { Header: 'If-None-Match' });
    return { kind: 'absent' };
  }
  if (ifMatch === undefined) return undefined;
  const items = ifMatch.split(',').map((item) => item.trim());
  if (items.some((item) => item === '' || item === '""')) {
    throw new S3Error('InvalidArgument', 'If-Match must name an ETag or "*".', { ArgumentName: 'If-Match', ArgumentValue: ifMatch });
  }
  if (items.includes('*')) return { kind: 'match', etags: '*' };
  // Writes compare ETags strongly (RFC 9110 section 13.1.1): a weak one (W/"...") never matches.
  return { kind: 'match', etags: items.map(unquotedEtag) };
}

/**
 * Whether a write may go ahead given the key's current ETag (undefined: no object). Throws PreconditionFailed,
 * or NoSuchKey when If-Match finds no object (S3 "conditional writes": 404 for a missing key).
 */
export function checkWriteCondition(condition: WriteCondition, currentEtag: string | undefined, key: string): void {
  if (condition.kind === 'absent') {
    if (currentEtag !== undefined) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
    return;
  }
  if (currentEtag === undefined) throw new S3Error('NoSuchKey', undefined, { Key: key });
  if (condition.etags !== '*' && !condition.etags.includes(currentEtag)) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
}
