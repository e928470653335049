import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { S3Error } from '../../s3/errors';
import type {
  CompleteRequest,
  IncomingBody,
  ListPartsPage,
  ListPartsRequest,
  ListUploadsPage,
  ListUploadsRequest,
  MultipartChecksum,
  MultipartUpload,
  ObjectAttributes,
  ObjectInfo,
  PartInfo,
} from '../store';
import { checkWriteCondition } from '../../s3/conditions';
import { checkPartChecksums, completedChecksum, multipartEtag, selectCompletedParts, type StoredPart } from '../../s3/multipart-rules';
import type { BlobId } from './blob-files';
import { type EmbeddedMetadata, promised } from './metadata';
import { UploadsPage } from '../../s3/listing-rules';
import { COMPLETED_UPLOAD_MEMORY_MS, DEFAULT_ABANDONED_UPLOAD_MS } from '../multipart-retention';
import { newUploadId } from '../upload-ids';
import { bucketBase, bucketEnd, indexKey, keyOf, prefixMatchesNoKey, prefixSuccessor } from './object-keys';
import { objectInfoOf, type ObjectRecord, type PartRecord, partInfoOf, type UploadRecord, uploadOf } from './records';

/**
 * Upload records the clean-up reads, and removes in one transaction, at a time: a few hundred keep each
 * synchronous LMDB read and each write transaction short.
 */
const CLEANUP_BATCH = 256;

function uploadIndexKey(bucket: string, key: string, uploadId: string): Buffer {
  return Buffer.concat([indexKey(bucketBase(bucket), key), Buffer.from([0]), Buffer.from(uploadId, 'latin1')]);
}

/** `<bucket>\0<key>\0<uploadId>`: the key is everything between the bucket's separator and the last 0x00. */
function keyOfUploadIndex(bucket: string, indexed: Buffer): string {
  const base = bucketBase(bucket);
  return keyOf(base, indexed.subarray(0, indexed.lastIndexOf(0)));
}

function partKey(uploadId: string, partNumber: number): string {
  return `${uploadId}/${String(partNumber).padStart(5, '0')}`;
}

function partRange(uploadId: string, after = 0): { start: string; end: string } {
  return { start: partKey(uploadId, after + 1), end: `${uploadId}0` };
}

/**
 * Multipart uploads of the embedded store. Upload and part records live in LMDB beside the objects (so any
 * process on the data directory can continue an upload); each part is a blob. Completing an upload writes
 * one object record that lists the parts' blobs: no byte is copied.
 */
export class EmbeddedMultipart {
  constructor(
    private readonly meta: EmbeddedMetadata,
    private readonly abandonedMs = DEFAULT_ABANDONED_UPLOAD_MS,
  ) {}

  async create(bucket: string, key: string, attributes: ObjectAttributes, checksum?: MultipartChecksum): Promise<MultipartUpload> {
    const record: UploadRecord = { uploadId: newUploadId(), initiated: Date.now(), attributes, checksum };
    await this.meta.transaction(() => {
      this.meta.bucketRecord(bucket);
      void this.meta.uploads.put(uploadIndexKey(bucket, key, record.uploadId), record);
    });
    return uploadOf(key, record);
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, bodyFor: (upload: MultipartUpload) => IncomingBody): Promise<PartInfo> {
    const body = bodyFor(uploadOf(key, this.openUpload(bucket, key, uploadId)));
    const stored = await this.meta.receive(body.stream, 0);
    const blob = 'blob' in stored ? stored.blob : undefined;
    try {
      const digest = await body.verify();
      const part: PartRecord = { etag: digest.md5Hex, size: digest.size, modified: Date.now(), checksums: digest.checksums, blob };
      const replaced = await this.meta.transaction(() => {
        this.openUpload(bucket, key, uploadId);
        const at = partKey(uploadId, partNumber);
        const previous = this.meta.parts.get(at);
        void this.meta.parts.put(at, part);
        if (blob !== undefined) this.meta.markReferenced(blob);
        const unreferenced = previous?.blob !== undefined ? [previous.blob] : [];
        this.meta.markUnreferenced(unreferenced);
        return unreferenced;
      });
      await this.meta.freeBlobs(replaced);
      return partInfoOf(partNumber, part);
    } catch (err) {
      if (blob !== undefined) await this.meta.freeBlobs([blob]);
      throw err;
    }
  }

