import { S3Error } from '../s3/errors';
import type { Query } from '../s3/query';

/** S3 never returns more than 1000 entries per page; larger max-keys are capped, not refused. */
export const MAX_KEYS_CAP = 1000;

export interface ListingParams {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  /** encoding-type=url: keys and prefixes come back percent-encoded. */
  urlEncoded: boolean;
}

export function parseMaxKeys(query: Query, name = 'max-keys'): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return MAX_KEYS_CAP;
  if (!/^\d+$/.test(raw)) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: name, ArgumentValue: raw });
  }
  return Math.min(Number(raw), MAX_KEYS_CAP);
}

export function parseListingParams(query: Query): ListingParams {
  const encoding = query['encoding-type'];
  if (encoding !== undefined && encoding !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: encoding });
  }
  const delimiter = query.delimiter;
  return {
    prefix: query.prefix ?? '',
    delimiter: delimiter === undefined || delimiter === '' ? undefined : delimiter,
    maxKeys: parseMaxKeys(query),
    urlEncoded: encoding === 'url',
  };
}

/** S3's encoding-type=url: percent-encode everything but the path separator. */
export function encodeForListing(text: string, urlEncoded: boolean): string {
  return urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text;
}

/** Continuation tokens are opaque to clients: the last entry of the previous page, base64url. */
export function continuationTokenAfter(lastEntry: string): string {
  return Buffer.from(lastEntry, 'utf8').toString('base64url');
}

export function entryOfContinuationToken(token: string): string {
  const entry = Buffer.from(token, 'base64url').toString('utf8');
  if (token === '' || continuationTokenAfter(entry) !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return entry;
}
