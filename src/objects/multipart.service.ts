import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { OBJECT_STORE, ObjectStore, ChecksumType, Checksums, CompletedPart, MultipartChecksum, MultipartUpload, PartInfo } from '../ais/store';
import { assertChecksumType, assertPartNumber, defaultChecksumType, MAX_PART_BYTES } from '../s3/multipart-rules';
import { encodeForListing, parseMaxKeys } from '../buckets/list-params';
import type { Owner } from '../access/principal';
import { AclService } from '../access/acl/acl.service';
import { bucketOwnerOf } from '../s3/acl';
import { incomingBody, readSmallBody } from '../s3/body';
import { CHECKSUM_ALGORITHMS, ChecksumAlgorithm, checksumHeader, parseAlgorithm } from '../s3/checksum';
import { checkCopySourceConditions, writeConditionOf } from '../s3/conditions';
import { S3Error } from '../s3/errors';
import { attributesOf, integrityHeaders, quotedEtag } from '../s3/object-headers';
import { withRequestedTags } from '../tagging/tag-set';
import { emptyResponse, S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { childElement, childElements, MAX_REQUEST_XML_BYTES, parseXml, textOf, XmlElement } from '../s3/xml';
import { copySourceFailure, parseCopySource } from './copy-source';
import { assertValidKey, bucketAndKey } from './object-address';
import { writeResponseHeaders } from './objects.service';
import { headerValue } from '../s3/headers';
import { ObjectLocks } from '../object-lock/object-locks';

/** `ChecksumCRC32` and friends: the XML element of each algorithm. */
function checksumElement(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

function checksumElements(checksums: Checksums): XmlElement {
  const out: XmlElement = {};
  for (const [algorithm, value] of Object.entries(checksums)) out[checksumElement(algorithm as ChecksumAlgorithm)] = value;
  return out;
}

function uploadIdOf(request: S3Request): string {
  const uploadId = request.query.uploadId;
  if (!uploadId) throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId ?? '' });
  return uploadId;
}

/** `x-amz-checksum-algorithm` and `x-amz-checksum-type` of CreateMultipartUpload. */
function requestedChecksum(request: S3Request): MultipartChecksum | undefined {
  const name = headerValue(request.headers, 'x-amz-checksum-algorithm');
  const typeName = headerValue(request.headers, 'x-amz-checksum-type')?.toUpperCase();
  if (name === undefined) {
    if (typeName !== undefined) throw new S3Error('InvalidRequest', 'x-amz-checksum-type requires x-amz-checksum-algorithm.');
    return undefined;
  }
  const algorithm = parseAlgorithm(name);
  if (algorithm === undefined) throw new S3Error('InvalidRequest', `Checksum algorithm ${name} is not supported.`);
  if (typeName !== undefined && typeName !== 'COMPOSITE' && typeName !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', `Checksum type ${typeName} is not supported.`);
  }
  const type: ChecksumType = typeName ?? defaultChecksumType(algorithm);
  assertChecksumType(algorithm, type);
  return { algorithm, type };
}

function checksumHeaders(checksum: MultipartChecksum | undefined): NonNullable<S3Response['headers']> {
  return checksum ? { 'x-amz-checksum-algorithm': checksum.algorithm, 'x-amz-checksum-type': checksum.type } : {};
}

/**
 * CompleteMultipartUpload's body, the part list. Its `x-amz-checksum-*` headers are the object's checksum
 * (FULL_OBJECT or COMPOSITE), checked against the parts, not a checksum of the XML: the body is read without them.
 */
function completeRequestBody(request: S3Request): Promise<Buffer> {
  const objectChecksumHeaders = new Set(CHECKSUM_ALGORITHMS.map(checksumHeader));
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !objectChecksumHeaders.has(name)));
  return readSmallBody({ raw: request.raw, headers, auth: request.auth }, MAX_REQUEST_XML_BYTES);
}

