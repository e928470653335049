import { randomBytes } from 'node:crypto';
import type { TagSet } from '../store';
import { customValueOf, TAGS_KEY } from './custom-metadata';
import type { SystemBucket } from './system-bucket';
import { encodeKey } from './upload-names';

/**
 * Object tags on AIS. Ten tags of 128 + 256 characters would take most of AIS's 2 KiB of custom metadata, which
 * user metadata needs, so the tags live in a JSON object of their own in the gateway's system bucket (a
 * "sidecar"), and the object's custom metadata holds only a reference to it, `s3-tags=<count>.<stamp>`:
 *
 * - The reference is written with the object (PUT, copy, Complete) or set on it in place by PutObjectTagging (AIS's
 *   PATCH `set-custom`), so the tags stay tied to that exact object: an overwrite through the gateway replaces the
 *   custom metadata whole (`skip_vc`, `set-new-custom`) and drops them.
 * - `<count>` answers `x-amz-tagging-count` on GET and HEAD from the metadata those calls already get: no call more.
 * - `<stamp>` is random and new for every tag set; the sidecar's name ends with it
 *   (`object-tags/<bucket>/<hex key>!<stamp>`) and a sidecar is never changed, only written new: the reference
 *   always names a complete tag set, whichever of two racing PutObjectTagging calls set its reference last.
 *
 * A tag set replaced or an object overwritten leaves its old sidecar behind until it is deleted (PutObjectTagging
 * deletes the one it replaced; an overwrite does not look): an unreferenced sidecar is never read.
 */
const TAGS_PREFIX = 'object-tags/';
const STAMP_BYTES = 12;

interface TagsReference {
  count: number;
  stamp: string;
}

function referenceOf(value: string | undefined): TagsReference | undefined {
  const match = value === undefined ? null : /^(\d{1,2})\.([A-Za-z0-9_-]{16})$/.exec(value);
  return match === null || Number(match[1]) === 0 ? undefined : { count: Number(match[1]), stamp: match[2] };
}

/** How many tags the custom metadata of a HEAD or GET answer says the object has (0: none). */
export function tagCountOf(lines: string | string[] | undefined): number {
  return referenceOf(customValueOf(lines, TAGS_KEY))?.count ?? 0;
}

export function tagsObjectName(bucket: string, key: string, stamp: string): string {
  return `${TAGS_PREFIX}${bucket}/${encodeKey(key)}!${stamp}`;
}

interface TagsRecord {
  bucket: string;
  key: string;
  tags: TagSet;
}

/** The sidecars in the system bucket. */
export class AisObjectTags {
  constructor(private readonly system: SystemBucket) {}

  /**
   * Writes a new sidecar for the object's tags and answers the custom metadata value that refers to it ('' for no
   * tags: nothing is written). The sidecar exists before any object refers to it.
   */
  async write(bucket: string, key: string, tags: TagSet): Promise<string> {
    if (tags.length === 0) return '';
    const stamp = randomBytes(STAMP_BYTES).toString('base64url');
    const record: TagsRecord = { bucket, key, tags };
    await this.system.put(tagsObjectName(bucket, key, stamp), Buffer.from(JSON.stringify(record)));
    return `${tags.length}.${stamp}`;
  }

  /** The tags the object's custom metadata refers to; none when it refers to none (or its sidecar is gone). */
  async read(bucket: string, key: string, lines: string | string[] | undefined): Promise<TagSet> {
    const reference = referenceOf(customValueOf(lines, TAGS_KEY));
    if (reference === undefined) return [];
    const text = await this.system.getText(tagsObjectName(bucket, key, reference.stamp));
    return text === undefined ? [] : (JSON.parse(text) as TagsRecord).tags;
  }

  /** Deletes the sidecar the custom metadata referred to, once nothing refers to it any more. */
  async forget(bucket: string, key: string, lines: string | string[] | undefined): Promise<void> {
    const reference = referenceOf(customValueOf(lines, TAGS_KEY));
    if (reference !== undefined) await this.system.delete(tagsObjectName(bucket, key, reference.stamp));
  }
}
