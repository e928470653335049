import { S3Error } from './errors';
import { parseQuery, type Query } from './query';

/** S3's longest object key, in bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/** S3's longest bucket name (general-purpose buckets). */
export const MAX_BUCKET_NAME_LENGTH = 63;

/** Where an S3 request points: service (no bucket), a bucket, or an object in it. */
export interface S3Address {
  bucket?: string;
  key?: string;
  query: Query;
}

export interface AddressingConfig {
  /** `/s3`, or `''` for the root. */
  s3Prefix: string;
  /** Virtual-hosted style domain (`BUCKET.<domain>`), or `''`. */
  s3Domain: string;
}

function decodePath(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid UTF-8 once decoded (`%FF`, a lone surrogate) or a stray `%`: S3's InvalidURI, with its message.
    throw new S3Error('InvalidURI');
  }
}

function bucketFromHost(host: string | undefined, domain: string): string | undefined {
  if (!domain || !host) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (!name.endsWith(`.${domain}`)) return undefined;
  return name.slice(0, -domain.length - 1);
}

/**
 * Reads the bucket and key from the URL exactly as the client sent it. Returns undefined when the path
 * is outside the S3 prefix. Path-style: `PREFIX/BUCKET/KEY`; virtual-hosted: `BUCKET.DOMAIN` + `PREFIX/KEY`.
 * The key is everything after the bucket's slash, so `a//b`, `dir/` and `../x` are kept verbatim.
 */
export function parseS3Address(url: string, host: string | undefined, config: AddressingConfig): S3Address | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const prefix = config.s3Prefix;
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
  const rest = path.slice(prefix.length + 1);
  const query = parseQuery(rawQuery);

  const hostBucket = bucketFromHost(host, config.s3Domain);
  if (hostBucket !== undefined) {
    return rest === '' ? { bucket: hostBucket, query } : { bucket: hostBucket, key: decodePath(rest), query };
  }
  if (rest === '') return { query };
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: decodePath(rest), query };
  const bucket = decodePath(rest.slice(0, slash));
  const key = rest.slice(slash + 1);
  return key === '' ? { bucket, query } : { bucket, key: decodePath(key), query };
}
