import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { BackgroundJob, type JobReporting } from '../../jobs/background-job';
import { S3Error } from '../../s3/errors';
import {
  type ObjectStore,
  type BackendStatus,
  type BucketInfo,
  type CompleteRequest,
  type CreateBucketOutcome,
  type CopyRequest,
  type DeleteResult,
  type IncomingBody,
  type ListBucketsRequest,
  type ListObjectsPage,
  type ListObjectsRequest,
  type ListPartsPage,
  type ListVersionsPage,
  type ListVersionsRequest,
  type ListPartsRequest,
  type ListUploadsPage,
  type ListUploadsRequest,
  type MultipartChecksum,
  type MultipartUpload,
  NULL_VERSION,
  type ObjectAccess,
  type ObjectAttributes,
  type ObjectInfo,
  type ObjectLock,
  type ObjectRead,
  type ObjectTagging,
  type PartInfo,
  type TagSet,
  type ReadPlanner,
  type VersionGuard,
  type VersioningStatus,
  type WriteCondition,
} from '../store';
import { BUCKET_SETTING_NAMES, type BucketSettingName, type BucketSettings } from '../bucket-settings';
import { type BlobFault, blobFaultOf, readBlobs } from './blob-reader';
import { listPage } from './listing';
import { listVersionsPage } from './version-listing';
import { EmbeddedMetadata, promised } from './metadata';
import { EmbeddedMultipart } from './multipart';
import { bucketBase, bucketEnd } from './object-keys';
import { bucketInfoOf, type ObjectRecord, objectInfoOf } from './records';
import { DiskSpace } from './disk-space';

export interface EmbeddedStoreOptions {
  dataDir: string;
  inlineMaxBytes: number;
  fsync: boolean;
  /** Multipart uploads started longer ago than this and not completed are aborted in the background. */
  abandonedUploadMs?: number;
  /** Below this much free disk the store reports itself not ready and refuses writes (InsufficientStorage). */
  minFreeBytes?: number;
  /** How often the background upkeep (maintain) runs; MAINTENANCE_INTERVAL_MS by default. */
  sweepIntervalMs?: number;
  /** Where the upkeep's runs are counted and its failures logged. */
  jobs?: JobReporting;
  /** Where damage found in stored data is counted and logged (a blob file removed or truncated behind the store's back). */
  integrityFaults?: (fault: IntegrityFault) => void;
}

