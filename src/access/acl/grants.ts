/**
 * S3's access control lists as data (S3 user guide, "Access control list (ACL) overview"): who (a canonical
 * user id, or one of the two groups the gateway knows) holds which of the five permissions. Pure: no I/O.
 */
export const PERMISSIONS = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const GROUP_URIS = {
  AllUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  AuthenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
} as const;
export type Group = keyof typeof GROUP_URIS;

/** A grantee: a canonical user id (64 hex), or AllUsers (anyone, signed or not) / AuthenticatedUsers (any signed user). */
export type Grantee = { id: string } | { group: Group };

/** Whether a grant is public, as S3's public access blocks judge ACLs: to AllUsers or AuthenticatedUsers. */
export function isPublicGrant(grant: Grant): boolean {
  return 'group' in grant.grantee;
}

export interface Grant {
  grantee: Grantee;
  permission: Permission;
}

/** S3 keeps at most 100 grants in one ACL. */
export const MAX_GRANTS = 100;

/** Who asks, as an ACL sees it (a Principal fits). */
export type AclSubject = { kind: 'anonymous' } | { kind: 'user'; canonicalId: string };

function granteeMatches(grantee: Grantee, subject: AclSubject): boolean {
  if ('id' in grantee) return subject.kind === 'user' && subject.canonicalId === grantee.id;
  return grantee.group === 'AllUsers' || subject.kind === 'user';
}

/** The grant that gives `subject` the `permission` (FULL_CONTROL gives all five), or undefined. */
export function aclAllows(grants: readonly Grant[], subject: AclSubject, permission: Permission): Grant | undefined {
  return grants.find((grant) => (grant.permission === permission || grant.permission === 'FULL_CONTROL') && granteeMatches(grant.grantee, subject));
}

/** The ACL every new bucket and object has unless told otherwise: its owner with FULL_CONTROL. */
export function privateGrants(owner: string): Grant[] {
  return [{ grantee: { id: owner }, permission: 'FULL_CONTROL' }];
}

/** Whether `grants` are exactly the private ACL of `owner` (kept as "no grants" to save room). */
export function isPrivate(grants: readonly Grant[], owner: string): boolean {
  return grants.length === 1 && grants[0].permission === 'FULL_CONTROL' && 'id' in grants[0].grantee && grants[0].grantee.id === owner;
}

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export function isCannedAcl(name: string): name is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(name);
}

/**
 * The grants a canned ACL stands for on a resource owned by `owner` in a bucket owned by `bucketOwner`
 * (S3 user guide, "Canned ACL"). The bucket-owner-* ACLs add nothing on a bucket, or when the writer owns the
 * bucket; aws-exec-read's grant to Amazon EC2 has no meaning here: it is the owner's FULL_CONTROL only.
 */
export function cannedGrants(canned: CannedAcl, owner: string, bucketOwner: string): Grant[] {
  const grants = privateGrants(owner);
  const add = (grantee: Grantee, permission: Permission): number => grants.push({ grantee, permission });
  switch (canned) {
    case 'public-read':
      add({ group: 'AllUsers' }, 'READ');
      break;
    case 'public-read-write':
      add({ group: 'AllUsers' }, 'READ');
      add({ group: 'AllUsers' }, 'WRITE');
      break;
    case 'authenticated-read':
      add({ group: 'AuthenticatedUsers' }, 'READ');
      break;
    case 'bucket-owner-read':
      if (bucketOwner !== owner) add({ id: bucketOwner }, 'READ');
      break;
    case 'bucket-owner-full-control':
      if (bucketOwner !== owner) add({ id: bucketOwner }, 'FULL_CONTROL');
      break;
    default:
      break;
  }
  return grants;
}

/** A grant for logs: `READ to AllUsers`, `FULL_CONTROL to <id>`. */
export function describeGrant(grant: Grant): string {
  return `${grant.permission} to ${'id' in grant.grantee ? grant.grantee.id : grant.grantee.group}`;
}
