import type { IncomingHttpHeaders } from 'node:http';
import { algorithmOfHeader, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, digestBytes } from '../../s3/checksum';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import type { Checksums, ChecksumType, MultipartChecksum, ObjectAttributes, VersionId } from '../store';
import {
  CONTENT_TIE_KEY,
  CUSTOM_METADATA_LIMIT,
  customMetadataLines,
  TAGS_KEY,
  TAGS_METADATA_BYTES,
  VERSION_ID_KEY,
  WRITE_TIME_METADATA_BYTES,
  writeTimeMetadata,
} from './custom-metadata';

/**
 * What a multipart object keeps in AIS custom metadata beside its S3 attributes (custom-metadata.ts), and
 * what a staged part keeps. AIS limits an object's custom metadata to 2 KiB, counted as the sum of key and
 * value lengths (`cmn.ValidateCustomMD` in AIS v1.5.0), so these entries are compact.
 *
 * - `ETag`: S3's multipart ETag, `<md5 of the part md5s>-N`. AIS itself uses this key: its HEAD answers it
 *   as `Etag`, and its listing puts it first in an entry's `custom-md`, so a listing can read it unambiguously.
 * - `s3-part-sizes`: each part's size, run-length encoded (`8388608*127,1234`), for `partNumber=` reads.
 * - `s3-checksum`: `<algorithm>:<type>:<value>`, the object's COMPOSITE or FULL_OBJECT checksum.
 * - `s3-part-checksums`: each part's checksum in that algorithm, for GetObjectAttributes: the parts' binary
 *   digests one after the other, base64 (CRC32: about 5.4 bytes a part, SHA256: about 43). Kept only when it fits
 *   beside everything else; an object without it answers without per-part checksums.
 * - `s3-of`: AIS's own checksum of the object when it was completed. A plain PUT over the object keeps the
 *   custom keys it does not set (AIS merges custom metadata on PUT), so the entries above count only while
 *   AIS's checksum is still this one.
 */
export const ETAG_KEY = 'ETag';
export const PART_SIZES_KEY = 's3-part-sizes';
export const CHECKSUM_KEY = 's3-checksum';
export const PART_CHECKSUMS_KEY = 's3-part-checksums';

/**
 * What the entries above (and a version id) need at most, apart from the part sizes beyond one short run:
 * kept free when an upload is created.
 */
const MULTIPART_ENTRIES_BYTES =
  ETAG_KEY.length +
  38 +
  CHECKSUM_KEY.length +
  80 +
  CONTENT_TIE_KEY.length +
  64 +
  PART_SIZES_KEY.length +
  24 +
  VERSION_ID_KEY.length +
  24 +
  WRITE_TIME_METADATA_BYTES;

const MULTIPART_ETAG = /^[0-9a-f]{32}-\d{1,5}$/;

/** Custom metadata as AIS stores it: key to value. */
export type CustomMetadata = Record<string, string>;

