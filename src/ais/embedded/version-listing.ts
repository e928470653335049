import { commonPrefixOf } from '../../s3/listing-rules';
import type { ListVersionsPage, ListVersionsRequest, VersionEntry } from '../store';
import { bucketBase, bucketEnd, indexKey, prefixMatchesNoKey, prefixSuccessor } from './object-keys';
import { type HistoryRecord, isDeleteMarker, summaryOf } from './records';
import { sequenceOf, UNNUMBERED } from './version-ids';
import type { VersionedIndex } from './versioned-index';

/**
 * One ListObjectVersions page. Keys come in UTF-8 byte order from the two indexes (current objects, and the
 * history of past versions and markers): the next key is the smaller of the two indexes' first keys at or after
 * the position, so a page costs a few seeks per key it holds, and a common prefix is skipped with one seek,
 * however many versions sit under it. Runs synchronously: the page comes from one LMDB read snapshot.
 */
export function listVersionsPage(index: VersionedIndex, bucket: string, request: ListVersionsRequest): ListVersionsPage {
  const page: ListVersionsPage = { versions: [], commonPrefixes: [], isTruncated: false };
  if (request.maxKeys <= 0 || prefixMatchesNoKey(request.prefix)) return page;
  const { prefix, delimiter, keyMarker, versionIdMarker } = request;
  // A malformed marker is InvalidArgument whether or not the page reaches its key, as on the AIS backend.
  if (versionIdMarker !== undefined) sequenceOf(versionIdMarker);
  const prefixBytes = Buffer.from(prefix, 'utf8');
  const end = prefix === '' ? undefined : prefixSuccessor(prefixBytes);
  const marker = keyMarker !== undefined && keyMarker !== '' ? Buffer.from(keyMarker, 'utf8') : undefined;
  let from: Buffer = prefixBytes;
  // The key the page resumes inside of (a version-id-marker), after the version named.
  let resumeKey: Buffer | undefined;
  if (marker !== undefined && Buffer.compare(marker, from) >= 0) {
    if (versionIdMarker === undefined) from = afterKey(marker);
    else {
      from = marker;
      resumeKey = marker;
    }
  }
  let count = 0;
  const lister = new KeyVersions(index, bucket);
  for (;;) {
    const next = lister.firstKeyFrom(from, end);
    if (next === undefined) return page;
    const key = next.toString('utf8');
    const rollUp = delimiter ? commonPrefixOf(key, prefix, delimiter) : undefined;
    if (rollUp !== undefined) {
      const rolled = Buffer.from(rollUp, 'utf8');
      // A common prefix at or before the marker was returned on an earlier page.
      if (marker === undefined || Buffer.compare(rolled, marker) > 0) {
        if (count === request.maxKeys) return truncated(page);
        page.commonPrefixes.push(rollUp);
        page.nextKeyMarker = rollUp;
        page.nextVersionIdMarker = undefined;
        count += 1;
      }
      from = prefixSuccessor(rolled);
      continue;
    }
    const after = resumeKey !== undefined && next.equals(resumeKey) ? versionIdMarker : undefined;
    for (const entry of lister.versionsOf(key, after)) {
      if (count === request.maxKeys) return truncated(page);
      page.versions.push(entry);
      page.nextKeyMarker = key;
      page.nextVersionIdMarker = entry.versionId;
      count += 1;
    }
    from = afterKey(next);
  }
}

/** The page with its markers kept: they say where the next one starts. */
function truncated(page: ListVersionsPage): ListVersionsPage {
  page.isTruncated = true;
  return page;
}

/** The position just after `key` and before any longer key that starts with it. */
function afterKey(key: Buffer): Buffer {
  return Buffer.concat([key, ZERO]);
}

const ZERO = Buffer.from([0]);

/** Reads a bucket's keys and their versions from both indexes. */
class KeyVersions {
  private readonly base: Buffer;

  constructor(
    private readonly index: VersionedIndex,
    private readonly bucket: string,
  ) {
    this.base = bucketBase(bucket);
  }

  firstKeyFrom(from: Buffer, end: Buffer | undefined): Buffer | undefined {
    const current = this.firstCurrentKeyFrom(from, end);
    const past = this.index.history.firstKeyFrom(this.bucket, from, end);
    if (current === undefined) return past;
    if (past === undefined) return current;
    return Buffer.compare(current, past) <= 0 ? current : past;
  }

  private firstCurrentKeyFrom(from: Buffer, end: Buffer | undefined): Buffer | undefined {
    const range = { start: Buffer.concat([this.base, from]), end: end === undefined ? bucketEnd(this.bucket) : Buffer.concat([this.base, end]) };
    for (const at of this.index.objects.getKeys({ ...range, limit: 1 })) return at.subarray(this.base.length);
    return undefined;
  }

  /**
   * The key's versions newest first; with `after`, only those older than that version (or than where it was, if it
   * has been deleted since). The current object, when there is one, is the newest.
   */
  *versionsOf(key: string, after: string | undefined): Iterable<VersionEntry> {
    const current = this.index.objects.get(indexKey(this.base, key));
    const latest = current?.versionId ?? this.index.history.newest(this.bucket, key)?.versionId;
    let position: bigint | undefined;
    if (after !== undefined && after !== current?.versionId) {
      position = this.index.history.sequenceOfVersion(this.bucket, key, after);
      // The null version the marker names is gone: where it was is unknown, so the key is done.
      if (position === undefined) return;
    }
    const currentFollows = current !== undefined && (after === undefined || (position !== undefined && BigInt(current.seq ?? UNNUMBERED) < position));
    if (currentFollows) yield entryOf(key, current, true);
    for (const past of this.index.history.entries(this.bucket, key, position)) yield entryOf(key, past, past.versionId === latest);
  }
}

function entryOf(key: string, record: HistoryRecord, isLatest: boolean): VersionEntry {
  if (isDeleteMarker(record)) return { deleteMarker: true, key, versionId: record.versionId, lastModified: new Date(record.modified), isLatest };
  return { ...summaryOf(key, record), deleteMarker: false, isLatest };
}
