import type { Database } from 'lmdb';
import { commonPrefixOf } from '../../s3/listing-rules';
import type { ListObjectsPage, ListObjectsRequest } from '../store';
import { bucketBase, bucketEnd, indexKey, keyOf, prefixMatchesNoKey, prefixSuccessor } from './object-keys';
import { type ObjectRecord, summaryOf } from './records';

/**
 * One page of a bucket listing, reading a bounded stretch of the index: it starts at the prefix (or after
 * the marker) and, for each common prefix found, jumps past all keys under it instead of reading them.
 * Runs synchronously, so the whole page comes from one LMDB read snapshot.
 */
export function listPage(objects: Database<ObjectRecord, Buffer>, bucket: string, request: ListObjectsRequest): ListObjectsPage {
  const page: ListObjectsPage = { objects: [], commonPrefixes: [], isTruncated: false };
  if (request.maxKeys <= 0 || prefixMatchesNoKey(request.prefix)) return page;
  const base = bucketBase(bucket);
  const { prefix, delimiter } = request;
  const marker = request.startAfter !== undefined ? indexKey(base, request.startAfter) : undefined;
  const end = prefix === '' ? bucketEnd(bucket) : prefixSuccessor(indexKey(base, prefix));
  let cursor = indexKey(base, prefix);
  if (marker !== undefined && Buffer.compare(marker, cursor) >= 0) cursor = marker;

  let count = 0;
  scan: for (;;) {
    for (const { key: indexed, value } of objects.getRange({ start: cursor, end })) {
      if (marker !== undefined && Buffer.compare(indexed, marker) <= 0) continue;
      const key = keyOf(base, indexed);
      const rollUp = delimiter ? commonPrefixOf(key, prefix, delimiter) : undefined;
      if (rollUp !== undefined) {
        const rolled = indexKey(base, rollUp);
        // A common prefix at or before the marker was already returned on an earlier page.
        if (marker === undefined || Buffer.compare(rolled, marker) > 0) {
          if (count === request.maxKeys) {
            page.isTruncated = true;
            break scan;
          }
          page.commonPrefixes.push(rollUp);
          page.lastEntry = rollUp;
          count += 1;
        }
        cursor = prefixSuccessor(rolled);
        continue scan;
      }
      if (count === request.maxKeys) {
        page.isTruncated = true;
        break scan;
      }
      page.objects.push(summaryOf(key, value));
      page.lastEntry = key;
      count += 1;
    }
    break;
  }
  return page;
}
