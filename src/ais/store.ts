import type { Readable } from 'node:stream';
import type { BucketSettingName, BucketSettings } from './bucket-settings';
import type { ChecksumAlgorithm } from '../s3/checksum';
import type { Grant } from '../access/acl/grants';

/**
 * What the S3 modules may ask of storage. Two implementations sit behind this one injection token:
 * the embedded single-node store (default) and the real AIS cluster over its REST API. Nothing outside
 * `src/ais/` knows which one runs.
 */
export const OBJECT_STORE = Symbol('ObjectStore');

export type BucketName = string;
export type ObjectKey = string;
/** S3 version id; `null` (the string) is the version of an object written while versioning was off. */
export type VersionId = string;
export const NULL_VERSION: VersionId = 'null';

export type VersioningStatus = 'Enabled' | 'Suspended';

export interface BucketInfo {
  name: BucketName;
  created: Date;
  /** Undefined until versioning was ever configured. */
  versioning?: VersioningStatus;
  /**
   * The LocationConstraint the bucket was created with, as GetBucketLocation answers it (`''` for us-east-1,
   * else the region, or `EU`). Undefined for buckets created before the gateway kept it, or outside the
   * gateway (an AIS bucket made with AIS's tools): those are in the gateway's region (S3_REGION).
   */
  location?: string;
  /**
   * The canonical id of the user who created the bucket through the gateway in `verify` mode; undefined for buckets
   * created before owners were kept, in `parse` mode or with AIS's own tools (README, "Access control").
   */
  owner?: string;
}

/**
 * What CreateBucket found. The store only reports; the service decides the S3 answer, which depends on the
 * gateway's region (us-east-1 answers 200 to a re-create, other regions BucketAlreadyOwnedByYou) and, once
 * buckets have owners, on who owns `existing` (BucketAlreadyExists when someone else does).
 */
export type CreateBucketOutcome = { created: true } | { created: false; existing: BucketInfo };

/** Which buckets ListBuckets wants, in the byte order of their names. */
export interface ListBucketsRequest {
  /** Only names that begin with this. */
  prefix?: string;
  /** Exclusive: only names after this one. */
  startAfter?: string;
  /** At most this many; undefined: all of them. */
  limit?: number;
}

/** Representation headers S3 stores with an object and returns on GET/HEAD. */
export interface ContentHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
}

export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

/** One S3 tag (object or bucket tagging). */
export interface Tag {
  key: string;
  value: string;
}

/** S3 Object Lock's retention modes. */
export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/**
 * An object version's Object Lock state (src/object-lock): a retention (mode and the instant it ends, epoch ms,
 * always together) and a legal hold. Absent or empty: the version is not locked.
 */
export interface ObjectLock {
  mode?: RetentionMode;
  retainUntil?: number;
  legalHold?: boolean;
}

/**
 * Called by the store with the lock of a version a request is about to destroy for good (a delete by version id; on
 * AIS, which keeps one version, any delete or overwrite of the object); throws (AccessDenied) to refuse, and then
 * nothing changes.
 */
export type VersionGuard = (lock: ObjectLock | undefined) => void;

/** A tag set, already checked against S3's limits (src/tagging/tag-set.ts); empty: no tags. */
export type TagSet = Tag[];

/** An object version's tags (GetObjectTagging), and the version they belong to. */
export interface ObjectTagging {
  versionId: VersionId;
  tags: TagSet;
}

export interface ObjectInfo {
  key: ObjectKey;
  /** Sizes of the parts of a multipart object, in order (for `partNumber=` reads); undefined otherwise. */
  partSizes?: number[];
  size: number;
  /** Hex MD5 of the content, unquoted. */
  etag: string;
  lastModified: Date;
  versionId: VersionId;
  content: ContentHeaders;
  /** `x-amz-meta-*` without the prefix, names lowercased. */
  userMetadata: Record<string, string>;
  /** Flexible checksums the client supplied and the gateway verified (base64; `-N` suffixed when COMPOSITE). */
  checksums: Checksums;
  /** How a multipart object's checksum was formed; whole-object checksums are FULL_OBJECT. */
  checksumType?: ChecksumType;
  /**
   * Each part's flexible checksum in the upload's algorithm, in the order of `partSizes`, for a multipart object
   * whose upload used a checksum algorithm (GetObjectAttributes lists them); undefined otherwise, and where the
   * backend could not keep them (AIS: too many parts for its custom metadata).
   */
  partChecksums?: Checksums[];
  /** See ObjectAccess. */
  access?: ObjectAccess;
  /** How many tags the version has (`x-amz-tagging-count`); undefined or 0: none. Read without the tags themselves. */
  tagCount?: number;
  /** The version's Object Lock retention and legal hold; undefined: none. */
  lock?: ObjectLock;
}