/** Damage a read found: the object whose blob it is, and what is wrong with the blob. */
export interface IntegrityFault extends BlobFault {
  bucket: string;
  key: string;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * How long a process trusts a bucket record it read for the access check (lookupBucket), as the AIS backend does
 * (BUCKET_TRUSTED_MS there): a GET then reads only its object's record. Changes made in this process are seen at
 * once; those made by another worker process (WORKERS > 1) within this window.
 */
const BUCKET_TRUSTED_MS = 1000;
/** How many trusted settings a process keeps (bucket x setting name) before it starts over. */
const MAX_TRUSTED_SETTINGS = 10_000;

/** How often a read retries when an overwrite unlinked a blob between reading its record and opening it. */
const READ_ATTEMPTS = 3;

/** A bucket setting's key in the settings table: every setting of a bucket sorts between `<bucket> 0x00` and `<bucket> 0x01`. */
function settingKey(bucket: string, name: string): string {
  return `${bucket}\0${name}`;
}

function isMissingFile(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The embedded single-node store (docs/architecture.md, "The embedded backend"): metadata in LMDB, bytes inline or in immutable blob
 * files (see EmbeddedMetadata for how writes stay atomic and crash-safe), multipart uploads in EmbeddedMultipart.
 */
export class EmbeddedStore implements ObjectStore {
  private readonly meta: EmbeddedMetadata;
  private readonly multipart: EmbeddedMultipart;
  private readonly disk: DiskSpace;
  private maintenance?: BackgroundJob;
  /** Bucket records lookupBucket read lately (existing buckets only), by name. */
  private readonly bucketsSeen = new Map<string, { info: BucketInfo; until: number }>();
  /** Settings as read for the per-request checks (`cached` reads), trusted like the bucket records: BUCKET_TRUSTED_MS. */
  private readonly settingsSeen = new Map<string, { value: unknown; until: number }>();

  constructor(private readonly options: EmbeddedStoreOptions) {
    this.disk = new DiskSpace(options.dataDir, options.minFreeBytes ?? 0);
    this.meta = new EmbeddedMetadata(options.dataDir, options.fsync);
    this.multipart = new EmbeddedMultipart(this.meta, options.abandonedUploadMs);
  }

  async open(): Promise<void> {
    await this.meta.open();
    const intervalMs = this.options.sweepIntervalMs ?? MAINTENANCE_INTERVAL_MS;
    this.maintenance = new BackgroundJob('embedded_maintenance', intervalMs, () => this.maintain(Date.now()), this.options.jobs).start();
  }

  async close(): Promise<void> {
    // A run in progress finishes before the metadata it works on is closed.
    await this.maintenance?.stop();
    await this.meta.close();
  }

  /** Background upkeep: abandoned multipart uploads, and blobs left by processes that died mid-write. */
  async maintain(now: number): Promise<void> {
    await this.multipart.cleanup(now);
    await this.meta.freeLeftoverBlobs(false, now);
  }

  /** Ready while the data directory is writable and has at least `minFreeBytes` free. */
  async status(): Promise<BackendStatus> {
    const status: BackendStatus = { backend: 'embedded' };
    try {
      await access(this.options.dataDir, constants.W_OK);
      status.freeBytes = await this.disk.measure();
      status.objects = this.meta.objectCount();
      const minFree = this.options.minFreeBytes ?? 0;
      // A full disk is not ready even with MIN_FREE_DISK_MB=0.
      if (status.freeBytes < minFree || status.freeBytes === 0) status.problem = `only ${status.freeBytes} bytes free in ${this.options.dataDir}`;
    } catch (err) {
      status.problem = (err as Error).message;
    }
    return status;
  }

  /** One read of LMDB's bucket table, which is in the byte order of the names. */
  listBuckets(request: ListBucketsRequest = {}): Promise<BucketInfo[]> {
    return promised(() => {
      const { prefix = '', startAfter, limit = Infinity } = request;
      const start = startAfter !== undefined && startAfter > prefix ? startAfter : prefix;
      const infos: BucketInfo[] = [];
      for (const { key, value } of this.meta.buckets.getRange({ start: start === '' ? undefined : start })) {
        if (infos.length >= limit || !key.startsWith(prefix)) break;
        if (key !== startAfter) infos.push(bucketInfoOf(key, value));
      }
      return infos;
    });
  }

  createBucket(bucket: string, location: string, owner?: string): Promise<CreateBucketOutcome> {
    this.bucketsSeen.delete(bucket);
    this.distrustSettings(bucket);
    return this.write(() =>
      this.meta.transaction((): CreateBucketOutcome => {
        const existing = this.meta.buckets.get(bucket);
        if (existing !== undefined) return { created: false, existing: bucketInfoOf(bucket, existing) };
        void this.meta.buckets.put(bucket, { created: Date.now(), location, ...(owner !== undefined ? { owner } : {}) });
        return { created: true };
      }),
    );
  }

  deleteBucket(bucket: string): Promise<void> {
    return this.removal(() => this.removeBucket(bucket));
  }

  private async removeBucket(bucket: string): Promise<void> {
    const uploads = await this.meta.transaction(() => {
      this.meta.bucketRecord(bucket);
      const range = { start: bucketBase(bucket), end: bucketEnd(bucket) };
      // Past versions and delete markers count: S3 deletes only a bucket without any.
      if (Array.from(this.meta.objects.getKeys({ ...range, limit: 1 })).length > 0 || this.meta.index.history.hasAny(bucket)) {
        throw new S3Error('BucketNotEmpty', undefined, { BucketName: bucket });
      }
      void this.meta.buckets.remove(bucket);
      for (const key of this.meta.settings.getKeys({ start: settingKey(bucket, ''), end: `${bucket}\x01` })) void this.meta.settings.remove(key);
      return Array.from(this.meta.uploads.getKeys(range));
    });
    this.bucketsSeen.delete(bucket);
    this.distrustSettings(bucket);
    // S3 aborts a deleted bucket's unfinished uploads with it.
    await this.multipart.discard(uploads);
  }

  headBucket(bucket: string): Promise<BucketInfo> {
    return promised(() => bucketInfoOf(bucket, this.meta.bucketRecord(bucket)));
  }

  /** The bucket record as read at most BUCKET_TRUSTED_MS ago (a bucket that does not exist is read every time). */
  lookupBucket(bucket: string): Promise<BucketInfo | undefined> {
    const now = Date.now();
    const seen = this.bucketsSeen.get(bucket);
    if (seen !== undefined && seen.until > now) return Promise.resolve(seen.info);
    return promised(() => {
      const record = this.meta.buckets.get(bucket);
      if (record === undefined) {
        this.bucketsSeen.delete(bucket);
        return undefined;
      }
      const info = bucketInfoOf(bucket, record);
      this.bucketsSeen.set(bucket, { info, until: now + BUCKET_TRUSTED_MS });
      return info;
    });
  }

  async putBucketVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    await this.write(() =>
      this.meta.transaction(() => {
        void this.meta.buckets.put(bucket, { ...this.meta.bucketRecord(bucket), versioning: status });
      }),
    );
    this.bucketsSeen.delete(bucket);
  }

  /**
   * A cached read (the access check's policy, ACL and block on every request; CORS; x-amz-expiration) costs no
   * LMDB read while the value read last is under BUCKET_TRUSTED_MS old, like the bucket records: changes made
   * through this process are seen at once, through another worker within that time. Every read refreshes it.
   */
  getBucketSetting<K extends BucketSettingName>(bucket: string, name: K, cached = false): Promise<BucketSettings[K] | undefined> {
    const key = settingKey(bucket, name);
    const now = Date.now();
    if (cached) {
      const seen = this.settingsSeen.get(key);
      if (seen !== undefined && seen.until > now) return Promise.resolve(seen.value as BucketSettings[K] | undefined);
    }
    return promised(() => {
      // Uncached: what any process committed before this call (a settings API read after another worker's write).
      if (!cached) this.meta.readLatest();
      this.meta.bucketRecord(bucket);
      const value = this.meta.settings.get(key) as BucketSettings[K] | undefined;
      this.trustSetting(key, value, now);
      return value;
    });
  }

  private trustSetting(key: string, value: unknown, now: number): void {
    // Entries of buckets no longer asked about are dropped all at once rather than one by one.
    if (this.settingsSeen.size >= MAX_TRUSTED_SETTINGS) this.settingsSeen.clear();
    this.settingsSeen.set(key, { value, until: now + BUCKET_TRUSTED_MS });
  }

  /** Forgets the trusted settings of a bucket whose settings this process changed or that it deleted or created. */
  private distrustSettings(bucket: string): void {
    for (const name of BUCKET_SETTING_NAMES) this.settingsSeen.delete(settingKey(bucket, name));
  }

  async putBucketSetting<K extends BucketSettingName>(bucket: string, name: K, value: BucketSettings[K]): Promise<void> {
    await this.write(() =>
      this.meta.transaction(() => {
        this.meta.bucketRecord(bucket);
        void this.meta.settings.put(settingKey(bucket, name), value);
      }),
    );
    this.distrustSettings(bucket);
  }

  async deleteBucketSetting(bucket: string, name: BucketSettingName): Promise<void> {
    await this.removal(() =>
      this.meta.transaction(() => {
        this.meta.bucketRecord(bucket);
        void this.meta.settings.remove(settingKey(bucket, name));
      }),
    );
    this.distrustSettings(bucket);
  }

  putObject(bucket: string, key: string, attributes: ObjectAttributes, body: IncomingBody, condition?: WriteCondition): Promise<ObjectInfo> {
    return this.write(() => this.storeObject(bucket, key, attributes, body, condition));
  }

  private async storeObject(bucket: string, key: string, attributes: ObjectAttributes, body: IncomingBody, condition?: WriteCondition): Promise<ObjectInfo> {
    if (condition !== undefined) this.meta.precheck(bucket, key, condition);
    else this.meta.bucketRecord(bucket);
    const stored = await this.meta.receive(body.stream, this.options.inlineMaxBytes);
    try {
      const digest = await body.verify();
      const record: ObjectRecord = {
        size: digest.size,
        etag: digest.md5Hex,
        modified: Date.now(),
        versionId: NULL_VERSION,
        content: attributes.content,
        userMetadata: attributes.userMetadata,
        access: attributes.access,
        checksums: digest.checksums,
        ...(attributes.tags !== undefined && attributes.tags.length > 0 ? { tags: attributes.tags } : {}),
        ...(attributes.lock !== undefined ? { lock: attributes.lock } : {}),
        ...('blob' in stored ? { blobs: [{ id: stored.blob, size: digest.size }] } : { inline: stored.inline }),
      };
      await this.meta.commitObject(bucket, key, () => ({ record }), condition);
      return objectInfoOf(key, record);
    } catch (err) {
      if ('blob' in stored) await this.meta.freeBlobs([stored.blob]);
      throw err;
    }
  }

  headObject(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return promised(() => objectInfoOf(key, this.meta.objectRecord(bucket, key, versionId)));
  }

  async getObject(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    for (let attempt = 1; ; attempt += 1) {
      const record = this.meta.objectRecord(bucket, key, versionId);
      const info = objectInfoOf(key, record);
      const range = plan(info);
      if (record.blobs === undefined || record.size === 0) {
        const bytes = record.inline ?? Buffer.alloc(0);
        return { info, range, body: range ? bytes.subarray(range.start, range.end + 1) : bytes };
      }
      const onFault = (fault: BlobFault): void => this.options.integrityFaults?.({ ...fault, bucket, key });
      try {
        const body = await readBlobs(this.meta.blobs, record.blobs, range ?? { start: 0, end: record.size - 1 }, onFault);
        return { info, range, body };
      } catch (err) {
        if (!isMissingFile(err)) throw err;
        // A blob gone between reading the record and opening it: an overwrite or delete freed it, and the record
        // read again names the new state. Still gone after the retries, the record names a file that is lost.
        if (attempt === READ_ATTEMPTS) throw this.lostData(err, onFault);
      }
    }
  }

  /** The S3 error of a read whose blob file is lost (a 5xx: the store's fault, not the client's), reported as a fault. */
  private lostData(err: unknown, onFault: (fault: BlobFault) => void): S3Error {
    // The error of opening the blob names its file, whose name is the blob's id.
    const fault = blobFaultOf(err, basename((err as NodeJS.ErrnoException).path ?? ''));
    if (fault !== undefined) onFault(fault);
    return new S3Error('InternalError', 'The stored data of this object is missing or damaged; the gateway has logged an integrity fault.');
  }

  async putObjectAcl(bucket: string, key: string, versionId: string | undefined, access: ObjectAccess): Promise<void> {
    await this.write(() => this.meta.updateObject(bucket, key, versionId, (record) => ({ ...record, access })));
  }

  deleteObject(bucket: string, key: string, versionId?: string, condition?: WriteCondition, guard?: VersionGuard): Promise<DeleteResult> {
    return this.removal(() => this.meta.deleteObject(bucket, key, versionId, condition, guard));
  }

  copyObject(request: CopyRequest): Promise<ObjectInfo> {
    return this.write(() => this.storeCopy(request));
  }

  private async storeCopy(request: CopyRequest): Promise<ObjectInfo> {
    const { source, target } = request;
    if (request.condition !== undefined) this.meta.precheck(target.bucket, target.key, request.condition);
    else this.meta.bucketRecord(target.bucket);
    for (let attempt = 1; ; attempt += 1) {
      const record = this.meta.objectRecord(source.bucket, source.key, source.versionId);
      request.check(objectInfoOf(source.key, record));
      const attributes = request.replaceAttributes ?? { content: record.content, userMetadata: record.userMetadata };
      const copy: ObjectRecord = {
        ...record,
        content: attributes.content,
        userMetadata: attributes.userMetadata,
        modified: Date.now(),
        versionId: NULL_VERSION,
      };
      copy.access = request.access;
      // Object Lock is never copied (as on S3): the copy has the request's lock or none.
      if (request.lock !== undefined) copy.lock = request.lock;
      else delete copy.lock;
      // Tagging directive REPLACE gives the copy its own tags; COPY keeps the source version's (the spread above).
      if (request.tags !== undefined) {
        if (request.tags.length > 0) copy.tags = request.tags;
        else delete copy.tags;
      }
      const linked: string[] = [];
      try {
        for (const blob of record.blobs ?? []) linked.push(await this.meta.linkCopy(blob.id));
      } catch (err) {
        await this.meta.freeBlobs(linked);
        if (!isMissingFile(err) || attempt === READ_ATTEMPTS) throw err;
        continue;
      }
      if (record.blobs !== undefined) copy.blobs = record.blobs.map((blob, index) => ({ id: linked[index], size: blob.size }));
      try {
        await this.meta.commitObject(target.bucket, target.key, () => ({ record: copy }), request.condition);
        return objectInfoOf(target.key, copy);
      } catch (err) {
        await this.meta.freeBlobs(linked);
        throw err;
      }
    }
  }

  getObjectTagging(bucket: string, key: string, versionId?: string): Promise<ObjectTagging> {
    return promised(() => {
      const record = this.meta.objectRecord(bucket, key, versionId);
      return { versionId: record.versionId ?? NULL_VERSION, tags: record.tags ?? [] };
    });
  }

  putObjectTagging(bucket: string, key: string, versionId: string | undefined, tags: TagSet): Promise<string> {
    return this.write(() =>
      this.meta.updateObject(bucket, key, versionId, (record) => {
        const retagged: ObjectRecord = { ...record, tags };
        if (tags.length === 0) delete retagged.tags;
        return retagged;
      }),
    );
  }

  putObjectLock(bucket: string, key: string, versionId: string | undefined, change: (info: ObjectInfo) => ObjectLock | undefined): Promise<string> {
    return this.write(() =>
      this.meta.updateObject(bucket, key, versionId, (record) => {
        const lock = change(objectInfoOf(key, record));
        const relocked: ObjectRecord = { ...record, lock };
        if (lock === undefined) delete relocked.lock;
        return relocked;
      }),
    );
  }

  listObjects(bucket: string, request: ListObjectsRequest): Promise<ListObjectsPage> {
    return promised(() => {
      this.meta.bucketRecord(bucket);
      return listPage(this.meta.objects, bucket, request);
    });
  }

  listObjectVersions(bucket: string, request: ListVersionsRequest): Promise<ListVersionsPage> {
    return promised(() => {
      this.meta.bucketRecord(bucket);
      return listVersionsPage(this.meta.index, bucket, request);
    });
  }

  createMultipartUpload(bucket: string, key: string, attributes: ObjectAttributes, checksum?: MultipartChecksum): Promise<MultipartUpload> {
    return this.write(() => this.multipart.create(bucket, key, attributes, checksum));
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, bodyFor: (upload: MultipartUpload) => IncomingBody): Promise<PartInfo> {
    return this.write(() => this.multipart.uploadPart(bucket, key, uploadId, partNumber, bodyFor));
  }

  completeMultipartUpload(bucket: string, key: string, uploadId: string, request: CompleteRequest): Promise<ObjectInfo> {
    return this.write(() => this.multipart.complete(bucket, key, uploadId, request));
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.removal(() => this.multipart.abort(bucket, key, uploadId));
  }

  /**
   * A write: refused with InsufficientStorage while the disk is below its reserve (DiskSpace), and a failure for
   * lack of room answered as InsufficientStorage too.
   */
  private async write<T>(work: () => Promise<T>): Promise<T> {
    const refused = this.disk.checkRoom();
    if (refused !== undefined) await refused;
    try {
      return await work();
    } catch (err) {
      throw await this.disk.failureOf(err);
    }
  }

  /** A removal: never refused (it is how space is freed); a failure for lack of room is InsufficientStorage. */
  private async removal<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw await this.disk.failureOf(err);
    }
  }

  listParts(bucket: string, key: string, uploadId: string, request: ListPartsRequest): Promise<ListPartsPage> {
    return this.multipart.listParts(bucket, key, uploadId, request);
  }

  listMultipartUploads(bucket: string, request: ListUploadsRequest): Promise<ListUploadsPage> {
    return this.multipart.listUploads(bucket, request);
  }
}
