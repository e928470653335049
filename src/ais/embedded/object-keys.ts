import { MAX_KEY_BYTES } from '../../s3/address';

/**
 * Object index keys: `<bucket> 0x00 <key as UTF-8>`. LMDB orders keys by bytes, so within a bucket the
 * index is in UTF-8 byte order, exactly S3's listing order, whatever the key contains (bucket names
 * never contain 0x00, so one bucket's keys never mix with another's).
 */
export function bucketBase(bucket: string): Buffer {
  return Buffer.from(`${bucket}\0`, 'utf8');
}

export function indexKey(base: Buffer, key: string): Buffer {
  return Buffer.concat([base, Buffer.from(key, 'utf8')]);
}

export function keyOf(base: Buffer, indexed: Buffer): string {
  return indexed.toString('utf8', base.length);
}

/**
 * The smallest byte string greater than every string that starts with `bytes`. UTF-8 never contains
 * 0xFF, so incrementing the last byte is enough; the empty prefix has no successor within a bucket.
 */
export function prefixSuccessor(bytes: Buffer): Buffer {
  const next = Buffer.from(bytes);
  next[next.length - 1] += 1;
  return next;
}

/** The end of a bucket's range: `<bucket> 0x01`. */
export function bucketEnd(bucket: string): Buffer {
  return Buffer.from(`${bucket}\u0001`, 'utf8');
}

/** S3 keys are at most 1024 bytes, so a longer listing prefix matches no key (and LMDB could not seek to it). */
export function prefixMatchesNoKey(prefix: string): boolean {
  return Buffer.byteLength(prefix, 'utf8') > MAX_KEY_BYTES;
}