export interface ObjectSummary {
  key: ObjectKey;
  size: number;
  etag: string;
  lastModified: Date;
  versionId: VersionId;
  /** The object's owner (ObjectAccess.owner), when it records one. */
  owner?: string;
}

/** An object version in a ListObjectVersions page. */
export interface VersionSummary extends ObjectSummary {
  deleteMarker: false;
  isLatest: boolean;
}

/** A delete marker in a ListObjectVersions page. */
export interface DeleteMarkerSummary {
  deleteMarker: true;
  key: ObjectKey;
  versionId: VersionId;
  lastModified: Date;
  isLatest: boolean;
}

export type VersionEntry = VersionSummary | DeleteMarkerSummary;

export interface ListVersionsRequest {
  prefix: string;
  delimiter?: string;
  /** With no versionIdMarker: start after this key. With one: start after that version of this key. */
  keyMarker?: string;
  versionIdMarker?: VersionId;
  /** 1..1000; versions, delete markers and common prefixes all count. */
  maxKeys: number;
}

/** Versions in key order, newest first within a key, delete markers among them. */
export interface ListVersionsPage {
  versions: VersionEntry[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** When truncated: the last key (or common prefix) in the page and, if it was a version, its id. */
  nextKeyMarker?: string;
  nextVersionIdMarker?: VersionId;
}

/** What the gateway learned from a request body once it was read to the end. */
export interface BodyDigest {
  size: number;
  md5Hex: string;
  checksums: Checksums;
}

/**
 * A request body on its way to storage. The store reads `stream` to the end and then calls `verify()`,
 * which checks Content-MD5, flexible checksums and lengths; if it throws, the store keeps nothing.
 */
export interface IncomingBody {
  stream: Readable;
  verify(): Promise<BodyDigest>;
  /**
   * The flexible checksum the client asked for, known before the body is read: its algorithm, and its value
   * when the client sent it in a header (a trailer's value, or one the gateway computes, comes with verify()).
   */
  checksum?: { algorithm: ChecksumAlgorithm; value?: string };
  /**
   * Tells the body that the store computes the MD5 of the bytes itself (AIS, as it stores them), so the body need not
   * hash them: verify()'s `md5Hex` is then ''. A Content-MD5 the client sent is still checked. Call it before the
   * stream is read; absent on bodies that are not hashed anyway.
   */
  md5FromStore?(): void;
}

/**
 * Who owns an object and what its ACL grants (README, "Access control"). Absent on objects written in `parse`
 * mode, before owners were kept, or with AIS's own tools: those belong to the bucket's owner.
 */
export interface ObjectAccess {
  /** The writer's canonical id (the bucket owner's under BucketOwnerEnforced). */
  owner: string;
  /** The ACL's grants; undefined: private (the owner's FULL_CONTROL). */
  grants?: Grant[];
}

export interface ObjectAttributes {
  content: ContentHeaders;
  userMetadata: Record<string, string>;
  /** The object's owner and ACL, kept with the object (and with a multipart upload until it completes). */
  access?: ObjectAccess;
  /** The tags the new object is written with (`x-amz-tagging`); absent or empty: none. CopyObject ignores it (CopyRequest.tags). */
  tags?: TagSet;
  /** The new object's Object Lock state (headers or the bucket's default retention); absent: none. CopyObject ignores it (CopyRequest.lock). */
  lock?: ObjectLock;
}

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Called with the object's metadata before any byte is read: throws for failed preconditions, and returns
 * the range to read (undefined: the whole object). Reading is one decision on one snapshot of the object.
 */
export interface ReadPlanner {
  (info: ObjectInfo): ByteRange | undefined;
  /**
   * True when the planner can neither refuse the read nor narrow it (no conditional headers, no Range, no
   * partNumber): a backend may then start reading before it has the metadata, and call the planner with the
   * metadata that came with the bytes. Absent or false: the planner is called before any byte is read.
   */
  readonly readsWholeObject?: boolean;
}

export interface ObjectRead {
  info: ObjectInfo;
  range?: ByteRange;
  /** Small objects come as one buffer; larger ones as a stream of the selected bytes. */
  body: Buffer | Readable;
}

export interface ListObjectsRequest {
  prefix: string;
  delimiter?: string;
  /** Exclusive: only entries (keys or common prefixes) after this one. */
  startAfter?: string;
  /** 1..1000. */
  maxKeys: number;
}

export interface ListObjectsPage {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix in this page: where the next page starts after. */
  lastEntry?: string;
}

/**
 * A conditional write's precondition on the key's current object (S3 "conditional writes"), checked by the store
 * in the same step as the write: `absent` (If-None-Match: *) holds only while the key has no object; `match`
 * (If-Match) only while it has one whose ETag is in `etags` (`*`: any object). A failed condition throws
 * PreconditionFailed (412), or NoSuchKey (404) for `match` on a missing key, and changes nothing.
 */
export type WriteCondition = { kind: 'absent' } | { kind: 'match'; etags: '*' | readonly string[] };

/** What a DeleteObject did, as S3 answers it in `x-amz-version-id` and `x-amz-delete-marker`. */
export interface DeleteResult {
  /** The version removed (a delete by version id), or the delete marker written (a delete without one). */
  versionId?: VersionId;
  /** A delete marker was written, or the version removed was one. */
  deleteMarker?: boolean;
}

export interface CopyRequest {
  source: { bucket: BucketName; key: ObjectKey; versionId?: VersionId };
  target: { bucket: BucketName; key: ObjectKey };
  /** Checks the copy-source conditionals; throws to refuse the copy. */
  check: (source: ObjectInfo) => void;
  /** New attributes (metadata directive REPLACE), or undefined to keep the source's (COPY). */
  replaceAttributes?: ObjectAttributes;
  /** The destination's precondition (If-None-Match / If-Match on CopyObject). */
  condition?: WriteCondition;
  /** The copy's owner and ACL: never the source's (S3 does not copy an ACL). */
  access?: ObjectAccess;
  /** The copy's tags (tagging directive REPLACE; empty: none), or undefined to keep the source version's (COPY). */
  tags?: TagSet;
  /** The copy's Object Lock state: never the source's (as on S3); undefined: none. */
  lock?: ObjectLock;
  /** See VersionGuard: checked against the object the copy would replace where the backend keeps no older versions. */
  guard?: VersionGuard;
}

export type UploadId = string;
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** How the object's checksum is made from its parts' checksums (S3 "Checking object integrity"). */
export interface MultipartChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
}

