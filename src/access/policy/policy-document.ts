import { CANONICAL_ID } from '../../auth/credentials';
import { POLICY_ACTIONS, type ResourceKind } from './actions';
import { type CompiledCondition, compileConditions, type ConditionKey, EXISTING_OBJECT_TAG } from './conditions';
import { malformedPolicy } from './policy-errors';
import { wildcardPattern } from './wildcards';

/** S3's limit on a bucket policy document, in bytes. */
export const MAX_POLICY_BYTES = 20 * 1024;

const VERSIONS = ['2012-10-17', '2008-10-17'];
const POLICY_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
/** `arn:aws:iam::<account>:user/<path/>name`: the gateway has one account, so the account is not compared (README). */
const USER_ARN = /^arn:aws:iam::\d{12}:user\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
/** What an access key id may look like in a Principal (an account id, 12 digits, is not one). */
const ACCESS_KEY = /^[A-Za-z0-9._~+=-]{1,128}$/;

/**
 * Who a statement is about. Users are named by the identities the gateway knows them by: `name:<user name>`
 * (an IAM user ARN's name: the display name or the access key id), `key:<access key id>`, `id:<canonical id>`.
 */
export interface PrincipalMatch {
  /** `*` or `{"AWS": "*"}`: everyone, anonymous requests included. */
  everyone: boolean;
  identities: ReadonlySet<string>;
}

/** One statement, compiled for evaluation; Principal and NotPrincipal etc. are one element with `not...` set. */
export interface CompiledStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal: PrincipalMatch;
  notPrincipal: boolean;
  /** Lowercased action patterns. */
  actions: readonly RegExp[];
  notAction: boolean;
  resources: readonly RegExp[];
  notResource: boolean;
  conditions: readonly CompiledCondition[];
}

/** A bucket policy as evaluation uses it: parsed, validated, compiled once. */
export interface CompiledPolicy {
  statements: readonly CompiledStatement[];
  /** Some condition tests s3:ExistingObjectTag/<key>: only then does the access check read an object's tags. */
  readsObjectTags: boolean;
  /** Every condition key the statements test: the only values a request's evaluation reads. */
  conditionKeys: ReadonlySet<ConditionKey>;
}

function listOf(value: unknown, invalid: string): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) throw malformedPolicy(invalid);
  return list as string[];
}

function principalOf(value: unknown): PrincipalMatch {
  const invalid = 'Invalid principal in policy';
  if (value === '*') return { everyone: true, identities: new Set() };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformedPolicy(invalid);
  const identities = new Set<string>();
  let everyone = false;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw malformedPolicy(invalid);
  for (const [type, raw] of entries) {
    for (const item of listOf(raw, invalid)) {
      if (type === 'CanonicalUser') {
        if (!CANONICAL_ID.test(item.toLowerCase())) throw malformedPolicy(invalid);
        identities.add(`id:${item.toLowerCase()}`);
      } else if (type === 'AWS') {
        const user = USER_ARN.exec(item);
        if (item === '*') everyone = true;
        else if (user !== null) identities.add(`name:${user[1]}`);
        else if (ACCESS_KEY.test(item) && !/^\d{12}$/.test(item)) identities.add(`key:${item}`);
        else throw malformedPolicy(invalid);
      } else {
        // Service and Federated principals: AWS's own services and identity providers, which the gateway has not.
        throw malformedPolicy(invalid);
      }
    }
  }
  return { everyone, identities };
}

function actionsOf(value: unknown): { patterns: RegExp[]; kinds: Set<ResourceKind> } {
  const invalid = 'Policy has invalid action';
  const patterns: RegExp[] = [];
  const kinds = new Set<ResourceKind>();
  for (const action of listOf(value, invalid)) {
    const pattern = wildcardPattern(action, true);
    const matched = [...POLICY_ACTIONS].filter(([name]) => pattern.test(name));
    if (matched.length === 0 || (action !== '*' && !/^s3:/i.test(action))) throw malformedPolicy(invalid);
    matched.forEach(([, kind]) => kinds.add(kind));
    patterns.push(pattern);
  }
  return { patterns, kinds };
}

