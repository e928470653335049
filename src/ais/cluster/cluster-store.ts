import { BackgroundJob, type JobReporting } from '../../jobs/background-job';
import { checkWriteCondition } from '../../s3/conditions';
import { isS3Error, S3Error } from '../../s3/errors';
import type { BucketSettingName, BucketSettings } from '../bucket-settings';
import type {
  ObjectStore,
  BackendStatus,
  BucketInfo,
  CompleteRequest,
  CopyRequest,
  CreateBucketOutcome,
  DeleteResult,
  IncomingBody,
  ListBucketsRequest,
  ListObjectsPage,
  ListObjectsRequest,
  ListPartsPage,
  ListPartsRequest,
  ListUploadsPage,
  ListVersionsPage,
  ListVersionsRequest,
  ListUploadsRequest,
  MultipartChecksum,
  MultipartUpload,
  ObjectAccess,
  ObjectAttributes,
  ObjectInfo,
  ObjectLock,
  ObjectRead,
  ObjectTagging,
  PartInfo,
  ReadPlanner,
  TagSet,
  VersionGuard,
  VersionId,
  VersioningStatus,
  WriteCondition,
} from '../store';
import { AisHttp, type AisHttpOptions } from './ais-http';
import { AisBucketSettings } from './bucket-settings';
import { AisBuckets } from './buckets';
import { AisCluster } from './cluster';
import { asS3Error, isBucketMissing, isBucketTaken, isMissing, isObjectMissing } from './errors';
import { KeyLocks } from './key-locks';
import { latestOnlyVersionsPage } from './version-listing';
import { assemblePage, walkCursorAfter } from './listing';
import { LISTING_SESSION_MS, ListingSessions } from './listing-sessions';
import { aisLister, type WalkInUse } from './object-listing';
import { AisMultipart, type MultipartOptions } from './multipart';
import { AisObjects } from './objects';
import { AisObjectTags } from './object-tags';
import { SystemBucket } from './system-bucket';
import { UPLOADS_BUCKET } from './upload-names';

/** How often a gateway sweeps the multipart state (abandoned uploads, old completion markers, orphaned parts). */
const SWEEP_INTERVAL_MS = 3600 * 1000;

/** The store's background work: how often it sweeps (SWEEP_INTERVAL_MS by default), where its jobs are reported. */
export interface BackgroundOptions {
  sweepIntervalMs?: number;
  jobs?: JobReporting;
}

/** How the pages of a listing reuse AIS's walks (listing-sessions.ts). */
export interface ListingOptions {
  /** How long the pages of one listing may go on with AIS's walk (AIS_LIST_SESSION_MS; 0: every page starts one). */
  sessionMs?: number;
}

/** How this gateway writes (AIS_SINGLE_WRITER). */
export interface WriteOptions {
  /**
   * This process is the only one writing to the AIS buckets it serves (WORKERS=1, one replica, no other
   * writer): writes of one key are serialised here, which makes conditional writes exact. Off: they are refused.
   */
  singleWriter?: boolean;
}

/**
 * Why conditional writes are refused without AIS_SINGLE_WRITER: AIS v1.5.0 has no conditional or exclusive PUT
 * (no If-None-Match / If-Match, no create-only flag; rename overwrites; its object locks are internal to a
 * target), so a check and the write after it are two calls another replica's write can come between.
 */
const NO_CONDITIONAL_WRITES =
  'Conditional writes on the AIS backend need AIS_SINGLE_WRITER=true (one gateway process): AIS has no conditional PUT, so with more than one writer a check could lose a race.';

/** The gateway's own bucket (multipart state) is not an S3 bucket: every S3 call naming it finds no bucket. */
function userBucket(bucket: string): string {
  if (bucket === UPLOADS_BUCKET) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
  return bucket;
}

/**
/**
 * The one place AIS's errors become S3 errors: every failure of a ClusterStore call passes through here (an
 * AisError becomes the S3 error a client sees, anything else, an S3Error already, stays as it is).
 */
function s3Failure(err: unknown): never {
  throw asS3Error(err);
}

/**
 * The ObjectStore over a real AIStore cluster's native REST API (docs/architecture.md, "The cluster backend"): buckets are ordinary
 * `ais://` buckets, objects are streamed to and from the target that owns them, and AIS's answers are
 * turned into S3's where the two differ (docs/ais-native-api.md). Inside, AIS's errors are AisErrors; each
 * public method turns them into S3 errors (s3Failure).
 */
