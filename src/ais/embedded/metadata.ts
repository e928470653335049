import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Database, open, type RootDatabase } from 'lmdb';
import { MAX_BUCKET_NAME_LENGTH, MAX_KEY_BYTES } from '../../s3/address';
import { S3Error } from '../../s3/errors';
import { checkWriteCondition } from '../../s3/conditions';
import { type DeleteResult, NULL_VERSION, type VersionGuard, type WriteCondition } from '../store';
import { BlobFiles, type BlobId } from './blob-files';
import { BodySink, type StoredBody } from './body-sink';
import { connectStreamsAsync } from '../../streams/connect';
import { bucketBase, indexKey } from './object-keys';
import {
  blobIdsOf,
  type BucketRecord,
  type HistoryRecord,
  isDeleteMarker,
  type ObjectRecord,
  type PartRecord,
  type UploadRecord,
  withInlineBuffer,
} from './records';
import { VersionHistory } from './version-history';
import { VersionedIndex } from './versioned-index';
import { committed, isFailedCommit, surviveFailedCommits } from './lmdb-writes';
import { SHARED_STRUCTURES, SharedStructures, STRUCTURES_KEY } from './shared-structures';

/**
 * The embedded store's metadata (LMDB) and its bookkeeping of blobs. A write lands its bytes first, then
 * commits its record in one transaction, then frees what it replaced. Blobs that are not (yet, or any more)
 * referenced by a record are listed in `limbo`, changed in the same transactions as the records, so a crash
 * at any point leaves the old or the new object and start-up frees the leftovers.
 */
/**
 * Whether an object of that bucket and key could have been stored: bucket names are at most 63 characters and keys
 * 1024 bytes (both checked before any write). A read of a longer name is simply missing, never looked up: LMDB
 * refuses index keys over 1978 bytes with an error of its own.
 */
function storable(bucket: string, key: string): boolean {
  return bucket.length <= MAX_BUCKET_NAME_LENGTH && Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES;
}

export class EmbeddedMetadata {
  readonly blobs: BlobFiles;
  private env!: RootDatabase;
  buckets!: Database<BucketRecord, string>;
  objects!: Database<ObjectRecord, Buffer>;
  /** In-progress multipart uploads, keyed like objects plus `0x00 <uploadId>`: listed in key, then age order. */
  uploads!: Database<UploadRecord, Buffer>;
  /** Uploaded parts, keyed `<uploadId>/<part number, 5 digits>`. */
  parts!: Database<PartRecord, string>;
  /**
   * Buckets' settings (bucket-settings.ts), keyed `<bucket> 0x00 <setting name>`: apart from the bucket records
   * that ListBuckets reads, as one can be 64 KB.
   */
  settings!: Database<unknown, string>;
  private limbo!: Database<LimboEntry | number, BlobId>;
  /** The current objects with the versions history (versioned-index.ts): every read and write of an object goes through it. */
  index!: VersionedIndex;
  /** `objects` and `versions` keep their records' msgpackr structures once, under STRUCTURES_KEY (shared-structures.ts). */
  private structures!: SharedStructures;

  constructor(
    private readonly dataDir: string,
    private readonly fsync: boolean,
  ) {
    this.blobs = new BlobFiles(join(dataDir, 'blobs'), fsync);
  }

  async open(): Promise<void> {
    await mkdir(join(this.dataDir, 'meta'), { recursive: true });
    await this.blobs.init();
    surviveFailedCommits();
    this.env = open({ path: join(this.dataDir, 'meta'), maxDbs: 16, compression: false, noSync: !this.fsync });
    this.buckets = this.env.openDB<BucketRecord, string>({ name: 'buckets' });
    this.objects = this.env.openDB<ObjectRecord, Buffer>({ name: 'objects', keyEncoding: 'binary', ...SHARED_STRUCTURES });
    this.uploads = this.env.openDB<UploadRecord, Buffer>({ name: 'uploads', keyEncoding: 'binary' });
    this.parts = this.env.openDB<PartRecord, string>({ name: 'parts' });
    this.settings = this.env.openDB<unknown, string>({ name: 'bucket-settings' });
    this.limbo = this.env.openDB<LimboEntry | number, BlobId>({ name: 'limbo' });
    const versions = this.env.openDB<HistoryRecord, Buffer>({ name: 'versions', keyEncoding: 'binary', ...SHARED_STRUCTURES });
    this.structures = new SharedStructures([this.objects, versions] as Database<unknown, Buffer>[]);
    const history = new VersionHistory(
      versions,
      this.env.openDB<number, Buffer>({ name: 'null-versions', keyEncoding: 'binary' }),
      this.env.openDB<number, string>({ name: 'counters' }),
    );
    this.index = new VersionedIndex(this.objects, history);
    await this.freeLeftoverBlobs(true);
  }

  async close(): Promise<void> {
    await this.env?.close();
  }

  /**
   * Reads after this see every commit made so far, by any process. lmdb renews its read snapshot on a new event turn
   * or after a write of this process, so a read in the same turn as another worker's commit could miss it.
   */
  readLatest(): void {
    this.env.resetReadTxn();
  }

