import type { Database } from 'lmdb';
import { NULL_VERSION, type VersionId } from '../store';
import { bucketBase, bucketEnd, indexKey } from './object-keys';
import type { HistoryRecord } from './records';
import { sequenceOf, UNNUMBERED } from './version-ids';

/**
 * Past versions and delete markers of the keys of buckets with versioning configured. A key's current object
 * stays in the `objects` index (so ListObjects reads only that); everything older, and every delete marker,
 * lives here, keyed `<bucket> 0x00 <escaped key> 0x00 <inverted sequence>`: in key order, newest first within a
 * key, so a key's versions are one range and its newest is that range's first entry.
 *
 * The key's bytes are escaped (0x00 -> 01 01, 0x01 -> 01 02) so the 0x00 that ends them sorts below any key
 * byte: a key's range never takes in another key's versions, even for keys that contain 0x00, and the escaped
 * keys keep the UTF-8 byte order S3 lists in.
 *
 * The `null` version, wherever it sits in the history, is found through `nulls` (`<bucket> 0x00 <key>` -> its
 * sequence), so a write in a Suspended bucket replaces it with two lookups, not a walk of the history.
 */
export class VersionHistory {
  constructor(
    private readonly versions: Database<HistoryRecord, Buffer>,
    private readonly nulls: Database<number, Buffer>,
    private readonly counters: Database<number, string>,
  ) {}

  /** Inside a write transaction: the next sequence number, store-wide (1, 2, ...; 0 is UNNUMBERED). */
  nextSequence(): number {
    const next = (this.counters.get(SEQUENCE_COUNTER) ?? UNNUMBERED) + 1;
    void this.counters.put(SEQUENCE_COUNTER, next);
    return next;
  }

  /** Inside a write transaction: `record` becomes one of the key's past versions (or its newest delete marker). */
  keep(bucket: string, key: string, record: HistoryRecord): void {
    const sequence = record.seq ?? UNNUMBERED;
    void this.versions.put(historyKey(bucket, key, BigInt(sequence)), record);
    if (record.versionId === NULL_VERSION) void this.nulls.put(indexKey(bucketBase(bucket), key), sequence);
  }

  /** Inside a write transaction: removes a version that `find` or `newest` returned, for good. */
  drop(bucket: string, key: string, record: HistoryRecord): void {
    void this.versions.remove(historyKey(bucket, key, BigInt(record.seq ?? UNNUMBERED)));
    if (record.versionId === NULL_VERSION) void this.nulls.remove(indexKey(bucketBase(bucket), key));
  }

  newest(bucket: string, key: string): HistoryRecord | undefined {
    for (const { value } of this.versions.getRange({ ...keyRange(bucket, key), limit: 1 })) return value;
    return undefined;
  }

  /** The version with this id among the key's past versions; throws InvalidArgument for a malformed id. */
  find(bucket: string, key: string, versionId: VersionId): HistoryRecord | undefined {
    const sequence = this.sequenceOfVersion(bucket, key, versionId);
    if (sequence === undefined) return undefined;
    const found = this.versions.get(historyKey(bucket, key, sequence));
    if (found?.versionId === versionId) return found;
    // An id given before versions were numbered names the one version kept at sequence 0, if any.
    const unnumbered = this.versions.get(historyKey(bucket, key, BigInt(UNNUMBERED)));
    return unnumbered?.versionId === versionId ? unnumbered : undefined;
  }

  /**
   * Where a version id sits in the key's history: the sequence it carries, or the null version's; undefined when
   * the key has no null version. Throws InvalidArgument for a malformed id.
   */
  sequenceOfVersion(bucket: string, key: string, versionId: VersionId): bigint | undefined {
    const sequence = sequenceOf(versionId);
    if (sequence !== null) return sequence;
    const nullSequence = this.nulls.get(indexKey(bucketBase(bucket), key));
    return nullSequence === undefined ? undefined : BigInt(nullSequence);
  }

  /** The key's past versions, newest first; with `after`, only those older than the version at that sequence. */
  *entries(bucket: string, key: string, after?: bigint): Iterable<HistoryRecord> {
    const range = keyRange(bucket, key);
    const start = after === undefined ? range.start : historyKey(bucket, key, after);
    for (const { key: at, value } of this.versions.getRange({ start, end: range.end })) {
      if (after !== undefined && at.equals(start)) continue;
      yield value;
    }
  }

  /** The first key (its UTF-8 bytes) with a past version at or after `from` and before `end` (undefined: the bucket's end). */
  firstKeyFrom(bucket: string, from: Buffer, end: Buffer | undefined): Buffer | undefined {
    const base = bucketBase(bucket);
    const range = { start: Buffer.concat([base, escapeKey(from)]), end: end === undefined ? bucketEnd(bucket) : Buffer.concat([base, escapeKey(end)]) };
    for (const at of this.versions.getKeys({ ...range, limit: 1 })) return unescapeKey(at.subarray(base.length, at.indexOf(0, base.length)));
    return undefined;
  }

  hasAny(bucket: string): boolean {
    for (const _ of this.versions.getKeys({ start: bucketBase(bucket), end: bucketEnd(bucket), limit: 1 })) return true;
    return false;
  }
}

const SEQUENCE_COUNTER = 'version-sequence';
const MAX_SEQUENCE = 0xffff_ffff_ffff_ffffn;

function historyKey(bucket: string, key: string, sequence: bigint): Buffer {
  const inverted = Buffer.allocUnsafe(8);
  inverted.writeBigUInt64BE(MAX_SEQUENCE - sequence);
  return Buffer.concat([bucketBase(bucket), escapeKey(Buffer.from(key, 'utf8')), KEY_END, inverted]);
}

function keyRange(bucket: string, key: string): { start: Buffer; end: Buffer } {
  const escaped = Buffer.concat([bucketBase(bucket), escapeKey(Buffer.from(key, 'utf8'))]);
  return { start: Buffer.concat([escaped, KEY_END]), end: Buffer.concat([escaped, AFTER_KEY_END]) };
}

const KEY_END = Buffer.from([0]);
const AFTER_KEY_END = Buffer.from([1]);

/** 0x00 -> 01 01 and 0x01 -> 01 02; every other byte stays. Order-preserving, and never yields 0x00. */
export function escapeKey(raw: Buffer): Buffer {
  if (!raw.includes(0) && !raw.includes(1)) return raw;
  const out: number[] = [];
  for (const byte of raw) {
    if (byte <= 1) out.push(1, byte + 1);
    else out.push(byte);
  }
  return Buffer.from(out);
}

export function unescapeKey(escaped: Buffer): Buffer {
  if (!escaped.includes(1)) return Buffer.from(escaped);
  const out: number[] = [];
  for (let i = 0; i < escaped.length; i += 1) {
    if (escaped[i] === 1) {
      i += 1;
      out.push(escaped[i] - 1);
    } else out.push(escaped[i]);
  }
  return Buffer.from(out);
}
