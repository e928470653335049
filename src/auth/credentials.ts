import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** How often a lookup may look at the credentials file again; a rotated Secret is picked up within this. */
const RECHECK_MS = 10_000;

/** S3's canonical user ids are 64 lowercase hex characters. */
export const CANONICAL_ID = /^[0-9a-f]{64}$/;

/** A user of the gateway: one access key, the account it stands for, and whether it is an operator's key. */
export interface User {
  accessKeyId: string;
  secret: string;
  /** 64 hex characters; owners are recorded by it, so it must stay the same across restarts. */
  canonicalId: string;
  displayName: string;
  /** Admins may do anything on every bucket (README, "Access control"). */
  admin: boolean;
}

/** The optional fields after the secret (README, "Access control"): trailing whitespace-separated words of these forms. */
const TRAILING_FIELDS = /(?:\s+(?:name=\S+|id=\S+|admin))+$/;

/**
 * The canonical id of a key that has none configured: a hash of the access key id, so the same key is the same
 * owner after every restart and on every replica.
 */
export function derivedCanonicalId(accessKeyId: string): string {
  return createHash('sha256').update(`ais-s3 user\0${accessKeyId}`).digest('hex');
}

/** A user from its key, secret and optional fields; defaults: the derived id, the key as display name, not admin. */
export function userOf(accessKeyId: string, secret: string, fields: readonly string[] = []): User {
  const user: User = { accessKeyId, secret, canonicalId: derivedCanonicalId(accessKeyId), displayName: accessKeyId, admin: false };
  for (const field of fields) {
    if (field === 'admin') user.admin = true;
    else if (field.startsWith('name=')) user.displayName = field.slice('name='.length);
    else {
      const id = field.slice('id='.length).toLowerCase();
      if (!CANONICAL_ID.test(id)) throw new Error(`id= must be 64 hex characters, not "${field.slice('id='.length)}"`);
      user.canonicalId = id;
    }
  }
  return user;
}

/**
 * Parses `ACCESS_KEY_ID:SECRET [name=DISPLAY_NAME] [id=CANONICAL_ID] [admin]` lines; blank lines and `#` comments
 * are ignored. The optional fields are the trailing whitespace-separated words of those forms; everything between
 * the first colon and them is the secret, so today's `KEY:SECRET` lines (colons in secrets included) read as before.
 */
export function parseCredentialsFile(text: string, source: string): Map<string, User> {
  const users = new Map<string, User>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${index + 1}`;
    const colon = line.indexOf(':');
    const rest = line.slice(colon + 1).trim();
    const tail = TRAILING_FIELDS.exec(rest)?.[0] ?? '';
    const secret = rest.slice(0, rest.length - tail.length).trim();
    if (colon <= 0 || secret === '') throw new Error(`${where}: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY [name=...] [id=...] [admin]`);
    try {
      const accessKeyId = line.slice(0, colon).trim();
      users.set(
        accessKeyId,
        userOf(
          accessKeyId,
          secret,
          tail
            .trim()
            .split(/\s+/)
            .filter((field) => field !== ''),
        ),
      );
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
    }
  });
  return users;
}

export interface CredentialOptions {
  /** Access key ids that are admins whatever the file says (S3_ADMIN_KEYS). */
  adminKeys?: readonly string[];
}

/**
 * The access keys the gateway accepts: one from the environment and any number from a file (a mounted
 * Kubernetes Secret). The file is re-read when its modification time changes, so rotating a key needs no
 * restart; a file that turns unreadable keeps the last good keys. The environment's key is the operator's:
 * always an admin.
 */
export class CredentialStore {
  private fileUsers = new Map<string, User>();
  /** The file's users by canonical id (the first key with an id wins), for display names on every request. */
  private fileUsersById = new Map<string, User>();
  private fileStamp = -1;
  private checkedAt = 0;
  private readonly directUser?: User;
  private readonly adminKeys: ReadonlySet<string>;

  constructor(
    direct: { id: string; secret: string } | undefined,
    private readonly file: string | undefined,
    private readonly now: () => number = Date.now,
    options: CredentialOptions = {},
  ) {
    this.adminKeys = new Set(options.adminKeys ?? []);
    if (direct !== undefined) this.directUser = { ...userOf(direct.id, direct.secret), admin: true };
    if (file !== undefined) this.reload(true);
  }

  /** The secret of an access key, or undefined if the key is unknown. */
  secretOf(accessKeyId: string): string | undefined {
    return this.userOf(accessKeyId)?.secret;
  }

  /** The user an access key stands for, or undefined if the key is unknown. */
  userOf(accessKeyId: string): User | undefined {
    if (this.directUser?.accessKeyId === accessKeyId) return this.directUser;
    if (this.file !== undefined && this.now() - this.checkedAt >= RECHECK_MS) this.reload(false);
    const user = this.fileUsers.get(accessKeyId);
    return user !== undefined && !user.admin && this.adminKeys.has(accessKeyId) ? { ...user, admin: true } : user;
  }

  /** A configured user with this canonical id (the first key found, the environment's first), for display names. */
  userById(canonicalId: string): User | undefined {
    if (this.directUser?.canonicalId === canonicalId) return this.directUser;
    return this.fileUsersById.get(canonicalId);
  }

  get size(): number {
    return (this.directUser ? 1 : 0) + this.fileUsers.size;
  }

  private reload(strict: boolean): void {
    const file = this.file as string;
    this.checkedAt = this.now();
    try {
      const stamp = statSync(file).mtimeMs;
      if (stamp === this.fileStamp) return;
      this.fileUsers = parseCredentialsFile(readFileSync(file, 'utf8'), file);
      this.fileUsersById = new Map([...this.fileUsers.values()].reverse().map((user) => [user.canonicalId, user]));
      this.fileStamp = stamp;
    } catch (err) {
      if (strict) throw err;
    }
  }
}
