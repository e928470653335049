import type { TLSSocket } from 'node:tls';
import type { TagSet } from '../../ais/store';
import type { S3Request } from '../../s3/s3-request';
import { remainingRetentionDays, type RequestedLock, requestedLockOf } from '../../object-lock/object-lock-rules';
import { requestedTags } from '../../tagging/tag-set';
import type { Principal } from '../principal';
import { type RequiredActions, requiredActions } from './actions';
import { type CONDITION_KEYS, type ConditionKey, type ConditionValues, EXISTING_OBJECT_TAG, normalizeAddress, REQUEST_OBJECT_TAG } from './conditions';
import { evaluateActions, explainPolicy, type PolicyVerdict } from './evaluate';
import type { CompiledPolicy } from './policy-document';

const LISTINGS = new Set(['ListObjects', 'ListObjectsV2', 'ListObjectVersions']);

function header(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** s3:signatureversion and s3:authType of a signed request (a signed request has one of these forms, the authenticator checked it). */
function signatureOf(request: S3Request): { version: string; type: string } | undefined {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) return { version: authorization.startsWith('AWS ') ? 'AWS' : 'AWS4-HMAC-SHA256', type: 'REST-HEADER' };
  if (request.query['X-Amz-Algorithm'] !== undefined) return { version: 'AWS4-HMAC-SHA256', type: 'REST-QUERY-STRING' };
  if (request.query.AWSAccessKeyId !== undefined) return { version: 'AWS', type: 'REST-QUERY-STRING' };
  return undefined;
}

/** Writes whose `x-amz-tagging` header gives the new object its tags (s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys). */
const TAGGING_WRITES = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload']);

/** The tags a write's `x-amz-tagging` sets; undefined without one, or with one the handler will refuse. */
function requestTagsOf(request: S3Request): TagSet | undefined {
  if (!TAGGING_WRITES.has(request.operation)) return undefined;
  try {
    return requestedTags(request.headers);
  } catch {
    return undefined;
  }
}

/** Writes whose `x-amz-object-lock-*` headers name the new version's lock (the s3:object-lock-* keys). */
const LOCK_WRITES = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload']);

/**
 * The lock the request names for the s3:object-lock-* keys: what the body named (S3Request.requestedLock: a form's
 * fields, PutObjectRetention's or PutObjectLegalHold's document), else a write's headers; undefined for anything else
 * (a DeleteObject's bypass names no lock: the keys are absent there).
 */
function requestedLock(request: S3Request): RequestedLock | undefined {
  return request.requestedLock ?? (LOCK_WRITES.has(request.operation) ? requestedLockOf(request.headers) : undefined);
}

function addTags(values: ConditionValues, prefix: typeof EXISTING_OBJECT_TAG | typeof REQUEST_OBJECT_TAG, tags: TagSet): void {
  for (const tag of tags) values[`${prefix}${tag.key}`] = tag.value;
}

/** What a condition key's value is read from. */
interface KeySources {
  request: S3Request;
  principal: Principal;
  now: number;
}

const socketOf = (request: S3Request) => request.raw.socket as TLSSocket | undefined;
const userOf = (principal: Principal) => (principal.kind === 'user' ? principal : undefined);
const listingQuery = (request: S3Request, name: string) => (LISTINGS.has(request.operation) ? request.query[name] : undefined);
const signature = ({ request, principal }: KeySources) => (principal.kind === 'user' ? signatureOf(request) : undefined);

/** How each single-valued key is found; only the keys a policy tests are read (CompiledPolicy.conditionKeys). */
const KEY_VALUES: Record<Exclude<(typeof CONDITION_KEYS)[number], 's3:requestobjecttagkeys'>, (sources: KeySources) => string | undefined> = {
  'aws:sourceip': ({ request }) => {
    const address = socketOf(request)?.remoteAddress;
    return address === undefined ? undefined : normalizeAddress(address);
  },
  'aws:securetransport': ({ request }) => String(socketOf(request)?.encrypted === true),
  'aws:currenttime': ({ now }) => new Date(now).toISOString(),
  'aws:epochtime': ({ now }) => String(Math.floor(now / 1000)),
  'aws:principaltype': ({ principal }) => (principal.kind === 'user' ? 'User' : 'Anonymous'),
  'aws:username': ({ principal }) => userOf(principal)?.displayName,
  'aws:userid': ({ principal }) => userOf(principal)?.canonicalId,
  'aws:referer': ({ request }) => header(request, 'referer'),
  'aws:useragent': ({ request }) => header(request, 'user-agent'),
  's3:prefix': ({ request }) => listingQuery(request, 'prefix'),
  's3:delimiter': ({ request }) => listingQuery(request, 'delimiter'),
  's3:max-keys': ({ request }) => listingQuery(request, 'max-keys'),
  's3:x-amz-acl': ({ request }) => header(request, 'x-amz-acl'),
  's3:versionid': ({ request }) => request.query.versionId,
  's3:signatureversion': (sources) => signature(sources)?.version,
  's3:authtype': (sources) => signature(sources)?.type,
  's3:object-lock-mode': ({ request }) => requestedLock(request)?.mode,
  's3:object-lock-retain-until-date': ({ request }) => requestedLock(request)?.retainUntilDate,
  's3:object-lock-remaining-retention-days': ({ request, now }) => remainingRetentionDays(requestedLock(request)?.retainUntilDate, now)?.toString(),
  's3:object-lock-legal-hold': ({ request }) => requestedLock(request)?.legalHold,
};

