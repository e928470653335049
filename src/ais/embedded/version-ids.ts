import { randomBytes } from 'node:crypto';
import { S3Error } from '../../s3/errors';
import { NULL_VERSION, type VersionId } from '../store';

/**
 * Version ids on the embedded store: 32 URL-safe characters (like S3's), the base64url of 24 bytes: the version's
 * sequence number (8 bytes, big-endian) and 16 random bytes. Clients treat them as opaque; the store reads the
 * sequence back to find a version in its history with one lookup.
 *
 * Stores written before versions were kept gave ids of 24 random bytes in the same alphabet: they still parse,
 * to a sequence that finds nothing, and the history keeps such a version (at most one per key) at sequence 0.
 */
const SEQUENCE_BYTES = 8;
const RANDOM_BYTES = 16;
const VERSION_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** Sequence 0 belongs to versions written before the store numbered them (records without `seq`). */
export const UNNUMBERED = 0;

export function newVersionId(sequence: number): VersionId {
  const bytes = Buffer.allocUnsafe(SEQUENCE_BYTES + RANDOM_BYTES);
  bytes.writeBigUInt64BE(BigInt(sequence));
  randomBytes(RANDOM_BYTES).copy(bytes, SEQUENCE_BYTES);
  return bytes.toString('base64url');
}

/**
 * The sequence number a version id names (a bigint: an old random id may exceed 2^53), or `null` for the null
 * version. An id this store could never have given is 400 InvalidArgument, as S3 answers a malformed id.
 */
export function sequenceOf(versionId: VersionId): bigint | null {
  if (versionId === NULL_VERSION) return null;
  if (!VERSION_ID_PATTERN.test(versionId))
    throw new S3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
  return Buffer.from(versionId, 'base64url').readBigUInt64BE();
}
