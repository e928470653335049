import type { Principal } from '../principal';
import { conditionHolds, type ConditionValues } from './conditions';
import type { CompiledPolicy, CompiledStatement } from './policy-document';

/** What a bucket policy says about one request: an explicit Deny, an Allow, or nothing (no statement applies). */
export type PolicyVerdict = 'deny' | 'allow' | 'none';

/** One request as a policy sees it: who, which action on which resource, and the condition keys' values. */
export interface PolicyContext {
  principal: Principal;
  /** An IAM action name, e.g. `s3:GetObject` (compared without case). */
  action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  resource: string;
  conditions: ConditionValues;
}

/** The identities a principal answers to in a policy's Principal (policy-document.ts, PrincipalMatch). */
export function identitiesOf(principal: Principal): string[] {
  if (principal.kind === 'anonymous') return [];
  return [`name:${principal.displayName}`, `name:${principal.accessKeyId}`, `key:${principal.accessKeyId}`, `id:${principal.canonicalId}`];
}

function principalMatches(statement: CompiledStatement, identities: readonly string[]): boolean {
  const named = statement.principal.everyone || identities.some((identity) => statement.principal.identities.has(identity));
  return named !== statement.notPrincipal;
}

function applies(statement: CompiledStatement, context: Omit<PolicyContext, 'action'>, identities: readonly string[], action: string): boolean {
  if (!principalMatches(statement, identities)) return false;
  if (statement.actions.some((pattern) => pattern.test(action)) === statement.notAction) return false;
  if (statement.resources.some((pattern) => pattern.test(context.resource)) === statement.notResource) return false;
  return statement.conditions.every((condition) => conditionHolds(condition, context.conditions));
}

/** A verdict and the statement that gave it (its Sid, else its position `#1`, `#2`...), for the debug log. */
export interface PolicyExplanation {
  verdict: PolicyVerdict;
  statement?: string;
}

/**
 * The policy's verdict on one request, as IAM evaluates a resource policy: any applicable Deny statement
 * decides `deny` (an explicit Deny wins); else any applicable Allow decides `allow`; else `none`.
 */
export function explainPolicy(policy: CompiledPolicy, context: PolicyContext): PolicyExplanation {
  return explainAction(policy, context, context.action, identitiesOf(context.principal));
}

/** explainPolicy for `action`, with the principal's identities already found (one request asks for several actions). */
function explainAction(policy: CompiledPolicy, context: Omit<PolicyContext, 'action'>, action: string, identities: readonly string[]): PolicyExplanation {
  const lowered = action.toLowerCase();
  let allowedBy: string | undefined;
  for (const [index, statement] of policy.statements.entries()) {
    if (!applies(statement, context, identities, lowered)) continue;
    const label = statement.sid !== undefined && statement.sid !== '' ? statement.sid : `#${index + 1}`;
    if (statement.effect === 'Deny') return { verdict: 'deny', statement: label };
    allowedBy ??= label;
  }
  return allowedBy === undefined ? { verdict: 'none' } : { verdict: 'allow', statement: allowedBy };
}

export function evaluatePolicy(policy: CompiledPolicy, context: PolicyContext): PolicyVerdict {
  return explainPolicy(policy, context).verdict;
}

/** A request that needs several actions (PutObject with an ACL): denied if any is, allowed only if all are. */
export function evaluateActions(policy: CompiledPolicy, actions: readonly string[], context: Omit<PolicyContext, 'action'>): PolicyVerdict {
  const identities = identitiesOf(context.principal);
  let allAllowed = actions.length > 0;
  for (const action of actions) {
    const { verdict } = explainAction(policy, context, action, identities);
    if (verdict === 'deny') return 'deny';
    allAllowed &&= verdict === 'allow';
  }
  return allAllowed ? 'allow' : 'none';
}