export function customMetadataBytes(metadata: CustomMetadata): number {
  return Object.entries(metadata).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

/** The custom metadata a plain PUT would give an object with these attributes (same encoding, same keys). */
export function attributesMetadata(attributes: ObjectAttributes): CustomMetadata {
  const metadata: CustomMetadata = {};
  for (const line of customMetadataLines(attributes)) {
    const at = line.indexOf('=');
    metadata[line.slice(0, at)] = line.slice(at + 1);
  }
  return metadata;
}

/** At CreateMultipartUpload: the attributes must leave room for the multipart entries (MetadataTooLarge). */
export function checkAttributesFit(attributes: ObjectAttributes): void {
  const tagReference = attributes.tags !== undefined && attributes.tags.length > 0 ? TAGS_METADATA_BYTES : 0;
  if (customMetadataBytes(attributesMetadata(attributes)) + MULTIPART_ENTRIES_BYTES + tagReference > CUSTOM_METADATA_LIMIT) {
    throw new S3Error(
      'MetadataTooLarge',
      `With multipart upload the AIS backend keeps at most ${CUSTOM_METADATA_LIMIT - MULTIPART_ENTRIES_BYTES} bytes of metadata (names and values).`,
    );
  }
}

/** `8388608*127,1234`: runs of equal sizes as `size*count`, single sizes as they are. */
export function encodePartSizes(sizes: readonly number[]): string {
  const runs: string[] = [];
  for (let at = 0; at < sizes.length;) {
    let end = at + 1;
    while (end < sizes.length && sizes[end] === sizes[at]) end += 1;
    runs.push(end - at === 1 ? String(sizes[at]) : `${sizes[at]}*${end - at}`);
    at = end;
  }
  return runs.join(',');
}

/** The sizes back; undefined for a value that is not an encoding of at least one size. */
export function decodePartSizes(value: string): number[] | undefined {
  if (!/^\d+(\*\d+)?(,\d+(\*\d+)?)*$/.test(value)) return undefined;
  const sizes: number[] = [];
  for (const run of value.split(',')) {
    const [size, count = '1'] = run.split('*');
    if (Number(count) < 1 || sizes.length + Number(count) > 10000) return undefined;
    for (let i = 0; i < Number(count); i += 1) sizes.push(Number(size));
  }
  return sizes;
}

/** The parts' checksums (base64, one algorithm) as one value: their digests concatenated, base64. */
export function encodePartChecksums(values: readonly string[]): string {
  return Buffer.concat(values.map((value) => Buffer.from(value, 'base64'))).toString('base64');
}

/** The parts' checksums back; undefined unless the value holds exactly `count` digests of the algorithm. */
export function decodePartChecksums(value: string, algorithm: ChecksumAlgorithm, count: number): Checksums[] | undefined {
  const bytes = Buffer.from(value, 'base64');
  const size = digestBytes(algorithm);
  if (bytes.toString('base64') !== value || bytes.length !== size * count) return undefined;
  const checksums: Checksums[] = [];
  for (let at = 0; at < bytes.length; at += size) checksums.push({ [algorithm]: bytes.subarray(at, at + size).toString('base64') });
  return checksums;
}

export interface CompletedObjectFacts {
  etag: string;
  partSizes: number[];
  /** Each part's checksum in the upload's algorithm, in order (when the upload has one). */
  partChecksums?: string[];
  checksum?: MultipartChecksum & { value: string };
  /** The S3 version id (versioning Enabled), kept as a plain PUT keeps it. */
  versionId?: VersionId;
  /** The write time (custom-metadata.ts writeTime()), kept as a plain PUT keeps it. */
  lastModified: Date;
  /** The reference to the tags of CreateMultipartUpload's x-amz-tagging (object-tags.ts); absent or '': none. */
  tags?: string;
}

/**
 * The whole custom metadata of a completed multipart object, without `s3-of` (known only once AIS has the
 * object). When the part sizes do not fit in what the attributes leave free (many parts of differing sizes),
 * they are left out and the object reads as a single part for `partNumber=`. The parts' checksums come last,
 * only with the sizes and only when they fit too.
 */
export function completedObjectMetadata(
  attributes: ObjectAttributes,
  facts: CompletedObjectFacts,
): { metadata: CustomMetadata; partSizesKept: boolean; partChecksumsKept: boolean } {
  const metadata: CustomMetadata = { ...attributesMetadata(attributes), [ETAG_KEY]: facts.etag };
  if (facts.checksum !== undefined) metadata[CHECKSUM_KEY] = `${facts.checksum.algorithm}:${facts.checksum.type}:${facts.checksum.value}`;
  if (facts.versionId !== undefined) metadata[VERSION_ID_KEY] = facts.versionId;
  Object.assign(metadata, writeTimeMetadata(facts.lastModified));
  if (facts.tags !== undefined && facts.tags !== '') metadata[TAGS_KEY] = facts.tags;
  const sizes = encodePartSizes(facts.partSizes);
  const room = CUSTOM_METADATA_LIMIT - customMetadataBytes(metadata) - (CONTENT_TIE_KEY.length + 64);
  const partSizesKept = PART_SIZES_KEY.length + sizes.length <= room;
  if (partSizesKept) metadata[PART_SIZES_KEY] = sizes;
  let partChecksumsKept = false;
  if (partSizesKept && facts.partChecksums !== undefined) {
    const checksums = encodePartChecksums(facts.partChecksums);
    partChecksumsKept = PART_SIZES_KEY.length + sizes.length + PART_CHECKSUMS_KEY.length + checksums.length <= room;
    if (partChecksumsKept) metadata[PART_CHECKSUMS_KEY] = checksums;
  }
  return { metadata, partSizesKept, partChecksumsKept };
}

/** What a multipart object's custom metadata says about it, S3-wise. */
export interface MultipartFacts {
  etag: string;
  partSizes?: number[];
  partChecksums?: Checksums[];
  checksums: Checksums;
  checksumType?: ChecksumType;
}

function customEntries(lines: string | string[] | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of lines === undefined ? [] : Array.isArray(lines) ? lines : [lines]) {
    const at = line.indexOf('=');
    if (at > 0) entries.set(line.slice(0, at), line.slice(at + 1));
  }
  return entries;
}

function checksumOf(value: string | undefined): { checksums: Checksums; checksumType?: ChecksumType } {
  const match = value === undefined ? null : /^([A-Z0-9]+):(COMPOSITE|FULL_OBJECT):([A-Za-z0-9+/=]+(?:-\d+)?)$/.exec(value);
  if (match === null || !CHECKSUM_ALGORITHMS.includes(match[1] as ChecksumAlgorithm)) return { checksums: {} };
  return { checksums: { [match[1]]: match[3] }, checksumType: match[2] as ChecksumType };
}

