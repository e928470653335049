import { readFileSync, statSync } from 'node:fs';

/** How often a lookup may look at the credentials file again; a rotated Secret is picked up within this. */
const RECHECK_MS = 10_000;

/** Parses `ACCESS_KEY_ID:SECRET` lines; blank lines and `#` comments are ignored. */
export function parseCredentialsFile(text: string, source: string): Map<string, string> {
  const keys = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0 || colon === line.length - 1) {
      throw new Error(`${source}:${index + 1}: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY`);
    }
    keys.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  });
  return keys;
}

/**
 * The access keys the gateway accepts: one from the environment and any number from a file (a mounted
 * Kubernetes Secret). The file is re-read when its modification time changes, so rotating a key needs no
 * restart; a file that turns unreadable keeps the last good keys.
 */
export class CredentialStore {
  private fileKeys = new Map<string, string>();
  private fileStamp = -1;
  private checkedAt = 0;

  constructor(
    private readonly direct: { id: string; secret: string } | undefined,
    private readonly file: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    if (file !== undefined) this.reload(true);
  }

  /** The secret of an access key, or undefined if the key is unknown. */
  secretOf(accessKeyId: string): string | undefined {
    if (this.direct?.id === accessKeyId) return this.direct.secret;
    if (this.file !== undefined && this.now() - this.checkedAt >= RECHECK_MS) this.reload(false);
    return this.fileKeys.get(accessKeyId);
  }

  get size(): number {
    return (this.direct ? 1 : 0) + this.fileKeys.size;
  }

  private reload(strict: boolean): void {
    const file = this.file as string;
    this.checkedAt = this.now();
    try {
      const stamp = statSync(file).mtimeMs;
      if (stamp === this.fileStamp) return;
      this.fileKeys = parseCredentialsFile(readFileSync(file, 'utf8'), file);
      this.fileStamp = stamp;
    } catch (err) {
      if (strict) throw err;
    }
  }
}
