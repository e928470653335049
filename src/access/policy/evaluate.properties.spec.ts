import fc from 'fast-check';
import { derivedCanonicalId } from '../../auth/credentials';
import { ANONYMOUS, type Principal } from '../principal';
import type { ConditionValues } from './conditions';
import { evaluatePolicy, type PolicyVerdict } from './evaluate';
import { parsePolicy } from './policy-document';

/**
 * The evaluator against an independent model of IAM's rules. Statements are generated from small universes
 * whose meaning the model knows by table (which actions a pattern names, which resources a pattern covers,
 * which principals an entry names, when a condition holds), and the model decides by brute force: a Deny that
 * applies wins, else an Allow that applies, else nothing; Not* elements apply to everything they do not name.
 */

const BUCKET = 'bk';
const user = (accessKeyId: string, displayName: string): Principal => ({
  kind: 'user',
  accessKeyId,
  canonicalId: derivedCanonicalId(accessKeyId),
  displayName,
  admin: false,
});
const PRINCIPALS = { alice: user('AKIAALICE', 'alice'), bob: user('AKIABOB', 'bob'), anonymous: ANONYMOUS } as const;
type Who = keyof typeof PRINCIPALS;

/** Principal entries, and whom each names (anonymous only by `*`). */
const PRINCIPAL_ENTRIES: Record<string, { json: [string, string]; names: Who[] }> = {
  everyone: { json: ['AWS', '*'], names: ['alice', 'bob', 'anonymous'] },
  aliceArn: { json: ['AWS', 'arn:aws:iam::123456789012:user/alice'], names: ['alice'] },
  aliceKey: { json: ['AWS', 'AKIAALICE'], names: ['alice'] },
  bobId: { json: ['CanonicalUser', derivedCanonicalId('AKIABOB')], names: ['bob'] },
  bobArnByKey: { json: ['AWS', 'arn:aws:iam::123456789012:user/AKIABOB'], names: ['bob'] },
};

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'] as const;
type Kind = 'bucket' | 'object';
const ACTION_KIND: Record<(typeof ACTIONS)[number], Kind> = {
  's3:GetObject': 'object',
  's3:PutObject': 'object',
  's3:DeleteObject': 'object',
  's3:ListBucket': 'bucket',
};
/** Action patterns and the actions of ACTIONS each names, with the kinds of every S3 action it names. */
const ACTION_PATTERNS: Record<string, { names: string[]; kinds: Kind[] }> = {
  's3:GetObject': { names: ['s3:GetObject'], kinds: ['object'] },
  's3:getobject': { names: ['s3:GetObject'], kinds: ['object'] },
  's3:Get*': { names: ['s3:GetObject'], kinds: ['bucket', 'object'] },
  's3:*Object': { names: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], kinds: ['object'] },
  's3:ListBucket': { names: ['s3:ListBucket'], kinds: ['bucket'] },
  's3:List*': { names: ['s3:ListBucket'], kinds: ['bucket', 'object'] },
  's3:*': { names: [...ACTIONS], kinds: ['bucket', 'object'] },
  '*': { names: [...ACTIONS], kinds: ['bucket', 'object'] },
};

/** Resources a request may address, and resource patterns with the ones each covers. */
const RESOURCES = ['arn:aws:s3:::bk', 'arn:aws:s3:::bk/a/1', 'arn:aws:s3:::bk/a/22', 'arn:aws:s3:::bk/b/1'] as const;
const RESOURCE_PATTERNS: Record<string, { covers: string[]; kind: Kind }> = {
  'arn:aws:s3:::bk': { covers: ['arn:aws:s3:::bk'], kind: 'bucket' },
  'arn:aws:s3:::bk/*': { covers: ['arn:aws:s3:::bk/a/1', 'arn:aws:s3:::bk/a/22', 'arn:aws:s3:::bk/b/1'], kind: 'object' },
  'arn:aws:s3:::bk/a/*': { covers: ['arn:aws:s3:::bk/a/1', 'arn:aws:s3:::bk/a/22'], kind: 'object' },
  'arn:aws:s3:::bk/?/1': { covers: ['arn:aws:s3:::bk/a/1', 'arn:aws:s3:::bk/b/1'], kind: 'object' },
  'arn:aws:s3:::bk/a/?': { covers: ['arn:aws:s3:::bk/a/1'], kind: 'object' },
};

