/**
 * Requests signed by hand with @smithy/signature-v4 (configured as @aws-sdk/client-s3 configures it:
 * `uriEscapePath: false`), for what the SDK will not send on its own: a payload hash that lies about the
 * body, signed aws-chunked streaming bodies built chunk by chunk, presigned URLs for plain HTTP, a Host
 * header of the test's choosing.
 */
import { createHash } from 'node:crypto';
import { buildQueryString, extendedEncodeURIComponent, HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../fixtures/sigv4';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export const REGION = 'us-east-1';
export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `/s3/bucket/key` with every key segment encoded as the SDK encodes it. */
export function objectPath(prefix: string, bucket: string, key = ''): string {
  return `${prefix}/${bucket}/${key.split('/').map(extendedEncodeURIComponent).join('/')}`;
}

export function signerFor(key: AccessKey): SignatureV4 {
  return new SignatureV4({ service: 's3', region: REGION, credentials: key, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
}

export interface SignInput {
  method: string;
  /** Path as sent, already percent-encoded (see objectPath). */
  path: string;
  query?: Record<string, string>;
  /** The Host header sent and signed; `127.0.0.1:PORT` of the origin unless given. */
  host?: string;
  headers?: Record<string, string>;
  /** The x-amz-content-sha256 to sign; the SHA-256 of `body` unless given. */
  payloadHash?: string;
  body?: Buffer | string;
  signingDate?: Date;
}

export interface SignedRequest {
  /** Path and query, ready for rawRequest. */
  path: string;
  headers: Record<string, string>;
  /** The request's signature: the seed of a signed aws-chunked body. */
  signature: string;
  /** `yyyymmddThhmmssZ`, as signed. */
  amzDate: string;
  /** `yyyymmdd/region/s3/aws4_request`. */
  scope: string;
  signingDate: Date;
}

function withQuery(path: string, query: Record<string, string | string[] | null>): string {
  const text = buildQueryString(query);
  return text === '' ? path : `${path}?${text}`;
}

/** Signs a request with an `Authorization` header, as the SDK would. */
export async function signRequest(origin: string, key: AccessKey, input: SignInput): Promise<SignedRequest> {
  const url = new URL(origin);
  const host = input.host ?? url.host;
  const signingDate = input.signingDate ?? new Date();
  const payloadHash = input.payloadHash ?? sha256Hex(input.body ?? '');
  const signed = await signerFor(key).sign(
    new HttpRequest({
      method: input.method,
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      port: Number(url.port),
      path: input.path,
      query: input.query ?? {},
      headers: { host, 'x-amz-content-sha256': payloadHash, ...input.headers },
    }),
    { signingDate },
  );
  const headers = signed.headers as Record<string, string>;
  const [, scope, signature] = /Credential=[^/]+\/([^,]+), SignedHeaders=[^,]+, Signature=([0-9a-f]{64})$/.exec(headers.authorization)!;
  return { path: withQuery(input.path, input.query ?? {}), headers, signature, amzDate: headers['x-amz-date'], scope, signingDate };
}

/**
 * A presigned URL's path and query, as S3RequestPresigner makes them: X-Amz-Content-Sha256=UNSIGNED-PAYLOAD
 * hoisted into the query with the other X-Amz-* parameters, only `host` signed.
 */
export async function presignPath(
  origin: string,
  key: AccessKey,
  input: { method: string; path: string; expiresIn: number; signingDate?: Date; query?: Record<string, string> },
): Promise<string> {
  const url = new URL(origin);
  const presigned = await signerFor(key).presign(
    new HttpRequest({
      method: input.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: input.path,
      query: input.query ?? {},
      headers: { host: url.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    }),
    { expiresIn: input.expiresIn, signingDate: input.signingDate ?? new Date() },
  );
  return withQuery(presigned.path, presigned.query as Record<string, string | string[]>);
}

export const STREAMING_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

/** The headers of a signed aws-chunked upload of `decodedLength` bytes framed into `encodedLength`. */
export function streamingHeaders(decodedLength: number, encodedLength: number, trailer?: string): Record<string, string> {
  return {
    'content-encoding': 'aws-chunked',
    'content-length': String(encodedLength),
    'x-amz-decoded-content-length': String(decodedLength),
    ...(trailer !== undefined ? { 'x-amz-trailer': trailer } : {}),
  };
}

/**
 * Frames `chunks` as a signed aws-chunked body (AWS S3 API reference, "Transferring payload in multiple chunks"):
 * each chunk's signature is the HMAC, under the request's signing key, of
 * `AWS4-HMAC-SHA256-PAYLOAD \n time \n scope \n previous signature \n sha256("") \n sha256(chunk)`, chained from the
 * request's own signature, then a final empty chunk; with `trailers`, the trailer lines and
 * `x-amz-trailer-signature` over `AWS4-HMAC-SHA256-TRAILER \n time \n scope \n final chunk's signature \n sha256(lines)`.
 */
export async function signedChunkedBody(key: AccessKey, seed: SignedRequest, chunks: Buffer[], trailers?: Array<[string, string]>): Promise<Buffer> {
  const signer = signerFor(key);
  const sign = (text: string) => signer.sign(text, { signingDate: seed.signingDate });
  const parts: Buffer[] = [];
  let previous = seed.signature;
  for (const data of [...chunks, Buffer.alloc(0)]) {
    previous = await sign(['AWS4-HMAC-SHA256-PAYLOAD', seed.amzDate, seed.scope, previous, EMPTY_SHA256, sha256Hex(data)].join('\n'));
    parts.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${previous}\r\n`), data);
    if (data.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailers !== undefined) {
    const lines = trailers.map(([name, value]) => `${name}:${value}\n`).join('');
    const trailerSignature = await sign(['AWS4-HMAC-SHA256-TRAILER', seed.amzDate, seed.scope, previous, sha256Hex(lines)].join('\n'));
    parts.push(Buffer.from(trailers.map(([name, value]) => `${name}:${value}\r\n`).join('') + `x-amz-trailer-signature:${trailerSignature}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** The length of the framing signedChunkedBody puts around chunks of these sizes (the signatures are fixed-width). */
export function signedChunkedLength(sizes: number[], trailers?: Array<[string, string]>): number {
  const frame = (size: number) => `${size.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`.length + size + (size > 0 ? 2 : 0);
  const trailerLength =
    trailers === undefined
      ? 0
      : trailers.map(([name, value]) => `${name}:${value}\r\n`.length).reduce((a, b) => a + b, 0) + `x-amz-trailer-signature:${'0'.repeat(64)}\r\n`.length;
  return [...sizes, 0].map(frame).reduce((a, b) => a + b, 0) + trailerLength + 2;
}