  async complete(bucket: string, key: string, uploadId: string, request: CompleteRequest): Promise<ObjectInfo> {
    const at = uploadIndexKey(bucket, key, uploadId);
    const previous = this.meta.uploads.get(at);
    if (previous?.completed !== undefined) return this.completedAnswer(key, previous);
    const record = await this.meta.commitObject(bucket, key, (current) => {
      const upload = this.openUpload(bucket, key, uploadId);
      const parts = this.partsOf(uploadId);
      const selected = selectCompletedParts(request.parts, parts);
      checkPartChecksums(request.parts, parts);
      const object = this.objectOf(upload, selected, parts, request);
      // The condition is checked once the upload and its part list are found good, before anything is
      // written: a failed one leaves the upload as it was.
      if (request.condition !== undefined) checkWriteCondition(request.condition, current?.etag, key);
      const { etag, size, checksums, checksumType } = object;
      const written = (committed: ObjectRecord): void => {
        void this.meta.uploads.put(at, { ...upload, completed: { at: Date.now(), etag, versionId: committed.versionId, size, checksums, checksumType } });
      };
      const chosen = new Set(selected.map((part) => part.partNumber));
      const unreferenced = this.removeParts(uploadId)
        .filter(({ partNumber }) => !chosen.has(partNumber))
        .map(({ blob }) => blob);
      return { record: object, unreferenced: unreferenced.filter((blob): blob is BlobId => blob !== undefined), written };
    });
    return objectInfoOf(key, record);
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    const freed = await this.meta.transaction(() => {
      this.openUpload(bucket, key, uploadId);
      void this.meta.uploads.remove(uploadIndexKey(bucket, key, uploadId));
      return this.unreferenceParts(uploadId);
    });
    await this.meta.freeBlobs(freed);
  }

  listParts(bucket: string, key: string, uploadId: string, request: ListPartsRequest): Promise<ListPartsPage> {
    return promised(() => {
      const upload = uploadOf(key, this.openUpload(bucket, key, uploadId));
      const entries = Array.from(this.meta.parts.getRange({ ...partRange(uploadId, request.partNumberMarker), limit: request.maxParts + 1 }));
      const parts = entries.slice(0, request.maxParts).map(({ key: at, value }) => partInfoOf(Number(at.slice(uploadId.length + 1)), value));
      return { upload, parts, isTruncated: entries.length > request.maxParts };
    });
  }

  listUploads(bucket: string, request: ListUploadsRequest): Promise<ListUploadsPage> {
    return promised(() => {
      this.meta.bucketRecord(bucket);
      const page = new UploadsPage(request);
      if (prefixMatchesNoKey(request.prefix)) return page.page;
      const start = indexKey(bucketBase(bucket), request.prefix);
      const end = request.prefix === '' ? bucketEnd(bucket) : prefixSuccessor(start);
      for (const { key: indexed, value } of this.meta.uploads.getRange({ start, end })) {
        if (value.completed !== undefined) continue;
        const key = keyOfUploadIndex(bucket, indexed);
        if (page.add(key, value.uploadId, () => uploadOf(key, value)) === 'full') break;
      }
      return page.page;
    });
  }

  /** Frees the uploads of a deleted bucket, by their records' keys. */
  async discard(keys: Buffer[]): Promise<void> {
    await this.removeUploads(keys, () => true);
  }

  /**
   * Aborts abandoned uploads and forgets finished ones once a retried Complete is no longer expected. The upload
   * records (completed ones stay an hour, so there can be tens of thousands) are read CLEANUP_BATCH at a time, each
   * batch's stale ones removed in one transaction, and the event loop runs between batches: no single read or
   * transaction holds up requests for the whole scan. Records added or changed during the pass are seen as they
   * are when their batch is read; each stale one is checked again inside the transaction that removes it.
   */
  async cleanup(now: number): Promise<void> {
    let start: Buffer | undefined;
    for (;;) {
      const batch = Array.from(this.meta.uploads.getRange({ start, limit: CLEANUP_BATCH }));
      const stale = batch.filter(({ value }) => this.isStale(value, now)).map(({ key }) => key);
      if (stale.length > 0) await this.removeUploads(stale, (upload) => this.isStale(upload, now));
      if (batch.length < CLEANUP_BATCH) return;
      // The smallest key after the batch's last one (keys compare as bytes).
      start = Buffer.concat([batch[batch.length - 1].key, Buffer.from([0])]);
      await yieldToEventLoop();
    }
  }

