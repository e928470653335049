import { algorithmOfHeader, checksumHeader, type ChecksumAlgorithm } from '../../s3/checksum';
import { decodeGrants, encodeGrants } from '../../access/acl/compact';
import type { Checksums, ContentHeaders, ObjectAccess, ObjectAttributes, ObjectLock, VersionId } from '../store';

/**
 * S3 attributes kept in AIS custom metadata (`Ais-Custom-Md: key=value`, one header line per pair): AIS does
 * not store Content-Type or the other representation headers itself. Every pair goes under its S3 header name,
 * so a native AIS user reads them: user metadata as `x-amz-meta-color`, content headers as `content-type`, the
 * flexible checksums the gateway verified as `x-amz-checksum-crc32` (base64) and the S3 version id as
 * `x-amz-version-id`.
 */
const USER_PREFIX = 'x-amz-meta-';
export const VERSION_ID_KEY = 'x-amz-version-id';
/**
 * AIS's checksum of the bytes that facts the gateway added after a write (a multipart object's ETag and part
 * sizes, a checksum that came in a trailer) describe: a later write through AIS's native API keeps those
 * entries (AIS merges custom metadata) but changes the checksum, so they no longer count.
 */
export const CONTENT_TIE_KEY = 's3-of';

/**
 * When the gateway wrote the object, as an HTTP date (second precision, as S3's Last-Modified header). AIS
 * itself reads this key, exactly so spelled, as the object's Last-Modified (v1.5.0 `core/lom.go`
 * LastModifiedStr: HEAD answers it as the `Last-Modified` header, S3 listings as LastModified), and its GET
 * answers it among the custom metadata: one GET gives everything S3 reports of an object.
 */
export const LAST_MODIFIED_KEY = 'Last-Modified';

/**
 * The write time to the millisecond, which an HTTP date cannot hold: listings report milliseconds (as on the
 * embedded store), and clients compare them with their files' times (`aws s3 sync` uploads a file again when
 * its mtime is later than the object's LastModified, which a time cut to the second often is).
 */
export const MODIFIED_MS_KEY = 's3-modified';

/**
 * The object's owner (a 64-hex canonical id) and its ACL's grants in acl/compact.ts's form (`s3-acl=` with no
 * value, or none: private). PutObjectAcl changes them with AIS's PATCH, which merges keys: an empty value clears.
 */
export const OWNER_KEY = 's3-owner';
export const ACL_KEY = 's3-acl';

/** The custom metadata entries of an object's owner and ACL. */
export function accessMetadata(access: ObjectAccess): Record<string, string> {
  return { [OWNER_KEY]: access.owner, [ACL_KEY]: access.grants === undefined ? '' : encodeGrants(access.grants) };
}

/**
 * The reference to the object's tags, `<count>.<stamp>` (object-tags.ts): the tags themselves live in the system
 * bucket, not in the 2 KiB that user metadata needs. Only an object with tags carries it: a write with tags counts
 * TAGS_METADATA_BYTES in its metadata size; PutObjectTagging refuses (MetadataTooLarge) an object whose metadata
 * leaves less than that free.
 */
export const TAGS_KEY = 's3-tags';
/** The room the reference takes at most: its key, a count up to 10, `.`, a 16-character stamp. */
export const TAGS_METADATA_BYTES = TAGS_KEY.length + 2 + 1 + 16;

/**
 * The object's Object Lock state, compact: the mode's initial (`G`, `C`) and the retain-until instant in epoch
 * milliseconds, then `H` for a legal hold ON or `h` for one set OFF (`G1893456000000H`). Empty, or absent: none.
 * PutObjectRetention / PutObjectLegalHold change it in place with AIS's PATCH.
 */
export const LOCK_KEY = 's3-lock';

export function encodeLock(lock: ObjectLock | undefined): string {
  if (lock === undefined) return '';
  const retention = lock.mode !== undefined && lock.retainUntil !== undefined ? `${lock.mode[0]}${lock.retainUntil}` : '';
  return `${retention}${lock.legalHold === undefined ? '' : lock.legalHold ? 'H' : 'h'}`;
}

export function decodeLock(value: string | undefined): ObjectLock | undefined {
  const match = value === undefined ? null : /^(?:([GC])(\d{1,15}))?([Hh])?$/.exec(value);
  if (match === null || value === '') return undefined;
  const lock: ObjectLock = {};
  if (match[1] !== undefined) {
    lock.mode = match[1] === 'G' ? 'GOVERNANCE' : 'COMPLIANCE';
    lock.retainUntil = Number(match[2]);
  }
  if (match[3] !== undefined) lock.legalHold = match[3] === 'H';
  return lock;
}

/** The time a write records. */
export function writeTime(now = Date.now()): Date {
  return new Date(now);
}

