import { Readable } from 'node:stream';
import { inParallel } from '../../in-parallel';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import type { Checksums, ChecksumType, ContentHeaders, IncomingBody, MultipartChecksum, ObjectAttributes, PartInfo, VersionId } from '../store';
import type { AisAnswer, AisHttp } from './ais-http';
import { isMissing } from './errors';
import { type CustomMetadata, partChecksumsOfListed, recordChecksumMetadata } from './multipart-metadata';
import { objectPath } from './object-names';
import type { AisObjects } from './objects';
import { type ListedName, SystemBucket } from './system-bucket';
import { completedName, partName, partNumberOf, partPrefix, recordName, UPLOADS_BUCKET } from './upload-names';

/** How many staged parts are deleted at once. */
const DELETE_CONCURRENCY = 16;

/** An upload in progress, as its record in the uploads bucket holds it. */
export interface UploadRecord {
  bucket: string;
  key: string;
  uploadId: string;
  /** ms since the epoch */
  initiated: number;
  attributes: ObjectAttributes;
  checksum?: MultipartChecksum;
}

/** What a finished upload answered, kept so that a retried Complete answers the same. */
export interface CompletedRecord {
  bucket: string;
  key: string;
  /** ms since the epoch */
  completed: number;
  versionId: VersionId;
  size: number;
  etag: string;
  content: ContentHeaders;
  userMetadata: Record<string, string>;
  checksums: Checksums;
  checksumType?: ChecksumType;
  partSizes?: number[];
  /** How many tags the object was completed with. */
  tagCount?: number;
}

/** One entry of an AIS listing of the uploads bucket. */
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
/** The largest page asked of AIS in one listing call. */
export const MAX_LIST_PAGE = 1000;

/**
 * Reads and writes the gateway's multipart state in AIS (upload-names.ts has the layout): upload records,
 * staged parts and completed markers, all objects of one bucket that the gateway creates when it first needs
 * it. Nothing is kept in the gateway process, so any replica continues any upload.
 */
export class UploadRecords {
  private readonly system: SystemBucket;

  constructor(
    private readonly http: AisHttp,
    private readonly objects: AisObjects,
  ) {
    this.system = new SystemBucket(http);
  }

  async putRecord(record: UploadRecord): Promise<void> {
    const name = recordName(record.bucket, record.key, record.uploadId);
    const custom = Object.entries(recordChecksumMetadata(record.checksum)).map(([name, value]) => `${name}=${value}`);
    await this.system.put(name, Buffer.from(JSON.stringify(record)), { 'ais-custom-md': custom });
  }

  /** The record of an upload in progress; undefined when there is none (never created, aborted, completed). */
  async getRecord(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const record = await this.getJson<UploadRecord>(recordName(bucket, key, uploadId));
    return record !== undefined && record.bucket === bucket && record.key === key && record.uploadId === uploadId ? record : undefined;
  }