  private isStale(upload: UploadRecord, now: number): boolean {
    return upload.completed ? upload.completed.at < now - COMPLETED_UPLOAD_MEMORY_MS : upload.initiated < now - this.abandonedMs;
  }

  /**
   * Removes the upload records at `keys` that are still there and still `wanted` when read again inside the one
   * transaction that removes them (a Complete, an Abort or another process's clean-up may have come first: an upload
   * completed meanwhile is kept, its retried Complete still answered), with their parts; frees the parts' blobs
   * once it commits.
   */
  private async removeUploads(keys: Buffer[], wanted: (upload: UploadRecord) => boolean): Promise<void> {
    const freed = await this.meta.transaction(() =>
      keys.flatMap((key) => {
        const upload = this.meta.uploads.get(key);
        if (upload === undefined || !wanted(upload)) return [];
        void this.meta.uploads.remove(key);
        return this.unreferenceParts(upload.uploadId);
      }),
    );
    await this.meta.freeBlobs(freed);
  }

  /** An upload parts may still be added to: NoSuchUpload once it is aborted or completed. */
  private openUpload(bucket: string, key: string, uploadId: string): UploadRecord {
    this.meta.bucketRecord(bucket);
    const upload = this.meta.uploads.get(uploadIndexKey(bucket, key, uploadId));
    if (upload === undefined || upload.completed !== undefined) throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
    return upload;
  }

  private partsOf(uploadId: string): Map<number, StoredPart & PartRecord> {
    const parts = new Map<number, StoredPart & PartRecord>();
    for (const { key, value } of this.meta.parts.getRange(partRange(uploadId))) {
      const partNumber = Number(key.slice(uploadId.length + 1));
      parts.set(partNumber, { ...value, partNumber });
    }
    return parts;
  }

  /** Inside a transaction: removes an upload's part records, returning them. */
  private removeParts(uploadId: string): Array<{ partNumber: number; blob?: BlobId }> {
    const removed = Array.from(this.partsOf(uploadId).values());
    for (const part of removed) void this.meta.parts.remove(partKey(uploadId, part.partNumber));
    return removed;
  }

  private unreferenceParts(uploadId: string): BlobId[] {
    const blobs = this.removeParts(uploadId)
      .map((part) => part.blob)
      .filter((blob): blob is BlobId => blob !== undefined);
    this.meta.markUnreferenced(blobs);
    return blobs;
  }

  private objectOf(upload: UploadRecord, selected: StoredPart[], parts: Map<number, PartRecord>, request: CompleteRequest): ObjectRecord {
    const chosen = selected.map((part) => parts.get(part.partNumber) as PartRecord);
    const object: ObjectRecord = {
      size: chosen.reduce((sum, part) => sum + part.size, 0),
      etag: multipartEtag(selected),
      modified: Date.now(),
      versionId: '',
      content: upload.attributes.content,
      userMetadata: upload.attributes.userMetadata,
      access: upload.attributes.access,
      checksums: {},
      blobs: chosen.filter((part) => part.blob !== undefined).map((part) => ({ id: part.blob as BlobId, size: part.size })),
      partSizes: chosen.map((part) => part.size),
    };
    // CreateMultipartUpload's x-amz-tagging: the completed object carries the tags.
    if (upload.attributes.tags !== undefined && upload.attributes.tags.length > 0) object.tags = upload.attributes.tags;
    // CreateMultipartUpload's Object Lock headers (or the bucket's default retention then): the completed object is locked.
    if (upload.attributes.lock !== undefined) object.lock = upload.attributes.lock;
    if (upload.checksum !== undefined) {
      object.checksums = { [upload.checksum.algorithm]: completedChecksum(upload.checksum, chosen, request.objectChecksum) };
      object.checksumType = upload.checksum.type;
      const { algorithm } = upload.checksum;
      object.partChecksums = chosen.map((part) => ({ [algorithm]: part.checksums[algorithm] }));
    }
    return object;
  }

  private completedAnswer(key: string, upload: UploadRecord): ObjectInfo {
    const done = upload.completed as NonNullable<UploadRecord['completed']>;
    return {
      key,
      size: done.size,
      etag: done.etag,
      lastModified: new Date(done.at),
      versionId: done.versionId,
      content: upload.attributes.content,
      userMetadata: upload.attributes.userMetadata,
      access: upload.attributes.access,
      checksums: done.checksums,
      checksumType: done.checksumType,
      tagCount: upload.attributes.tags?.length,
      lock: upload.attributes.lock,
    };
  }
}