/**
 * The multipart facts of an object from the headers of AIS's HEAD (`Ais-Custom-Md` lines and its checksum);
 * undefined for an object that is not a multipart object completed by the gateway, or that was overwritten since.
 */
export function multipartFactsOfHead(headers: IncomingHttpHeaders): MultipartFacts | undefined {
  const entries = customEntries(headers['ais-custom-md']);
  const etag = entries.get(ETAG_KEY);
  if (etag === undefined || !MULTIPART_ETAG.test(etag) || entries.get(CONTENT_TIE_KEY) !== headerValue(headers, 'ais-checksum-value')) return undefined;
  const sizesValue = entries.get(PART_SIZES_KEY);
  const partSizes = sizesValue === undefined ? undefined : decodePartSizes(sizesValue);
  const checksum = checksumOf(entries.get(CHECKSUM_KEY));
  const algorithm = Object.keys(checksum.checksums)[0] as ChecksumAlgorithm | undefined;
  const checksumsValue = entries.get(PART_CHECKSUMS_KEY);
  const partChecksums =
    partSizes === undefined || algorithm === undefined || checksumsValue === undefined
      ? undefined
      : decodePartChecksums(checksumsValue, algorithm, partSizes.length);
  return partChecksums === undefined ? { etag, partSizes, ...checksum } : { etag, partSizes, partChecksums, ...checksum };
}

/**
 * The multipart ETag of a listed object. AIS prints an entry's custom metadata as `[k1:v1 k2:v2]`, values
 * unescaped, with its own keys (`ETag` among them) first and the rest in random order: the ETag is read from
 * the front, and `s3-of` must equal the listed checksum (values of the gateway's keys hold no space).
 */
export function multipartEtagOfListed(custom: string | undefined, checksum: string | undefined): string | undefined {
  if (custom === undefined || checksum === undefined) return undefined;
  const etag = /^\[(?:source:\S* )?ETag:([0-9a-f]{32}-\d{1,5})[ \]]/.exec(custom)?.[1];
  if (etag === undefined || !custom.includes(` ${CONTENT_TIE_KEY}:${checksum}`)) return undefined;
  const next = custom.charAt(custom.indexOf(` ${CONTENT_TIE_KEY}:${checksum}`) + CONTENT_TIE_KEY.length + checksum.length + 2);
  return next === ' ' || next === ']' ? etag : undefined;
}

const LISTED_PART_CHECKSUM = /(?:^\[| )(x-amz-checksum-[a-z0-9]+):([A-Za-z0-9+/=]+)(?= |\]$)/g;

/**
 * The flexible checksums of a listed staged part (`[x-amz-checksum-crc32:AAAA== s3-of:<md5>]`): a staged
 * part is written like any object (objects.ts put() keeps the checksums it verified under their header
 * names, base64, which holds no space or colon). Checksums added after the upload name AIS's checksum of
 * the bytes they describe in `s3-of`; if the part was replaced since, they are not its own.
 */
export function partChecksumsOfListed(custom: string | undefined, checksum: string): Checksums {
  const checksums: Checksums = {};
  const of = new RegExp(`(?:^\\[| )${CONTENT_TIE_KEY}:([0-9a-f]*)(?= |\\]$)`).exec(custom ?? '')?.[1];
  if (of !== undefined && of !== checksum) return checksums;
  for (const match of (custom ?? '').matchAll(LISTED_PART_CHECKSUM)) {
    const algorithm = algorithmOfHeader(match[1]);
    if (algorithm !== undefined) checksums[algorithm] = match[2];
  }
  return checksums;
}

const RECORD_ALGORITHM_KEY = 's3-checksum-algorithm';
const RECORD_TYPE_KEY = 's3-checksum-type';

/** An upload record keeps its checksum algorithm and type in custom metadata too, so that a listing of records (ListMultipartUploads) shows them. */
export function recordChecksumMetadata(checksum: MultipartChecksum | undefined): CustomMetadata {
  return checksum === undefined ? {} : { [RECORD_ALGORITHM_KEY]: checksum.algorithm, [RECORD_TYPE_KEY]: checksum.type };
}

/** The checksum algorithm and type of a listed record (`[s3-checksum-algorithm:CRC32 s3-checksum-type:COMPOSITE]`). */
export function recordChecksumOfListed(custom: string | undefined): MultipartChecksum | undefined {
  const algorithm = new RegExp(`(?:^\\[| )${RECORD_ALGORITHM_KEY}:([A-Z0-9]+)(?= |\\]$)`).exec(custom ?? '')?.[1] as ChecksumAlgorithm | undefined;
  const type = new RegExp(`(?:^\\[| )${RECORD_TYPE_KEY}:(COMPOSITE|FULL_OBJECT)(?= |\\]$)`).exec(custom ?? '')?.[1] as ChecksumType | undefined;
  if (algorithm === undefined || type === undefined || !CHECKSUM_ALGORITHMS.includes(algorithm)) return undefined;
  return { algorithm, type };
}
