import { randomBytes } from 'node:crypto';
import { ReadStream } from 'node:fs';
import { mkdir, open, link, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export type BlobId = string;

/** A blob file that ends before the bytes its record says it holds: it was truncated behind the store's back. */
export class ShortBlobError extends Error {
  override readonly name = 'ShortBlobError';

  constructor(
    readonly blobId: BlobId,
    /** The bytes the stream was to read, and those the file had. */
    readonly expected: number,
    readonly read: number,
  ) {
    super(`blob ${blobId} ended after ${read} of the ${expected} bytes to read: the file was truncated`);
  }
}

/** fs.ReadStream's constructor, which Node's types do not declare (createReadStream's options). */
interface BlobReadOptions {
  fd: FileHandle;
  start: number;
  end: number;
  autoClose: boolean;
  highWaterMark: number;
}

/**
 * Bytes `start..end` of an open blob. fs.ReadStream ends quietly where the file ends; a blob is immutable, so a
 * file shorter than the range is damage, and this stream fails with ShortBlobError instead of ending short,
 * so a reader never takes a short body for a complete one. The check is at the end only (ReadStream counts
 * `bytesRead` anyway): nothing per chunk.
 */
class BlobReadStream extends (ReadStream as unknown as new (path: string, options: BlobReadOptions) => ReadStream) {
  private readonly expected: number;

  constructor(
    handle: FileHandle,
    private readonly blobId: BlobId,
    start: number,
    end: number,
  ) {
    super('', { fd: handle, start, end, autoClose: true, highWaterMark: 256 * 1024 });
    this.expected = end - start + 1;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null && this.bytesRead < this.expected) {
      this.destroy(new ShortBlobError(this.blobId, this.expected, this.bytesRead));
      return false;
    }
    return super.push(chunk, encoding);
  }
}

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

  /** Bytes `start..end` of blob `id`, opened as `handle`; fails with ShortBlobError if the file is shorter. */
  stream(id: BlobId, handle: FileHandle, start: number, end: number): ReadStream {
    return new BlobReadStream(handle, id, start, end);
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