  /** Objects in the store, from LMDB's own statistics (no scan), less the entry that holds the shared structures. */
  objectCount(): number {
    const entries = (this.objects.getStats() as { entryCount: number }).entryCount;
    return this.objects.doesExist(STRUCTURES_KEY) ? entries - 1 : entries;
  }

  /**
   * Runs `work` in one write transaction (LMDB serialises them); reads inside see its own writes. Inside `work`,
   * lmdb's put and remove apply at once, as part of the transaction: the promises they return settle with it,
   * so callers mark them `void` (a failed commit rejects them too: lmdb-writes.ts keeps that from ending the process).
   * Every transaction checks the records' shared structures in memory against the database (shared-structures.ts).
   */
  async transaction<T>(work: () => T): Promise<T> {
    let lengths: number[] | undefined;
    try {
      const result = await committed(
        this.env.transaction(() => {
          this.structures.verify();
          try {
            return work();
          } finally {
            lengths = this.structures.settle();
          }
        }),
      );
      if (lengths !== undefined) this.structures.committed(lengths);
      return result;
    } catch (err) {
      if (isFailedCommit(err)) this.structures.commitFailed();
      throw err;
    }
  }

  bucketRecord(bucket: string): BucketRecord {
    const record = this.buckets.get(bucket);
    if (record === undefined) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    return record;
  }

  /**
   * Checks a conditional write against the key's current object before the body is read, so a write that
   * cannot succeed fails early; the check that decides is commitObject's, inside its transaction.
   */
  precheck(bucket: string, key: string, condition: WriteCondition | undefined): void {
    if (condition !== undefined) this.currentObject(bucket, key, condition);
  }

  /**
   * The bucket's record and the key's current object (throws NoSuchBucket), with a write's `condition` checked
   * against that object (throws PreconditionFailed or NoSuchKey). Inside a transaction it is the commit's view.
   */
  private currentObject(
    bucket: string,
    key: string,
    condition: WriteCondition | undefined,
  ): { owner: BucketRecord; at: Buffer; previous: ObjectRecord | undefined } {
    const owner = this.bucketRecord(bucket);
    const at = indexKey(bucketBase(bucket), key);
    const previous = this.objects.get(at);
    if (condition !== undefined) checkWriteCondition(condition, previous?.etag, key);
    return { owner, at, previous };
  }

  /**
   * The bucket is looked up only when the object is missing (NoSuchBucket or NoSuchKey): an object's record
   * implies its bucket, since DeleteBucket removes only empty buckets and every commit checks the bucket in
   * its transaction. One LMDB read per GET and HEAD of a current object instead of two.
   */
  objectRecord(bucket: string, key: string, versionId: string | undefined): ObjectRecord {
    const record = storable(bucket, key) ? this.index.read(bucket, key, indexKey(bucketBase(bucket), key), versionId) : undefined;
    if (record !== undefined) return withInlineBuffer(record);
    this.bucketRecord(bucket);
    if (versionId !== undefined) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    throw new S3Error('NoSuchKey', undefined, { Key: key });
  }

  /**
   * Changes one version's record in place (PutObjectAcl, PutObjectTagging), in one transaction: the current
   * object, or a past version in the history. Throws as objectRecord() does (S3's answers for a missing bucket,
   * key or version and for delete markers); answers the version changed.
   */
  async updateObject(bucket: string, key: string, versionId: string | undefined, change: (record: ObjectRecord) => ObjectRecord): Promise<string> {
    return this.transaction(() => {
      const record = this.objectRecord(bucket, key, versionId);
      this.index.rewrite(bucket, key, indexKey(bucketBase(bucket), key), record, change(record));
      return record.versionId ?? NULL_VERSION;
    });
  }

  /** Receives a body: inline if small enough, else into a new blob tracked in limbo until committed. */
  async receive(stream: Readable, inlineMaxBytes: number): Promise<StoredBody> {
    const sink = new BodySink(this.blobs, inlineMaxBytes, (id) => committed(this.limbo.put(id, limboEntry())).then(() => undefined));
    try {
      await connectStreamsAsync([stream, sink]);
    } catch (err) {
      const partial = await sink.blobIdSoFar();
      if (partial !== undefined) await this.freeBlobs([partial]);
      throw err;
    }
    return sink.result();
  }

  /** Gives an existing blob a second name (a copy that moves no bytes), tracked until committed. */
  async linkCopy(source: BlobId): Promise<BlobId> {
    const id = this.blobs.newId();
    await committed(this.limbo.put(id, limboEntry()));
    try {
      await this.blobs.linkCopy(source, id);
    } catch (err) {
      await committed(this.limbo.remove(id));
      throw err;
    }
    return id;
  }

