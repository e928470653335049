import type { Database } from 'lmdb';
import { deleteMarkerAddressed, latestIsDeleteMarker } from '../../s3/delete-markers';
import { type DeleteResult, NULL_VERSION, type VersionId, type VersioningStatus } from '../store';
import type { BlobId } from './blob-files';
import { type DeleteMarkerRecord, blobIdsOf, isDeleteMarker, type ObjectRecord } from './records';
import type { VersionHistory } from './version-history';
import { newVersionId } from './version-ids';

/**
 * S3's versioning rules on the embedded store's two indexes: `objects` holds each key's current object (absent
 * when the key's latest version is a delete marker), the VersionHistory everything older and every marker.
 * The write methods run inside one of EmbeddedMetadata's transactions and return the blobs that no version
 * references any more, for it to free once the transaction has committed.
 *
 * - Never configured (`versioning` undefined): one `null` version per key, replaced by writes, removed by deletes.
 * - Enabled: every write and every delete without a version id adds a version with a new id.
 * - Suspended: writes and deletes replace the `null` version (wherever it sits) and keep the others.
 */
export class VersionedIndex {
  constructor(
    readonly objects: Database<ObjectRecord, Buffer>,
    readonly history: VersionHistory,
  ) {}

  /** Inside a transaction: `record` becomes the key's current version (its versionId and seq are set here). */
  put(versioning: VersioningStatus | undefined, bucket: string, key: string, at: Buffer, previous: ObjectRecord | undefined, record: ObjectRecord): BlobId[] {
    if (versioning === undefined) {
      record.versionId = NULL_VERSION;
      delete record.seq;
      void this.objects.put(at, record);
      return blobIdsOf(previous);
    }
    const sequence = this.history.nextSequence();
    record.seq = sequence;
    record.versionId = versioning === 'Enabled' ? newVersionId(sequence) : NULL_VERSION;
    const unreferenced = this.retire(versioning, bucket, key, previous);
    void this.objects.put(at, record);
    return unreferenced;
  }

  /** Inside a transaction: DeleteObject (see ObjectStore.deleteObject). `previous` is the key's current object. */
  delete(
    versioning: VersioningStatus | undefined,
    bucket: string,
    key: string,
    at: Buffer,
    previous: ObjectRecord | undefined,
    versionId: VersionId | undefined,
  ): { result: DeleteResult; unreferenced: BlobId[] } {
    if (versionId === undefined) {
      if (previous !== undefined) void this.objects.remove(at);
      if (versioning === undefined) return { result: {}, unreferenced: blobIdsOf(previous) };
      const sequence = this.history.nextSequence();
      const marker: DeleteMarkerRecord = {
        deleteMarker: true,
        versionId: versioning === 'Enabled' ? newVersionId(sequence) : NULL_VERSION,
        modified: Date.now(),
        seq: sequence,
      };
      const unreferenced = this.retire(versioning, bucket, key, previous);
      this.history.keep(bucket, key, marker);
      return { result: { versionId: marker.versionId, deleteMarker: true }, unreferenced };
    }
    if (previous?.versionId === versionId) {
      void this.objects.remove(at);
      this.promoteNewest(bucket, key, at);
      return { result: { versionId }, unreferenced: blobIdsOf(previous) };
    }
    const past = this.history.find(bucket, key, versionId);
    if (past === undefined) return { result: { versionId }, unreferenced: [] };
    this.history.drop(bucket, key, past);
    if (previous === undefined) this.promoteNewest(bucket, key, at);
    return { result: isDeleteMarker(past) ? { versionId, deleteMarker: true } : { versionId }, unreferenced: blobIdsOf(past) };
  }

  /**
   * The object a read asks for, or undefined when the key (or that version) does not exist. Throws S3's answers
   * for delete markers (delete-markers.ts) and InvalidArgument for a malformed version id. The current object
   * costs one LMDB read, as before versions were kept; the history is read only on a miss or for an older version.
   */
  read(bucket: string, key: string, at: Buffer, versionId: VersionId | undefined): ObjectRecord | undefined {
    const current = this.objects.get(at);
    if (versionId === undefined) {
      if (current !== undefined) return current;
      const newest = this.history.newest(bucket, key);
      if (newest !== undefined && isDeleteMarker(newest)) throw latestIsDeleteMarker(key, newest.versionId);
      return undefined;
    }
    if (current?.versionId === versionId) return current;
    const past = this.history.find(bucket, key, versionId);
    if (past !== undefined && isDeleteMarker(past)) throw deleteMarkerAddressed(past.versionId, new Date(past.modified));
    return past;
  }

  /** Inside a transaction: replaces `record` (a version as objectRecord found it) with `updated`, wherever it is kept. */
  rewrite(bucket: string, key: string, at: Buffer, record: ObjectRecord, updated: ObjectRecord): void {
    if (this.objects.get(at)?.versionId === record.versionId) void this.objects.put(at, updated);
    else this.history.keep(bucket, key, updated);
  }

  /**
   * Inside a transaction: the current object stops being current. It is kept as a past version, except in a
   * Suspended bucket, where the `null` version (this one, or one in the history) is replaced: its blobs are returned.
   */
  private retire(versioning: VersioningStatus, bucket: string, key: string, previous: ObjectRecord | undefined): BlobId[] {
    if (versioning === 'Suspended' && previous?.versionId === NULL_VERSION) return blobIdsOf(previous);
    if (previous !== undefined) this.history.keep(bucket, key, previous);
    if (versioning === 'Enabled') return [];
    const replaced = this.history.find(bucket, key, NULL_VERSION);
    if (replaced === undefined) return [];
    this.history.drop(bucket, key, replaced);
    return blobIdsOf(replaced);
  }

  /** Inside a transaction, once the key has no current object: its newest past version becomes current, unless that is a delete marker. */
  private promoteNewest(bucket: string, key: string, at: Buffer): void {
    const newest = this.history.newest(bucket, key);
    if (newest === undefined || isDeleteMarker(newest)) return;
    this.history.drop(bucket, key, newest);
    void this.objects.put(at, newest);
  }
}
