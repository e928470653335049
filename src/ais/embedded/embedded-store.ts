import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Database, open, RootDatabase } from 'lmdb';
import { S3Error } from '../../s3/errors';
import {
  AisClient,
  BucketInfo,
  CopyRequest,
  DeleteResult,
  IncomingBody,
  ListObjectsPage,
  ListObjectsRequest,
  NULL_VERSION,
  ObjectAttributes,
  ObjectInfo,
  ObjectRead,
  ReadPlanner,
  VersioningStatus,
} from '../ais-client';
import { BlobFiles, BlobId } from './blob-files';
import { BodySink, StoredBody } from './body-sink';
import { listPage } from './listing';
import { bucketBase, bucketEnd, indexKey } from './object-keys';
import { BucketRecord, bucketInfoOf, ObjectRecord, objectInfoOf } from './records';

export interface EmbeddedStoreOptions {
  dataDir: string;
  inlineMaxBytes: number;
  fsync: boolean;
}

/** How often a read retries when an overwrite unlinked the blob between reading its record and opening it. */
const READ_ATTEMPTS = 3;

/**
 * The embedded single-node store (SPEC.md section 4). Metadata in LMDB, bytes inline or in immutable blob
 * files. A write lands its bytes first, then commits its record in one transaction, then frees what it
 * replaced; blobs not yet committed or no longer referenced are listed in `limbo`, in the same transactions,
 * so a crash at any point leaves the old or the new object and start-up frees the leftovers.
 */
export class EmbeddedStore implements AisClient {
  private env!: RootDatabase;
  private buckets!: Database<BucketRecord, string>;
  private objects!: Database<ObjectRecord, Buffer>;
  private limbo!: Database<number, BlobId>;
  private readonly blobs: BlobFiles;

  constructor(private readonly options: EmbeddedStoreOptions) {
    this.blobs = new BlobFiles(join(options.dataDir, 'blobs'), options.fsync);
  }

  async open(): Promise<void> {
    await mkdir(join(this.options.dataDir, 'meta'), { recursive: true });
    await this.blobs.init();
    this.env = open({ path: join(this.options.dataDir, 'meta'), maxDbs: 8, compression: false, noSync: !this.options.fsync });
    this.buckets = this.env.openDB<BucketRecord, string>({ name: 'buckets' });
    this.objects = this.env.openDB<ObjectRecord, Buffer>({ name: 'objects', keyEncoding: 'binary' });
    this.limbo = this.env.openDB<number, BlobId>({ name: 'limbo' });
    await this.freeLeftoverBlobs();
  }

  async close(): Promise<void> {
    await this.env?.close();
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return Array.from(this.buckets.getRange(), ({ key, value }) => bucketInfoOf(key, value));
  }

  async createBucket(bucket: string): Promise<void> {
    await this.env.transaction(() => {
      if (this.buckets.get(bucket) !== undefined) throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
      this.buckets.put(bucket, { created: Date.now() });
    });
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.env.transaction(() => {
      this.bucketRecord(bucket);
      const first = Array.from(this.objects.getKeys({ start: bucketBase(bucket), end: bucketEnd(bucket), limit: 1 }));
      if (first.length > 0) throw new S3Error('BucketNotEmpty', undefined, { BucketName: bucket });
      this.buckets.remove(bucket);
    });
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    return bucketInfoOf(bucket, this.bucketRecord(bucket));
  }

