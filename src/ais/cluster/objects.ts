import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { checksumHeader, type ChecksumAlgorithm } from '../../s3/checksum';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import {
  type BodyDigest,
  type Checksums,
  type CopyRequest,
  type DeleteResult,
  type IncomingBody,
  NULL_VERSION,
  type ObjectAccess,
  type ObjectAttributes,
  type ObjectInfo,
  type ObjectLock,
  type ObjectRead,
  type ObjectTagging,
  type ReadPlanner,
  type TagSet,
  type VersionGuard,
  type VersionId,
} from '../store';
import type { AisAnswer, AisHttp } from './ais-http';
import type { WriteFacts } from './buckets';
import {
  ACL_KEY,
  accessMetadata,
  aisMetadataBytes,
  attributesOfCustomMetadata,
  checksumsOfCustomMetadata,
  CONTENT_TIE_KEY,
  CUSTOM_METADATA_LIMIT,
  customMetadataLines,
  customMetadataOf,
  customValueOf,
  encodeLock,
  LAST_MODIFIED_KEY,
  LOCK_KEY,
  lastModifiedOfCustomMetadata,
  OWNER_KEY,
  TAGS_KEY,
  TAGS_METADATA_BYTES,
  VERSION_ID_KEY,
  writeTime,
  writeTimeMetadata,
} from './custom-metadata';
import { isMissing, isObjectMissing } from './errors';
import { customMetadataBytes, multipartFactsOfHead } from './multipart-metadata';
import { type AisObjectTags, tagCountOf, tagsStampOf } from './object-tags';
import { aisNameOf, objectPath } from './object-names';
import { connectStreams } from '../../streams/connect';
import { readWhole } from './upload-body';
import { assertVersionIdShape, isVersionIdOf, newVersionId } from './version-ids';

/** What a HEAD asks AIS for: with `last-modified` and `etag` AIS adds those S3-style headers. */
const HEAD_PROPS = 'name,size,checksum,atime,version,last-modified,etag,custom';
/** How often a GET starts over when the object changed between its HEAD and its read. */
const READ_ATTEMPTS = 3;
/**
 * Every PUT skips AIS's load of the object it replaces (`skip_vc`): with it, AIS merges the new custom
 * metadata into the old (v1.5.0 `ais/target.go` putObject loads the old object, `FromHeader` adds to it), so
 * an overwrite would keep user metadata and checksums of the object it replaced. The price: AIS's version
 * counter stays at 1 (S3 version ids are the gateway's own, version-ids.ts).
 */
const PUT_QUERY = { skip_vc: 'true' };
/** Base64 length of each flexible checksum (the room it takes in custom metadata). */
const CHECKSUM_BASE64_LENGTH: Record<ChecksumAlgorithm, number> = { CRC32: 8, CRC32C: 8, CRC64NVME: 12, SHA1: 28, SHA256: 44 };
/**
 * Bodies up to this size are read whole before the upload: AIS gets them with a Content-Length, headers and
 * bytes in one write (a stream goes chunked: a write more for its end), with no stream between undici and the
 * body, and a failed direct call can send them again. Larger bodies stream through, never held whole.
 */
const WHOLE_BODY_BYTES = 64 * 1024;
/**
 * Objects up to this size are read whole before the answer starts: the reply is one buffer, without a stream
 * between undici and the client's socket (its listeners, pipe and end-of-stream bookkeeping cost more than the
 * bytes at this size). Larger objects stream through.
 */
const WHOLE_READ_BYTES = 64 * 1024;
/** The longest hex checksum AIS may keep for an object (sha256 in a bucket so configured; md5 in the gateway's). */
const MAX_AIS_CHECKSUM_HEX = 64;

/** The object's content checksum as AIS reports it (MD5 in buckets the gateway creates). */
function contentChecksum(headers: IncomingHttpHeaders): { type?: string; value?: string } {
  return { type: headerValue(headers, 'ais-checksum-type'), value: headerValue(headers, 'ais-checksum-value') };
}

/**
 * The flexible checksums kept with the object. Checksums that came in a trailer are added after the upload
 * (put()) together with `s3-of`, AIS's checksum of the object they were computed over: should another write
 * have replaced the object in between, they describe other bytes and are not reported.
 */