  async recordExists(bucket: string, key: string, uploadId: string): Promise<boolean> {
    const name = recordName(bucket, key, uploadId);
    try {
      await this.http.objectCall({ method: 'HEAD', path: objectPath(UPLOADS_BUCKET, name), context: { bucket: UPLOADS_BUCKET, key: name } });
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async deleteRecord(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.deleteName(recordName(bucket, key, uploadId));
  }

  /**
   * Streams a part's bytes into its staged object, verified as any PUT is (objects.ts), which also keeps the
   * part's flexible checksums with it. A part uploaded again replaces it: AIS swaps the object whole once it
   * has all the bytes, and keeps the old one when the body fails verification.
   */
  async putPart(uploadId: string, partNumber: number, body: IncomingBody): Promise<PartInfo> {
    const stored = await this.objects.put(UPLOADS_BUCKET, partName(uploadId, partNumber), { content: {}, userMetadata: {} }, body);
    return { partNumber, etag: stored.etag, size: stored.size, lastModified: stored.lastModified, checksums: stored.checksums };
  }

  /** An empty object at `key` with no S3 attributes yet (an upload of empty parts only). */
  async putEmptyObject(bucket: string, key: string): Promise<void> {
    await this.objects.put(
      bucket,
      key,
      { content: {}, userMetadata: {} },
      { stream: Readable.from([]), verify: () => Promise.resolve({ size: 0, md5Hex: EMPTY_MD5, checksums: {} }) },
    );
  }

  /** Staged parts numbered above `after`, in order, at most `limit` of them (AIS pages of up to MAX_LIST_PAGE). */
  async listParts(uploadId: string, after: number, limit: number): Promise<{ parts: PartInfo[]; more: boolean }> {
    const parts: PartInfo[] = [];
    let cursor = after > 0 ? partName(uploadId, after) : undefined;
    for (;;) {
      const page = await this.list(partPrefix(uploadId), cursor, Math.min(MAX_LIST_PAGE, limit + 1 - parts.length), 'name,size,checksum,atime,custom');
      for (const entry of page.entries) {
        const partNumber = partNumberOf(uploadId, entry.name);
        if (partNumber === undefined) continue;
        if (parts.length === limit) return { parts, more: true };
        parts.push({
          partNumber,
          etag: entry.checksum,
          size: entry.size,
          lastModified: entry.atime,
          checksums: partChecksumsOfListed(entry.custom, entry.checksum),
        });
      }
      if (page.next === undefined) return { parts, more: false };
      cursor = page.next;
    }
  }

  /** Every staged part of an upload, by part number. */
  async allParts(uploadId: string): Promise<Map<number, PartInfo>> {
    const { parts } = await this.listParts(uploadId, 0, Number.MAX_SAFE_INTEGER);
    return new Map(parts.map((part) => [part.partNumber, part]));
  }

  /**
   * A staged part's bytes, streamed from AIS, when they are those of the part `etag` names: the part may have
   * been uploaded again since it was listed (AIS keeps the last PUT to finish), and an object must never mix
   * those bytes with the ETag of the ones listed. AIS answers a GET with its checksum (MD5) of the bytes it
   * sends, so another upload of the part is InvalidPart, as the client named an ETag the part no longer has.
   */
  async readPart(uploadId: string, partNumber: number, etag: string): Promise<AisAnswer['body']> {
    const name = partName(uploadId, partNumber);
    // Destroyed unread when the completion fails elsewhere: objectStream makes that safe.
    const answer = await this.http.objectStream({ method: 'GET', path: objectPath(UPLOADS_BUCKET, name), context: { bucket: UPLOADS_BUCKET, key: name } });
    if (headerValue(answer.headers, 'ais-checksum-type') !== 'md5' || headerValue(answer.headers, 'ais-checksum-value') !== etag) {
      answer.body.destroy();
      throw new S3Error('InvalidPart', undefined, { PartNumber: String(partNumber), ETag: `"${etag}"` });
    }
    return answer.body;
  }

  /** Removes every staged part of an upload (a few at a time). */
  async deleteParts(uploadId: string, partNumbers?: Iterable<number>): Promise<void> {
    const numbers = partNumbers !== undefined ? Array.from(partNumbers) : Array.from((await this.allParts(uploadId)).keys());
    await inParallel(numbers, DELETE_CONCURRENCY, (partNumber) => this.deleteName(partName(uploadId, partNumber)));
  }

  async putCompleted(uploadId: string, record: CompletedRecord): Promise<void> {
    const name = completedName(uploadId);
    await this.http.objectCall({
      method: 'PUT',
      path: objectPath(UPLOADS_BUCKET, name),
      body: Buffer.from(JSON.stringify(record)),
      context: { bucket: UPLOADS_BUCKET, key: name },
    });
  }

  async getCompleted(uploadId: string): Promise<CompletedRecord | undefined> {
    return this.getJson<CompletedRecord>(completedName(uploadId));
  }

  /** Replaces an object's custom metadata with exactly `metadata` (AIS's object PATCH with `set-new-custom`). */
  async patchMetadata(bucket: string, name: string, metadata: CustomMetadata): Promise<void> {
    await this.http.objectCall({
      method: 'PATCH',
      path: objectPath(bucket, name),
      query: { 'set-new-custom': 'true' },
      json: { action: 'set-custom', value: metadata },
      context: { bucket, key: name },
    });
  }

  /** One listing page of the uploads bucket (SystemBucket.list). */
  list(prefix: string, startAfter: string | undefined, pageSize: number, props?: string): Promise<{ entries: ListedName[]; next?: string }> {
    return this.system.list(prefix, startAfter, pageSize, props);
  }

  /** Deletes a name of the uploads bucket; a name already gone (or the whole bucket) is fine. */
  async deleteName(name: string): Promise<void> {
    await this.system.delete(name);
  }

  private async getJson<T>(name: string): Promise<T | undefined> {
    const text = await this.system.getText(name);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new S3Error('InternalError', `The multipart record ${name} in AIS is not valid JSON`);
    }
  }
}