export interface MultipartUpload {
  uploadId: UploadId;
  key: ObjectKey;
  initiated: Date;
  attributes: ObjectAttributes;
  checksum?: MultipartChecksum;
}

export interface PartInfo {
  partNumber: number;
  /** Hex MD5 of the part. */
  etag: string;
  size: number;
  lastModified: Date;
  checksums: Checksums;
}

/** A part as CompleteMultipartUpload names it. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  checksums: Checksums;
}

export interface CompleteRequest {
  parts: CompletedPart[];
  /** The whole object's checksum when the client sent one (FULL_OBJECT), to be checked. */
  objectChecksum?: string;
  /**
   * The key's precondition (If-None-Match / If-Match). A retried Complete of a finished upload answers as the
   * first did without checking it; when it fails, the upload stays as it was, and can still be completed.
   */
  condition?: WriteCondition;
  /** See VersionGuard: checked against the object the upload would replace where the backend keeps no older versions. */
  guard?: VersionGuard;
}

export interface ListPartsRequest {
  /** Exclusive. */
  partNumberMarker: number;
  maxParts: number;
}

export interface ListPartsPage {
  upload: MultipartUpload;
  parts: PartInfo[];
  isTruncated: boolean;
}

export interface ListUploadsRequest {
  prefix: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
}

