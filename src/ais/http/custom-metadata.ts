import type { ContentHeaders, ObjectAttributes } from '../ais-client';

/**
 * S3 attributes kept in AIS custom metadata (`Ais-Custom-Md: key=value`, one header line per pair): AIS does
 * not store Content-Type or the other representation headers itself. User metadata goes under its S3 header
 * name (`x-amz-meta-color`), content headers under theirs (`content-type`), so a native AIS user reads them.
 */
const USER_PREFIX = 'x-amz-meta-';

const CONTENT_KEYS: Record<keyof ContentHeaders, string> = {
  contentType: 'content-type',
  contentEncoding: 'content-encoding',
  contentDisposition: 'content-disposition',
  contentLanguage: 'content-language',
  cacheControl: 'cache-control',
  expires: 'expires',
};
const CONTENT_FIELDS = new Map(Object.entries(CONTENT_KEYS).map(([field, key]) => [key, field as keyof ContentHeaders]));

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

/** The `Ais-Custom-Md` header lines for an object's S3 attributes. */
export function customMetadataLines(attributes: ObjectAttributes): string[] {
  const lines: string[] = [];
  for (const [field, key] of Object.entries(CONTENT_KEYS) as Array<[keyof ContentHeaders, string]>) {
    const value = attributes.content[field];
    if (value !== undefined) lines.push(`${key}=${encodeValue(value)}`);
  }
  for (const [name, value] of Object.entries(attributes.userMetadata)) lines.push(`${USER_PREFIX}${name.toLowerCase()}=${encodeValue(value)}`);
  return lines;
}

/** S3 attributes from the `Ais-Custom-Md` lines of a HEAD answer; pairs set by other AIS users are left out. */
export function attributesOfCustomMetadata(lines: string | string[] | undefined): ObjectAttributes {
  const attributes: ObjectAttributes = { content: {}, userMetadata: {} };
  for (const line of lines === undefined ? [] : Array.isArray(lines) ? lines : [lines]) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at).toLowerCase();
    const value = decodeValue(line.slice(at + 1));
    const field = CONTENT_FIELDS.get(key);
    if (field !== undefined) attributes.content[field] = value;
    else if (key.startsWith(USER_PREFIX) && key.length > USER_PREFIX.length) attributes.userMetadata[key.slice(USER_PREFIX.length)] = value;
  }
  return attributes;
}
