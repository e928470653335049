import { createHash } from 'node:crypto';
import { type ChecksumAlgorithm, createChecksum } from './checksum';
import { combineCrc, CRC32_PARAMETERS, CRC32C_PARAMETERS, CRC64NVME_PARAMETERS, type CrcParameters } from './crc-combine';
import { S3Error } from './errors';
import type { Checksums, ChecksumType, CompletedPart, MultipartChecksum } from '../ais/store';

/** S3 multipart limits (S3 User Guide, "Amazon S3 multipart upload limits"). */
export const MIN_PART_NUMBER = 1;
export const MAX_PART_NUMBER = 10000;
/** Every part but the last must be at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** A part, like a single PUT, is at most 5 GiB. */
export const MAX_PART_BYTES = 5 * 1024 ** 3;

export interface StoredPart {
  partNumber: number;
  /** Hex MD5 of the part. */
  etag: string;
  size: number;
}

export interface RequestedPart {
  partNumber: number;
  /** As the client sent it: quoted or not. */
  etag: string;
}

export function assertPartNumber(value: string | undefined): number {
  const number = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || number < MIN_PART_NUMBER || number > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between ${MIN_PART_NUMBER} and ${MAX_PART_NUMBER}, inclusive`, {
      ArgumentName: 'partNumber',
      ArgumentValue: value ?? '',
    });
  }
  return number;
}

function unquote(etag: string): string {
  return etag
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
}

/**
 * Checks a CompleteMultipartUpload part list against the parts that were uploaded, as S3 does: ascending
 * part numbers (InvalidPartOrder), each part present with its ETag (InvalidPart), every part but the last
 * at least 5 MiB (EntityTooSmall). Returns the stored parts in object order.
 */
export function selectCompletedParts(requested: readonly RequestedPart[], stored: ReadonlyMap<number, StoredPart>): StoredPart[] {
  if (requested.length === 0)
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema: no parts.');
  const selected: StoredPart[] = [];
  let previous = 0;
  for (const part of requested) {
    if (part.partNumber <= previous) throw new S3Error('InvalidPartOrder');
    previous = part.partNumber;
    const found = stored.get(part.partNumber);
    if (found === undefined || found.etag !== unquote(part.etag)) {
      throw new S3Error('InvalidPart', undefined, { PartNumber: String(part.partNumber), ETag: part.etag });
    }
    selected.push(found);
  }
  selected.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_BYTES) {
      throw new S3Error('EntityTooSmall', undefined, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_BYTES),
        PartNumber: String(part.partNumber),
      });
    }
  });
  return selected;
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-N`. */
export function multipartEtag(parts: readonly StoredPart[]): string {
  const md5 = createHash('md5');
  for (const part of parts) md5.update(Buffer.from(part.etag, 'hex'));
  return `${md5.digest('hex')}-${parts.length}`;
}

/** A part's checksum (base64) and size, as input to the object's checksum. */
export interface PartChecksum {
  value: string;
  size: number;
}

const CRC_PARAMETERS: Partial<Record<ChecksumAlgorithm, CrcParameters>> = {
  CRC32: CRC32_PARAMETERS,
  CRC32C: CRC32C_PARAMETERS,
  CRC64NVME: CRC64NVME_PARAMETERS,
};

/** S3 defaults: CRC64NVME exists only as FULL_OBJECT; the others default to COMPOSITE. */
export function defaultChecksumType(algorithm: ChecksumAlgorithm): ChecksumType {
  return algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
}

/** FULL_OBJECT works only for CRCs (they combine); COMPOSITE for every algorithm but CRC64NVME. */
export function assertChecksumType(algorithm: ChecksumAlgorithm, type: ChecksumType): void {
  const valid = type === 'FULL_OBJECT' ? CRC_PARAMETERS[algorithm] !== undefined : algorithm !== 'CRC64NVME';
  if (!valid) throw new S3Error('InvalidRequest', `The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`);
}

/**
 * The object's checksum from its parts' (S3 "Using part-level checksums for multipart uploads"): COMPOSITE
 * is the checksum of the concatenated binary part checksums, suffixed `-N`; FULL_OBJECT is the CRC of the
 * whole object, combined from the parts' CRCs without reading the bytes again.
 */
export function objectChecksumOf(algorithm: ChecksumAlgorithm, type: ChecksumType, parts: readonly PartChecksum[]): string {
  if (type === 'COMPOSITE') {
    const checksum = createChecksum(algorithm);
    for (const part of parts) checksum.update(Buffer.from(part.value, 'base64'));
    return `${checksum.digest().toString('base64')}-${parts.length}`;
  }
  const parameters = CRC_PARAMETERS[algorithm] as CrcParameters;
  const bytes = parameters.width / 8;
  let combined: bigint | undefined;
  for (const part of parts) {
    const crc = BigInt(`0x${Buffer.from(part.value, 'base64').toString('hex')}`);
    combined = combined === undefined ? crc : combineCrc(combined, crc, part.size, parameters);
  }
  return Buffer.from((combined ?? 0n).toString(16).padStart(bytes * 2, '0'), 'hex').toString('base64');
}

/** Per-part checksums named in a CompleteMultipartUpload must be the ones the parts were uploaded with (InvalidPart). */
export function checkPartChecksums(requested: readonly CompletedPart[], stored: ReadonlyMap<number, { checksums: Checksums }>): void {
  for (const part of requested) {
    const uploaded = stored.get(part.partNumber)?.checksums ?? {};
    for (const [algorithm, value] of Object.entries(part.checksums)) {
      if (uploaded[algorithm as ChecksumAlgorithm] !== value) {
        throw new S3Error('InvalidPart', `The ${algorithm} of part ${part.partNumber} does not match the uploaded part.`, {
          PartNumber: String(part.partNumber),
        });
      }
    }
  }
}

/**
 * The checksum of an object completed from `parts` (in object order) for an upload created with `checksum`:
 * every part must carry one of the upload's algorithm (InvalidPart), and a whole-object checksum the client
 * sent with the Complete must match (BadDigest).
 */
export function completedChecksum(checksum: MultipartChecksum, parts: ReadonlyArray<{ size: number; checksums: Checksums }>, sent?: string): string {
  const { algorithm, type } = checksum;
  const partChecksums = parts.map((part) => ({ value: part.checksums[algorithm] ?? '', size: part.size }));
  if (partChecksums.some((part) => part.value === '')) {
    throw new S3Error('InvalidPart', `Every part of this upload needs a ${algorithm} checksum.`);
  }
  const value = objectChecksumOf(algorithm, type, partChecksums);
  if (sent !== undefined && sent !== value) {
    throw new S3Error('BadDigest', `The ${algorithm} you specified for the object did not match the calculated checksum.`);
  }
  return value;
}
