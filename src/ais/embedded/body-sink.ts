import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { BlobFiles, BlobId } from './blob-files';

/** Where a received body ended up: in memory (small: stored inline in its record) or in a new blob. */
export type StoredBody = { inline: Buffer } | { blob: BlobId };

/**
 * Receives a body with backpressure. Bytes are held in memory while the body is no larger than the inline
 * limit; past it they go to a new blob file, so memory stays bounded whatever the object's size.
 */
export class BodySink extends Writable {
  private chunks: Buffer[] = [];
  private held = 0;
  private handle?: FileHandle;
  private blobId?: BlobId;
  /** The write to disk in flight, if any: a destroy waits for it, so a blob it creates is known and closed. */
  private spilling?: Promise<void>;

  constructor(
    private readonly blobs: BlobFiles,
    private readonly inlineMax: number,
    /** Called before the first byte goes to disk, with the id, so the store can track it until commit. */
    private readonly onBlobCreate: (id: BlobId) => Promise<void>,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  /** After 'finish': where the body is. */
  result(): StoredBody {
    return this.blobId !== undefined ? { blob: this.blobId } : { inline: Buffer.concat(this.chunks, this.held) };
  }

  /**
   * The blob written so far, if any: what to free when the body fails midway. pipeline() rejects without
   * waiting for a spill in flight, which may still be creating the blob: this waits for it.
   */
  async blobIdSoFar(): Promise<BlobId | undefined> {
    await this.spilling?.catch(() => undefined);
    return this.blobId;
  }

  override _writev(entries: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const buffers = entries.map((entry) => entry.chunk);
    const size = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    if (this.handle === undefined && this.held + size <= this.inlineMax) {
      this.chunks.push(...buffers);
      this.held += size;
      callback();
      return;
    }
    this.spilling = this.spill(buffers);
    this.spilling.then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.handle === undefined || this.blobId === undefined) return callback();
    const handle = this.handle;
    this.handle = undefined;
    this.blobs.seal(this.blobId, handle).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A body that fails while a spill is creating the blob: wait for it, or its handle would stay open.
    const settled = this.spilling?.catch(() => undefined) ?? Promise.resolve();
    void settled.then(() => {
      const handle = this.handle;
      this.handle = undefined;
      // autoDestroy runs this after a clean finish too: keep the held bytes then, result() still needs them.
      if (error) this.chunks = [];
      if (handle === undefined) return callback(error);
      handle.close().then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
    });
  }

  private async spill(buffers: Buffer[]): Promise<void> {
    if (this.handle === undefined) {
      const id = this.blobs.newId();
      await this.onBlobCreate(id);
      this.blobId = id;
      this.handle = await this.blobs.create(id);
      buffers = [...this.chunks, ...buffers];
      this.chunks = [];
      this.held = 0;
    }
    await writeAll(this.handle, buffers);
  }
}

async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    pending = dropWritten(pending, bytesWritten);
  }
}

function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let index = 0;
  while (index < buffers.length && written >= buffers[index].length) {
    written -= buffers[index].length;
    index += 1;
  }
  const rest = buffers.slice(index);
  if (written > 0 && rest.length > 0) rest[0] = rest[0].subarray(written);
  return rest;
}
