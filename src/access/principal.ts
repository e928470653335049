import type { User } from '../auth/credentials';

/** Who a request comes from: a configured user (a verified signature), or anyone (no signature at all). */
export type Principal = { kind: 'anonymous' } | ({ kind: 'user' } & Omit<User, 'secret'>);

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export function userPrincipal(user: User): Principal {
  return { kind: 'user', accessKeyId: user.accessKeyId, canonicalId: user.canonicalId, displayName: user.displayName, admin: user.admin };
}

/** An owner as S3 shows it in ACLs and listings (a type, not an interface: it goes into XML elements as it is). */
export type Owner = { ID: string; DisplayName: string };