/** Request contexts: a source address and a listing prefix, either possibly absent. */
const ADDRESSES = ['127.0.0.1', '10.1.2.3', '::1', undefined] as const;
const PREFIXES = ['a/', 'b/', undefined] as const;
/** Conditions and when each holds, written out from IAM's rules (a missing key: only negated and IfExists forms hold). */
const CONDITIONS: Record<string, { json: Record<string, Record<string, string | string[]>>; holds(ip?: string, prefix?: string): boolean }> = {
  localIp: { json: { IpAddress: { 'aws:SourceIp': ['127.0.0.1/32', '::1/128'] } }, holds: (ip) => ip === '127.0.0.1' || ip === '::1' },
  tenNet: { json: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, holds: (ip) => ip === '10.1.2.3' },
  notTenNet: { json: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, holds: (ip) => ip !== '10.1.2.3' },
  prefixA: { json: { StringEquals: { 's3:prefix': 'a/' } }, holds: (_ip, prefix) => prefix === 'a/' },
  prefixLikeB: { json: { StringLike: { 's3:prefix': 'b*' } }, holds: (_ip, prefix) => prefix === 'b/' },
  prefixNotA: { json: { StringNotEquals: { 's3:prefix': 'a/' } }, holds: (_ip, prefix) => prefix !== 'a/' },
  prefixAIfExists: { json: { StringEqualsIfExists: { 's3:prefix': 'a/' } }, holds: (_ip, prefix) => prefix === undefined || prefix === 'a/' },
  prefixNull: { json: { Null: { 's3:prefix': 'true' } }, holds: (_ip, prefix) => prefix === undefined },
  anyPrefixA: { json: { 'ForAnyValue:StringEquals': { 's3:prefix': 'a/' } }, holds: (_ip, prefix) => prefix === 'a/' },
  allPrefixA: { json: { 'ForAllValues:StringEquals': { 's3:prefix': 'a/' } }, holds: (_ip, prefix) => prefix === undefined || prefix === 'a/' },
  localAndPrefixA: {
    json: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' }, StringEquals: { 's3:prefix': ['a/', 'c/'] } },
    holds: (ip, prefix) => ip === '127.0.0.1' && prefix === 'a/',
  },
};

interface GeneratedStatement {
  effect: 'Allow' | 'Deny';
  principals: string[];
  notPrincipal: boolean;
  actions: string[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  conditions: string[];
}

const subset = (names: string[]) => fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 3 });
const statementArbitrary: fc.Arbitrary<GeneratedStatement> = fc.record({
  effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  principals: subset(Object.keys(PRINCIPAL_ENTRIES)),
  notPrincipal: fc.boolean(),
  actions: subset(Object.keys(ACTION_PATTERNS)),
  notAction: fc.boolean(),
  resources: subset(Object.keys(RESOURCE_PATTERNS)),
  notResource: fc.boolean(),
  conditions: fc.uniqueArray(fc.constantFrom(...Object.keys(CONDITIONS)), { maxLength: 2 }),
});

function documentOf(statements: GeneratedStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((statement) => {
      const principal: Record<string, string[]> = {};
      for (const name of statement.principals) {
        const [type, value] = PRINCIPAL_ENTRIES[name].json;
        (principal[type] ??= []).push(value);
      }
      const condition: Record<string, Record<string, string | string[]>> = {};
      for (const name of statement.conditions) {
        for (const [operator, keys] of Object.entries(CONDITIONS[name].json)) condition[operator] = { ...condition[operator], ...keys };
      }
      return {
        Effect: statement.effect,
        [statement.notPrincipal ? 'NotPrincipal' : 'Principal']: principal,
        [statement.notAction ? 'NotAction' : 'Action']: statement.actions,
        [statement.notResource ? 'NotResource' : 'Resource']: statement.resources,
        ...(statement.conditions.length > 0 ? { Condition: condition } : {}),
      };
    }),
  });
}