function keptChecksums(headers: IncomingHttpHeaders, aisChecksum: string | undefined): Checksums {
  const lines = headers['ais-custom-md'];
  const of = customValueOf(lines, CONTENT_TIE_KEY);
  return of === undefined || of === aisChecksum ? checksumsOfCustomMetadata(lines) : {};
}

/** The S3 version id of the object: the gateway's id when it wrote one for this bucket and key, else `null`. */
function versionIdOfHead(bucket: string, key: string, headers: IncomingHttpHeaders): VersionId {
  const stored = customValueOf(headers['ais-custom-md'], VERSION_ID_KEY);
  return isVersionIdOf(stored, bucket, key) ? stored : NULL_VERSION;
}

/**
 * When the object was written: the time the gateway recorded, else AIS's `Last-Modified` (a HEAD with
 * HEAD_PROPS: the file's mtime), else the access time.
 */
function lastModifiedOf(headers: IncomingHttpHeaders): Date {
  const recorded = lastModifiedOfCustomMetadata(headers['ais-custom-md']);
  if (recorded !== undefined) return recorded;
  const lastModified = headerValue(headers, 'last-modified');
  if (lastModified) return new Date(lastModified);
  const atimeNs = headerValue(headers, 'ais-atime');
  return new Date(atimeNs && /^\d+$/.test(atimeNs) ? Number(BigInt(atimeNs) / 1_000_000n) : 0);
}

/**
 * ObjectInfo from the headers of AIS's HEAD with HEAD_PROPS, or of its GET of the whole object when the
 * gateway wrote it (GET has the same headers except `Etag` and `Last-Modified`, which the gateway's custom
 * metadata stands in for: its multipart ETag, its write time; a plain object's ETag is its MD5 checksum).
 */
export function objectInfoOfHead(bucket: string, key: string, headers: IncomingHttpHeaders): ObjectInfo {
  const checksum = contentChecksum(headers);
  const etagHeader = headerValue(headers, 'etag')?.replace(/^"|"$/g, '');
  const attributes = attributesOfCustomMetadata(headers['ais-custom-md']);
  const multipart = multipartFactsOfHead(headers);
  return {
    key,
    size: Number(headerValue(headers, 'content-length') ?? 0),
    // S3 clients check the ETag against the MD5 of what they read: the md5 checksum is that.
    etag: multipart?.etag ?? (checksum.type === 'md5' && checksum.value ? checksum.value : (etagHeader ?? checksum.value ?? '')),
    lastModified: lastModifiedOf(headers),
    versionId: versionIdOfHead(bucket, key, headers),
    content: attributes.content,
    userMetadata: attributes.userMetadata,
    access: attributes.access,
    checksums: multipart?.checksums ?? keptChecksums(headers, checksum.value),
    checksumType: multipart?.checksumType,
    partSizes: multipart?.partSizes,
    partChecksums: multipart?.partChecksums,
    tagCount: tagCountOf(headers['ais-custom-md']),
    lock: attributes.lock,
  };
}

/**
 * Whether the headers of a GET of the whole object say all that a HEAD would: the gateway's write time, the
 * size, and an ETag that needs no `Etag` header (an MD5 checksum, or the gateway's multipart ETag).
 */
function tellsAllOfHead(headers: IncomingHttpHeaders): boolean {
  if (customValueOf(headers['ais-custom-md'], LAST_MODIFIED_KEY) === undefined || headerValue(headers, 'content-length') === undefined) return false;
  return contentChecksum(headers).type === 'md5' || multipartFactsOfHead(headers) !== undefined;
}