export class ClusterStore implements ObjectStore {
  private readonly http: AisHttp;
  private readonly cluster: AisCluster;
  private readonly buckets: AisBuckets;
  private readonly objects: AisObjects;
  private readonly multipart: AisMultipart;
  private readonly settings: AisBucketSettings;
  private readonly sweeper: BackgroundJob;
  /** Single-writer mode only: one write at a time per key. */
  private readonly keyLocks?: KeyLocks;
  /** AIS's listing walks kept between the pages of a listing. */
  private readonly listingSessions: ListingSessions;

  constructor(
    options: AisHttpOptions,
    multipartOptions: MultipartOptions = {},
    background: BackgroundOptions = {},
    writes: WriteOptions = {},
    listing: ListingOptions = {},
  ) {
    if (writes.singleWriter === true) this.keyLocks = new KeyLocks();
    this.listingSessions = new ListingSessions(listing.sessionMs ?? LISTING_SESSION_MS);
    this.http = new AisHttp(options, background.jobs);
    this.cluster = new AisCluster(this.http);
    this.buckets = new AisBuckets(this.http, this.cluster);
    const system = new SystemBucket(this.http);
    this.objects = new AisObjects(this.http, (bucket) => this.buckets.writeFactsOf(bucket), new AisObjectTags(system));
    this.multipart = new AisMultipart(this.http, this.objects, (bucket) => this.buckets.head(userBucket(bucket)), multipartOptions);
    this.settings = new AisBucketSettings(system, {
      head: (bucket) => this.buckets.head(userBucket(bucket)),
      recent: (bucket) => this.buckets.recent(userBucket(bucket)),
    });
    // Abandoned uploads and old completion markers live in AIS, not here: any replica may clean them.
    // A failed sweep changes nothing that the next one cannot do; it is logged and counted.
    const intervalMs = background.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
    this.sweeper = new BackgroundJob('ais_multipart_sweep', intervalMs, () => this.sweepSystemBucket(), background.jobs).start();
  }

  /** The gateway's own bucket, swept: abandoned uploads and their parts, then tag sidecars no object refers to. */
  private async sweepSystemBucket(): Promise<void> {
    await this.multipart.sweep();
    await this.sweepTagSidecars(Date.now());
  }

  /** Deletes the tag sidecars (older than a day) that no object refers to any more; answers how many. */
  sweepTagSidecars(now: number): Promise<number> {
    return this.objects.sweepTagSidecars(now);
  }

  async close(): Promise<void> {
    await this.sweeper.stop();
    await this.http.close();
  }

  async status(): Promise<BackendStatus> {
    return { backend: 'ais', problem: await this.cluster.problem() };
  }

  listBuckets(request?: ListBucketsRequest): Promise<BucketInfo[]> {
    return this.buckets.list(request).catch(s3Failure);
  }

  async createBucket(bucket: string, location: string, owner?: string): Promise<CreateBucketOutcome> {
    try {
      await this.buckets.create(bucket, location, owner);
      return { created: true };
    } catch (err) {
      if (!isBucketTaken(err)) s3Failure(err);
    }
    return { created: false, existing: await this.buckets.head(bucket).catch(s3Failure) };
  }

  async deleteBucket(bucket: string): Promise<void> {
    try {
      await this.buckets.delete(userBucket(bucket));
      // S3 deletes a bucket that holds only unfinished uploads, and the uploads with it.
      await this.multipart.discardBucket(bucket);
      await this.settings.forget(bucket);
    } catch (err) {
      s3Failure(err);
    }
  }

  headBucket(bucket: string): Promise<BucketInfo> {
    return this.buckets.head(userBucket(bucket)).catch(s3Failure);
  }

  async lookupBucket(bucket: string): Promise<BucketInfo | undefined> {
    try {
      return await this.buckets.recent(userBucket(bucket));
    } catch (err) {
      if (isMissing(err) || isBucketMissing(err) || (isS3Error(err) && err.code === 'NoSuchBucket')) return undefined;
      return s3Failure(err);
    }
  }

  putBucketVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    return this.buckets.setVersioning(userBucket(bucket), status).catch(s3Failure);
  }

  getBucketSetting<K extends BucketSettingName>(bucket: string, name: K, cached = false): Promise<BucketSettings[K] | undefined> {
    return this.settings.get(bucket, name, cached).catch(s3Failure);
  }

  putBucketSetting<K extends BucketSettingName>(bucket: string, name: K, value: BucketSettings[K]): Promise<void> {
    return this.settings.put(bucket, name, value).catch(s3Failure);
  }

  deleteBucketSetting(bucket: string, name: BucketSettingName): Promise<void> {
    return this.settings.delete(bucket, name).catch(s3Failure);
  }

  putObject(
    bucket: string,
    key: string,
    attributes: ObjectAttributes,
    body: IncomingBody,
    condition?: WriteCondition,
    guard?: VersionGuard,
  ): Promise<ObjectInfo> {
    const name = userBucket(bucket);
    return this.write(name, key, condition, async (check) => {
      await check();
      await this.guardCurrent(name, key, guard);
      return this.objects.put(name, key, attributes, body);
    }).catch(s3Failure);
  }

  headObject(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return this.objects.head(userBucket(bucket), key, versionId).catch(s3Failure);
  }

  getObject(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    return this.objects.get(userBucket(bucket), key, versionId, plan).catch(s3Failure);
  }

  deleteObject(bucket: string, key: string, versionId?: string, condition?: WriteCondition, guard?: VersionGuard): Promise<DeleteResult> {
    const name = userBucket(bucket);
    return this.write(name, key, condition, async (check) => {
      await check();
      return this.objects.delete(name, key, versionId, guard);
    }).catch(s3Failure);
  }

  putObjectAcl(bucket: string, key: string, versionId: string | undefined, access: ObjectAccess): Promise<void> {
    const name = userBucket(bucket);
    // The owner is listed (fetch-owner): a listing's later pages show the new one.
    return this.listedAfter(name, this.objects.putAcl(name, key, versionId, access)).catch(s3Failure);
  }

  copyObject(request: CopyRequest): Promise<ObjectInfo> {
    userBucket(request.source.bucket);
    const { bucket, key } = request.target;
    return this.write(userBucket(bucket), key, request.condition, async (check) => {
      await check();
      await this.guardCurrent(userBucket(bucket), key, request.guard);
      return this.objects.copy(request);
    }).catch(s3Failure);
  }

  getObjectTagging(bucket: string, key: string, versionId?: string): Promise<ObjectTagging> {
    return this.objects.getTagging(userBucket(bucket), key, versionId).catch(s3Failure);
  }

  /** In single-writer mode it takes the key's turn like a write, so no overwrite comes between its HEAD and its PATCH. */
  putObjectTagging(bucket: string, key: string, versionId: string | undefined, tags: TagSet): Promise<VersionId> {
    const name = userBucket(bucket);
    return this.write(name, key, undefined, () => this.objects.putTagging(name, key, versionId, tags)).catch(s3Failure);
  }

  /** In single-writer mode it takes the key's turn like a write, so no overwrite comes between its HEAD and its PATCH. */
  putObjectLock(bucket: string, key: string, versionId: string | undefined, change: (info: ObjectInfo) => ObjectLock | undefined): Promise<VersionId> {
    const name = userBucket(bucket);
    return this.write(name, key, undefined, () => this.objects.putLock(name, key, versionId, change)).catch(s3Failure);
  }

  listObjectVersions(bucket: string, request: ListVersionsRequest): Promise<ListVersionsPage> {
    return latestOnlyVersionsPage((listing) => this.listObjects(bucket, listing), request);
  }

  async listObjects(bucket: string, request: ListObjectsRequest): Promise<ListObjectsPage> {
    try {
      const name = userBucket(bucket);
      const inUse: { walk?: WalkInUse } = {};
      const page = await assemblePage(request, aisLister(this.http, name, this.listingSessions, inUse));
      // The next page (if the client asks for it) goes on with AIS's walk instead of starting one (listing-sessions.ts).
      if (page.isTruncated && page.lastEntry !== undefined && inUse.walk !== undefined) {
        const { directory, pageSize, session } = inUse.walk;
        this.listingSessions.keep({ bucket: name, directory, pageSize, after: walkCursorAfter(request, page.lastEntry) }, session);
      }
      // With no storage target AIS lists every bucket as empty (200, "entries": null): that is an outage.
      if (page.objects.length === 0 && page.commonPrefixes.length === 0) await this.cluster.requireTargets();
      return page;
    } catch (err) {
      return s3Failure(err);
    }
  }

  createMultipartUpload(bucket: string, key: string, attributes: ObjectAttributes, checksum?: MultipartChecksum): Promise<MultipartUpload> {
    return this.multipart.create(userBucket(bucket), key, attributes, checksum).catch(s3Failure);
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, bodyFor: (upload: MultipartUpload) => IncomingBody): Promise<PartInfo> {
    return this.multipart.uploadPart(userBucket(bucket), key, uploadId, partNumber, bodyFor).catch(s3Failure);
  }

  completeMultipartUpload(bucket: string, key: string, uploadId: string, request: CompleteRequest): Promise<ObjectInfo> {
    const name = userBucket(bucket);
    // The condition is checked once the upload and its part list are found good, just before the object is
    // written: a failed one leaves the upload as it was.
    return this.write(name, key, request.condition, (check) =>
      this.multipart.complete(name, key, uploadId, request, async () => {
        await check();
        await this.guardCurrent(name, key, request.guard);
      }),
    ).catch(s3Failure);
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.multipart.abort(userBucket(bucket), key, uploadId).catch(s3Failure);
  }

  listParts(bucket: string, key: string, uploadId: string, request: ListPartsRequest): Promise<ListPartsPage> {
    return this.multipart.listParts(userBucket(bucket), key, uploadId, request).catch(s3Failure);
  }

  listMultipartUploads(bucket: string, request: ListUploadsRequest): Promise<ListUploadsPage> {
    return this.multipart.listUploads(userBucket(bucket), request).catch(s3Failure);
  }

  /**
   * A write of one key. Without single-writer mode a plain write goes straight to `work` (nothing added to
   * the path) and a conditional one is refused (NO_CONDITIONAL_WRITES) before anything is read or written. In
   * single-writer mode every write of the key, conditional or not, takes its turn (KeyLocks), so no write of
   * this process comes between a condition's check (`check`: a HEAD) and its write.
   */
  private write<T>(bucket: string, key: string, condition: WriteCondition | undefined, work: (check: () => Promise<void>) => Promise<T>): Promise<T> {
    const check = async (): Promise<void> => {
      if (condition !== undefined) checkWriteCondition(condition, await this.currentEtag(bucket, key), key);
    };
    if (this.keyLocks === undefined) {
      if (condition !== undefined) {
        return Promise.reject(new S3Error('NotImplemented', NO_CONDITIONAL_WRITES, { Header: condition.kind === 'absent' ? 'If-None-Match' : 'If-Match' }));
      }
      return this.listedAfter(bucket, work(check));
    }
    return this.listedAfter(
      bucket,
      this.keyLocks.run(`${bucket}/${key}`, () => work(check)),
    );
  }

  /** Once `write` has settled, no listing goes on with an AIS walk that started before it (which may not have seen it). */
  private listedAfter<T>(bucket: string, write: Promise<T>): Promise<T> {
    return write.finally(() => this.listingSessions.touch(bucket));
  }

  /**
   * AIS keeps the latest version only, so a write replaces the current object for good: with a guard (a bucket with
   * Object Lock) the current object's lock is checked first, by a HEAD. Without single-writer mode a write that lands
   * between the HEAD and this write is not seen (README, "Object lock on AIS").
   */
  private async guardCurrent(bucket: string, key: string, guard: VersionGuard | undefined): Promise<void> {
    if (guard === undefined) return;
    const current = await this.objects.head(bucket, key).catch((err: unknown) => {
      if (isObjectMissing(err)) return undefined;
      throw err;
    });
    if (current !== undefined) guard(current.lock);
  }

  /** The key's current ETag, or undefined when it has no object (a missing bucket stays an error). */
  private currentEtag(bucket: string, key: string): Promise<string | undefined> {
    return this.objects.head(bucket, key).then(
      (info) => info.etag,
      (err: unknown) => {
        if (isObjectMissing(err)) return undefined;
        throw err;
      },
    );
  }
}
