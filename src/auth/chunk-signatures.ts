/**
 * Signed aws-chunked payloads (AWS S3 API reference, "Transferring payload in multiple chunks" and
 * "Signature calculations for trailing headers"). Each chunk's signature chains from the previous one,
 * seeded with the request's own signature:
 *
 *   AWS4-HMAC-SHA256-PAYLOAD \n time \n scope \n previous signature \n sha256("") \n sha256(chunk data)
 *
 * and with `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` the trailers are signed after the final (empty) chunk:
 *
 *   AWS4-HMAC-SHA256-TRAILER \n time \n scope \n final chunk's signature \n sha256(trailer lines "name:value\n")
 */
import type { ChunkSignatureVerifier } from '../s3/aws-chunked';
import { S3Error } from '../s3/errors';
import { sha256Hex, sign, signaturesEqual } from './signing-key';
import { signatureMismatch, type SigV4Context } from './sigv4';

const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The trailer line carrying the trailer signature (not itself signed). */
export const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

type ChunkContext = Pick<SigV4Context, 'accessKeyId' | 'signingKey' | 'scope' | 'amzDate'>;

export function chunkStringToSign(context: ChunkContext, previousSignature: string, chunkSha256Hex: string): string {
  return `${CHUNK_ALGORITHM}\n${context.amzDate}\n${context.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/**
 * The signed form of the trailers: one `name:value\n` per trailer, lower-case names sorted, values trimmed,
 * x-amz-trailer-signature left out.
 */
export function canonicalTrailers(trailers: Iterable<readonly [string, string]>): string {
  const lines: Array<[string, string]> = [];
  for (const [name, value] of trailers) {
    const lower = name.toLowerCase();
    if (lower !== TRAILER_SIGNATURE) lines.push([lower, value.trim()]);
  }
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.map(([name, value]) => `${name}:${value}\n`).join('');
}

export function trailerStringToSign(context: ChunkContext, previousSignature: string, trailers: Iterable<readonly [string, string]>): string {
  return `${TRAILER_ALGORITHM}\n${context.amzDate}\n${context.scope}\n${previousSignature}\n${sha256Hex(canonicalTrailers(trailers))}`;
}

export interface ChunkVerifyOptions {
  /** Put the StringToSign in SignatureDoesNotMatch errors. */
  debug?: boolean;
}

/**
 * The chunk signature chain of one request, as aws-chunked's ChunkSignatureVerifier: throws
 * SignatureDoesNotMatch at the first chunk whose signature is missing or wrong, and refuses everything
 * after that. Once the final chunk is in, `verifyTrailer` checks a signed trailer.
 */
export class ChunkSignatureChain implements ChunkSignatureVerifier {
  private previous: string;
  private failed = false;

  constructor(
    private readonly context: SigV4Context,
    private readonly options: ChunkVerifyOptions = {},
  ) {
    this.previous = context.signature;
  }

  /** The last signature verified (the seed until the first chunk): what the next chunk or the trailer chains from. */
  get lastSignature(): string {
    return this.previous;
  }

  verifyChunk(signature: string | undefined, dataSha256Hex: string): void {
    this.check(signature, chunkStringToSign(this.context, this.previous, dataSha256Hex), 'chunk-signature');
  }

  /** Checks `x-amz-trailer-signature` over the other trailers (names as the aws-chunked decoder gives them). */
  verifyTrailer(trailers: ReadonlyMap<string, string>): void {
    this.check(trailers.get(TRAILER_SIGNATURE), trailerStringToSign(this.context, this.previous, trailers), TRAILER_SIGNATURE);
  }

  private check(provided: string | undefined, toSign: string, what: string): void {
    if (this.failed) throw new S3Error('SignatureDoesNotMatch', 'An earlier chunk signature did not match.');
    if (provided === undefined) {
      this.failed = true;
      throw new S3Error('SignatureDoesNotMatch', `A signed aws-chunked payload is missing its ${what}.`, {
        AWSAccessKeyId: this.context.accessKeyId,
      });
    }
    if (!signaturesEqual(sign(this.context.signingKey, toSign), provided)) {
      this.failed = true;
      throw signatureMismatch(this.context.accessKeyId, provided, toSign, undefined, this.options.debug ?? false);
    }
    this.previous = provided;
  }
}

/** The ChunkSignatureVerifier for a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` request verified as `context`. */
export function chunkSignatureVerifier(context: SigV4Context, options: ChunkVerifyOptions = {}): ChunkSignatureChain {
  return new ChunkSignatureChain(context, options);
}

/**
 * Verifies the trailer signature of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` body on its own: `trailers`
 * as decoded (including x-amz-trailer-signature), chained from the final chunk's signature.
 */
export function verifyTrailerSignature(
  context: SigV4Context,
  lastChunkSignature: string,
  trailers: ReadonlyMap<string, string>,
  options: ChunkVerifyOptions = {},
): void {
  new ChunkSignatureChain({ ...context, signature: lastChunkSignature }, options).verifyTrailer(trailers);
}
