import { isIP } from 'node:net';
import type { CompiledCondition } from './conditions';
import type { CompiledPolicy, CompiledStatement } from './policy-document';

/** The shortest CIDR prefixes that still count as a fixed, non-public set of addresses (narrower than these). */
const MIN_PRIVATE_PREFIX = { 4: 8, 6: 32 } as const;

function fixedSourceIp(condition: CompiledCondition): boolean {
  if (condition.key !== 'aws:sourceip' || condition.base !== 'IpAddress') return false;
  return condition.values.every((value) => {
    const [address, bits] = value.split('/');
    const family = isIP(address) as 4 | 6;
    return bits === undefined || Number(bits) >= MIN_PRIVATE_PREFIX[family];
  });
}

function fixedPrincipal(condition: CompiledCondition): boolean {
  if (condition.key !== 'aws:userid' && condition.key !== 'aws:username') return false;
  if (condition.base === 'StringEquals') return true;
  return condition.base === 'StringLike' && condition.values.every((value) => !/[*?]/.test(value));
}

/** A condition that holds only for a fixed set of principals or addresses (and not for a request without the key). */
function restricts(condition: CompiledCondition): boolean {
  if (condition.ifExists || condition.qualifier === 'ForAllValues') return false;
  return fixedSourceIp(condition) || fixedPrincipal(condition);
}

function grantsPublicly(statement: CompiledStatement): boolean {
  if (statement.effect !== 'Allow') return false;
  const toEveryone = statement.notPrincipal || statement.principal.everyone;
  return toEveryone && !statement.conditions.some(restricts);
}

/**
 * Whether a policy is public as S3 defines it (GetBucketPolicyStatus, BlockPublicPolicy, RestrictPublicBuckets):
 * it has an Allow for `*` (or a NotPrincipal) without a condition that fixes the principal (aws:userid,
 * aws:username equal to fixed values) or the source addresses (aws:SourceIp in CIDRs no wider than /8 for IPv4
 * and /32 for IPv6).
 */
export function isPublicPolicy(policy: CompiledPolicy): boolean {
  return policy.statements.some(grantsPublicly);
}
