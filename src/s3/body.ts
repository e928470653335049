import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { BodyDigest, Checksums, IncomingBody } from '../ais/store';
import { AwsChunkedDecoder } from './aws-chunked';
import { algorithmOfHeader, type Checksum, type ChecksumAlgorithm, checksumHeader, createChecksum, isValidChecksumValue, parseAlgorithm } from './checksum';
import { S3Error } from './errors';
import type { S3Request } from './s3-request';
import { headerValue } from './headers';
import { connectStreams } from '../streams/connect';

/** Largest single PUT S3 accepts (5 GiB); bigger objects need multipart upload. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

/**
 * Whether the body is framed in aws-chunked chunks: a `STREAMING-*` payload hash, or an
 * `x-amz-decoded-content-length` (the length without the framing). Content-Encoding does not decide it: boto3
 * sends `Content-Encoding: gzip, aws-chunked` with a plain body, and S3 stores it as `gzip`.
 */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const sha = headerValue(headers, 'x-amz-content-sha256');
  if (sha !== undefined && sha.startsWith('STREAMING-')) return true;
  return headers['x-amz-decoded-content-length'] !== undefined;
}

/** The Content-Encoding to store: what the client declared, without `aws-chunked`, which names only the transport. */
export function storedContentEncoding(headers: IncomingHttpHeaders): string | undefined {
  const declared = headerValue(headers, 'content-encoding');
  if (declared === undefined || declared === '') return undefined;
  if (!/aws-chunked/i.test(declared)) return declared;
  const parts = declared
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.toLowerCase() !== 'aws-chunked');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function parseLength(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new S3Error('InvalidArgument', `${name} must be a non-negative integer.`, { ArgumentName: name });
  return Number(value);
}

function parseContentMd5(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const digest = Buffer.from(value, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== value.trim()) throw new S3Error('InvalidDigest');
  return digest;
}

const CHECKSUM_HEADER_PREFIX = 'x-amz-checksum-';
/** Headers under the checksum prefix that carry no checksum value. */
const CHECKSUM_CONTROL_HEADERS = new Set(['x-amz-checksum-algorithm', 'x-amz-checksum-mode', 'x-amz-checksum-type']);

interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** Where the client's value comes from; `none`: the client only names the algorithm for us to compute. */
  source: 'header' | 'trailer' | 'none';
  /** Base64 value, when it came in a header. */
  value?: string;
}

/**
 * Which flexible checksum the client supplies (S3 "Checking object integrity"): one `x-amz-checksum-*` header,
 * or one named in `x-amz-trailer` to follow the body; `x-amz-sdk-checksum-algorithm` alone asks the server
 * to compute and keep it.
 */
function expectedChecksum(headers: IncomingHttpHeaders): ExpectedChecksum | undefined {
  const supplied: ExpectedChecksum[] = [];
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(CHECKSUM_HEADER_PREFIX) || CHECKSUM_CONTROL_HEADERS.has(name)) continue;
    const algorithm = algorithmOfHeader(name);
    // Newer algorithms (SHA512, XXHASH*, MD5) must not be silently ignored: the client expects them checked.
    if (algorithm === undefined) throw new S3Error('InvalidRequest', `The checksum header ${name} is not supported.`);
    const value = headerValue(headers, name) ?? '';
    if (!isValidChecksumValue(algorithm, value)) {
      throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
    }
    supplied.push({ algorithm, source: 'header', value });
  }
  const trailer = headerValue(headers, 'x-amz-trailer');
  if (trailer !== undefined) {
    const algorithm = algorithmOfHeader(trailer.trim().toLowerCase());
    if (algorithm === undefined) throw new S3Error('InvalidRequest', `Unsupported x-amz-trailer: ${trailer}.`);
    supplied.push({ algorithm, source: 'trailer' });
  }
  if (supplied.length > 1) throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  if (supplied.length === 1) return supplied[0];
  const declared = headerValue(headers, 'x-amz-sdk-checksum-algorithm') ?? headerValue(headers, 'x-amz-checksum-algorithm');
  if (declared === undefined) return undefined;
  const algorithm = parseAlgorithm(declared);
  if (algorithm === undefined) throw new S3Error('InvalidRequest', `Checksum algorithm ${declared} is not supported.`);
  return { algorithm, source: 'none' };
}

