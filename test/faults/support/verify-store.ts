import { AbortMultipartUploadCommand, GetObjectCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { countBlobFiles } from '../../support/data-dir';
import { listedUploads } from '../../support/multipart';
import { storeState } from '../../support/objects';
import { ABSENT, blobsOf, sha256Hex, sha256Of, sizeOf } from './bodies';
import type { KeyStates } from './key-states';

export interface StoreCheck {
  /** Unfinished uploads found (and then aborted). */
  uploads: number;
  blobFiles: number;
}

/**
 * Checks an embedded store after a restart against the key states, and throws on the first disagreement:
 * - every key's GET is one of the states it may be in, byte-exact by SHA-256 (then that state is definite);
 * - ListObjectsV2 shows exactly the keys GET found, with the same ETags and sizes;
 * - the blob files under `dataDir/blobs` are exactly those the records need: one per blob of each object
 *   (blobsOf) and one per non-empty part of each unfinished upload (ListParts). More is an orphan, fewer a
 *   lost blob. The count is taken once the gateway listens, after its start-up freed what a crash left.
 * Then it aborts the unfinished uploads and counts again: their parts' blobs must be gone.
 */
export async function verifyStore(s3: S3Client, bucket: string, states: KeyStates, dataDir: string, inlineMaxBytes: number): Promise<StoreCheck> {
  const etags = new Map<string, string>();
  for (const key of states.keys) {
    let found = ABSENT;
    try {
      const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = await (output.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      const hash = sha256Hex(bytes);
      found = [...states.allowed(key)].find((state) => state !== ABSENT && sha256Of(state) === hash) ?? `a body of ${bytes.length} bytes, SHA-256 ${hash}`;
      etags.set(key, output.ETag as string);
    } catch (err) {
      if ((err as { name?: string }).name !== 'NoSuchKey') throw err;
    }
    states.observed(key, found);
  }

  const listed = await storeState(s3, bucket);
  const expected = states.keys
    .filter((key) => states.definite(key) !== ABSENT)
    .map((key) => ({ key, etag: etags.get(key), size: sizeOf(states.definite(key) as string) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const seen = listed.map(({ key, etag, size }) => ({ key, etag, size }));
  if (JSON.stringify(seen) !== JSON.stringify(expected)) throw new Error(`ListObjectsV2 shows ${JSON.stringify(seen)}, GETs found ${JSON.stringify(expected)}`);

  const objectBlobs = states.keys.reduce((sum, key) => sum + blobsOf(states.definite(key) as string, inlineMaxBytes), 0);
  const uploads = await listedUploads(s3, bucket);
  let partBlobs = 0;
  for (const [key, uploadId] of uploads) {
    const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    partBlobs += (parts.Parts ?? []).filter((part) => (part.Size ?? 0) > 0).length;
  }
  const files = countBlobFiles(dataDir);
  if (files !== objectBlobs + partBlobs) {
    throw new Error(
      `${files} blob files in ${dataDir}/blobs, but the records need ${objectBlobs} for objects and ${partBlobs} for ${uploads.length} unfinished uploads`,
    );
  }

  for (const [key, uploadId] of uploads) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  const afterAbort = countBlobFiles(dataDir);
  if (afterAbort !== objectBlobs) throw new Error(`${afterAbort} blob files after aborting every unfinished upload, but the objects need ${objectBlobs}`);
  return { uploads: uploads.length, blobFiles: afterAbort };
}