function parseCompletedParts(text: string): CompletedPart[] {
  const root = childElement(parseXml(text, ['Part']), 'CompleteMultipartUpload');
  if (root === undefined) throw new S3Error('MalformedXML');
  return childElements(root, 'Part').map((part) => {
    const number = textOf(part.PartNumber);
    const etag = textOf(part.ETag);
    if (number === undefined || !/^\d+$/.test(number) || etag === undefined) throw new S3Error('MalformedXML');
    const checksums: Checksums = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = textOf(part[checksumElement(algorithm)]);
      if (value !== undefined) checksums[algorithm] = value;
    }
    return { partNumber: Number(number), etag, checksums };
  });
}

function partEntry(part: PartInfo): XmlElement {
  return {
    PartNumber: part.partNumber,
    LastModified: part.lastModified.toISOString(),
    ETag: quotedEtag(part.etag),
    Size: part.size,
    ...checksumElements(part.checksums),
  };
}

function uploadEntry(upload: MultipartUpload, urlEncoded: boolean, owner: Owner): XmlElement {
  return {
    Key: encodeForListing(upload.key, urlEncoded),
    UploadId: upload.uploadId,
    // The initiator is not kept: with the bucket owner owning every object, both show the bucket owner.
    Initiator: owner,
    Owner: owner,
    StorageClass: 'STANDARD',
    Initiated: upload.initiated.toISOString(),
    ChecksumAlgorithm: upload.checksum?.algorithm,
    ChecksumType: upload.checksum?.type,
  };
}

/** `x-amz-copy-source-range: bytes=first-last`, which must lie inside the source. */
function copySourceRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (match === null || Number(match[1]) > Number(match[2])) {
    throw new S3Error(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      { ArgumentName: 'x-amz-copy-source-range' },
    );
  }
  const range = { start: Number(match[1]), end: Number(match[2]) };
  if (range.end >= size) throw new S3Error('InvalidRange', undefined, { RangeRequested: header, ActualObjectSize: String(size) });
  return range;
}

