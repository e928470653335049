import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange } from '../store';
import type { BlobFiles } from './blob-files';
import type { BlobRef } from './records';

interface Slice {
  blob: BlobRef;
  start: number;
  end: number;
}

/** The stretches of each blob that make up bytes `range` of an object stored as `blobs` one after another. */
export function slicesOf(blobs: readonly BlobRef[], range: ByteRange): Slice[] {
  const slices: Slice[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const first = Math.max(range.start, offset);
    const last = Math.min(range.end, offset + blob.size - 1);
    if (first <= last) slices.push({ blob, start: first - offset, end: last - offset });
    offset += blob.size;
  }
  return slices;
}

/**
 * Streams bytes `range` of an object stored as consecutive blobs. The first blob is opened before this
 * returns, so a read racing an overwrite fails here (and can be retried) rather than midway; later blobs
 * are opened as the stream reaches them.
 */
export async function readBlobs(blobs: BlobFiles, refs: readonly BlobRef[], range: ByteRange): Promise<Readable> {
  const [first, ...rest] = slicesOf(refs, range);
  const firstHandle = await blobs.openForRead(first.blob.id);
  const firstStream = blobs.stream(firstHandle, first.start, first.end);
  if (rest.length === 0) return firstStream;
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  (async () => {
    await pipeline(firstStream, out, { end: false });
    for (const slice of rest) {
      const handle = await blobs.openForRead(slice.blob.id);
      await pipeline(blobs.stream(handle, slice.start, slice.end), out, { end: false });
    }
    out.end();
  })().catch((err: Error) => out.destroy(err));
  return out;
}