/** The custom metadata that records a write time: AIS's own Last-Modified key, and the exact time. */
export function writeTimeMetadata(time: Date): Record<string, string> {
  return { [LAST_MODIFIED_KEY]: httpDate(time), [MODIFIED_MS_KEY]: String(time.getTime()) };
}

let httpDateAt = NaN;
let httpDateText = '';

/**
 * An HTTP date (`Wed, 26 Nov 2026 13:32:12 GMT`, Go's http.TimeFormat): the value of LAST_MODIFIED_KEY. The
 * last one is kept: every write within a second records the same.
 */
export function httpDate(time: Date): string {
  const at = time.getTime();
  if (at !== httpDateAt) {
    httpDateAt = at;
    httpDateText = time.toUTCString();
  }
  return httpDateText;
}

/** The length of every httpDate() of the years 1000 to 9999. */
export const HTTP_DATE_LENGTH = 29;

/** The room writeTimeMetadata() takes in AIS's custom metadata, at most (13 digits of milliseconds: until 2286). */
export const WRITE_TIME_METADATA_BYTES = LAST_MODIFIED_KEY.length + HTTP_DATE_LENGTH + MODIFIED_MS_KEY.length + 13;

/** The write time among the `Ais-Custom-Md` lines of an answer; undefined when there is none (a native write). */
export function lastModifiedOfCustomMetadata(lines: string | string[] | undefined): Date | undefined {
  const exact = customValueOf(lines, MODIFIED_MS_KEY);
  if (exact !== undefined && /^\d{1,15}$/.test(exact)) return new Date(Number(exact));
  const value = customValueOf(lines, LAST_MODIFIED_KEY);
  const time = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * AIS's limit on an object's custom metadata: the sum of the byte lengths of every key and value
 * (`maxSizeCustomKVs` in AIS v1.5.0 `cmn/objattrs.go`, a constant: not configurable).
 */
export const CUSTOM_METADATA_LIMIT = 2048;

const CONTENT_KEYS: Record<keyof ContentHeaders, string> = {
  contentType: 'content-type',
  contentEncoding: 'content-encoding',
  contentDisposition: 'content-disposition',
  contentLanguage: 'content-language',
  cacheControl: 'cache-control',
  expires: 'expires',
};
const CONTENT_ENTRIES = Object.entries(CONTENT_KEYS) as Array<[keyof ContentHeaders, string]>;
const CONTENT_FIELDS = new Map(CONTENT_ENTRIES.map(([field, key]) => [key, field]));

/**
 * A value must travel as an HTTP header: `%`, controls and anything outside printable ASCII are
 * percent-encoded (UTF-8), everything else is kept as is, so plain values read naturally in AIS.
 */
export function encodeValue(value: string): string {
  return value.replace(/[^\u0020-\u0024\u0026-\u007e]+/gu, (run) => encodeURIComponent(run));
}

export function decodeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** What the gateway keeps with an object besides its S3 attributes. */
export interface StoredFacts {
  checksums?: Checksums;
  /** Only a real version id is kept; an object without one is S3's `null` version. */
  versionId?: VersionId;
  /** The write time (writeTime()). */
  lastModified?: Date;
  /** The reference to the object's tags (object-tags.ts); absent or '': none. */
  tags?: string;
}

/** The `Ais-Custom-Md` header lines for an object's S3 attributes (and its checksums and version id). */
export function customMetadataLines(attributes: ObjectAttributes, facts: StoredFacts = {}): string[] {
  const lines: string[] = [];
  for (const [field, key] of CONTENT_ENTRIES) {
    const value = attributes.content[field];
    if (value !== undefined) lines.push(`${key}=${encodeValue(value)}`);
  }
  for (const [name, value] of Object.entries(attributes.userMetadata)) lines.push(`${USER_PREFIX}${name.toLowerCase()}=${encodeValue(value)}`);
  for (const [algorithm, value] of Object.entries(facts.checksums ?? {})) lines.push(`${checksumHeader(algorithm as ChecksumAlgorithm)}=${value}`);
  if (attributes.access !== undefined) {
    lines.push(`${OWNER_KEY}=${attributes.access.owner}`);
    if (attributes.access.grants !== undefined) lines.push(`${ACL_KEY}=${encodeGrants(attributes.access.grants)}`);
  }
  if (attributes.lock !== undefined && encodeLock(attributes.lock) !== '') lines.push(`${LOCK_KEY}=${encodeLock(attributes.lock)}`);
  if (facts.versionId !== undefined) lines.push(`${VERSION_ID_KEY}=${facts.versionId}`);
  if (facts.lastModified !== undefined) for (const [key, value] of Object.entries(writeTimeMetadata(facts.lastModified))) lines.push(`${key}=${value}`);
  if (facts.tags !== undefined && facts.tags !== '') lines.push(`${TAGS_KEY}=${facts.tags}`);
  return lines;
}

/** How much of AIS's custom metadata limit these lines take, counted as AIS counts: key and value bytes. */
export function aisMetadataBytes(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) - (line.includes('=') ? 1 : 0), 0);
}

