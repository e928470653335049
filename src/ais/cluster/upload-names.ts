import { S3Error } from '../../s3/errors';
import { isUploadId } from '../upload-ids';

/**
 * Where the AIS backend keeps multipart upload state (and buckets' CORS configurations): one AIS bucket of its
 * own, created on first use (system-bucket.ts). Its name has `_`, which S3 bucket names cannot contain, so no S3
 * client can create or address it (the client also refuses it explicitly, and ListBuckets hides it). Its checksum type is MD5, like every bucket the
 * gateway creates, so a staged part's AIS checksum is its S3 ETag.
 */
export const UPLOADS_BUCKET = 's3gw_multipart';

/**
 * Names inside UPLOADS_BUCKET. S3 keys cannot be AIS object names as they are (a trailing `/`, `//`, `.`
 * segments: docs/ais-native-api.md section 6), so a key appears hex-encoded (UTF-8), which keeps S3's
 * listing order (byte order) and turns a key prefix into a name prefix. AIS stores a name as a file path
 * and cannot list a path segment over 255 bytes, so the hex is cut into segments of HEX_SEGMENT characters.
 *
 *   uploads/<bucket>/<hex key>!<upload id>   the upload's record (JSON): one per upload in progress
 *   parts/<upload id>/<part number, 5 digits> a staged part: its bytes; its checksums in custom metadata
 *   completed/<upload id>                     what a finished upload answered, for a retried Complete
 *   <setting>/<bucket>                        a bucket setting, e.g. cors/<bucket> (bucket-settings.ts)
 *
 * `!` sorts before `/` and every hex digit, so the records of one key come before those of any longer key;
 * `~` sorts after all of them, so `<hex key>!~` is past every upload of that key.
 */
const HEX_SEGMENT = 200;
const RECORDS = 'uploads/';
const PARTS = 'parts/';
const COMPLETED = 'completed/';
const ID_SEPARATOR = '!';
const PAST = '~';

/** An upload id from a client, checked before it becomes part of an object name: NoSuchUpload if it cannot be one. */
export function checkedUploadId(value: string): string {
  if (!isUploadId(value)) throw new S3Error('NoSuchUpload', undefined, { UploadId: value });
  return value;
}

export function encodeKey(key: string): string {
  const hex = Buffer.from(key, 'utf8').toString('hex');
  const segments: string[] = [];
  for (let at = 0; at < hex.length; at += HEX_SEGMENT) segments.push(hex.slice(at, at + HEX_SEGMENT));
  return segments.join('/');
}

export function decodeKey(encoded: string): string {
  return Buffer.from(encoded.replace(/\//g, ''), 'hex').toString('utf8');
}

/** Every record of `bucket` whose key starts with `keyPrefix` has a name starting with this. */
export function recordPrefix(bucket: string, keyPrefix = ''): string {
  return `${RECORDS}${bucket}/${encodeKey(keyPrefix)}`;
}

export function recordName(bucket: string, key: string, uploadId: string): string {
  return `${recordPrefix(bucket, key)}${ID_SEPARATOR}${uploadId}`;
}

/** A name after every record of `key` (and before those of any other key that does not start with `key`). */
export function afterKey(bucket: string, key: string): string {
  return `${recordPrefix(bucket, key)}${ID_SEPARATOR}${PAST}`;
}

/** A name after every record of every key that starts with `keyPrefix`. */
export function afterKeyPrefix(bucket: string, keyPrefix: string): string {
  return `${recordPrefix(bucket, keyPrefix)}${PAST}`;
}

/** The key and upload id a record name stands for; undefined for a name that is not one of `bucket`'s records. */
export function parseRecordName(bucket: string, name: string): { key: string; uploadId: string } | undefined {
  const base = recordPrefix(bucket);
  const separator = name.lastIndexOf(ID_SEPARATOR);
  if (!name.startsWith(base) || separator < base.length) return undefined;
  const uploadId = name.slice(separator + 1);
  const encoded = name.slice(base.length, separator);
  if (!isUploadId(uploadId) || !/^[0-9a-f/]*$/.test(encoded)) return undefined;
  return { key: decodeKey(encoded), uploadId };
}

/** Where all the records live (every bucket). */
export const ALL_RECORDS = RECORDS;

export function partPrefix(uploadId: string): string {
  return `${PARTS}${uploadId}/`;
}

export function partName(uploadId: string, partNumber: number): string {
  return `${partPrefix(uploadId)}${String(partNumber).padStart(5, '0')}`;
}

/** The part number a staged part's name ends with; undefined for anything else. */
export function partNumberOf(uploadId: string, name: string): number | undefined {
  const rest = name.slice(partPrefix(uploadId).length);
  return name.startsWith(partPrefix(uploadId)) && /^\d{5}$/.test(rest) ? Number(rest) : undefined;
}

/** Where all staged parts live (every upload). */
export const ALL_PARTS = PARTS;

export function completedName(uploadId: string): string {
  return `${COMPLETED}${uploadId}`;
}

/** Where all completed markers live. */
export const ALL_COMPLETED = COMPLETED;
