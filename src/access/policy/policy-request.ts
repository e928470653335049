import type { TLSSocket } from 'node:tls';
import type { S3Request } from '../../s3/s3-request';
import type { Principal } from '../principal';
import { type RequiredActions, requiredActions } from './actions';
import { type ConditionValues, normalizeAddress } from './conditions';
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

/** The values of the condition keys (conditions.ts, CONDITION_KEYS) for one request; `now` in ms. */
export function conditionValuesOf(request: S3Request, principal: Principal, now: number): ConditionValues {
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
  return values;
}

/** The actions a request needs of its bucket's policy; undefined for a request no bucket policy governs. */
export function actionsOf(request: S3Request): RequiredActions | undefined {
  const setsAcl = header(request, 'x-amz-acl') !== undefined || Object.keys(request.headers).some((name) => name.startsWith('x-amz-grant-'));
  return requiredActions(request.operation, { versionId: request.query.versionId, setsAcl });
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

/**
 * A bucket policy's verdict on a request (on `key` of the bucket, for DeleteObjects' entries and copy sources,
 * with their own `actions`): what decide() weighs against ownership.
 */
export function policyVerdict(
  applied: AppliedPolicy,
  request: S3Request,
  principal: Principal,
  target: { bucket: string; key?: string; actions?: RequiredActions },
  now = Date.now(),
): PolicyVerdict {
  const required = target.actions ?? actionsOf(request);
  if (required === undefined) return 'none';
  const resource = resourceArn(target.bucket, required.kind === 'object' ? (target.key ?? '') : undefined);
  const verdict = evaluateActions(applied.policy, required.actions, { principal, resource, conditions: conditionValuesOf(request, principal, now) });
  return verdict === 'allow' && applied.restricted && principal.kind === 'anonymous' ? 'none' : verdict;
}

/** The statement that decided a request's verdict (a Deny's, else the first Allow's), for the debug log only. */
export function decidingStatement(
  applied: AppliedPolicy,
  request: S3Request,
  principal: Principal,
  target: { bucket: string; key?: string },
): string | undefined {
  const required = actionsOf(request);
  if (required === undefined) return undefined;
  const resource = resourceArn(target.bucket, required.kind === 'object' ? (target.key ?? '') : undefined);
  const context = { principal, resource, conditions: conditionValuesOf(request, principal, Date.now()) };
  const explained = required.actions.map((action) => explainPolicy(applied.policy, { ...context, action }));
  return (explained.find((explanation) => explanation.verdict === 'deny') ?? explained.find((explanation) => explanation.verdict === 'allow'))?.statement;
}
