import type { TLSSocket } from 'node:tls';
import type { TagSet } from '../../ais/store';
import type { S3Request } from '../../s3/s3-request';
import { requestedTags } from '../../tagging/tag-set';
import type { Principal } from '../principal';
import { type RequiredActions, requiredActions } from './actions';
import { type ConditionValues, EXISTING_OBJECT_TAG, normalizeAddress, REQUEST_OBJECT_TAG } from './conditions';
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

function addTags(values: ConditionValues, prefix: typeof EXISTING_OBJECT_TAG | typeof REQUEST_OBJECT_TAG, tags: TagSet): void {
  for (const tag of tags) values[`${prefix}${tag.key}`] = tag.value;
}

/**
 * The values of the condition keys (conditions.ts) for one request; `now` in ms. `existingTags`: the tags of the
 * object the request is about, when the policy tests them (s3:ExistingObjectTag/<key>).
 */
export function conditionValuesOf(request: S3Request, principal: Principal, now: number, existingTags?: TagSet): ConditionValues {
  const socket = request.raw.socket as TLSSocket | undefined;
  const signature = principal.kind === 'user' ? signatureOf(request) : undefined;
  const listing = LISTINGS.has(request.operation);
  const values: ConditionValues = {
    'aws:sourceip': socket?.remoteAddress === undefined ? undefined : normalizeAddress(socket.remoteAddress),
    'aws:securetransport': String(socket?.encrypted === true),
    'aws:currenttime': new Date(now).toISOString(),
    'aws:epochtime': String(Math.floor(now / 1000)),
    'aws:principaltype': principal.kind === 'user' ? 'User' : 'Anonymous',
    'aws:username': principal.kind === 'user' ? principal.displayName : undefined,
    'aws:userid': principal.kind === 'user' ? principal.canonicalId : undefined,
    'aws:referer': header(request, 'referer'),
    'aws:useragent': header(request, 'user-agent'),
    's3:prefix': listing ? request.query.prefix : undefined,
    's3:delimiter': listing ? request.query.delimiter : undefined,
    's3:max-keys': listing ? request.query['max-keys'] : undefined,
    's3:x-amz-acl': header(request, 'x-amz-acl'),
    's3:versionid': request.query.versionId,
    's3:signatureversion': signature?.version,
    's3:authtype': signature?.type,
  };
  for (const key of Object.keys(values) as (keyof ConditionValues)[]) if (values[key] === undefined) delete values[key];
  const requestTags = requestTagsOf(request);
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
  const conditions = conditionValuesOf(request, principal, now, target.existingTags);
  const verdict = evaluateActions(applied.policy, required.actions, { principal, resource, conditions });
  return verdict === 'allow' && applied.restricted && principal.kind === 'anonymous' ? 'none' : verdict;
}

/** The statement that decided a request's verdict (a Deny's, else the first Allow's), for the debug log only. */
export function decidingStatement(applied: AppliedPolicy, request: S3Request, principal: Principal, target: PolicyTarget): string | undefined {
  const required = actionsOf(request);
  if (required === undefined) return undefined;
  const resource = resourceArn(target.bucket, required.kind === 'object' ? (target.key ?? '') : undefined);
  const context = { principal, resource, conditions: conditionValuesOf(request, principal, Date.now(), target.existingTags) };
  const explained = required.actions.map((action) => explainPolicy(applied.policy, { ...context, action }));
  return (explained.find((explanation) => explanation.verdict === 'deny') ?? explained.find((explanation) => explanation.verdict === 'allow'))?.statement;
}
