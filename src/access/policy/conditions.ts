import { BlockList, isIP } from 'node:net';
import { malformedPolicy } from './policy-errors';
import { wildcardPattern } from './wildcards';

/**
 * A statement's Condition block (IAM's condition operators), compiled once when the policy is put: every
 * operator of the block must hold, every key under an operator must hold, and a key holds when the request's
 * value matches one of the policy's values (for a negated operator: none of them).
 */

/** The condition keys a bucket policy may test here, lowercased (IAM compares key names without case). */
export const CONDITION_KEYS = [
  'aws:sourceip',
  'aws:securetransport',
  'aws:currenttime',
  'aws:epochtime',
  'aws:username',
  'aws:userid',
  'aws:principaltype',
  'aws:referer',
  'aws:useragent',
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:x-amz-acl',
  's3:versionid',
  's3:signatureversion',
  's3:authtype',
  's3:requestobjecttagkeys',
  's3:object-lock-mode',
  's3:object-lock-retain-until-date',
  's3:object-lock-remaining-retention-days',
  's3:object-lock-legal-hold',
] as const;

/** The Object Lock keys: the lock a write, a Retention or a LegalHold document names (policy-request.ts). */
export const OBJECT_LOCK_KEYS: ReadonlySet<string> = new Set([
  's3:object-lock-mode',
  's3:object-lock-retain-until-date',
  's3:object-lock-remaining-retention-days',
  's3:object-lock-legal-hold',
]);

/**
 * Keys named by a prefix and a tag key: the object's tags (s3:ExistingObjectTag/<key>) and the tags a request
 * sets (s3:RequestObjectTag/<key>). The prefix compares without case; the tag key, like tag keys everywhere in S3,
 * with case.
 */
export const EXISTING_OBJECT_TAG = 's3:existingobjecttag/';
export const REQUEST_OBJECT_TAG = 's3:requestobjecttag/';
const TAG_KEY_PREFIXES = [EXISTING_OBJECT_TAG, REQUEST_OBJECT_TAG] as const;

export type ConditionKey = (typeof CONDITION_KEYS)[number] | `${(typeof TAG_KEY_PREFIXES)[number]}${string}`;

/**
 * The request's values of the condition keys (absent: the key is not in the request's context); a multivalued key
 * (s3:RequestObjectTagKeys) is a list, which the ForAnyValue / ForAllValues qualifiers compare value by value.
 */
export type ConditionValues = Partial<Record<ConditionKey, string | readonly string[]>>;

/** A condition key as written in a policy, as evaluation names it; undefined for a key this gateway does not know. */
export function conditionKeyOf(name: string): ConditionKey | undefined {
  const lowered = name.toLowerCase();
  if ((CONDITION_KEYS as readonly string[]).includes(lowered)) return lowered as ConditionKey;
  const prefix = TAG_KEY_PREFIXES.find((each) => lowered.startsWith(each) && name.length > each.length);
  return prefix === undefined ? undefined : `${prefix}${name.slice(prefix.length)}`;
}

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'ip' | 'null';

interface OperatorSpec {
  family: Family;
  /** Negated operators hold when no value matches, and for a missing key. */
  negated: boolean;
  /** How a string compares: exactly, without case, or as a wildcard pattern; how a number or date compares. */
  compare?: 'equals' | 'ignoreCase' | 'like' | 'lt' | 'le' | 'gt' | 'ge';
}

const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: { family: 'string', negated: false, compare: 'equals' },
  StringNotEquals: { family: 'string', negated: true, compare: 'equals' },
  StringEqualsIgnoreCase: { family: 'string', negated: false, compare: 'ignoreCase' },
  StringNotEqualsIgnoreCase: { family: 'string', negated: true, compare: 'ignoreCase' },
  StringLike: { family: 'string', negated: false, compare: 'like' },
  StringNotLike: { family: 'string', negated: true, compare: 'like' },
  NumericEquals: { family: 'numeric', negated: false, compare: 'equals' },
  NumericNotEquals: { family: 'numeric', negated: true, compare: 'equals' },
  NumericLessThan: { family: 'numeric', negated: false, compare: 'lt' },
  NumericLessThanEquals: { family: 'numeric', negated: false, compare: 'le' },
  NumericGreaterThan: { family: 'numeric', negated: false, compare: 'gt' },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, compare: 'ge' },
  DateEquals: { family: 'date', negated: false, compare: 'equals' },
  DateNotEquals: { family: 'date', negated: true, compare: 'equals' },
  DateLessThan: { family: 'date', negated: false, compare: 'lt' },
  DateLessThanEquals: { family: 'date', negated: false, compare: 'le' },
  DateGreaterThan: { family: 'date', negated: false, compare: 'gt' },
  DateGreaterThanEquals: { family: 'date', negated: false, compare: 'ge' },
  Bool: { family: 'bool', negated: false, compare: 'equals' },
  IpAddress: { family: 'ip', negated: false },
  NotIpAddress: { family: 'ip', negated: true },
  Null: { family: 'null', negated: false },
};

/** One operator applied to one key, compiled. */
export interface CompiledCondition {
  /** As written in the policy, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  base: string;
  key: ConditionKey;
  qualifier?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  /** The policy's values as written (strings), for GetBucketPolicyStatus. */
  values: readonly string[];
  /** Whether one request value matches one of the policy's values (the positive form of the operator). */
  matches(value: string): boolean;
}

/** Epoch seconds or an ISO 8601 date (IAM accepts both for Date operators), as ms since the epoch; NaN if neither. */
export function parseDate(text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
}

function parseNumber(text: string): number {
  return /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
}

