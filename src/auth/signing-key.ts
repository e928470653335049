/**
 * SigV4 cryptography: the signing key derivation (kSecret -> kDate -> kRegion -> kService -> kSigning),
 * with a small LRU cache because a key serves every request of one access key for a whole day, and
 * constant-time comparison of signatures.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';

export function hmacSha256(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string | Buffer): string {
  // One-shot hash (Node >= 20.12): no Hash object per call.
  return hash('sha256', data, 'hex');
}

/** `DATE/REGION/SERVICE/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${TERMINATOR}`;
}

/** The signing key for one (secret, yyyymmdd date, region, service), uncached. */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmacSha256(`AWS4${secret}`, date);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, TERMINATOR);
}

/** How many signing keys are kept: one per (access key, day, region) in use, so a few hundred is plenty. */
export const SIGNING_KEY_CACHE_SIZE = 256;

/** Insertion-ordered Map used as an LRU: a hit moves the entry to the end, the oldest is evicted. */
const cache = new Map<string, Buffer>();

/** The signing key, from the cache when this (secret, date, region, service) was seen lately. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  // NUL cannot occur in any of the parts that matter (secrets, yyyymmdd, region and service names).
  const id = `${secret}\0${date}\0${region}\0${service}`;
  const hit = cache.get(id);
  if (hit !== undefined) {
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const key = deriveSigningKey(secret, date, region, service);
  cache.set(id, key);
  if (cache.size > SIGNING_KEY_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return key;
}

/** Empties the signing key cache (tests; credential rotation needs nothing, a new secret is a new entry). */
export function clearSigningKeyCache(): void {
  cache.clear();
}

export function signingKeyCacheSize(): number {
  return cache.size;
}

/** The hex HMAC-SHA256 of a string to sign: a signature. */
export function sign(key: Buffer, stringToSign: string): string {
  return hmacSha256(key, stringToSign).toString('hex');
}

const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Whether a provided hex signature equals the computed one, compared in constant time. Anything that is
 * not 64 lower-case hex digits is simply unequal (its length is not a secret).
 */
export function signaturesEqual(computedHex: string, providedHex: string | undefined): boolean {
  if (providedHex === undefined || !SIGNATURE.test(providedHex) || !SIGNATURE.test(computedHex)) return false;
  return timingSafeEqual(Buffer.from(computedHex, 'hex'), Buffer.from(providedHex, 'hex'));
}