function withRequiredChecksum(expected: ExpectedChecksum | undefined, required: ChecksumAlgorithm | undefined): ExpectedChecksum | undefined {
  if (required === undefined) return expected;
  if (expected === undefined) return { algorithm: required, source: 'none' };
  if (expected.algorithm !== required) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${required.toLowerCase()}, actual checksum Type: ${expected.algorithm.toLowerCase()}`,
    );
  }
  return expected;
}

/**
 * Counts and hashes the bytes passing through: MD5 (the ETag) unless the store computes it (`md5` dropped), plus the
 * flexible checksum asked for.
 */
class DigestStream extends Transform {
  size = 0;
  md5: Hash | undefined = createHash('md5');

  constructor(
    readonly checksum: Checksum | undefined,
    private readonly limit: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) return callback(new S3Error('EntityTooLarge'));
    this.md5?.update(chunk);
    this.checksum?.update(chunk);
    callback(null, chunk);
  }
}

export interface BodyOptions {
  /** Refuse bodies larger than this (EntityTooLarge). */
  maxBytes?: number;
  /** A checksum the body must have, computed if the client sends none (the parts of a multipart upload). */
  requiredChecksum?: ChecksumAlgorithm;
}

/** Where a body is read from: a request, or the bytes of another object (UploadPartCopy). */
export interface BodySource {
  raw: Readable;
  headers: IncomingHttpHeaders;
  auth?: S3Request['auth'];
}

/**
 * Wraps a request body for storage: decodes aws-chunked framing, hashes while streaming, and verifies once
 * the last byte is in: lengths, Content-MD5 (BadDigest) and the flexible checksum, from header or trailer.
 * Validation of the headers themselves happens here, before any byte is read.
 */
export function incomingBody(source: BodySource, options: BodyOptions = {}): IncomingBody {
  const { raw, headers } = source;
  const signed = source.auth?.payload ?? {};
  const limit = options.maxBytes ?? MAX_PUT_BYTES;
  const chunked = isAwsChunked(headers);
  const declaredLength = chunked
    ? parseLength(headerValue(headers, 'x-amz-decoded-content-length'), 'x-amz-decoded-content-length')
    : parseLength(headerValue(headers, 'content-length'), 'Content-Length');
  if (declaredLength !== undefined && declaredLength > limit) throw new S3Error('EntityTooLarge');
  const contentMd5 = parseContentMd5(headerValue(headers, 'content-md5'));
  const expected = withRequiredChecksum(expectedChecksum(headers), options.requiredChecksum);
  if (expected?.source === 'trailer' && !chunked) {
    throw new S3Error('InvalidRequest', 'x-amz-trailer requires an aws-chunked body.');
  }

  const decoder = chunked ? new AwsChunkedDecoder({ decodedLength: declaredLength, verifier: signed.chunks }) : undefined;
  const digest = new DigestStream(expected ? createChecksum(expected.algorithm) : undefined, limit);
  const stages: Transform[] = [decoder, signed.sha256Check?.(), digest].filter((stage): stage is Transform => stage !== undefined);
  const stream = pipelineStreams(raw, ...stages);

  // eslint-disable-next-line @typescript-eslint/require-await -- its checks throw, and IncomingBody.verify() reports a failed check as a rejection
  const verify = async (): Promise<BodyDigest> => {
    if (signed.signedTrailer && decoder !== undefined) signed.chunks?.verifyTrailer(decoder.trailers);
    if (declaredLength !== undefined && digest.size !== declaredLength) throw new S3Error('IncompleteBody');
    const md5 = digest.md5?.digest();
    if (contentMd5 !== undefined && md5 !== undefined && !md5.equals(contentMd5)) throw new S3Error('BadDigest');
    const checksums: Checksums = {};
    if (expected !== undefined && digest.checksum !== undefined) {
      const actual = digest.checksum.digest().toString('base64');
      const claimed = expected.source === 'trailer' ? trailerChecksum(decoder, expected.algorithm) : expected.value;
      if (claimed !== undefined && claimed !== actual) {
        throw new S3Error('BadDigest', `The ${expected.algorithm} you specified did not match the calculated checksum.`);
      }
      checksums[expected.algorithm] = actual;
    }
    return { size: digest.size, md5Hex: md5?.toString('hex') ?? '', checksums };
  };
  const checksum = expected && { algorithm: expected.algorithm, value: expected.source === 'header' ? expected.value : undefined };
  const md5FromStore = (): void => {
    if (contentMd5 === undefined) digest.md5 = undefined;
  };
  return { stream, verify, checksum, md5FromStore };
}

/** The checksum announced in `x-amz-trailer`; it must have arrived, well formed (S3: MalformedTrailerError). */
function trailerChecksum(decoder: AwsChunkedDecoder | undefined, algorithm: ChecksumAlgorithm): string {
  const value = decoder?.trailers.get(checksumHeader(algorithm));
  if (value === undefined) throw new S3Error('MalformedTrailerError', `The ${checksumHeader(algorithm)} trailer announced in x-amz-trailer did not arrive.`);
  if (!isValidChecksumValue(algorithm, value)) throw new S3Error('InvalidDigest', `The ${checksumHeader(algorithm)} trailer is not a valid checksum.`);
  return value;
}

/**
 * Chains streams and hands back the last one. Every stage is destroyed with the error when any part fails
 * (client abort, bad framing), so the consumer of the last stage sees it.
 */
function pipelineStreams(source: Readable, ...stages: Transform[]): Readable {
  connectStreams([source, ...stages]);
  return stages[stages.length - 1];
}

/** Whether the request carries any integrity header S3 accepts where it requires one (DeleteObjects). */
export function hasIntegrityHeader(headers: IncomingHttpHeaders): boolean {
  if (headers['content-md5'] !== undefined || headers['x-amz-trailer'] !== undefined) return true;
  return Object.keys(headers).some((name) => algorithmOfHeader(name) !== undefined);
}

/** Reads a small request body (XML documents) whole, verified like any other body. */
export async function readSmallBody(source: BodySource, maxBytes: number): Promise<Buffer> {
  const body = incomingBody(source, { maxBytes });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body.stream) chunks.push(chunk as Buffer);
  } catch (err) {
    if (err instanceof S3Error && err.code === 'EntityTooLarge') throw new S3Error('MalformedXML', 'The XML you provided was too large.');
    throw err;
  }
  await body.verify();
  return Buffer.concat(chunks);
}

/**
 * The document of a bucket or object configuration PUT (PutBucketCors, PutBucketLifecycleConfiguration,
 * PutPublicAccessBlock, Put...Tagging, PutBucketVersioning), as text. S3 requires Content-MD5 or a flexible checksum
 * header on all of them (InvalidRequest without), and the body is verified against it. `tooLarge`: the error for a
 * Content-Length over `maxBytes`, where S3 has its own (a body that runs over without one is MalformedXML).
 */
export async function readConfigurationDocument(request: S3Request, maxBytes: number, tooLarge?: () => S3Error): Promise<string> {
  if (!hasIntegrityHeader(request.headers)) throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
  const body = await readSmallBody(request, maxBytes).catch((err: unknown) => {
    throw tooLarge !== undefined && err instanceof S3Error && err.code === 'EntityTooLarge' ? tooLarge() : err;
  });
  return body.toString('utf8');
}