/** The S3 multipart upload operations; upload state lives in the backend (docs/architecture.md, "The store interface"). */
@Injectable()
export class MultipartService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly acl: AclService,
    private readonly locks: ObjectLocks,
  ) {}

  async createMultipartUpload(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    assertValidKey(key);
    const attributes = withRequestedTags(attributesOf(request.headers), request.headers);
    attributes.access = await this.acl.objectAccessForWrite(request);
    // The completed object gets this lock (S3 asks for no Content-MD5 here: the parts carry the bytes).
    const lock = await this.locks.lockForWrite(request, bucket, false);
    if (lock !== undefined) attributes.lock = lock;
    const upload = await this.store.createMultipartUpload(bucket, key, attributes, requestedChecksum(request));
    const response = xmlResponse('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: upload.uploadId });
    return { ...response, headers: { ...response.headers, ...checksumHeaders(upload.checksum) } };
  }

  async uploadPart(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const partNumber = assertPartNumber(request.query.partNumber);
    const part = await this.store.uploadPart(bucket, key, uploadIdOf(request), partNumber, (upload) =>
      incomingBody(request, { maxBytes: MAX_PART_BYTES, requiredChecksum: upload.checksum?.algorithm }),
    );
    return emptyResponse(200, integrityHeaders(part.etag, part.checksums));
  }

  async uploadPartCopy(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const partNumber = assertPartNumber(request.query.partNumber);
    const source = parseCopySource(headerValue(request.headers, 'x-amz-copy-source') as string);
    const read = await this.store
      .getObject(source.bucket, source.key, source.versionId, (info) => {
        checkCopySourceConditions(info, request.headers);
        return copySourceRange(headerValue(request.headers, 'x-amz-copy-source-range'), info.size);
      })
      .catch(copySourceFailure);
    const length = read.range ? read.range.end - read.range.start + 1 : read.info.size;
    const bytes = Buffer.isBuffer(read.body) ? Readable.from([read.body]) : read.body;
    const part = await this.store
      .uploadPart(bucket, key, uploadIdOf(request), partNumber, (upload) =>
        incomingBody({ raw: bytes, headers: { 'content-length': String(length) } }, { maxBytes: MAX_PART_BYTES, requiredChecksum: upload.checksum?.algorithm }),
      )
      .finally(() => bytes.destroy());
    const response = xmlResponse('CopyPartResult', {
      LastModified: part.lastModified.toISOString(),
      ETag: quotedEtag(part.etag),
      ...checksumElements(part.checksums),
    });
    const headers = source.versionId !== undefined ? { 'x-amz-copy-source-version-id': source.versionId } : {};
    return { ...response, headers: { ...response.headers, ...headers } };
  }

  async completeMultipartUpload(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const condition = writeConditionOf(request.headers, 'write');
    const parts = parseCompletedParts((await completeRequestBody(request)).toString('utf8'));
    const objectChecksum = CHECKSUM_ALGORITHMS.map((algorithm) => headerValue(request.headers, checksumHeader(algorithm))).find((value) => value !== undefined);
    const info = await this.store.completeMultipartUpload(bucket, key, uploadIdOf(request), {
      parts,
      objectChecksum,
      condition,
      guard: await this.locks.writeGuard(bucket),
    });
    const response = xmlResponse('CompleteMultipartUploadResult', {
      Location: `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      Bucket: bucket,
      Key: key,
      ETag: quotedEtag(info.etag),
      ...checksumElements(info.checksums),
      ChecksumType: info.checksumType,
    });
    const headers = writeResponseHeaders(info);
    delete headers.etag;
    return { ...response, headers: { ...response.headers, ...headers } };
  }

  async abortMultipartUpload(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    await this.store.abortMultipartUpload(bucket, key, uploadIdOf(request));
    return emptyResponse(204);
  }

  async listParts(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const uploadId = uploadIdOf(request);
    const marker = request.query['part-number-marker'];
    // 0 is the marker before the first part, as ListParts' own NextPartNumberMarker says when nothing was listed.
    const partNumberMarker = marker === undefined || marker === '' || marker === '0' ? 0 : assertPartNumber(marker);
    const maxParts = parseMaxKeys(request.query, 'max-parts');
    const page = await this.store.listParts(bucket, key, uploadId, { partNumberMarker, maxParts });
    return xmlResponse('ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumberMarker: partNumberMarker,
      NextPartNumberMarker: page.parts.at(-1)?.partNumber ?? partNumberMarker,
      MaxParts: maxParts,
      IsTruncated: page.isTruncated,
      Part: page.parts.map(partEntry),
      Initiator: bucketOwnerOf(request),
      Owner: bucketOwnerOf(request),
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: page.upload.checksum?.algorithm,
      ChecksumType: page.upload.checksum?.type,
    });
  }

  async listMultipartUploads(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const { query } = request;
    const encoding = query['encoding-type'];
    if (encoding !== undefined && encoding !== 'url')
      throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type' });
    const urlEncoded = encoding === 'url';
    const prefix = query.prefix ?? '';
    const delimiter = query.delimiter || undefined;
    const keyMarker = query['key-marker'] || undefined;
    const uploadIdMarker = keyMarker !== undefined ? query['upload-id-marker'] || undefined : undefined;
    const maxUploads = parseMaxKeys(query, 'max-uploads');
    const page = await this.store.listMultipartUploads(bucket, { prefix, delimiter, keyMarker, uploadIdMarker, maxUploads });
    const last = page.uploads.at(-1);
    const lastPrefix = page.commonPrefixes.at(-1);
    const nextKeyMarker = page.isTruncated ? maxString(last?.key, lastPrefix) : undefined;
    return xmlResponse('ListMultipartUploadsResult', {
      Bucket: bucket,
      KeyMarker: encodeForListing(keyMarker ?? '', urlEncoded),
      UploadIdMarker: uploadIdMarker ?? '',
      NextKeyMarker: nextKeyMarker !== undefined ? encodeForListing(nextKeyMarker, urlEncoded) : undefined,
      NextUploadIdMarker: page.isTruncated && nextKeyMarker === last?.key ? last?.uploadId : undefined,
      Prefix: encodeForListing(prefix, urlEncoded),
      Delimiter: delimiter !== undefined ? encodeForListing(delimiter, urlEncoded) : undefined,
      MaxUploads: maxUploads,
      IsTruncated: page.isTruncated,
      Upload: page.uploads.map((upload) => uploadEntry(upload, urlEncoded, bucketOwnerOf(request))),
      CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encodeForListing(common, urlEncoded) })),
      EncodingType: urlEncoded ? 'url' : undefined,
    });
  }
}

/** The later of two listing entries in UTF-8 byte order (undefined counts as earliest). */
function maxString(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}