/** Two generated conditions on one operator and key would merge in JSON; the model cannot express that, so such pairs are not generated together. */
function conditionsCompose(statement: GeneratedStatement): boolean {
  const pairs = statement.conditions.flatMap((name) =>
    Object.entries(CONDITIONS[name].json).flatMap(([op, keys]) => Object.keys(keys).map((key) => `${op} ${key}`)),
  );
  return new Set(pairs).size === pairs.length;
}

interface Request {
  who: Who;
  action: (typeof ACTIONS)[number];
  resource: (typeof RESOURCES)[number];
  ip?: string;
  prefix?: string;
}

function modelApplies(statement: GeneratedStatement, request: Request): boolean {
  const named = statement.principals.some((name) => PRINCIPAL_ENTRIES[name].names.includes(request.who));
  const acted = statement.actions.some((name) => ACTION_PATTERNS[name].names.includes(request.action));
  const covered = statement.resources.some((name) => RESOURCE_PATTERNS[name].covers.includes(request.resource));
  return (
    named !== statement.notPrincipal &&
    acted !== statement.notAction &&
    covered !== statement.notResource &&
    statement.conditions.every((name) => CONDITIONS[name].holds(request.ip, request.prefix))
  );
}

function modelVerdict(statements: GeneratedStatement[], request: Request): PolicyVerdict {
  const applying = statements.filter((statement) => modelApplies(statement, request));
  if (applying.some((statement) => statement.effect === 'Deny')) return 'deny';
  return applying.length > 0 ? 'allow' : 'none';
}

/** S3 refuses a statement whose actions apply to none of its resources (unless either is a Not... element). */
function modelValid(statement: GeneratedStatement): boolean {
  if (statement.notAction || statement.notResource) return true;
  const kinds = new Set(statement.actions.flatMap((name) => ACTION_PATTERNS[name].kinds));
  return statement.resources.some((name) => kinds.has(RESOURCE_PATTERNS[name].kind));
}

const requestArbitrary: fc.Arbitrary<Request> = fc
  .record({
    who: fc.constantFrom(...(Object.keys(PRINCIPALS) as Who[])),
    action: fc.constantFrom(...ACTIONS),
    ip: fc.constantFrom(...ADDRESSES),
    prefix: fc.constantFrom(...PREFIXES),
    objectIndex: fc.integer({ min: 1, max: RESOURCES.length - 1 }),
  })
  .map(({ objectIndex, ...rest }) => ({ ...rest, resource: ACTION_KIND[rest.action] === 'bucket' ? RESOURCES[0] : RESOURCES[objectIndex] }));

describe('evaluatePolicy (property: agrees with a brute-force model of IAM evaluation)', () => {
  it('gives the verdict of the model for every generated policy and request, and refuses the policies S3 refuses', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary, { minLength: 1, maxLength: 4 }),
        fc.array(requestArbitrary, { minLength: 1, maxLength: 10 }),
        (statements, requests) => {
          fc.pre(statements.every(conditionsCompose));
          const document = documentOf(statements);
          if (!statements.every(modelValid)) {
            expect(() => parsePolicy(document, BUCKET)).toThrow('Action does not apply to any resource(s) in statement');
            return;
          }
          const policy = parsePolicy(document, BUCKET);
          for (const request of requests) {
            const conditions: ConditionValues = {};
            if (request.ip !== undefined) conditions['aws:sourceip'] = request.ip;
            if (request.prefix !== undefined) conditions['s3:prefix'] = request.prefix;
            const verdict = evaluatePolicy(policy, { principal: PRINCIPALS[request.who], action: request.action, resource: request.resource, conditions });
            expect({ request, verdict }).toEqual({ request, verdict: modelVerdict(statements, request) });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
