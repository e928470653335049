import { type Grant, type Grantee, type Permission, PERMISSIONS } from './grants';

/**
 * A grant list in few bytes, for where room is scarce (AIS custom metadata: 2048 bytes for everything): grants
 * separated by `,`, each a permission letter and a grantee: `R*` (AllUsers READ), `Ra` (AuthenticatedUsers),
 * or the letter and a 64-hex canonical id. Letters: R READ, W WRITE, r READ_ACP, w WRITE_ACP, F FULL_CONTROL.
 */
const LETTERS: Record<Permission, string> = { READ: 'R', WRITE: 'W', READ_ACP: 'r', WRITE_ACP: 'w', FULL_CONTROL: 'F' };
const BY_LETTER = new Map(PERMISSIONS.map((permission) => [LETTERS[permission], permission]));

function granteeCode(grantee: Grantee): string {
  if ('id' in grantee) return grantee.id;
  return grantee.group === 'AllUsers' ? '*' : 'a';
}

export function encodeGrants(grants: readonly Grant[]): string {
  return grants.map((grant) => LETTERS[grant.permission] + granteeCode(grant.grantee)).join(',');
}

/** The grants encodeGrants() wrote; entries it cannot read (written by someone else) are left out. */
export function decodeGrants(text: string): Grant[] {
  const grants: Grant[] = [];
  for (const entry of text.split(',')) {
    const permission = BY_LETTER.get(entry.charAt(0));
    const code = entry.slice(1);
    if (permission === undefined) continue;
    if (code === '*') grants.push({ grantee: { group: 'AllUsers' }, permission });
    else if (code === 'a') grants.push({ grantee: { group: 'AuthenticatedUsers' }, permission });
    else if (/^[0-9a-f]{64}$/.test(code)) grants.push({ grantee: { id: code }, permission });
  }
  return grants;
}
