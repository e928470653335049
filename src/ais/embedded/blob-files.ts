import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, link, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export type BlobId = string;

/**
 * Immutable blob files named by generated ids: object bytes never live at a path derived from a key.
 * Blobs are spread over 256 directories by the id's first byte.
 */
export class BlobFiles {
  constructor(
    private readonly root: string,
    private readonly fsync: boolean,
  ) {}

  async init(): Promise<void> {
    const dirs = Array.from({ length: 256 }, (_, i) => join(this.root, i.toString(16).padStart(2, '0')));
    await Promise.all(dirs.map((dir) => mkdir(dir, { recursive: true })));
  }

  newId(): BlobId {
    return randomBytes(16).toString('hex');
  }

  pathOf(id: BlobId): string {
    return join(this.root, id.slice(0, 2), id);
  }

  create(id: BlobId): Promise<FileHandle> {
    return open(this.pathOf(id), 'wx');
  }

  /** Makes a finished blob durable: its bytes and its directory entry, before metadata may point at it. */
  async seal(id: BlobId, handle: FileHandle): Promise<void> {
    try {
      if (this.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    if (this.fsync) await this.syncDirectoryOf(id);
  }

  /** A second name for an immutable blob: a copy that moves no bytes. */
  async linkCopy(source: BlobId, target: BlobId): Promise<void> {
    await link(this.pathOf(source), this.pathOf(target));
    if (this.fsync) await this.syncDirectoryOf(target);
  }

  /** Opens the blob now, so a later overwrite that unlinks it cannot pull it from under this reader. */
  async openForRead(id: BlobId): Promise<FileHandle> {
    return open(this.pathOf(id), 'r');
  }

  stream(handle: FileHandle, start: number, end: number): Readable {
    return createReadStream('', { fd: handle, start, end, autoClose: true, highWaterMark: 256 * 1024 });
  }

  async remove(id: BlobId): Promise<void> {
    await unlink(this.pathOf(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private async syncDirectoryOf(id: BlobId): Promise<void> {
    const dir = await open(join(this.root, id.slice(0, 2)), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
