import type { BucketInfo, Checksums, ContentHeaders, ObjectInfo, ObjectSummary, VersioningStatus } from '../ais-client';
import { NULL_VERSION } from '../ais-client';
import type { BlobId } from './blob-files';

/** A bucket's metadata record. */
export interface BucketRecord {
  created: number;
  versioning?: VersioningStatus;
}

/** An object's metadata record: its bytes are either inline (small objects) or in one immutable blob. */
export interface ObjectRecord {
  size: number;
  etag: string;
  modified: number;
  versionId: string;
  content: ContentHeaders;
  userMetadata: Record<string, string>;
  checksums: Checksums;
  inline?: Buffer;
  blob?: BlobId;
}

export function bucketInfoOf(name: string, record: BucketRecord): BucketInfo {
  return { name, created: new Date(record.created), versioning: record.versioning };
}

export function summaryOf(key: string, record: ObjectRecord): ObjectSummary {
  return {
    key,
    size: record.size,
    etag: record.etag,
    lastModified: new Date(record.modified),
    versionId: record.versionId ?? NULL_VERSION,
  };
}

export function objectInfoOf(key: string, record: ObjectRecord): ObjectInfo {
  return { ...summaryOf(key, record), content: record.content, userMetadata: record.userMetadata, checksums: record.checksums };
}
