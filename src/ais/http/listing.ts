import type { ListObjectsPage, ListObjectsRequest, ObjectSummary } from '../ais-client';
import { commonPrefixOf } from '../embedded/listing';

/** One page of AIS's recursive listing: names strictly after `startAfter`, in UTF-8 byte order. */
export interface AisListChunk {
  entries: ObjectSummary[];
  /** The listing has nothing after these entries. */
  done: boolean;
}

/** Fetches up to `limit` objects whose names start with the prefix and come strictly after `startAfter`. */
export type AisListFetch = (startAfter: string | undefined, limit: number) => Promise<AisListChunk>;

/** The largest page asked of AIS in one call. */
export const MAX_AIS_PAGE = 1000;
/** The smallest page asked of AIS (with a delimiter many names may roll up into one entry). */
const MIN_AIS_PAGE = 16;
/**
 * Appended to a common prefix to continue the AIS listing after every name under it: U+10FFFF is the
 * largest code point, so only names that themselves continue with four of them are not jumped over (and
 * those are still rolled up correctly, just read).
 */
const PAST_PREFIX = '\u{10FFFF}'.repeat(4);

export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function maxUtf8(a: string, b: string): string {
  return compareUtf8(a, b) >= 0 ? a : b;
}

/**
 * Assembles one S3 listing page from AIS's recursive listing (AIS pages never align with max-keys): reads
 * until it has max-keys entries plus one more to know whether the listing is truncated, or the listing
 * ends. With a delimiter, names are rolled up into common prefixes here (AIS's own no-recursion mode knows
 * only `/` and shows empty directories that deletes leave behind), and the listing continues past each
 * common prefix instead of reading every name under it.
 */
export async function assemblePage(request: ListObjectsRequest, fetch: AisListFetch): Promise<ListObjectsPage> {
  const page: ListObjectsPage = { objects: [], commonPrefixes: [], isTruncated: false };
  if (request.maxKeys <= 0) return page;
  const { prefix, delimiter, startAfter: marker } = request;
  const rollUpOf = (key: string): string | undefined => (delimiter ? commonPrefixOf(key, prefix, delimiter) : undefined);
  const resumeAfter = (name: string): string => {
    const rollUp = rollUpOf(name);
    return rollUp === undefined ? name : maxUtf8(name, rollUp + PAST_PREFIX);
  };

  let cursor = marker !== undefined ? resumeAfter(marker) : undefined;
  let count = 0;
  for (;;) {
    const limit = Math.min(MAX_AIS_PAGE, Math.max(request.maxKeys + 1 - count, MIN_AIS_PAGE));
    const chunk = await fetch(cursor, limit);
    for (const entry of chunk.entries) {
      if (!entry.key.startsWith(prefix)) continue;
      if (marker !== undefined && compareUtf8(entry.key, marker) <= 0) continue;
      const rollUp = rollUpOf(entry.key);
      if (rollUp !== undefined) {
        // Already given on this page, or on an earlier one (at or before the marker).
        if (rollUp === page.lastEntry || (marker !== undefined && compareUtf8(rollUp, marker) <= 0)) continue;
        if (count === request.maxKeys) {
          page.isTruncated = true;
          return page;
        }
        page.commonPrefixes.push(rollUp);
        page.lastEntry = rollUp;
        count += 1;
        continue;
      }
      if (count === request.maxKeys) {
        page.isTruncated = true;
        return page;
      }
      page.objects.push(entry);
      page.lastEntry = entry.key;
      count += 1;
    }
    const last = chunk.entries.at(-1);
    if (chunk.done || last === undefined) return page;
    const next = resumeAfter(last.key);
    // Never go backwards (AIS answers in byte order, so this only guards against a misbehaving peer).
    if (cursor !== undefined && compareUtf8(next, cursor) <= 0) return page;
    cursor = next;
  }
}
