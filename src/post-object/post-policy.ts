import { S3Error } from '../s3/errors';

/**
 * The POST policy (S3 API reference, "POST Policy"): a base64 JSON document with `expiration` and `conditions`.
 * Conditions are exact matches (`{"acl": "private"}` or `["eq", "$acl", "private"]`), prefixes
 * (`["starts-with", "$key", "user/"]`, `""` admitting any value) and `["content-length-range", min, max]`.
 * Field names are matched case-insensitively, values exactly. Every form field but the exempt ones must be
 * named by some condition.
 */
export interface PostPolicy {
  /** Milliseconds since the epoch. */
  expiration: number;
  conditions: FieldCondition[];
  /** The file's allowed size, inclusive, when the policy names one. */
  lengthRange?: { min: number; max: number };
}

export interface FieldCondition {
  operator: 'eq' | 'starts-with';
  /** Lower-cased, without the `$`. */
  field: string;
  value: string;
  /** The condition as S3 quotes it in "Policy Condition failed: ...". */
  text: string;
}

/** Fields no condition needs to name: the signature's own, the file, and anything the form marks `x-ignore-`. */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'signature', 'awsaccesskeyid', 'file']);
const IGNORED_PREFIX = 'x-ignore-';

function invalid(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}

function denied(detail: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${detail}`);
}

/** ISO 8601 in UTC, as S3 writes it (`2026-12-30T12:00:00.000Z`, milliseconds optional). */
const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function parseExpiration(value: unknown): number {
  if (value === undefined) throw invalid('Policy missing expiration.');
  const time = typeof value === 'string' && EXPIRATION.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw invalid(`Invalid 'expiration' value: '${typeof value === 'string' ? value : JSON.stringify(value)}'`);
  return time;
}

function quote(parts: readonly unknown[]): string {
  return `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`;
}

function fieldName(value: unknown, condition: readonly unknown[]): string {
  if (typeof value !== 'string' || !value.startsWith('$') || value.length < 2) throw invalid(`Invalid condition: ${quote(condition)}`);
  return value.slice(1).toLowerCase();
}

/** A non-negative integer, given as a JSON number or a string of digits (both are seen from SDKs). */
function lengthBound(value: unknown, condition: readonly unknown[]): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 0) throw invalid(`Invalid content-length-range condition: ${quote(condition)}`);
  return number;
}

function parseCondition(condition: unknown, policy: PostPolicy): void {
  if (Array.isArray(condition)) {
    const operator = typeof condition[0] === 'string' ? condition[0].toLowerCase() : undefined;
    if (operator === 'content-length-range') {
      if (condition.length !== 3) throw invalid(`Invalid content-length-range condition: ${quote(condition)}`);
      const [min, max] = [lengthBound(condition[1], condition), lengthBound(condition[2], condition)];
      if (min > max) throw invalid(`Invalid content-length-range condition: ${quote(condition)}`);
      policy.lengthRange = { min, max };
      return;
    }
    if ((operator !== 'eq' && operator !== 'starts-with') || condition.length !== 3) throw invalid(`Invalid condition: ${quote(condition)}`);
    const field = fieldName(condition[1], condition);
    if (typeof condition[2] !== 'string') throw invalid(`Invalid condition: ${quote(condition)}`);
    policy.conditions.push({ operator, field, value: condition[2], text: quote(condition) });
    return;
  }
  if (typeof condition === 'object' && condition !== null) {
    const entries: Array<[string, unknown]> = Object.entries(condition);
    if (entries.length !== 1) throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0];
    if (typeof value !== 'string') throw invalid(`Invalid Simple-Condition: value of '${name}' must be a string.`);
    policy.conditions.push({ operator: 'eq', field: name.toLowerCase(), value, text: quote(['eq', `$${name}`, value]) });
    return;
  }
  throw invalid(`Invalid condition: ${JSON.stringify(condition)}`);
}

/** Decodes and validates the policy field (InvalidPolicyDocument for anything S3 would not read). */
export function parsePostPolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    const text = Buffer.from(base64, 'base64').toString('utf8');
    document = JSON.parse(text);
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalid('Invalid JSON.');
  const { expiration, conditions } = document as Record<string, unknown>;
  const policy: PostPolicy = { expiration: parseExpiration(expiration), conditions: [] };
  if (conditions === undefined) throw invalid('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalid("Invalid 'conditions' value: must be a List.");
  for (const condition of conditions) parseCondition(condition, policy);
  return policy;
}

function holds(condition: FieldCondition, value: string): boolean {
  return condition.operator === 'eq' ? value === condition.value : value.startsWith(condition.value);
}

/**
 * Checks the form's fields (names lower-cased; `bucket` is the addressed bucket, `key` with `${filename}` already
 * replaced) against the policy: AccessDenied "Invalid according to Policy: ..." when it has expired, a condition
 * fails (a field the form lacks counts as empty), or a field no condition names was sent.
 */
export function checkPostPolicy(policy: PostPolicy, fields: ReadonlyMap<string, string>, now: number): void {
  if (now > policy.expiration) throw denied('Policy expired.');
  for (const condition of policy.conditions) {
    if (!holds(condition, fields.get(condition.field) ?? '')) throw denied(`Policy Condition failed: ${condition.text}`);
  }
  const named = new Set(policy.conditions.map((condition) => condition.field));
  const extra = [...fields.keys()].filter((name) => !EXEMPT_FIELDS.has(name) && !name.startsWith(IGNORED_PREFIX) && !named.has(name));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
}