  /**
   * Commits an object record in one transaction with the bucket's versioning state (the record's versionId is set
   * then); then frees the blobs of a version it replaced. `build` runs inside the transaction, so its reads and checks are part of it, and
   * may name more blobs that the commit leaves unreferenced, and a `written` step that runs in the transaction
   * once the record has its version id; it must throw before it puts or removes anything,
   * since lmdb's async `transaction` commits what was written before a throw (docs/pitfalls.md). A `condition` (conditional write) is checked against
   * the record the commit would replace, in the same transaction, so of racing conditional writes (in any
   * process on this data directory) each sees the one committed before it; when it fails nothing is written.
   */
  async commitObject(
    bucket: string,
    key: string,
    build: (previous: ObjectRecord | undefined) => { record: ObjectRecord; unreferenced?: BlobId[]; written?: (record: ObjectRecord) => void },
    condition?: WriteCondition,
  ): Promise<ObjectRecord> {
    const { record, freed } = await this.transaction(() => {
      const { owner, at, previous } = this.currentObject(bucket, key, condition);
      const built = build(previous);
      const replaced = this.index.put(owner.versioning, bucket, key, at, previous, built.record);
      built.written?.(built.record);
      const kept = new Set(blobIdsOf(built.record));
      for (const id of kept) void this.limbo.remove(id);
      const unreferenced = [...replaced, ...(built.unreferenced ?? [])].filter((id) => !kept.has(id));
      this.markUnreferenced(unreferenced);
      return { record: built.record, freed: unreferenced };
    });
    await this.freeBlobs(freed);
    return record;
  }

  /**
   * DeleteObject in one transaction: the `condition` (If-Match) is checked against the key's current object, then
   * VersionedIndex applies S3's rules; blobs of a version removed for good are freed once it commits.
   */
  async deleteObject(
    bucket: string,
    key: string,
    versionId: string | undefined,
    condition: WriteCondition | undefined,
    guard?: VersionGuard,
  ): Promise<DeleteResult> {
    const { result, unreferenced } = await this.transaction(() => {
      const { owner, at, previous } = this.currentObject(bucket, key, condition);
      if (guard !== undefined) this.guardRemoval(owner, bucket, key, previous, versionId, guard);
      const outcome = this.index.delete(owner.versioning, bucket, key, at, previous, versionId);
      this.markUnreferenced(outcome.unreferenced);
      return outcome;
    });
    await this.freeBlobs(unreferenced);
    return result;
  }

  /**
   * Inside a delete's transaction, before it writes anything: the Object Lock guard sees the version the delete would
   * remove for good (by version id; without one, only where no version is kept: versioning not Enabled).
   */
  private guardRemoval(
    owner: BucketRecord,
    bucket: string,
    key: string,
    previous: ObjectRecord | undefined,
    versionId: string | undefined,
    guard: VersionGuard,
  ): void {
    if (versionId === undefined) {
      if (owner.versioning !== 'Enabled' && previous !== undefined) guard(previous.lock);
      return;
    }
    const target = previous?.versionId === versionId ? previous : this.index.history.find(bucket, key, versionId);
    if (target !== undefined && !isDeleteMarker(target)) guard(target.lock);
  }

  /** Inside a transaction: blobs no record points at any more, freed once it commits. */
  markUnreferenced(ids: BlobId[]): void {
    const entry = limboEntry();
    for (const id of ids) void this.limbo.put(id, entry);
  }

  /** Inside a transaction: a blob now referenced by a record written in it. */
  markReferenced(id: BlobId): void {
    void this.limbo.remove(id);
  }

  /**
   * Frees blobs left in limbo by processes that are gone. Another live process on the same data directory
   * may be writing a blob it tracks there, so its entries stay, unless they are older than any write can
   * take. At start-up this process's own pid can only be a previous incarnation's (a container's pid 1).
   */
  async freeLeftoverBlobs(atStartup: boolean, now = Date.now()): Promise<void> {
    const leftovers = Array.from(this.limbo.getRange())
      .filter(({ value }) => isLeftover(typeof value === 'number' ? { pid: 0, at: value } : value, atStartup, now))
      .map(({ key }) => key);
    await this.freeBlobs(leftovers);
  }

  async freeBlobs(ids: BlobId[]): Promise<void> {
    for (const id of ids) {
      await this.blobs.remove(id);
      await committed(this.limbo.remove(id));
    }
  }
}

/**
 * `read`'s value as a promise and its throw as the rejection, as from an async function: LMDB reads are synchronous,
 * and store calls report failures (NoSuchBucket, ...) as rejections, never as throws.
 */
export function promised<T>(read: () => T): Promise<T> {
  return new Promise((resolve) => resolve(read()));
}

/** Who put a blob in limbo, and when (older data directories hold a bare timestamp). */
interface LimboEntry {
  pid: number;
  at: number;
}

/** No single write (a 5 GiB part over a slow link included) is expected to take longer than this. */
const LIMBO_MAX_AGE_MS = 24 * 3600 * 1000;

function limboEntry(): LimboEntry {
  return { pid: process.pid, at: Date.now() };
}

function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isLeftover(entry: LimboEntry, atStartup: boolean, now: number): boolean {
  if (now - entry.at > LIMBO_MAX_AGE_MS) return true;
  if (entry.pid === process.pid) return atStartup;
  return !processAlive(entry.pid);
}
