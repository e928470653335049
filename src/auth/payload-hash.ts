/**
 * The payload side of SigV4: what x-amz-content-sha256 may say, and checking a body against a signed
 * hex SHA-256 as it streams (XAmzContentSHA256Mismatch at the end, before anything is committed).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../s3/errors';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** aws-chunked body, every chunk signed. */
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
/** aws-chunked body, every chunk signed, then trailers signed with x-amz-trailer-signature. */
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
/** aws-chunked body without chunk signatures, with trailers (the SDKs' default for checksums over HTTPS). */
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** How the body of a request is covered by its signature. */
export type PayloadMode = 'sha256' | 'unsigned' | 'streaming-signed' | 'streaming-signed-trailer' | 'streaming-unsigned-trailer';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

const MODES: ReadonlyMap<string, PayloadMode> = new Map([
  [UNSIGNED_PAYLOAD, 'unsigned'],
  [STREAMING_SIGNED_PAYLOAD, 'streaming-signed'],
  [STREAMING_SIGNED_PAYLOAD_TRAILER, 'streaming-signed-trailer'],
  [STREAMING_UNSIGNED_PAYLOAD_TRAILER, 'streaming-unsigned-trailer'],
]);

/** The payload mode an x-amz-content-sha256 value (or a presigned URL's payload hash) announces; undefined if none. */
export function payloadMode(payloadHash: string): PayloadMode | undefined {
  if (SHA256_HEX.test(payloadHash)) return 'sha256';
  return MODES.get(payloadHash);
}

/** Whether S3 accepts this x-amz-content-sha256 value (SigV4a's ECDSA streaming modes are not supported here). */
export function isValidPayloadHash(payloadHash: string): boolean {
  return payloadMode(payloadHash) !== undefined;
}

/**
 * Passes the body through unchanged while hashing it; at the end, fails with XAmzContentSHA256Mismatch
 * (ClientComputedContentSHA256 / S3ComputedContentSHA256, as S3 reports them) if the digest is not the
 * one the client signed. Put it before whatever commits the body, so a mismatch stores nothing.
 */
export class PayloadSha256Check extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private readonly expected: string;

  constructor(expectedHex: string) {
    super();
    if (!SHA256_HEX.test(expectedHex)) throw new Error(`not a hex SHA-256: ${expectedHex}`);
    this.expected = expectedHex.toLowerCase();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual === this.expected) return callback();
    callback(
      new S3Error('XAmzContentSHA256Mismatch', undefined, {
        ClientComputedContentSHA256: this.expected,
        S3ComputedContentSHA256: actual,
      }),
    );
  }
}

/** The check a payload hash calls for: a PayloadSha256Check for a hex SHA-256, undefined for every other mode. */
export function payloadHashCheck(payloadHash: string): PayloadSha256Check | undefined {
  return payloadMode(payloadHash) === 'sha256' ? new PayloadSha256Check(payloadHash) : undefined;
}