export interface ListUploadsPage {
  uploads: MultipartUpload[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

/** What the backend reports about itself, for readiness and gauges. */
export interface BackendStatus {
  backend: 'embedded' | 'ais';
  /** Undefined when the backend can serve; otherwise why not. */
  problem?: string;
  objects?: number;
  freeBytes?: number;
}

export interface ObjectStore {
  /** Releases files, handles and connections; called once at shutdown. */
  close(): Promise<void>;
  /** Cheap: whether the backend can serve now (readiness), with a few numbers for gauges. */
  status(): Promise<BackendStatus>;
  /** The buckets the request selects, in the byte order of their names. */
  listBuckets(request?: ListBucketsRequest): Promise<BucketInfo[]>;
  /**
   * Creates the bucket with `location` (its LocationConstraint, see BucketInfo) and `owner` (a canonical id) unless it exists; an existing
   * bucket is reported and left as it is.
   */
  createBucket(bucket: BucketName, location: string, owner?: string): Promise<CreateBucketOutcome>;
  /** Throws NoSuchBucket, BucketNotEmpty. */
  deleteBucket(bucket: BucketName): Promise<void>;
  /** Throws NoSuchBucket. */
  headBucket(bucket: BucketName): Promise<BucketInfo>;
  /**
   * What the access check needs of a bucket (its owner), on every request: cheap. Undefined when there is no such
   * bucket. Both backends trust what they read for BUCKET_TRUSTED_MS per bucket and process (embedded: one LMDB
   * read, AIS: one bucket HEAD); a change made through another process is seen within that window.
   */
  lookupBucket(bucket: BucketName): Promise<BucketInfo | undefined>;
  putBucketVersioning(bucket: BucketName, status: VersioningStatus): Promise<void>;
  /**
   * One of the bucket's settings (bucket-settings.ts: its CORS rules, ...), undefined when it has none; throws
   * NoSuchBucket. `cached`: the caller takes an answer up to the backend's trust window old (AIS:
   * SETTINGS_TRUSTED_MS; the embedded store always reads LMDB), as the checks of every request do; the
   * Get...Bucket... calls read fresh.
   */
  getBucketSetting<K extends BucketSettingName>(bucket: BucketName, name: K, cached?: boolean): Promise<BucketSettings[K] | undefined>;
  /** Replaces one of the bucket's settings; throws NoSuchBucket. */
  putBucketSetting<K extends BucketSettingName>(bucket: BucketName, name: K, value: BucketSettings[K]): Promise<void>;
  /** Removes one of the bucket's settings (none is fine); throws NoSuchBucket. */
  deleteBucketSetting(bucket: BucketName, name: BucketSettingName): Promise<void>;

  /**
   * `condition`: see WriteCondition; `guard`: see VersionGuard (checked against the object the write replaces where
   * the backend keeps no older versions: AIS). Throws NoSuchBucket, PreconditionFailed, NoSuchKey (a failed If-Match).
   */
  putObject(
    bucket: BucketName,
    key: ObjectKey,
    attributes: ObjectAttributes,
    body: IncomingBody,
    condition?: WriteCondition,
    guard?: VersionGuard,
  ): Promise<ObjectInfo>;
  /**
   * Throws NoSuchBucket, NoSuchKey, NoSuchVersion, InvalidArgument (a malformed version id). Where the latest version
   * is a delete marker: NoSuchKey with the marker's headers; a delete marker asked for by version id:
   * MethodNotAllowed with them (see deleteMarkerError).
   */
  headObject(bucket: BucketName, key: ObjectKey, versionId?: VersionId): Promise<ObjectInfo>;
  getObject(bucket: BucketName, key: ObjectKey, versionId: VersionId | undefined, plan: ReadPlanner): Promise<ObjectRead>;
  /**
   * Without a version id: removes the object, or in a bucket with versioning configured writes a delete marker
   * (Enabled: a new version; Suspended: the `null` version, replacing the old one). With one: removes that version or
   * marker for good, and the next newest becomes the latest. Deleting a key or version that does not exist
   * succeeds (S3 answers 204), unless a `condition` (If-Match) asks for an object: then NoSuchKey. Throws
   * NoSuchBucket, PreconditionFailed, InvalidArgument (a malformed version id). `guard` (VersionGuard) is called with
   * the lock of the version the delete would remove for good (not for a delete marker), and may refuse.
   */
  deleteObject(bucket: BucketName, key: ObjectKey, versionId?: VersionId, condition?: WriteCondition, guard?: VersionGuard): Promise<DeleteResult>;
  /**
   * PutObjectAcl: replaces the ACL of the object (the latest version, or `versionId`), keeping its owner and
   * everything else. Throws NoSuchBucket, NoSuchKey, NoSuchVersion, MetadataTooLarge (AIS: no room for the grants).
   */
  putObjectAcl(bucket: BucketName, key: ObjectKey, versionId: VersionId | undefined, access: ObjectAccess): Promise<void>;
  copyObject(request: CopyRequest): Promise<ObjectInfo>;
  /**
   * The tags of the object (its current version, or `versionId`'s), for GetObjectTagging and for what reads them later
   * (lifecycle Tag filters, policies' s3:ExistingObjectTag). Throws as headObject does (a delete marker included).
   */
  getObjectTagging(bucket: BucketName, key: ObjectKey, versionId?: VersionId): Promise<ObjectTagging>;
  /**
   * Replaces the tags of that version (empty: removes them), nothing else of it changes; answers the version tagged.
   * Throws as headObject does.
   */
  putObjectTagging(bucket: BucketName, key: ObjectKey, versionId: VersionId | undefined, tags: TagSet): Promise<VersionId>;
  /**
   * PutObjectRetention / PutObjectLegalHold: `change` gets the version's metadata (its current lock included) and
   * answers its new lock (undefined: none), or throws to refuse; nothing else of the version changes. Answers the
   * version changed. Throws as headObject does.
   */
  putObjectLock(bucket: BucketName, key: ObjectKey, versionId: VersionId | undefined, change: (info: ObjectInfo) => ObjectLock | undefined): Promise<VersionId>;
  /** Keys whose latest version is an object (not a delete marker). */
  listObjects(bucket: BucketName, request: ListObjectsRequest): Promise<ListObjectsPage>;
  /** Every version and delete marker; throws NoSuchBucket, InvalidArgument (a malformed version-id marker). */
  listObjectVersions(bucket: BucketName, request: ListVersionsRequest): Promise<ListVersionsPage>;

  /** Multipart upload state lives in the backend, so any gateway replica can continue an upload. */
  createMultipartUpload(bucket: BucketName, key: ObjectKey, attributes: ObjectAttributes, checksum?: MultipartChecksum): Promise<MultipartUpload>;
  /**
   * Throws NoSuchUpload. `bodyFor` is asked for the body once the upload is known (its checksum algorithm
   * decides what to compute). Uploading a part number again replaces that part.
   */
  uploadPart(bucket: BucketName, key: ObjectKey, uploadId: UploadId, partNumber: number, bodyFor: (upload: MultipartUpload) => IncomingBody): Promise<PartInfo>;
  /**
   * A retried Complete of a finished upload answers as the first did. Throws InvalidPart, InvalidPartOrder,
   * EntityTooSmall. Atomic on the embedded store; on AIS the object's bytes become visible a moment before its S3
   * metadata (docs/architecture.md, "What each backend guarantees").
   */
  completeMultipartUpload(bucket: BucketName, key: ObjectKey, uploadId: UploadId, request: CompleteRequest): Promise<ObjectInfo>;
  /** Frees every part; throws NoSuchUpload. */
  abortMultipartUpload(bucket: BucketName, key: ObjectKey, uploadId: UploadId): Promise<void>;
  listParts(bucket: BucketName, key: ObjectKey, uploadId: UploadId, request: ListPartsRequest): Promise<ListPartsPage>;
  listMultipartUploads(bucket: BucketName, request: ListUploadsRequest): Promise<ListUploadsPage>;
}
