import { Readable } from 'node:stream';
import { inParallel } from '../../in-parallel';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import type {
  BucketInfo,
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
import { NULL_VERSION } from '../store';
import { UploadsPage } from '../../s3/listing-rules';
import { checkPartChecksums, completedChecksum, multipartEtag, selectCompletedParts } from '../../s3/multipart-rules';
import type { AisHttp } from './ais-http';
import { CONTENT_TIE_KEY, writeTime } from './custom-metadata';
import { isAisError } from './errors';
import { checkAttributesFit, completedObjectMetadata, type CustomMetadata, recordChecksumOfListed } from './multipart-metadata';
import { objectPath } from './object-names';
import type { AisObjects } from './objects';
import { newVersionId } from './version-ids';
import { afterKey, afterKeyPrefix, ALL_COMPLETED, ALL_PARTS, ALL_RECORDS, checkedUploadId, parseRecordName, recordName, recordPrefix } from './upload-names';
import { COMPLETED_UPLOAD_MEMORY_MS, DEFAULT_ABANDONED_UPLOAD_MS } from '../multipart-retention';
import { initiatedOf, isUploadId, newUploadId } from '../upload-ids';
import { type CompletedRecord, MAX_LIST_PAGE, type UploadRecord, UploadRecords } from './upload-records';

/** AIS numbers the chunks of a native multipart upload 1..9999 (S3 parts go to 10000). */
export const MAX_AIS_CHUNKS = 9999;
/** How many chunks are streamed into AIS at once while an upload completes. */
const ASSEMBLY_CONCURRENCY = 4;

export interface MultipartOptions {
  abandonedUploadMs?: number;
}

/** A part of the completed object. */
interface SelectedPart {
  partNumber: number;
  size: number;
}

/**
 * Groups the parts into AIS chunks, in order: one part per chunk, except that AIS takes at most 9999 chunks,
 * so the last chunk carries every part from the 9999th on (one stream of their bytes). Empty parts are left
 * out: AIS refuses a chunk of 0 bytes, and they add nothing.
 */
export function chunkPlan<T extends SelectedPart>(parts: readonly T[]): T[][] {
  const nonEmpty = parts.filter((part) => part.size > 0);
  const chunks = nonEmpty.slice(0, MAX_AIS_CHUNKS - 1).map((part) => [part]);
  if (nonEmpty.length >= MAX_AIS_CHUNKS) chunks.push(nonEmpty.slice(MAX_AIS_CHUNKS - 1));
  return chunks;
}

function uploadOf(record: UploadRecord): MultipartUpload {
  return { uploadId: record.uploadId, key: record.key, initiated: new Date(record.initiated), attributes: record.attributes, checksum: record.checksum };
}

function objectInfoOfCompleted(key: string, record: CompletedRecord): ObjectInfo {
  return {
    key,
    size: record.size,
    etag: record.etag,
    lastModified: new Date(record.completed),
    versionId: record.versionId,
    content: record.content,
    userMetadata: record.userMetadata,
    checksums: record.checksums,
    checksumType: record.checksumType,
    partSizes: record.partSizes,
    tagCount: record.tagCount,
  };
}

function noSuchUpload(uploadId: string): S3Error {
  return new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
}

/**
 * S3 multipart upload on AIS. Upload state lives in AIS (upload-records.ts): a record per upload and each part
 * staged as an object of the gateway's uploads bucket, so any gateway replica continues an upload and a
 * restart loses nothing. A part uploaded again simply replaces its staged object, which AIS's own multipart
 * API cannot do (re-sending a chunk number corrupts its upload: docs/ais-native-api.md section 9). Completing
 * validates the parts as S3 does, then streams the chosen parts, in order, into one native AIS multipart
 * upload of the target object numbered 1..N without gaps, as AIS requires, and sets the object's S3 metadata.
 */
export class AisMultipart {
  private readonly records: UploadRecords;
  private readonly abandonedMs: number;

  constructor(
    private readonly http: AisHttp,
    private readonly objects: AisObjects,
    /** Throws NoSuchBucket. */
    private readonly headBucket: (bucket: string) => Promise<BucketInfo>,
    options: MultipartOptions = {},
  ) {
    this.records = new UploadRecords(http, objects);
    this.abandonedMs = options.abandonedUploadMs ?? DEFAULT_ABANDONED_UPLOAD_MS;
  }

  async create(bucket: string, key: string, attributes: ObjectAttributes, checksum?: MultipartChecksum): Promise<MultipartUpload> {
    checkAttributesFit(attributes);
    await this.headBucket(bucket);
    const record: UploadRecord = { bucket, key, uploadId: newUploadId(), initiated: Date.now(), attributes, checksum };
    await this.records.putRecord(record);
    return uploadOf(record);
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, bodyFor: (upload: MultipartUpload) => IncomingBody): Promise<PartInfo> {
    const record = await this.openUpload(bucket, key, uploadId);
    const part = await this.records.putPart(uploadId, partNumber, bodyFor(uploadOf(record)));
    // Aborted or completed while the part was on its way: the part must not outlive its upload.
    if (!(await this.records.recordExists(bucket, key, uploadId))) {
      await this.records.deleteParts(uploadId, [partNumber]);
      throw noSuchUpload(uploadId);
    }
    return part;
  }

  /**
   * `beforeWrite` runs once the upload and the part list are found good, right before the object is written
   * (a conditional Complete checks its condition there): when it throws, the upload stays as it was.
   */
  async complete(bucket: string, key: string, uploadId: string, request: CompleteRequest, beforeWrite?: () => Promise<void>): Promise<ObjectInfo> {
    const earlier = await this.completedAnswer(bucket, key, uploadId);
    if (earlier !== undefined) return earlier;
    const record = await this.openUpload(bucket, key, uploadId);
    const stored = await this.records.allParts(uploadId);
    const selected = selectCompletedParts(request.parts, stored);
    checkPartChecksums(request.parts, stored);
    const chosen = selected.map((part) => stored.get(part.partNumber) as PartInfo);
    const partSizes = chosen.map((part) => part.size);
    const checksum = record.checksum && { ...record.checksum, value: completedChecksum(record.checksum, chosen, request.objectChecksum) };
    const etag = multipartEtag(selected);
    // As a PUT does: a new S3 version id in a versioning-enabled bucket (version-ids.ts).
    const versionId = (await this.headBucket(bucket)).versioning === 'Enabled' ? newVersionId(bucket, key) : undefined;
    const lastModified = writeTime();
    const partChecksums = checksum && chosen.map((part) => part.checksums[checksum.algorithm] ?? '');
    await beforeWrite?.();
    // CreateMultipartUpload's x-amz-tagging: a sidecar the completed object refers to (object-tags.ts).
    const tagSet = record.attributes.tags ?? [];
    const tagCount = tagSet.length;
    const tags = tagCount > 0 ? await this.objects.tags.write(bucket, key, tagSet) : undefined;
    const { metadata, partSizesKept } = completedObjectMetadata(record.attributes, { etag, partSizes, partChecksums, checksum, versionId, lastModified, tags });
    try {
      await this.assemble(bucket, key, uploadId, chosen, metadata);
    } catch (err) {
      // A concurrent Complete of the same upload may have finished it (and removed the staged parts) meanwhile,
      // or an Abort removed them: a staged part gone missing is then that, not a missing key of the client's.
      const finished = await this.completedAnswer(bucket, key, uploadId).catch(() => undefined);
      if (finished !== undefined) return finished;
      if (!(await this.records.recordExists(bucket, key, uploadId).catch(() => true))) throw noSuchUpload(uploadId);
      throw err;
    }
    const completed: CompletedRecord = {
      bucket,
      key,
      completed: lastModified.getTime(),
      versionId: versionId ?? NULL_VERSION,
      size: partSizes.reduce((sum, size) => sum + size, 0),
      etag,
      content: record.attributes.content,
      userMetadata: record.attributes.userMetadata,
      checksums: checksum ? { [checksum.algorithm]: checksum.value } : {},
      checksumType: checksum?.type,
      partSizes: partSizesKept ? partSizes : undefined,
      tagCount,
    };
    await this.records.putCompleted(uploadId, completed);
    // The upload is complete from here on (a retried Complete finds the marker): leftovers of a failed
    // clean-up are the sweep's, not a reason to fail this request.
    await this.records
      .deleteRecord(bucket, key, uploadId)
      .then(() => this.records.deleteParts(uploadId, stored.keys()))
      .catch(() => undefined);
    return objectInfoOfCompleted(key, completed);
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.openUpload(bucket, key, uploadId);
    // The record goes first: a part still arriving then finds no upload and removes itself (uploadPart).
    await this.records.deleteRecord(bucket, key, uploadId);
    await this.records.deleteParts(uploadId);
  }

  async listParts(bucket: string, key: string, uploadId: string, request: ListPartsRequest): Promise<ListPartsPage> {
    const upload = uploadOf(await this.openUpload(bucket, key, uploadId));
    const { parts, more } = await this.records.listParts(uploadId, request.partNumberMarker, request.maxParts);
    return { upload, parts, isTruncated: more };
  }

  /**
   * Uploads in progress of a bucket, by key (UTF-8 byte order) and then by creation: the records' names keep
   * that order, so this reads AIS's listing of them from the markers on, and jumps past the records under a
   * common prefix once it has been rolled up.
   */
  async listUploads(bucket: string, request: ListUploadsRequest): Promise<ListUploadsPage> {
    await this.headBucket(bucket);
    const page = new UploadsPage(request);
    const { prefix, keyMarker, uploadIdMarker, maxUploads } = request;
    // Past the markers: at an upload id of ours, right after its record; with another upload-id marker, S3 lists
    // the key's uploads whose ids sort after it, so from the key's first record on (UploadsPage drops the others).
    let cursor: string | undefined;
    if (keyMarker !== undefined && uploadIdMarker === undefined) cursor = afterKey(bucket, keyMarker);
    else if (keyMarker !== undefined && uploadIdMarker !== undefined) cursor = recordName(bucket, keyMarker, isUploadId(uploadIdMarker) ? uploadIdMarker : '');
    const namePrefix = recordPrefix(bucket, prefix);
    if (cursor !== undefined && cursor < namePrefix) cursor = undefined;
    pages: for (;;) {
      const listed = await this.records.list(namePrefix, cursor, Math.min(MAX_LIST_PAGE, maxUploads + 1), 'name,custom');
      for (const entry of listed.entries) {
        const named = parseRecordName(bucket, entry.name);
        if (named === undefined) continue;
        const step = page.add(named.key, named.uploadId, () => ({
          uploadId: named.uploadId,
          key: named.key,
          initiated: initiatedOf(named.uploadId),
          attributes: { content: {}, userMetadata: {} },
          checksum: recordChecksumOfListed(entry.custom),
        }));
        if (step === 'full') return page.page;
        if (step === 'next') continue;
        cursor = afterKeyPrefix(bucket, step.skipPast);
        continue pages;
      }
      if (listed.next === undefined) return page.page;
      cursor = listed.next;
    }
  }

  /** Drops every upload of a bucket that was deleted (S3 deletes a bucket holding only unfinished uploads). */
  async discardBucket(bucket: string): Promise<void> {
    for (let cursor: string | undefined; ;) {
      const listed = await this.records.list(recordPrefix(bucket), cursor, MAX_LIST_PAGE, 'name');
      const uploads = listed.entries.flatMap((entry) => parseRecordName(bucket, entry.name) ?? []);
      await inParallel(uploads, 4, ({ key, uploadId }) => this.discard(bucket, key, uploadId));
      if (listed.next === undefined) return;
      cursor = listed.next;
    }
  }

  /**
   * Aborts uploads untouched for the abandoned age, forgets finished ones once a retried Complete is no longer
   * expected, and removes staged parts that no record owns (a part that arrived as its upload ended). Every
   * replica may run it: each step is idempotent.
   */
  async sweep(now = Date.now()): Promise<void> {
    const live = new Set<string>();
    for (let cursor: string | undefined; ;) {
      const listed = await this.records.list(ALL_RECORDS, cursor, MAX_LIST_PAGE, 'name');
      for (const entry of listed.entries) {
        const [, bucket] = entry.name.split('/');
        const named = parseRecordName(bucket, entry.name);
        if (named === undefined) continue;
        if (initiatedOf(named.uploadId).getTime() < now - this.abandonedMs) await this.discard(bucket, named.key, named.uploadId);
        else live.add(named.uploadId);
      }
      if (listed.next === undefined) break;
      cursor = listed.next;
    }
    for (let cursor: string | undefined; ;) {
      const listed = await this.records.list(ALL_COMPLETED, cursor, MAX_LIST_PAGE, 'name,atime');
      const stale = listed.entries.filter((entry) => entry.atime.getTime() < now - COMPLETED_UPLOAD_MEMORY_MS).map((entry) => entry.name);
      await inParallel(stale, 8, (name) => this.records.deleteName(name));
      if (listed.next === undefined) break;
      cursor = listed.next;
    }
    for (let cursor: string | undefined; ;) {
      const listed = await this.records.list(ALL_PARTS, cursor, MAX_LIST_PAGE, 'name,atime');
      const orphans = listed.entries.filter((entry) => {
        const uploadId = entry.name.split('/')[1] ?? '';
        return !live.has(uploadId) && entry.atime.getTime() < now - COMPLETED_UPLOAD_MEMORY_MS;
      });
      await inParallel(orphans, 8, (entry) => this.records.deleteName(entry.name));
      if (listed.next === undefined) break;
      cursor = listed.next;
    }
  }

  private async discard(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.records.deleteRecord(bucket, key, uploadId);
    await this.records.deleteParts(uploadId);
  }

  /** The record of an upload parts may still be added to: NoSuchUpload once it is aborted or completed (NoSuchBucket without its bucket). */
  private async openUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
    const record = await this.records.getRecord(bucket, key, checkedUploadId(uploadId));
    if (record !== undefined) return record;
    await this.headBucket(bucket);
    throw noSuchUpload(uploadId);
  }

  /** What a Complete of this upload answered, if one finished within the last hour. */
  private async completedAnswer(bucket: string, key: string, uploadId: string): Promise<ObjectInfo | undefined> {
    const done = await this.records.getCompleted(checkedUploadId(uploadId));
    return done !== undefined && done.bucket === bucket && done.key === key ? objectInfoOfCompleted(key, done) : undefined;
  }

  /**
   * Writes the object from the staged parts with AIS's native multipart upload (one chunk per part, in
   * order, a few streamed at once), then gives it its S3 metadata. AIS's completion cannot take custom
   * metadata for an `ais://` bucket (v1.5.0 `ais/tgtmpt.go` keeps it only for remote buckets), so it is set
   * right after with AIS's object PATCH (after a HEAD for AIS's checksum of the new bytes, which `s3-of`
   * records): for those two calls a reader sees the new bytes with AIS's checksum as ETag and no S3 attributes.
   */
  private async assemble(bucket: string, key: string, uploadId: string, parts: readonly PartInfo[], metadata: CustomMetadata): Promise<void> {
    const chunks = chunkPlan(parts);
    const path = objectPath(bucket, key);
    const context = { bucket, key };
    if (chunks.length === 0) {
      // Only empty parts: an empty object, written as a plain PUT (AIS refuses empty chunks).
      await this.records.putEmptyObject(bucket, key);
    } else {
      const started = await this.http.objectText({ method: 'POST', path, json: { action: 'mpt-upload' }, context });
      const aisUploadId = started.text.trim();
      try {
        await inParallel(chunks, ASSEMBLY_CONCURRENCY, async (chunk, index) => {
          const size = chunk.reduce((sum, part) => sum + part.size, 0);
          const body = Readable.from(this.stagedBytes(uploadId, chunk));
          await this.http.objectCall({
            method: 'PUT',
            path,
            query: { uploadId: aisUploadId, partNumber: String(index + 1) },
            headers: { 'content-length': String(size) },
            body,
            context,
          });
        });
        const parts = chunks.map((_, index) => ({ 'part-number': index + 1, etag: '' }));
        await this.http.objectCall({
          method: 'POST',
          path,
          query: { uploadId: aisUploadId },
          json: { action: 'mpt-complete', value: parts },
          context,
        });
      } catch (err) {
        await this.abortNative(path, aisUploadId, context);
        throw err;
      }
    }
    const head = await this.http.objectCall({ method: 'HEAD', path, context });
    await this.records.patchMetadata(bucket, key, { ...metadata, [CONTENT_TIE_KEY]: headerValue(head.headers, 'ais-checksum-value') ?? '' });
  }

  /** The bytes of staged parts one after the other, streamed. */
  private async *stagedBytes(uploadId: string, parts: readonly PartInfo[]): AsyncGenerator<Buffer> {
    for (const part of parts) {
      const body = await this.records.readPart(uploadId, part.partNumber, part.etag);
      for await (const piece of body) yield piece as Buffer;
    }
  }

  private async abortNative(path: string, aisUploadId: string, context: { bucket: string; key: string }): Promise<void> {
    try {
      await this.http.objectCall({ method: 'DELETE', path, query: { uploadId: aisUploadId }, json: { action: 'mpt-abort' }, context });
    } catch (err) {
      // AIS refused the abort or could not be reached: the failure of the completion is what matters.
      if (!isAisError(err)) throw err;
    }
  }
}
