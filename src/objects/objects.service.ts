import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, ObjectStore, ByteRange, NULL_VERSION, ObjectInfo, ObjectRead, type TagSet } from '../ais/store';
import { LifecycleExpiry } from '../lifecycle/lifecycle-expiry';
import { assertPartNumber } from '../s3/multipart-rules';
import { AclService } from '../access/acl/acl.service';
import { incomingBody } from '../s3/body';
import { checkReadConditions, writeConditionOf } from '../s3/conditions';
import { S3Error } from '../s3/errors';
import { attributesOf, integrityHeaders, objectResponseHeaders, RESPONSE_OVERRIDES } from '../s3/object-headers';
import { contentRange, parseRange } from '../s3/range';
import { objectAttributesDocument, parseAttributesRequest } from '../s3/object-attributes';
import { emptyResponse, S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { assertValidKey, bucketAndKey, requestedVersion } from './object-address';
import { headerValue } from '../s3/headers';
import { withRequestedTags } from '../tagging/tag-set';
import { ObjectLocks } from '../object-lock/object-locks';

function checksumsEnabled(request: S3Request): boolean {
  return headerValue(request.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
}

/** Headers a PUT (or copy) answers with: the ETag, the version, and the checksums that were verified. */
export function writeResponseHeaders(info: ObjectInfo): NonNullable<S3Response['headers']> {
  const headers = integrityHeaders(info.etag, info.checksums);
  if (info.versionId !== NULL_VERSION) headers['x-amz-version-id'] = info.versionId;
  return headers;
}

/**
 * The bytes a GET or HEAD asks for: a `Range`, or `?partNumber=N`, the Nth part of a multipart object (a
 * plain object is its own part 1), as S3 serves them.
 */
function requestedRange(request: S3Request, info: ObjectInfo): ByteRange | undefined {
  const partNumber = request.query.partNumber;
  if (partNumber === undefined) return parseRange(headerValue(request.headers, 'range'), info.size);
  if (headerValue(request.headers, 'range') !== undefined)
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  const number = assertPartNumber(partNumber);
  const sizes = info.partSizes ?? [info.size];
  if (number > sizes.length) throw new S3Error('InvalidPartNumber');
  const start = sizes.slice(0, number - 1).reduce((sum, size) => sum + size, 0);
  if (sizes[number - 1] === 0) return undefined;
  return { start, end: start + sizes[number - 1] - 1 };
}

/** Headers that let a GET fail or narrow it once the object's metadata is known. */
const READ_SHAPING_HEADERS = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];

/** Whether the GET reads the whole object whatever its metadata (ReadPlanner.readsWholeObject). */
function readsWholeObject(request: S3Request): boolean {
  return request.query.partNumber === undefined && READ_SHAPING_HEADERS.every((name) => request.headers[name] === undefined);
}

@Injectable()
export class ObjectsService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly acl: AclService,
    private readonly expiry: LifecycleExpiry,
    private readonly locks: ObjectLocks,
  ) {}

  /** Adds `x-amz-expiration` to `headers` when a lifecycle rule will expire this current object. */
  private async addExpiration(headers: NonNullable<S3Response['headers']>, bucket: string, info: ObjectInfo, tags?: TagSet): Promise<void> {
    const expiration = await this.expiry.headerFor(bucket, info, tags);
    if (expiration !== undefined) headers['x-amz-expiration'] = expiration;
  }

  async putObject(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    assertValidKey(key);
    const attributes = withRequestedTags(attributesOf(request.headers), request.headers);
    attributes.access = await this.acl.objectAccessForWrite(request);
    const lock = await this.locks.lockForWrite(request, bucket, true);
    if (lock !== undefined) attributes.lock = lock;
    const condition = writeConditionOf(request.headers, 'write');
    const body = incomingBody(request);
    const info = await this.store.putObject(bucket, key, attributes, body, condition, await this.locks.writeGuard(bucket));
    const headers = writeResponseHeaders(info);
    if (this.expiry.mayExpire(bucket)) await this.addExpiration(headers, bucket, info, attributes.tags ?? []);
    return emptyResponse(200, headers);
  }

  async getObject(request: S3Request): Promise<S3Response> {
    const read = await this.read(request);
    const { info, range } = read;
    const headers = objectResponseHeaders(info, checksumsEnabled(request) && range === undefined);
    if (requestedVersion(request) === undefined && this.expiry.mayExpire(request.bucket as string))
      await this.addExpiration(headers, request.bucket as string, info);
    for (const [param, name] of RESPONSE_OVERRIDES) {
      const value = request.query[param];
      if (value !== undefined) headers[name] = value;
    }
    if (range === undefined) {
      headers['content-length'] = info.size;
      return { status: 200, headers, body: read.body };
    }
    headers['content-length'] = range.end - range.start + 1;
    headers['content-range'] = contentRange(range, info.size);
    return { status: 206, headers, body: read.body };
  }

  async headObject(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const info = await this.store.headObject(bucket, key, requestedVersion(request));
    checkReadConditions(info, request.headers);
    const headers = objectResponseHeaders(info, checksumsEnabled(request));
    if (requestedVersion(request) === undefined && this.expiry.mayExpire(bucket)) await this.addExpiration(headers, bucket, info);
    const range = requestedRange(request, info);
    if (range === undefined) {
      headers['content-length'] = info.size;
      return { status: 200, headers };
    }
    headers['content-length'] = range.end - range.start + 1;
    headers['content-range'] = contentRange(range, info.size);
    return { status: 206, headers };
  }

  /**
   * GetObjectAttributes: the parameters are checked before the object is looked up. The conditional headers count as
   * on a HEAD (the API reference's "Conditional request headers").
   */
  async getObjectAttributes(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const versionId = requestedVersion(request);
    const wanted = parseAttributesRequest(request.headers);
    const info = await this.store.headObject(bucket, key, versionId);
    checkReadConditions(info, request.headers);
    const response = xmlResponse('GetObjectAttributesResponse', objectAttributesDocument(info, wanted));
    response.headers = { ...response.headers, 'last-modified': info.lastModified.toUTCString() };
    if (info.versionId !== NULL_VERSION) response.headers['x-amz-version-id'] = info.versionId;
    return response;
  }

  async deleteObject(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const versionId = requestedVersion(request);
    const condition = writeConditionOf(request.headers, 'delete');
    const result = await this.store.deleteObject(bucket, key, versionId, condition, (await this.locks.deleteGuards(request, bucket))(versionId));
    const headers: Record<string, string> = {};
    if (result.versionId !== undefined) headers['x-amz-version-id'] = result.versionId;
    if (result.deleteMarker === true) headers['x-amz-delete-marker'] = 'true';
    return emptyResponse(204, headers);
  }

  getObjectAcl(request: S3Request): Promise<S3Response> {
    requestedVersion(request);
    return this.acl.getObjectAcl(request);
  }

  putObjectAcl(request: S3Request): Promise<S3Response> {
    requestedVersion(request);
    return this.acl.putObjectAcl(request);
  }

  private read(request: S3Request): Promise<ObjectRead> {
    const { bucket, key } = bucketAndKey(request);
    const plan = (info: ObjectInfo): ByteRange | undefined => {
      checkReadConditions(info, request.headers);
      return requestedRange(request, info);
    };
    return this.store.getObject(bucket, key, requestedVersion(request), Object.assign(plan, { readsWholeObject: readsWholeObject(request) }));
  }
}