/** The whole of a small answer's body, as a Buffer over the bytes undici collected (no further copy). */
async function bufferOf(body: AisAnswer['body']): Promise<Buffer> {
  const bytes = await body.bytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function noSuchVersion(key: string, versionId: string): S3Error {
  return new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
}

/**
 * AIS keeps custom metadata within 2 KiB in all (CUSTOM_METADATA_LIMIT). Refused before any byte is sent, with
 * the room a checksum still to come (a trailer) takes counted in, so that adding it cannot fail later.
 */
function checkMetadataFits(lines: readonly string[], laterChecksum: ChecksumAlgorithm | undefined, tagReference = 0): void {
  const later =
    laterChecksum === undefined
      ? 0
      : checksumHeader(laterChecksum).length + CHECKSUM_BASE64_LENGTH[laterChecksum] + CONTENT_TIE_KEY.length + MAX_AIS_CHECKSUM_HEX;
  const needed = aisMetadataBytes(lines) + later + tagReference;
  if (needed <= CUSTOM_METADATA_LIMIT) return;
  throw new S3Error(
    'MetadataTooLarge',
    `The AIS backend keeps at most ${CUSTOM_METADATA_LIMIT} bytes of metadata per object (AIS's custom metadata limit), counting the names (with their x-amz-meta- prefix) and values of user metadata, content headers, the checksum, the version id (and with tags, a reference to them); this object needs ${needed}.`,
  );
}

/** The entries of `checksums` that are not already in `kept`. */
function notYetKept(checksums: Checksums, kept: Checksums): Checksums {
  return Object.fromEntries(Object.entries(checksums).filter(([algorithm, value]) => kept[algorithm as ChecksumAlgorithm] !== value));
}

/** Object calls: each goes to the target that owns the object (AisHttp follows the proxy's redirect). */
export class AisObjects {
  constructor(
    private readonly http: AisHttp,
    /** The bucket's S3 versioning status and checksum type; throws NoSuchBucket. */
    private readonly writeFactsOf: (bucket: string) => Promise<WriteFacts>,
    /** Where the objects' tags live (object-tags.ts). */
    readonly tags: AisObjectTags,
  ) {}

  /**
   * Streams the body to the owning target. The body's digest (Content-MD5, flexible checksums, length) is
   * verified when its last byte has been read but before the end of the upload is sent: a bad body aborts the
   * upload and AIS keeps whatever object was there. The MD5 (the ETag) is AIS's where the bucket's checksum is
   * MD5; the gateway hashes the body too only to check a client's Content-MD5, or for other buckets. Should AIS's
   * own MD5 then disagree with the gateway's (the bytes changed on the way), the new object is deleted and the
   * PUT fails; AIS cannot make that replacement atomic, so in that case the previous object is gone too.
   *
   * The custom metadata goes with the upload: attributes, the version id (versioning Enabled), and the
   * checksums known before the body (`known`, and a checksum header). A checksum that arrives in a trailer is
   * added right after the upload (AIS takes custom metadata only as request headers).
   */
  async put(bucket: string, key: string, attributes: ObjectAttributes, body: IncomingBody, known: Checksums = {}): Promise<ObjectInfo> {
    const facts = await this.writeFactsOf(bucket);
    const versionId = facts.versioning === 'Enabled' ? newVersionId(bucket, key) : undefined;
    // AIS hashes the bytes as it stores them; a second MD5 here cost 40% of the gateway's CPU on a 1 MiB PUT
    // (docs/performance.md). A client's Content-MD5 is still checked by the gateway, before AIS commits.
    if (facts.aisMd5) body.md5FromStore?.();
    const declared = body.checksum;
    const upfront: Checksums = declared?.value !== undefined ? { ...known, [declared.algorithm]: declared.value } : known;
    const lastModified = writeTime();
    const metadata = customMetadataLines(attributes, { checksums: upfront, versionId, lastModified });
    const tags = attributes.tags ?? [];
    checkMetadataFits(
      metadata,
      declared !== undefined && declared.value === undefined ? declared.algorithm : undefined,
      tags.length > 0 ? TAGS_METADATA_BYTES : 0,
    );
    // The tags' sidecar is written before the object that refers to it (a failed PUT leaves it unreferenced).
    if (tags.length > 0) metadata.push(`${TAGS_KEY}=${await this.tags.write(bucket, key, tags)}`);
    const path = objectPath(bucket, key);
    const context = { bucket, key };
    const whole = await readWhole(body.stream, WHOLE_BODY_BYTES);
    // A small body is verified before any byte goes to AIS, then sent with its length in one write.
    let digest: BodyDigest | undefined = whole === undefined ? undefined : await body.verify();
    let refused: unknown;
    const beforeBodyEnd = async (): Promise<void> => {
      try {
        digest = await body.verify();
      } catch (err) {
        refused = err;
        throw err;
      }
    };
    let answerHeaders: IncomingHttpHeaders;
    try {
      const answer = await this.http.objectCall({
        method: 'PUT',
        path,
        query: PUT_QUERY,
        headers: { 'ais-custom-md': metadata },
        body: whole ?? body.stream,
        beforeBodyEnd: whole === undefined ? beforeBodyEnd : undefined,
        context,
      });
      answerHeaders = answer.headers;
    } catch (err) {
      body.stream.destroy();
      throw refused ?? err;
    }
    digest ??= await body.verify();
    const checksum = contentChecksum(answerHeaders);
    if (checksum.type === 'md5' && digest.md5Hex !== '' && checksum.value !== digest.md5Hex) {
      await this.http.objectCallUnlessMissing({ method: 'DELETE', path, context });
      throw new S3Error('InternalError', `AIS stored MD5 ${checksum.value}, the gateway received ${digest.md5Hex}: the object was removed`);
    }
    const later = notYetKept(digest.checksums, upfront);
    if (Object.keys(later).length > 0) await this.addChecksums(bucket, key, later, checksum.value ?? '');
    // Without an MD5 of either (the bucket's checksum type changed since its props were read), the ETag is AIS's own.
    const etag = checksum.type === 'md5' && checksum.value ? checksum.value : digest.md5Hex || (await this.head(bucket, key)).etag;
    return {
      key,
      size: digest.size,
      etag,
      lastModified,
      versionId: versionId ?? NULL_VERSION,
      content: attributes.content,
      userMetadata: attributes.userMetadata,
      access: attributes.access,
      checksums: { ...upfront, ...digest.checksums },
      tagCount: tags.length,
      lock: attributes.lock,
    };
  }

  /**
   * Adds checksums to the custom metadata of an object just written, with `s3-of` naming AIS's checksum of
   * those bytes (keptChecksums()). AIS's PATCH adds keys and keeps the others.
   */
  private async addChecksums(bucket: string, key: string, checksums: Checksums, aisChecksum: string): Promise<void> {
    const value: Record<string, string> = { [CONTENT_TIE_KEY]: aisChecksum };
    for (const [algorithm, checksum] of Object.entries(checksums)) value[checksumHeader(algorithm as ChecksumAlgorithm)] = checksum;
    await this.http.objectCall({
      method: 'PATCH',
      path: objectPath(bucket, key),
      json: { action: 'set-custom', value },
      context: { bucket, key },
    });
  }

  /**
   * PutObjectAcl: AIS keeps one version, so `versionId` must be the current one. The owner and grants replace
   * the old ones with AIS's PATCH; grants that do not fit in the object's custom metadata are MetadataTooLarge
   * (checked against what the object already holds), never cut short.
   */
  async putAcl(bucket: string, key: string, versionId: string | undefined, access: ObjectAccess): Promise<void> {
    assertVersionIdShape(versionId);
    const answer = await this.http
      .objectCall({ method: 'HEAD', path: objectPath(bucket, key), query: { props: HEAD_PROPS }, context: { bucket, key } })
      .catch((err: unknown) => {
        throw versionId !== undefined && isObjectMissing(err) ? noSuchVersion(key, versionId) : err;
      });
    if (versionId !== undefined && versionId !== versionIdOfHead(bucket, key, answer.headers)) throw noSuchVersion(key, versionId);
    const value = accessMetadata(access);
    const raw = answer.headers['ais-custom-md'];
    const kept = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).filter(
      (line) => !line.startsWith(`${OWNER_KEY}=`) && !line.startsWith(`${ACL_KEY}=`),
    );
    const needed = aisMetadataBytes([...kept, ...Object.entries(value).map(([name, text]) => `${name}=${text}`)]);
    if (needed > CUSTOM_METADATA_LIMIT) {
      throw new S3Error(
        'MetadataTooLarge',
        `The AIS backend keeps an object's ACL in its custom metadata, at most ${CUSTOM_METADATA_LIMIT} bytes with everything else it records; this ACL would need ${needed}.`,
      );
    }
    await this.http.objectCall({ method: 'PATCH', path: objectPath(bucket, key), json: { action: 'set-custom', value }, context: { bucket, key } });
  }

  async head(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return (await this.headWithChecksum(bucket, key, versionId)).info;
  }

  /** Only the object's current version can be read: any other id is NoSuchVersion, as S3 answers for a version that does not exist. */
  private async headWithChecksum(
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<{ info: ObjectInfo; checksum?: string; md5?: string; custom: string | string[] | undefined }> {
    assertVersionIdShape(versionId);
    const answer = await this.http
      .objectCall({ method: 'HEAD', path: objectPath(bucket, key), query: { props: HEAD_PROPS }, context: { bucket, key } })
      .catch((err: unknown) => {
        throw versionId !== undefined && isObjectMissing(err) ? noSuchVersion(key, versionId) : err;
      });
    const checksum = contentChecksum(answer.headers);
    const info = objectInfoOfHead(bucket, key, answer.headers);
    if (versionId !== undefined && versionId !== info.versionId) throw noSuchVersion(key, versionId);
    return { info, checksum: checksum.value, md5: checksum.type === 'md5' ? checksum.value : undefined, custom: answer.headers['ais-custom-md'] };
  }

  /**
   * A read that no planning can change (ReadPlanner.readsWholeObject) is one GET: AIS's GET answers the size,
   * checksum and custom metadata with the bytes. Any other read gets the metadata first (planned()).
   */
  async get(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    assertVersionIdShape(versionId);
    const read = plan.readsWholeObject === true ? await this.whole(bucket, key, versionId, plan) : undefined;
    return read ?? this.planned(bucket, key, versionId, plan);
  }

  /**
   * The whole object and its metadata in one GET. An object without the gateway's write time (written
   * natively) also gets a HEAD, for AIS's Last-Modified, and must still have the GET's checksum. Undefined
   * when the read must be planned after all: the object changed between the two, or the planner asked for a
   * range.
   */
  private async whole(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead | undefined> {
    const answer = await this.http.objectStream({ method: 'GET', path: objectPath(bucket, key), context: { bucket, key } }).catch((err: unknown) => {
      throw versionId !== undefined && isObjectMissing(err) ? noSuchVersion(key, versionId) : err;
    });
    try {
      let info = objectInfoOfHead(bucket, key, answer.headers);
      if (!tellsAllOfHead(answer.headers)) {
        const head = await this.headWithChecksum(bucket, key, versionId);
        if (head.checksum !== contentChecksum(answer.headers).value) return this.discard(answer.body);
        info = head.info;
      }
      if (versionId !== undefined && versionId !== info.versionId) throw noSuchVersion(key, versionId);
      if (plan(info) !== undefined) return this.discard(answer.body);
      if (info.size > WHOLE_READ_BYTES) return { info, body: answer.body };
      return { info, body: await bufferOf(answer.body) };
    } catch (err) {
      answer.body.destroy();
      throw err;
    }
  }

  private discard(body: Readable): undefined {
    body.destroy();
    return undefined;
  }

  /**
   * A HEAD gives the planner the object's metadata, then the bytes are read. AIS has no If-Match, so the GET's
   * checksum is compared with the HEAD's: a mismatch means the object was replaced in between, and the read
   * starts over on the new object.
   */
  private async planned(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    for (let attempt = 1; ; attempt += 1) {
      const { info, checksum } = await this.headWithChecksum(bucket, key, versionId);
      const range = plan(info);
      if (info.size === 0) return { info, range, body: Buffer.alloc(0) };
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
      // Destroyed unread when a read is refused (UploadPartCopy) or retried: objectStream makes that safe.
      const answer = await this.http.objectStream({ method: 'GET', path: objectPath(bucket, key), headers, context: { bucket, key } });
      const served = contentChecksum(answer.headers).value;
      if (served !== undefined && checksum !== undefined && served !== checksum && attempt < READ_ATTEMPTS) {
        answer.body.destroy();
        continue;
      }
      return { info, range, body: answer.body };
    }
  }

  /** Deletes the tag sidecars no object refers to any more (AisObjectTags.sweep); answers how many. */
  sweepTagSidecars(now: number): Promise<number> {
    return this.tags.sweep(now, async (bucket, key) => {
      try {
        return tagsStampOf((await this.headWithChecksum(bucket, key)).custom);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    });
  }

  /** The tags of the object, which must be the version asked for (AIS keeps the latest only). */
  async getTagging(bucket: string, key: string, versionId?: string): Promise<ObjectTagging> {
    const { info, custom } = await this.headWithChecksum(bucket, key, versionId);
    return { versionId: info.versionId, tags: await this.tags.read(bucket, key, custom) };
  }

  /**
   * PutObjectTagging: a new sidecar, then AIS's PATCH `set-custom` sets the object's reference to it in place (the
   * other custom metadata stays), then the sidecar it replaced is deleted. AIS has no conditional PATCH: an overwrite
   * of the object between the HEAD and the PATCH gets these tags (README, "Tagging on AIS").
   */
  async putTagging(bucket: string, key: string, versionId: string | undefined, tags: TagSet): Promise<VersionId> {
    const { info, custom } = await this.headWithChecksum(bucket, key, versionId);
    if (tags.length > 0) {
      const others = customMetadataOf(custom);
      delete others[TAGS_KEY];
      const used = Object.entries(others).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
      if (used + TAGS_METADATA_BYTES > CUSTOM_METADATA_LIMIT) {
        throw new S3Error(
          'MetadataTooLarge',
          `The AIS backend keeps at most ${CUSTOM_METADATA_LIMIT} bytes of metadata per object (AIS's custom metadata limit); this object's metadata takes ${used}, which leaves no room for the ${TAGS_METADATA_BYTES} bytes of a reference to its tags.`,
        );
      }
    }
    const reference = await this.tags.write(bucket, key, tags);
    await this.http.objectCall({
      method: 'PATCH',
      path: objectPath(bucket, key),
      json: { action: 'set-custom', value: { [TAGS_KEY]: reference } },
      context: { bucket, key },
    });
    await this.tags.forget(bucket, key, custom).catch(() => undefined);
    return info.versionId;
  }

  /**
   * PutObjectRetention / PutObjectLegalHold: the current object's lock (`versionId` must be the current version), as
   * `change` answers it from the HEAD's metadata, set in place with AIS's PATCH (an empty value clears it). No
   * conditional PATCH: an overwrite between the HEAD and the PATCH gets this lock (as tags do).
   */
  async putLock(bucket: string, key: string, versionId: string | undefined, change: (info: ObjectInfo) => ObjectLock | undefined): Promise<VersionId> {
    const { info, custom } = await this.headWithChecksum(bucket, key, versionId);
    const value = encodeLock(change(info));
    const others = customMetadataOf(custom);
    delete others[LOCK_KEY];
    const needed = customMetadataBytes({ ...others, [LOCK_KEY]: value });
    if (needed > CUSTOM_METADATA_LIMIT) {
      throw new S3Error(
        'MetadataTooLarge',
        `The AIS backend keeps an object's Object Lock state in its custom metadata, at most ${CUSTOM_METADATA_LIMIT} bytes with everything else it records; this object would need ${needed}.`,
      );
    }
    await this.http.objectCall({
      method: 'PATCH',
      path: objectPath(bucket, key),
      json: { action: 'set-custom', value: { [LOCK_KEY]: value } },
      context: { bucket, key },
    });
    return info.versionId;
  }

  /**
   * AIS answers a missing object with 404; S3 with 204. A missing bucket stays NoSuchBucket. AIS keeps no
   * older versions and no delete markers: without a version id the object is deleted (S3 would add a delete
   * marker in an Enabled bucket); with one, only when it is the object's current version (any other version
   * does not exist, and deleting it changes nothing). AIS has no conditional DELETE: an object written between
   * the HEAD and the DELETE is deleted too.
   */
  async delete(bucket: string, key: string, versionId?: string, guard?: VersionGuard): Promise<DeleteResult> {
    assertVersionIdShape(versionId);
    const context = { bucket, key };
    if (versionId !== undefined || guard !== undefined) {
      const current = await this.head(bucket, key).catch((err: unknown) => {
        if (isObjectMissing(err)) return undefined;
        throw err;
      });
      if (versionId !== undefined && current?.versionId !== versionId) return { versionId };
      // AIS keeps no older versions and writes no delete markers: any delete of a locked object would destroy it.
      if (current !== undefined) guard?.(current.lock);
    }
    await this.http.objectCallUnlessMissing({ method: 'DELETE', path: objectPath(bucket, key), context });
    return { versionId };
  }

  /**
   * Metadata directive COPY: AIS copies the object itself, synchronously (`?object_to=`), custom metadata
   * included (the copy's version reads as `null`: version-ids.ts); no bytes pass through the gateway. REPLACE,
   * and any copy into a versioning-enabled bucket (the copy needs a version id of its own, and AIS cannot set
   * custom metadata on copy): the bytes are streamed from the source's target to the destination's, with the
   * new (or the source's) attributes and the source's checksums, which describe the same bytes (S3 keeps them
   * too). A COMPOSITE checksum describes the source's parts, which the copy does not have.
   */
  async copy(request: CopyRequest): Promise<ObjectInfo> {
    const { source, target } = request;
    const { info, md5, custom } = await this.headWithChecksum(source.bucket, source.key, source.versionId);
    request.check(info);
    const targetVersioning = (await this.writeFactsOf(target.bucket)).versioning;
    // Tagging directive REPLACE: the request's tags; COPY: the source's, in a sidecar of the copy's own.
    const tags = request.tags ?? (await this.tags.read(source.bucket, source.key, custom));
    if (request.replaceAttributes === undefined && targetVersioning !== 'Enabled') {
      await this.http.objectCall({
        method: 'PUT',
        path: objectPath(source.bucket, source.key),
        query: { object_to: `ais/@#/${target.bucket}/${aisNameOf(target.key)}` },
        context: { bucket: source.bucket, key: source.key, storedKey: target.key },
      });
      // The copy carries the source's custom metadata; it gets a write time, an owner and ACL (the caller's: the
      // copy is written now, by them) and a reference to a tags sidecar of its own. The set is replaced whole
      // (`set-new-custom`), not merged: a merge into the copy's custom metadata just after AIS's copy also showed on
      // the source (v1.5.0; docs/ais-native-api.md), and after a replacement the two no longer share it. Should the
      // replacement fail, the copy goes: it must not keep the source's ACL.
      const metadata = customMetadataOf(custom);
      for (const key of [TAGS_KEY, OWNER_KEY, ACL_KEY, LOCK_KEY]) delete metadata[key];
      Object.assign(metadata, writeTimeMetadata(writeTime()), request.access ? accessMetadata(request.access) : {});
      const lock = encodeLock(request.lock);
      if (lock !== '') metadata[LOCK_KEY] = lock;
      if (tags.length > 0) metadata[TAGS_KEY] = await this.tags.write(target.bucket, target.key, tags);
      const context = { bucket: target.bucket, key: target.key };
      await this.http
        .objectCall({
          method: 'PATCH',
          path: objectPath(target.bucket, target.key),
          query: { 'set-new-custom': 'true' },
          json: { action: 'set-custom', value: metadata },
          context,
        })
        .catch(async (err: unknown) => {
          await this.http.objectCallUnlessMissing({ method: 'DELETE', path: objectPath(target.bucket, target.key), context });
          throw err;
        });
      return this.head(target.bucket, target.key);
    }
    const read = await this.get(source.bucket, source.key, source.versionId, () => undefined);
    const stream = Buffer.isBuffer(read.body) ? Readable.from([read.body]) : read.body;
    const passed = new PassThrough();
    connectStreams([stream, passed]);
    const copied: IncomingBody = {
      stream: passed,
      // The bytes come from AIS itself; AIS's MD5 of the copy is checked against the source's in put().
      verify: () => Promise.resolve({ size: info.size, md5Hex: md5 ?? '', checksums: {} }),
    };
    const kept = request.replaceAttributes ?? { content: info.content, userMetadata: info.userMetadata };
    const attributes = { content: kept.content, userMetadata: kept.userMetadata, tags, access: request.access, lock: request.lock };
    return this.put(target.bucket, target.key, attributes, copied, info.checksumType === 'COMPOSITE' ? {} : info.checksums);
  }
}