/**
 * The values of the condition keys in `keys` (the keys a policy tests) for one request; `now` in ms. A key the
 * request has no value for is left out. `existingTags`: the tags of the object the request is about, when the
 * policy tests them (s3:ExistingObjectTag/<key>).
 */
export function conditionValuesOf(
  request: S3Request,
  principal: Principal,
  now: number,
  keys: ReadonlySet<ConditionKey>,
  existingTags?: TagSet,
): ConditionValues {
  const values: ConditionValues = {};
  if (keys.size === 0) return values;
  const sources: KeySources = { request, principal, now };
  let wantsRequestTags = false;
  for (const key of keys) {
    if (Object.hasOwn(KEY_VALUES, key)) {
      const value = KEY_VALUES[key as keyof typeof KEY_VALUES](sources);
      if (value !== undefined) values[key] = value;
    } else wantsRequestTags ||= key === 's3:requestobjecttagkeys' || key.startsWith(REQUEST_OBJECT_TAG);
  }
  const requestTags = wantsRequestTags ? requestTagsOf(request) : undefined;
  if (requestTags !== undefined) {
    values['s3:requestobjecttagkeys'] = requestTags.map((tag) => tag.key);
    addTags(values, REQUEST_OBJECT_TAG, requestTags);
  }
  if (existingTags !== undefined) addTags(values, EXISTING_OBJECT_TAG, existingTags);
  return values;
}

/** The actions a request needs of its bucket's policy; undefined for a request no bucket policy governs. */
export function actionsOf(request: S3Request): RequiredActions | undefined {
  const setsAcl = header(request, 'x-amz-acl') !== undefined || Object.keys(request.headers).some((name) => name.startsWith('x-amz-grant-'));
  const setsTags = header(request, 'x-amz-tagging') !== undefined;
  return requiredActions(request.operation, { versionId: request.query.versionId, setsAcl, setsTags });
}

/** `arn:aws:s3:::bucket`, or `arn:aws:s3:::bucket/key` for an object. */
export function resourceArn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** A bucket's policy as the access check applies it (BucketPolicies.of). */
export interface AppliedPolicy {
  policy: CompiledPolicy;
  /** Public, on a bucket whose public access block has RestrictPublicBuckets: it lets no anonymous request in. */
  restricted: boolean;
}

/** What a policy is asked about: the bucket, the key (else the request's), the actions (else the request's), the object's tags. */
export interface PolicyTarget {
  bucket: string;
  key?: string;
  actions?: RequiredActions;
  /** The object's tags, read only when the policy tests s3:ExistingObjectTag/<key> (CompiledPolicy.readsObjectTags). */
  existingTags?: TagSet;
}

/**
 * A bucket policy's verdict on a request (on `key` of the bucket, for DeleteObjects' entries and copy sources,
 * with their own `actions`): what decide() weighs against ownership.
 */
export function policyVerdict(applied: AppliedPolicy, request: S3Request, principal: Principal, target: PolicyTarget, now = Date.now()): PolicyVerdict {
  const required = target.actions ?? actionsOf(request);
  if (required === undefined) return 'none';
  const resource = resourceArn(target.bucket, required.kind === 'object' ? (target.key ?? '') : undefined);
  const conditions = conditionValuesOf(request, principal, now, applied.policy.conditionKeys, target.existingTags);
  const verdict = evaluateActions(applied.policy, required.actions, { principal, resource, conditions });
  return verdict === 'allow' && applied.restricted && principal.kind === 'anonymous' ? 'none' : verdict;
}

/** The statement that decided a request's verdict (a Deny's, else the first Allow's), for the debug log only. */
export function decidingStatement(applied: AppliedPolicy, request: S3Request, principal: Principal, target: PolicyTarget): string | undefined {
  const required = actionsOf(request);
  if (required === undefined) return undefined;
  const resource = resourceArn(target.bucket, required.kind === 'object' ? (target.key ?? '') : undefined);
  const context = { principal, resource, conditions: conditionValuesOf(request, principal, Date.now(), applied.policy.conditionKeys, target.existingTags) };
  const explained = required.actions.map((action) => explainPolicy(applied.policy, { ...context, action }));
  return (explained.find((explanation) => explanation.verdict === 'deny') ?? explained.find((explanation) => explanation.verdict === 'allow'))?.statement;
}
