import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange } from '../store';
import { type BlobFiles, type BlobId, ShortBlobError } from './blob-files';
import type { BlobRef } from './records';

/** Damage found in a blob while reading it: its file is gone, or shorter than its record says. */
export interface BlobFault {
  kind: 'missing' | 'truncated';
  blobId: BlobId;
  detail: string;
}

/** The BlobFault an error of a blob read stands for, if it is one: ENOENT on opening it, or ShortBlobError. */
export function blobFaultOf(err: unknown, blobId: BlobId): BlobFault | undefined {
  if (err instanceof ShortBlobError) return { kind: 'truncated', blobId: err.blobId, detail: err.message };
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing', blobId, detail: `blob ${blobId} has no file` };
  return undefined;
}

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
 * are opened as the stream reaches them. Damage found once the stream is under way (a later blob missing, a
 * blob shorter than its record) fails the stream, never ends it short, and is told to `onFault`.
 */
export async function readBlobs(blobs: BlobFiles, refs: readonly BlobRef[], range: ByteRange, onFault: (fault: BlobFault) => void): Promise<Readable> {
  const [first, ...rest] = slicesOf(refs, range);
  const firstHandle = await blobs.openForRead(first.blob.id);
  const firstStream = blobs.stream(first.blob.id, firstHandle, first.start, first.end);
  if (rest.length === 0) {
    firstStream.once('error', (err) => reportFault(err, first.blob.id, onFault));
    return firstStream;
  }
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  let current = first.blob.id;
  (async () => {
    await pipeline(firstStream, out, { end: false });
    for (const slice of rest) {
      current = slice.blob.id;
      const handle = await blobs.openForRead(slice.blob.id);
      await pipeline(blobs.stream(slice.blob.id, handle, slice.start, slice.end), out, { end: false });
    }
    out.end();
  })().catch((err: Error) => {
    reportFault(err, current, onFault);
    out.destroy(err);
  });
  return out;
}

function reportFault(err: unknown, blobId: BlobId, onFault: (fault: BlobFault) => void): void {
  const fault = blobFaultOf(err, blobId);
  if (fault !== undefined) onFault(fault);
}