function resourcesOf(value: unknown, bucket: string): { patterns: RegExp[]; kinds: Set<ResourceKind> } {
  const invalid = 'Policy has invalid resource';
  const patterns: RegExp[] = [];
  const kinds = new Set<ResourceKind>();
  const base = `arn:aws:s3:::${bucket}`;
  for (const resource of listOf(value, invalid)) {
    // S3: every resource of a bucket's policy is that bucket or objects in it.
    if (resource === base) kinds.add('bucket');
    else if (resource.startsWith(`${base}/`)) kinds.add('object');
    else throw malformedPolicy(invalid);
    patterns.push(wildcardPattern(resource));
  }
  return { patterns, kinds };
}

function statementOf(raw: unknown, bucket: string): CompiledStatement {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw malformedPolicy('Could not parse the policy: Statement is not well formatted.');
  const statement = raw as Record<string, unknown>;
  for (const field of Object.keys(statement)) if (!STATEMENT_FIELDS.has(field)) throw malformedPolicy(`Unknown field ${field}`);
  const { Sid: sid, Effect: effect } = statement;
  if (sid !== undefined && typeof sid !== 'string') throw malformedPolicy('Statement IDs (SID) must be strings');
  if (effect === undefined) throw malformedPolicy('Missing required field Effect');
  if (effect !== 'Allow' && effect !== 'Deny') throw malformedPolicy(`Invalid effect: ${JSON.stringify(effect)?.replace(/^"|"$/g, '')}`);
  const pick = (field: string, negated: string): { value: unknown; not: boolean } => {
    if (statement[field] !== undefined && statement[negated] !== undefined) throw malformedPolicy(`Statement can't have both ${field} and ${negated}`);
    if (statement[field] === undefined && statement[negated] === undefined) throw malformedPolicy(`Missing required field ${field}`);
    return statement[field] !== undefined ? { value: statement[field], not: false } : { value: statement[negated], not: true };
  };
  const principal = pick('Principal', 'NotPrincipal');
  const action = pick('Action', 'NotAction');
  const resource = pick('Resource', 'NotResource');
  const actions = actionsOf(action.value);
  const resources = resourcesOf(resource.value, bucket);
  if (!action.not && !resource.not && ![...actions.kinds].some((kind) => resources.kinds.has(kind))) {
    throw malformedPolicy('Action does not apply to any resource(s) in statement');
  }
  return {
    sid,
    effect,
    principal: principalOf(principal.value),
    notPrincipal: principal.not,
    actions: actions.patterns,
    notAction: action.not,
    resources: resources.patterns,
    notResource: resource.not,
    conditions: compileConditions(statement.Condition),
  };
}

/**
 * Parses and validates a bucket policy put on `bucket` (PutBucketPolicy), with S3's MalformedPolicy messages, and
 * compiles it for evaluation. The same function compiles a stored policy again (it was valid when put).
 */
export function parsePolicy(text: string, bucket: string): CompiledPolicy {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw malformedPolicy('This policy contains invalid Json');
  const policy = document as Record<string, unknown>;
  for (const field of Object.keys(policy)) if (!POLICY_FIELDS.has(field)) throw malformedPolicy(`Unknown field ${field}`);
  if (policy.Version !== undefined && !VERSIONS.includes(policy.Version as string)) throw malformedPolicy('The policy must contain a valid version string');
  if (policy.Id !== undefined && typeof policy.Id !== 'string') throw malformedPolicy('Policy Id must be a string');
  const raw = policy.Statement;
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw];
  if (list.length === 0) throw malformedPolicy('Missing required field Statement');
  const statements = list.map((statement) => statementOf(statement, bucket));
  const sids = statements.map((statement) => statement.sid).filter((sid) => sid !== undefined && sid !== '');
  if (new Set(sids).size !== sids.length) throw malformedPolicy('Statement IDs (SID) in a single policy must be unique.');
  const conditionKeys = new Set(statements.flatMap((statement) => statement.conditions.map((condition) => condition.key)));
  const readsObjectTags = [...conditionKeys].some((key) => key.startsWith(EXISTING_OBJECT_TAG));
  return { statements, readsObjectTags, conditionKeys };
}
