import type {
  BucketInfo,
  Checksums,
  ChecksumType,
  ContentHeaders,
  MultipartChecksum,
  MultipartUpload,
  ObjectAccess,
  ObjectLock,
  ObjectAttributes,
  ObjectInfo,
  ObjectSummary,
  PartInfo,
  TagSet,
  VersioningStatus,
} from '../store';
import { NULL_VERSION } from '../store';
import type { BlobId } from './blob-files';

/** A bucket's metadata record. */
export interface BucketRecord {
  created: number;
  versioning?: VersioningStatus;
  /** The LocationConstraint it was created with; absent in records written before the gateway kept it. */
  location?: string;
  /** The creator's canonical id; absent in records written before owners were kept, or in `parse` mode. */
  owner?: string;
}

/** One immutable blob holding a stretch of an object. */
export interface BlobRef {
  id: BlobId;
  size: number;
}

/**
 * An object's metadata record: its bytes are inline (small objects) or in blobs read one after the other:
 * one for a plain PUT, one per part for a multipart object, whose parts are never copied together.
 */
export interface ObjectRecord {
  size: number;
  etag: string;
  modified: number;
  versionId: string;
  /**
   * Where the version sits in its key's history (version-history.ts); set when written into a bucket with
   * versioning configured, absent for objects written before it was (they are the `null` version).
   */
  seq?: number;
  content: ContentHeaders;
  userMetadata: Record<string, string>;
  checksums: Checksums;
  checksumType?: ChecksumType;
  inline?: Buffer;
  blobs?: BlobRef[];
  /** Multipart objects: each part's size, in order, for `partNumber=` reads. */
  partSizes?: number[];
  /** Multipart objects whose upload used a checksum algorithm: each part's checksum in it, in order (GetObjectAttributes). */
  partChecksums?: Checksums[];
  /** The owner and ACL (README, "Access control"); absent: the bucket owner's, private. */
  access?: ObjectAccess;
  /** The version's tags (PutObjectTagging, x-amz-tagging); absent when it has none. Each version keeps its own. */
  tags?: TagSet;
  /** The version's Object Lock retention and legal hold (src/object-lock); absent: none. */
  lock?: ObjectLock;
}

/** A delete marker: a version that says the key was deleted. Kept in the history only. */
export interface DeleteMarkerRecord {
  deleteMarker: true;
  versionId: string;
  modified: number;
  seq: number;
}

/** A version in a key's history: a past object, or a delete marker. */
export type HistoryRecord = ObjectRecord | DeleteMarkerRecord;

export function isDeleteMarker(record: HistoryRecord): record is DeleteMarkerRecord {
  return 'deleteMarker' in record;
}

/** A multipart upload in progress, or finished recently (kept so a retried Complete answers the same). */
export interface UploadRecord {
  uploadId: string;
  initiated: number;
  attributes: ObjectAttributes;
  checksum?: MultipartChecksum;
  completed?: { at: number; etag: string; versionId: string; size: number; checksums: Checksums; checksumType?: ChecksumType };
}

export interface PartRecord {
  etag: string;
  size: number;
  modified: number;
  checksums: Checksums;
  /** Undefined for an empty part. */
  blob?: BlobId;
}

/**
 * The record with its inline body as a Buffer. msgpackr gives a plain Uint8Array instead when it loads the shared
 * structures in the middle of that record (the first read after opening, or a structure another process added):
 * its unpack.js saveState() goes on from a Uint8Array copy of the source.
 */
export function withInlineBuffer(record: ObjectRecord): ObjectRecord {
  const inline: Uint8Array | undefined = record.inline;
  if (inline !== undefined && !Buffer.isBuffer(inline)) record.inline = Buffer.from(inline.buffer, inline.byteOffset, inline.byteLength);
  return record;
}

export function blobIdsOf(record: HistoryRecord | undefined): BlobId[] {
  if (record === undefined || isDeleteMarker(record)) return [];
  return record.blobs?.map((blob) => blob.id) ?? [];
}

export function uploadOf(key: string, record: UploadRecord): MultipartUpload {
  return { uploadId: record.uploadId, key, initiated: new Date(record.initiated), attributes: record.attributes, checksum: record.checksum };
}

export function partInfoOf(partNumber: number, record: PartRecord): PartInfo {
  return { partNumber, etag: record.etag, size: record.size, lastModified: new Date(record.modified), checksums: record.checksums };
}

export function bucketInfoOf(name: string, record: BucketRecord): BucketInfo {
  return { name, created: new Date(record.created), versioning: record.versioning, location: record.location, owner: record.owner };
}

export function summaryOf(key: string, record: ObjectRecord): ObjectSummary {
  return {
    key,
    size: record.size,
    etag: record.etag,
    lastModified: new Date(record.modified),
    versionId: record.versionId ?? NULL_VERSION,
    owner: record.access?.owner,
  };
}

/**
 * Written out property by property, not as `{ ...summaryOf(), more }`: on Node 20's V8 a spread followed by
 * more properties costs microseconds (a new hidden class each time), and this runs on every GET and HEAD.
 */
export function objectInfoOf(key: string, record: ObjectRecord): ObjectInfo {
  return {
    key,
    size: record.size,
    etag: record.etag,
    lastModified: new Date(record.modified),
    versionId: record.versionId ?? NULL_VERSION,
    content: record.content,
    userMetadata: record.userMetadata,
    checksums: record.checksums,
    checksumType: record.checksumType,
    partSizes: record.partSizes,
    partChecksums: record.partChecksums,
    access: record.access,
    tagCount: record.tags?.length,
    lock: record.lock,
  };
}
