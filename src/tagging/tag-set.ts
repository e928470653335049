import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectAttributes, TagSet } from '../ais/store';
import { S3Error } from '../s3/errors';
import { headerValue } from '../s3/headers';
import { childElement, childElements, parseXml, textOf, type XmlElement } from '../s3/xml';

/**
 * S3's tag sets (user guide "Categorizing your storage using tags", API reference PutObjectTagging /
 * PutBucketTagging): the Tagging document, the `x-amz-tagging` header, and the limits both are checked against.
 */

export type TagSetKind = 'object' | 'bucket';

/** "You can associate up to 10 tags with an object"; "A tag set can contain as many as 50 tags" (buckets). */
export const MAX_TAGS: Record<TagSetKind, number> = { object: 10, bucket: 50 };
const TOO_MANY: Record<TagSetKind, string> = {
  object: 'Object tags cannot be greater than 10',
  bucket: 'Bucket tag count cannot be greater than 50',
};
/** The `aws:` prefix is reserved for tags AWS sets; S3 words the refusal differently per kind. */
const RESERVED_PREFIX = 'aws:';
const RESERVED: Record<TagSetKind, string> = {
  object: 'Your TagKey cannot be prefixed with aws:',
  bucket: 'System tags cannot be added/updated by requester',
};
/** Limits in Unicode characters as S3 counts them: "internally represented in UTF-16" (code units). */
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** "Unicode letters or numbers, white space, and the following symbols: _ . : / = + @ -" (AWS's `[\p{L}\p{Z}\p{N}_.:/=+\-@]`). */
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** A Tagging document is small: 50 tags of 128 + 256 characters, with their elements, fit well within this. */
export const MAX_TAGGING_BYTES = 64 * 1024;

const INVALID_HEADER = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

/**
 * Checks a tag set against S3's rules, in the order S3 applies them: the count (BadRequest), then each tag's key
 * (length and characters, the reserved prefix), its value, and keys already seen (InvalidTag).
 */
export function checkTagSet(tags: TagSet, kind: TagSetKind): void {
  if (tags.length > MAX_TAGS[kind]) throw new S3Error('BadRequest', TOO_MANY[kind]);
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key.length < 1 || key.length > MAX_KEY_LENGTH || !ALLOWED.test(key)) {
      throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid', { TagKey: key });
    }
    if (key.startsWith(RESERVED_PREFIX)) throw new S3Error('InvalidTag', RESERVED[kind], { TagKey: key });
    if (value.length > MAX_VALUE_LENGTH || !ALLOWED.test(value)) {
      throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid', { TagKey: key, TagValue: value });
    }
    if (seen.has(key)) throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key', { TagKey: key });
    seen.add(key);
  }
}

/** PutObjectTagging's and PutBucketTagging's `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`, checked. */
export function parseTagging(text: string, kind: TagSetKind): TagSet {
  const root = childElement(parseXml(text, ['Tag']), 'Tagging');
  const tagSet = root === undefined ? undefined : childElement(root, 'TagSet');
  // Tagging and TagSet are required; a Tag needs its Key and its Value (which may be empty).
  if (tagSet === undefined) throw new S3Error('MalformedXML');
  const tags = childElements(tagSet, 'Tag').map((tag) => {
    const key = textOf(tag.Key);
    const value = textOf(tag.Value);
    if (key === undefined || value === undefined) throw new S3Error('MalformedXML');
    return { key, value };
  });
  checkTagSet(tags, kind);
  return tags;
}

/** GetObjectTagging's and GetBucketTagging's Tagging content. */
export function taggingXml(tags: TagSet): XmlElement {
  return { TagSet: tags.length === 0 ? {} : { Tag: tags.map((tag) => ({ Key: tag.key, Value: tag.value })) } };
}

/** A URL query component as a form encodes it: `+` is a space, then percent-decoding (UTF-8). */
function formDecoded(text: string, header: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new S3Error('InvalidArgument', INVALID_HEADER, { ArgumentName: 'x-amz-tagging', ArgumentValue: header });
  }
}

/**
 * The `x-amz-tagging` header of PutObject, CopyObject and CreateMultipartUpload: URL query parameters
 * (`k1=v1&k2=v2`; `k` alone is the empty value). A pair that is not one (`a=b=c`), a broken escape or a
 * repeated key is InvalidArgument; then the set is checked as PutObjectTagging checks it.
 */
export function parseTaggingHeader(header: string): TagSet {
  const tags: TagSet = [];
  const seen = new Set<string>();
  for (const pair of header.split('&')) {
    if (pair === '') continue;
    const parts = pair.split('=');
    if (parts.length > 2) throw new S3Error('InvalidArgument', INVALID_HEADER, { ArgumentName: 'x-amz-tagging', ArgumentValue: header });
    const key = formDecoded(parts[0], header);
    if (seen.has(key)) throw new S3Error('InvalidArgument', INVALID_HEADER, { ArgumentName: 'x-amz-tagging', ArgumentValue: header });
    seen.add(key);
    tags.push({ key, value: formDecoded(parts[1] ?? '', header) });
  }
  checkTagSet(tags, 'object');
  return tags;
}

/** The tags a write asks for in `x-amz-tagging`; undefined without the header. */
export function requestedTags(headers: IncomingHttpHeaders): TagSet | undefined {
  const header = headerValue(headers, 'x-amz-tagging');
  return header === undefined ? undefined : parseTaggingHeader(header);
}

/** A new object's attributes (PutObject, CreateMultipartUpload) with the tags of its `x-amz-tagging` header. */
export function withRequestedTags(attributes: ObjectAttributes, headers: IncomingHttpHeaders): ObjectAttributes {
  const tags = requestedTags(headers);
  if (tags !== undefined && tags.length > 0) attributes.tags = tags;
  return attributes;
}

/**
 * CopyObject's tags: `x-amz-tagging-directive` COPY (the default) keeps the source's (undefined), REPLACE gives the
 * copy the tags of `x-amz-tagging` (none without it).
 */
export function copyTags(headers: IncomingHttpHeaders): TagSet | undefined {
  const directive = headerValue(headers, 'x-amz-tagging-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown tagging directive.', { ArgumentName: 'x-amz-tagging-directive', ArgumentValue: directive });
  }
  const tags = requestedTags(headers);
  return directive === 'REPLACE' ? (tags ?? []) : undefined;
}
