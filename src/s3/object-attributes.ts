/**
 * GetObjectAttributes (`GET /bucket/key?attributes`): its request headers and its answer document, as the S3 API
 * reference and the SDKs' models define them. The service (src/objects/objects.service.ts) finds the object.
 *
 * Which elements appear:
 * - only the attributes named in `x-amz-object-attributes`;
 * - `ETag` unquoted (unlike every other S3 answer), `-N` suffixed for a multipart object;
 * - `Checksum` only when the object has a flexible checksum, with its `ChecksumType`; a COMPOSITE value without
 *   the `-N` suffix HeadObject gives it;
 * - `ObjectParts` only for a multipart object. S3 lists its `Part`s (with the paging elements) only when the
 *   upload used a checksum algorithm (API_GetObjectAttributesParts: without an additional checksum "the response
 *   doesn't return the Part element"); otherwise `PartsCount` alone. The XML name of the SDKs' TotalPartsCount
 *   is `PartsCount`, and `Part` is not wrapped.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Checksums, ObjectInfo } from '../ais/store';
import { CHECKSUM_ALGORITHMS } from './checksum';
import { S3Error } from './errors';
import { headerValue } from './headers';
import type { XmlElement } from './xml';

export const OBJECT_ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
export type ObjectAttributeName = (typeof OBJECT_ATTRIBUTES)[number];

/** What the request asks for. */
export interface AttributesRequest {
  attributes: ReadonlySet<ObjectAttributeName>;
  /** 0..1000 (larger values are capped, as ListParts caps them). */
  maxParts: number;
  /** Parts after this number are listed; 0 lists from the first. */
  partNumberMarker: number;
}

const MAX_PARTS = 1000;
const MAX_INT = 2 ** 31 - 1;

/** The list the SDKs send comma-separated (`ETag,ObjectSize`, or `ETag, ObjectSize` once headers are joined). */
export function parseObjectAttributes(value: string | undefined): Set<ObjectAttributeName> {
  const names = (value ?? '').split(',').map((name) => name.trim());
  if (names.every((name) => name === '')) {
    throw new S3Error('InvalidArgument', 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty', {
      ArgumentName: 'x-amz-object-attributes',
    });
  }
  const attributes = new Set<ObjectAttributeName>();
  for (const name of names) {
    if (!(OBJECT_ATTRIBUTES as readonly string[]).includes(name)) {
      throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', { ArgumentName: 'x-amz-object-attributes', ArgumentValue: name });
    }
    attributes.add(name as ObjectAttributeName);
  }
  return attributes;
}

function nonNegativeInteger(headers: IncomingHttpHeaders, name: string, fallback: number): number {
  const raw = headerValue(headers, name)?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_INT) {
    throw new S3Error('InvalidArgument', `Provided ${name.replace(/^x-amz-/, '')} not an integer or within integer range`, {
      ArgumentName: name,
      ArgumentValue: raw,
    });
  }
  return Number(raw);
}

export function parseAttributesRequest(headers: IncomingHttpHeaders): AttributesRequest {
  return {
    attributes: parseObjectAttributes(headerValue(headers, 'x-amz-object-attributes')),
    maxParts: Math.min(nonNegativeInteger(headers, 'x-amz-max-parts', MAX_PARTS), MAX_PARTS),
    partNumberMarker: nonNegativeInteger(headers, 'x-amz-part-number-marker', 0),
  };
}

function checksumElements(checksums: Checksums, stripPartCount: boolean): XmlElement {
  const out: XmlElement = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = checksums[algorithm];
    if (value !== undefined) out[`Checksum${algorithm}`] = stripPartCount ? value.replace(/-\d+$/, '') : value;
  }
  return out;
}

/** The number of parts of a multipart object: its part sizes, or else the `-N` of its ETag; undefined for a plain object. */
export function partsCountOf(info: ObjectInfo): number | undefined {
  if (info.partSizes !== undefined) return info.partSizes.length;
  const suffix = /-(\d+)$/.exec(info.etag);
  return suffix === null ? undefined : Number(suffix[1]);
}

function objectParts(info: ObjectInfo, request: AttributesRequest): XmlElement | undefined {
  const count = partsCountOf(info);
  if (count === undefined) return undefined;
  const { partSizes, partChecksums } = info;
  const listable =
    Object.keys(info.checksums).length > 0 && partSizes !== undefined && partChecksums !== undefined && partChecksums.length === partSizes.length;
  if (!listable) return { PartsCount: count };
  const first = Math.min(request.partNumberMarker, count);
  const last = Math.min(first + request.maxParts, count);
  const parts: XmlElement[] = [];
  for (let index = first; index < last; index += 1) {
    parts.push({ PartNumber: index + 1, Size: partSizes[index], ...checksumElements(partChecksums[index], false) });
  }
  return {
    PartsCount: count,
    PartNumberMarker: request.partNumberMarker,
    NextPartNumberMarker: last > first ? last : request.partNumberMarker,
    MaxParts: request.maxParts,
    IsTruncated: last < count,
    Part: parts,
  };
}

/** The `GetObjectAttributesResponse` document's content, elements in the order of S3's model. */
export function objectAttributesDocument(info: ObjectInfo, request: AttributesRequest): XmlElement {
  const wanted = request.attributes;
  const document: XmlElement = {};
  if (wanted.has('ETag')) document.ETag = info.etag;
  if (wanted.has('Checksum') && Object.keys(info.checksums).length > 0) {
    const composite = info.checksumType === 'COMPOSITE';
    document.Checksum = { ...checksumElements(info.checksums, composite), ChecksumType: info.checksumType ?? 'FULL_OBJECT' };
  }
  if (wanted.has('ObjectParts')) document.ObjectParts = objectParts(info, request);
  if (wanted.has('StorageClass')) document.StorageClass = 'STANDARD';
  if (wanted.has('ObjectSize')) document.ObjectSize = info.size;
  return document;
}