function ordered(compare: OperatorSpec['compare'], a: number, b: number): boolean {
  switch (compare) {
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    default:
      return a === b;
  }
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is 1.2.3.4. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Addresses whose answer one IP condition keeps before it starts over. */
const MAX_REMEMBERED_ADDRESSES = 1024;

function cidrBlock(values: readonly string[]): BlockList {
  const block = new BlockList();
  for (const value of values) {
    const [address, bits, extra] = value.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) throw malformedPolicy('Invalid IP address or CIDR in condition');
    block.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return block;
}

function matcherOf(spec: OperatorSpec, values: readonly string[]): (value: string) => boolean {
  switch (spec.family) {
    case 'string': {
      if (spec.compare === 'like') {
        const patterns = values.map((v) => wildcardPattern(v));
        return (value) => patterns.some((pattern) => pattern.test(value));
      }
      if (spec.compare === 'ignoreCase') {
        const lowered = new Set(values.map((v) => v.toLowerCase()));
        return (value) => lowered.has(value.toLowerCase());
      }
      const exact = new Set(values);
      return (value) => exact.has(value);
    }
    case 'numeric':
    case 'date': {
      const parse = spec.family === 'numeric' ? parseNumber : parseDate;
      const numbers = values.map(parse);
      if (numbers.some(Number.isNaN)) throw malformedPolicy(`Invalid ${spec.family === 'numeric' ? 'numeric' : 'date'} value in condition`);
      return (value) => {
        const number = parse(value);
        return !Number.isNaN(number) && numbers.some((limit) => ordered(spec.compare, number, limit));
      };
    }
    case 'bool': {
      if (values.some((v) => !/^(true|false)$/i.test(v))) throw malformedPolicy('Invalid boolean value in condition');
      const lowered = new Set(values.map((v) => v.toLowerCase()));
      return (value) => lowered.has(value.toLowerCase());
    }
    case 'ip': {
      const block = cidrBlock(values);
      // BlockList.check builds a SocketAddress per call (a large share of a policy's evaluation); requests come
      // from few addresses, so each one's answer is kept.
      const seen = new Map<string, boolean>();
      return (value) => {
        let inside = seen.get(value);
        if (inside === undefined) {
          const address = normalizeAddress(value);
          const family = isIP(address);
          inside = family !== 0 && block.check(address, family === 6 ? 'ipv6' : 'ipv4');
          if (seen.size >= MAX_REMEMBERED_ADDRESSES) seen.clear();
          seen.set(value, inside);
        }
        return inside;
      };
    }
    case 'null':
      if (values.some((v) => !/^(true|false)$/i.test(v))) throw malformedPolicy('Invalid boolean value in condition');
      return () => false;
  }
}

/** Splits `ForAllValues:StringLikeIfExists` into its qualifier, operator and IfExists; undefined for an operator IAM does not have. */
function parseOperator(name: string): { qualifier?: 'ForAnyValue' | 'ForAllValues'; base: string; spec: OperatorSpec; ifExists: boolean } | undefined {
  const qualified = /^(ForAnyValue|ForAllValues):(.*)$/.exec(name);
  const qualifier = qualified?.[1] as 'ForAnyValue' | 'ForAllValues' | undefined;
  let base = qualified?.[2] ?? name;
  const ifExists = base.endsWith('IfExists') && base !== 'IfExists';
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  const spec = Object.hasOwn(OPERATORS, base) ? OPERATORS[base] : undefined;
  if (spec === undefined || (ifExists && spec.family === 'null')) return undefined;
  return { qualifier, base, spec, ifExists };
}

function conditionValues(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformedPolicy('Policy has an empty condition value');
  return list.map((value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw malformedPolicy('Policy has an invalid condition value');
  });
}

/** A statement's Condition element, compiled; MalformedPolicy for an operator or key this gateway does not know. */
export function compileConditions(block: unknown): CompiledCondition[] {
  if (block === undefined) return [];
  if (block === null || typeof block !== 'object' || Array.isArray(block)) throw malformedPolicy('Policy has an invalid condition block');
  const compiled: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block as Record<string, unknown>)) {
    const parsed = parseOperator(operator);
    if (parsed === undefined) throw malformedPolicy(`Invalid Condition type : ${operator}`);
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) throw malformedPolicy('Policy has an invalid condition block');
    for (const [name, raw] of Object.entries(keys as Record<string, unknown>)) {
      const key = conditionKeyOf(name);
      if (key === undefined) throw malformedPolicy('Policy has an invalid condition key');
      const values = conditionValues(raw);
      compiled.push({
        operator,
        base: parsed.base,
        key,
        qualifier: parsed.qualifier,
        ifExists: parsed.ifExists,
        values,
        matches: matcherOf(parsed.spec, values),
      });
    }
  }
  return compiled;
}

/**
 * Whether one compiled condition holds for the request (IAM's rules): a missing key satisfies `...IfExists`,
 * `ForAllValues:` and negated operators and nothing else; Null compares presence with its value. A single value is
 * a set of one. A set (s3:RequestObjectTagKeys) holds for `ForAllValues:` when every value satisfies the operator
 * (an empty set too), and otherwise when at least one does.
 */
export function conditionHolds(condition: CompiledCondition, context: ConditionValues): boolean {
  const value = context[condition.key];
  const spec = OPERATORS[condition.base];
  if (spec.family === 'null') return condition.values.some((v) => (v.toLowerCase() === 'true') === (value === undefined));
  if (value === undefined) return condition.ifExists || condition.qualifier === 'ForAllValues' || (spec.negated && condition.qualifier === undefined);
  const satisfies = (one: string): boolean => condition.matches(one) !== spec.negated;
  if (typeof value === 'string') return satisfies(value);
  return condition.qualifier === 'ForAllValues' ? value.every(satisfies) : value.some(satisfies);
}

export function isNegatedOperator(base: string): boolean {
  return OPERATORS[base]?.negated ?? false;
}
