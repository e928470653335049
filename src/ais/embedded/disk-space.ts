import { statfs } from 'node:fs/promises';
import { S3Error } from '../../s3/errors';
import { writeErrorCode } from './lmdb-writes';

/** How long a reading of the free space is trusted by the writes that check it. */
const TRUSTED_MS = 1000;

/** The errno codes of a disk (or a quota) with no room left. */
const NO_ROOM = new Set<string | number>(['ENOSPC', 'EDQUOT', 28, 122]);

function insufficientStorage(why: string): S3Error {
  return new S3Error('InsufficientStorage', `Not enough free storage to store this request: ${why}. Delete objects, or give the store more space.`);
}

/**
 * The free space under the embedded store's data directory, as writes see it. Below `reserveBytes`
 * (MIN_FREE_DISK_MB) writes are refused with 507 InsufficientStorage before they store anything, so LMDB keeps
 * room for the deletes that free space; a write that runs out of space anyway (ENOSPC from a blob or from LMDB's
 * commit) is the same 507, with nothing of it kept. The reading is refreshed in the background at most once a
 * second, so a plain write costs one comparison; only a write that looks refused waits for a fresh one, and
 * writes work again as soon as there is room, without a restart.
 */
export class DiskSpace {
  private freeBytes = Infinity;
  private readAt = 0;
  private reading?: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly reserveBytes: number,
  ) {}

  /** The free bytes a statfs read just now (readiness and metrics call it); the writes' reading too. */
  async measure(): Promise<number> {
    this.reading ??= statfs(this.dir)
      .then((disk) => {
        this.freeBytes = disk.bavail * disk.bsize;
        this.readAt = Date.now();
      })
      .finally(() => (this.reading = undefined));
    await this.reading;
    return this.freeBytes;
  }

  /** Undefined when a write may go ahead; else the check that refuses it (InsufficientStorage), to await. */
  checkRoom(): Promise<void> | undefined {
    if (Date.now() - this.readAt > TRUSTED_MS) void this.measure().catch(() => undefined);
    if (this.freeBytes >= this.reserveBytes) return undefined;
    return this.measure().then((free) => {
      if (free < this.reserveBytes) throw insufficientStorage(`${free} bytes free, below the ${this.reserveBytes} the store keeps (MIN_FREE_DISK_MB)`);
    });
  }

  /** A write's failure as the client sees it: InsufficientStorage when the disk had no room, else as it is. */
  async failureOf(err: unknown): Promise<unknown> {
    const code = await writeErrorCode(err);
    if (code === undefined || !NO_ROOM.has(code)) return err;
    void this.measure().catch(() => undefined);
    return insufficientStorage('the disk is full');
  }
}
