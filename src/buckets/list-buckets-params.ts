import { S3Error } from '../s3/errors';
import type { Query } from '../s3/query';

/**
 * ListBuckets' pagination (S3 API reference, ListBuckets, 2024): `max-buckets` 1..10000, an opaque
 * `continuation-token`, `prefix` and `bucket-region` filters. Without any of the four the answer is every bucket
 * in one page, as before S3 added them; with any of them but no `max-buckets` the page holds up to 10,000.
 */
export const MAX_BUCKETS = 10_000;

export interface ListBucketsParams {
  /** Only buckets whose name begins with this (and the answer repeats it as `Prefix`). */
  prefix?: string;
  /** Only buckets in this region. */
  region?: string;
  /** Exclusive: where the page starts, from the continuation token. */
  startAfter?: string;
  /** Undefined: the unpaginated call, every bucket. */
  maxBuckets?: number;
}

export function parseListBucketsParams(query: Query): ListBucketsParams {
  const { prefix, 'bucket-region': region, 'continuation-token': token, 'max-buckets': max } = query;
  const paginated = prefix !== undefined || region !== undefined || token !== undefined || max !== undefined;
  return {
    prefix,
    region,
    startAfter: token === undefined || token === '' ? undefined : bucketOfContinuationToken(token),
    maxBuckets: max !== undefined ? parseMaxBuckets(max) : paginated ? MAX_BUCKETS : undefined,
  };
}

function parseMaxBuckets(raw: string): number {
  const value = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_BUCKETS)) {
    throw new S3Error('InvalidArgument', `Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS}`, {
      ArgumentName: 'max-buckets',
      ArgumentValue: raw,
    });
  }
  return value;
}

/** Marks a ListBuckets token, so that no other token (a ListObjectsV2 one) passes for one. */
const TOKEN_MARK = 'b1:';

/** The token of the page after `lastBucket`: opaque to clients (base64url of the name, marked). */
export function continuationTokenAfterBucket(lastBucket: string): string {
  return Buffer.from(TOKEN_MARK + lastBucket, 'utf8').toString('base64url');
}

/** The bucket a token continues after; InvalidArgument for a token this gateway did not make. */
export function bucketOfContinuationToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_MARK) || text.length === TOKEN_MARK.length || continuationTokenAfterBucket(text.slice(TOKEN_MARK.length)) !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return text.slice(TOKEN_MARK.length);
}
