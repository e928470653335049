import { randomBytes } from 'node:crypto';
import type { TagSet } from '../store';
import { customValueOf, TAGS_KEY } from './custom-metadata';
import type { SystemBucket } from './system-bucket';
import { inParallel } from '../../in-parallel';
import { decodeKey, encodeKey } from './upload-names';

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
/**
 * How old (AIS's atime: written or last read) a sidecar must be before the sweep may delete it. A sidecar is
 * written before the object that refers to it, and a large PUT or a Complete can take a while: a day leaves room.
 */
export const SIDECAR_SWEEP_AGE_MS = 24 * 3_600_000;
const SWEEP_PAGE = 1000;

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

/** The object a sidecar's name belongs to; undefined for a name that is not a sidecar's. */
function sidecarOf(name: string): { bucket: string; key: string; stamp: string } | undefined {
  const match = /^object-tags\/([^/]+)\/([0-9a-f/]*)!([A-Za-z0-9_-]{16})$/.exec(name);
  return match === null ? undefined : { bucket: match[1], key: decodeKey(match[2]), stamp: match[3] };
}

/** The stamp of the sidecar an object's custom metadata refers to; undefined when it refers to none. */
export function tagsStampOf(lines: string | string[] | undefined): string | undefined {
  return referenceOf(customValueOf(lines, TAGS_KEY))?.stamp;
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

  /**
   * Deletes the sidecars no object refers to any more (tags of objects since overwritten or deleted): a sidecar is
   * named by its object and a stamp never used twice, so once the object refers to another stamp (or is gone) nothing
   * can refer to it again. Only sidecars older than SIDECAR_SWEEP_AGE_MS are looked at. `referencedStamp` answers the
   * stamp the object's metadata refers to now (undefined: none, or no such object or bucket). Answers how many were
   * deleted. Safe in every replica at once: each step is idempotent.
   */
  async sweep(now: number, referencedStamp: (bucket: string, key: string) => Promise<string | undefined>): Promise<number> {
    let deleted = 0;
    for (let cursor: string | undefined; ;) {
      const listed = await this.system.list(TAGS_PREFIX, cursor, SWEEP_PAGE, 'name,atime');
      const old = listed.entries.filter((entry) => entry.atime.getTime() < now - SIDECAR_SWEEP_AGE_MS);
      await inParallel(old, 8, async ({ name }) => {
        const sidecar = sidecarOf(name);
        if (sidecar === undefined || (await referencedStamp(sidecar.bucket, sidecar.key)) === sidecar.stamp) return;
        await this.system.delete(name);
        deleted += 1;
      });
      if (listed.next === undefined) return deleted;
      cursor = listed.next;
    }
  }
}