function asLines(lines: string | string[] | undefined): string[] {
  return lines === undefined ? [] : Array.isArray(lines) ? lines : [lines];
}

/** The flexible checksums among the `Ais-Custom-Md` lines of a HEAD answer, as stored (base64). */
export function checksumsOfCustomMetadata(lines: string | string[] | undefined): Checksums {
  const checksums: Checksums = {};
  for (const line of asLines(lines)) {
    const at = line.indexOf('=');
    const algorithm = at > 0 ? algorithmOfHeader(line.slice(0, at)) : undefined;
    if (algorithm !== undefined && /^[A-Za-z0-9+/=]+$/.test(line.slice(at + 1))) checksums[algorithm] = line.slice(at + 1);
  }
  return checksums;
}

/** Every pair of the `Ais-Custom-Md` lines of an answer, as stored (AIS's own keys and other users' included). */
export function customMetadataOf(lines: string | string[] | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const line of asLines(lines)) {
    const at = line.indexOf('=');
    if (at > 0) pairs[line.slice(0, at)] = line.slice(at + 1);
  }
  return pairs;
}

/** The value of `key` among the `Ais-Custom-Md` lines of a HEAD answer, as stored. */
export function customValueOf(lines: string | string[] | undefined, key: string): string | undefined {
  const line = asLines(lines).find((candidate) => candidate.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

const LISTED_VERSION_ID = /(?:^\[| )x-amz-version-id:([A-Za-z0-9_-]+)(?= |\]$)/;
/** An HTTP date, as `Last-Modified` holds it: `Wed, 26 Nov 2026 13:32:12 GMT`. */
const LISTED_LAST_MODIFIED = /(?:^\[| )Last-Modified:([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)(?= |\]$)/;

const LISTED_MODIFIED_MS = /(?:^\[| )s3-modified:(\d{1,15})(?= |\]$)/;
const LISTED_OWNER = /(?:^\[| )s3-owner:([0-9a-f]{64})(?= |\]$)/;

/** The owner in a listed object's `custom-md`; undefined when it records none. */
export function ownerOfListed(custom: string | undefined): string | undefined {
  return custom === undefined ? undefined : LISTED_OWNER.exec(custom)?.[1];
}

/** The write time in a listed object's `custom-md` (`[k1:v1 k2:v2]`); undefined when there is none. */
export function lastModifiedOfListed(custom: string | undefined): Date | undefined {
  if (custom === undefined) return undefined;
  const exact = LISTED_MODIFIED_MS.exec(custom)?.[1];
  if (exact !== undefined) return new Date(Number(exact));
  const value = LISTED_LAST_MODIFIED.exec(custom)?.[1];
  return value === undefined ? undefined : new Date(Date.parse(value));
}

/**
 * The version id in a listed object's `custom-md`, which AIS prints as `[k1:v1 k2:v2]` with values unescaped.
 * The gateway's values hold no space, so the key is found where a pair starts; a user metadata value that
 * itself reads ` x-amz-version-id:...` could only mislead the listing of its own object.
 */
export function versionIdOfListed(custom: string | undefined): string | undefined {
  return custom === undefined ? undefined : LISTED_VERSION_ID.exec(custom)?.[1];
}

/** S3 attributes from the `Ais-Custom-Md` lines of a HEAD answer; pairs set by other AIS users are left out. */
export function attributesOfCustomMetadata(lines: string | string[] | undefined): ObjectAttributes {
  const attributes: ObjectAttributes = { content: {}, userMetadata: {} };
  let owner: string | undefined;
  let grants: string | undefined;
  for (const line of asLines(lines)) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at).toLowerCase();
    const value = decodeValue(line.slice(at + 1));
    const field = CONTENT_FIELDS.get(key);
    if (key === OWNER_KEY) owner = value;
    else if (key === LOCK_KEY) attributes.lock = decodeLock(value);
    else if (key === ACL_KEY) grants = value;
    else if (field !== undefined) attributes.content[field] = value;
    else if (key.startsWith(USER_PREFIX) && key.length > USER_PREFIX.length) attributes.userMetadata[key.slice(USER_PREFIX.length)] = value;
  }
  if (owner !== undefined && /^[0-9a-f]{64}$/.test(owner)) attributes.access = { owner, grants: grants ? decodeGrants(grants) : undefined };
  return attributes;
}