  async putBucketVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    await this.env.transaction(() => {
      this.buckets.put(bucket, { ...this.bucketRecord(bucket), versioning: status });
    });
  }

  async putObject(bucket: string, key: string, attributes: ObjectAttributes, body: IncomingBody): Promise<ObjectInfo> {
    this.bucketRecord(bucket);
    const stored = await this.receive(body.stream);
    try {
      const digest = await body.verify();
      const record: ObjectRecord = {
        size: digest.size,
        etag: digest.md5Hex,
        modified: Date.now(),
        versionId: NULL_VERSION,
        content: attributes.content,
        userMetadata: attributes.userMetadata,
        checksums: digest.checksums,
        ...stored,
      };
      return await this.commit(bucket, key, record);
    } catch (err) {
      if ('blob' in stored) await this.freeBlob(stored.blob);
      throw err;
    }
  }

  async headObject(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return objectInfoOf(key, this.objectRecord(bucket, key, versionId));
  }

  async getObject(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    for (let attempt = 1; ; attempt += 1) {
      const record = this.objectRecord(bucket, key, versionId);
      const info = objectInfoOf(key, record);
      const range = plan(info);
      if (record.blob === undefined) {
        const bytes = record.inline ?? Buffer.alloc(0);
        return { info, range, body: range ? bytes.subarray(range.start, range.end + 1) : bytes };
      }
      try {
        const handle = await this.blobs.openForRead(record.blob);
        return { info, range, body: this.blobs.stream(handle, range?.start ?? 0, range?.end ?? record.size - 1) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === READ_ATTEMPTS) throw err;
      }
    }
  }

  async deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteResult> {
    const removed = await this.env.transaction(() => {
      this.bucketRecord(bucket);
      const at = indexKey(bucketBase(bucket), key);
      const current = this.objects.get(at);
      if (current === undefined || (versionId !== undefined && versionId !== current.versionId)) return undefined;
      this.objects.remove(at);
      if (current.blob !== undefined) this.limbo.put(current.blob, Date.now());
      return current;
    });
    if (removed?.blob !== undefined) await this.freeBlob(removed.blob);
    return { versionId };
  }

  async copyObject(request: CopyRequest): Promise<ObjectInfo> {
    const { source, target } = request;
    this.bucketRecord(target.bucket);
    for (let attempt = 1; ; attempt += 1) {
      const record = this.objectRecord(source.bucket, source.key, source.versionId);
      request.check(objectInfoOf(source.key, record));
      const attributes = request.replaceAttributes ?? { content: record.content, userMetadata: record.userMetadata };
      const copy: ObjectRecord = { ...record, ...attributes, modified: Date.now(), versionId: NULL_VERSION, blob: undefined };
      if (record.blob === undefined) return this.commit(target.bucket, target.key, copy);
      const blob = this.blobs.newId();
      await this.limbo.put(blob, Date.now());
      try {
        await this.blobs.linkCopy(record.blob, blob);
      } catch (err) {
        await this.limbo.remove(blob);
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === READ_ATTEMPTS) throw err;
        continue;
      }
      try {
        return await this.commit(target.bucket, target.key, { ...copy, blob });
      } catch (err) {
        await this.freeBlob(blob);
        throw err;
      }
    }
  }

  async listObjects(bucket: string, request: ListObjectsRequest): Promise<ListObjectsPage> {
    this.bucketRecord(bucket);
    return listPage(this.objects, bucket, request);
  }

  private bucketRecord(bucket: string): BucketRecord {
    const record = this.buckets.get(bucket);
    if (record === undefined) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    return record;
  }

  private objectRecord(bucket: string, key: string, versionId: string | undefined): ObjectRecord {
    this.bucketRecord(bucket);
    const record = this.objects.get(indexKey(bucketBase(bucket), key));
    if (record === undefined) {
      if (versionId !== undefined) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
      throw new S3Error('NoSuchKey', undefined, { Key: key });
    }
    if (versionId !== undefined && versionId !== record.versionId) {
      throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    }
    return record;
  }

  private async receive(stream: IncomingBody['stream']): Promise<StoredBody> {
    const sink = new BodySink(this.blobs, this.options.inlineMaxBytes, (id) => this.limbo.put(id, Date.now()).then(() => undefined));
    try {
      await pipeline(stream, sink);
    } catch (err) {
      const partial = await sink.blobIdSoFar();
      if (partial !== undefined) await this.freeBlob(partial);
      throw err;
    }
    return sink.result();
  }

  /** Writes the record in one transaction with the bucket's versioning state; frees the blob it replaced. */
  private async commit(bucket: string, key: string, record: ObjectRecord): Promise<ObjectInfo> {
    const replaced = await this.env.transaction(() => {
      const owner = this.bucketRecord(bucket);
      record.versionId = owner.versioning === 'Enabled' ? newVersionId() : NULL_VERSION;
      const at = indexKey(bucketBase(bucket), key);
      const previous = this.objects.get(at);
      this.objects.put(at, record);
      if (record.blob !== undefined) this.limbo.remove(record.blob);
      if (previous?.blob !== undefined && previous.blob !== record.blob) this.limbo.put(previous.blob, Date.now());
      return previous;
    });
    if (replaced?.blob !== undefined && replaced.blob !== record.blob) await this.freeBlob(replaced.blob);
    return objectInfoOf(key, record);
  }

  private async freeBlob(id: BlobId): Promise<void> {
    await this.blobs.remove(id);
    await this.limbo.remove(id);
  }

  private async freeLeftoverBlobs(): Promise<void> {
    const leftovers = Array.from(this.limbo.getKeys());
    for (const id of leftovers) await this.freeBlob(id);
  }
}

/** Version ids are opaque to clients; 32 URL-safe characters like S3's. */
function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}
