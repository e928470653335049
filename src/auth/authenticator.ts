import { chunkSignatureVerifier } from './chunk-signatures';
import type { CredentialStore } from './credentials';
import { payloadHashCheck, payloadMode, STREAMING_SIGNED_PAYLOAD_TRAILER } from './payload-hash';
import { isPresignedV2, parseV2Header, type SigV2Request, verifyV2Header, verifyV2Presigned } from './sigv2';
import { MAX_SKEW_MS, type SigV4Context, verifyRequest } from './sigv4';
import { S3Error } from '../s3/errors';
import type { RequestAuth, S3Request, SignedPayload } from '../s3/s3-request';
import { ANONYMOUS, userPrincipal } from '../access/principal';
import { isPresigned } from './sigv4-parse';
import { formSignatureOf, verifyFormSignature } from './form-signature';

export interface AuthenticatorOptions {
  /** The gateway's S3 path prefix (`''` at the root): SigV2 clients sign the path without it. */
  s3Prefix: string;
  /** SignatureDoesNotMatch carries the StringToSign and CanonicalRequest. */
  debug: boolean;
}

/**
 * Auth mode `verify`: a request that carries a signature must carry a valid one of a known access key, SigV4
 * (header or presigned URL) or SigV2 (still the default of `aws s3 presign` and boto3's presigner). Returns who
 * the caller is (a request without any signature: the anonymous principal, which the access check then judges)
 * and how to check the body.
 */
export class Authenticator {
  constructor(
    private readonly credentials: CredentialStore,
    private readonly options: AuthenticatorOptions,
  ) {}

  authenticate(request: S3Request, now = Date.now()): RequestAuth {
    const authorization = request.headers.authorization;
    if (authorization === undefined && !isPresigned(request.query) && !isPresignedV2(request.query)) return { principal: ANONYMOUS, payload: {} };
    if (authorization?.startsWith('AWS ')) return this.sigV2Header(request, authorization, now);
    if (authorization === undefined && isPresignedV2(request.query)) return this.sigV2Presigned(request, now);
    const context = verifyRequest(
      { method: request.method, url: request.originalUrl, rawHeaders: request.raw.rawHeaders, query: request.query },
      (id) => this.credentials.secretOf(id),
      now,
      { debug: this.options.debug },
    );
    return { principal: this.principalOf(context.accessKeyId), payload: signedPayloadOf(context, this.options.debug) };
  }

  /** POST Object: the caller is whoever signed the form's policy (no signature fields: anonymous). */
  authenticateForm(fields: ReadonlyMap<string, string>): RequestAuth {
    const form = formSignatureOf(fields);
    if (form === undefined) return { principal: ANONYMOUS, payload: {} };
    verifyFormSignature(form, this.secretOf(form.accessKeyId));
    return { principal: this.principalOf(form.accessKeyId), payload: {} };
  }

  private principalOf(accessKeyId: string): RequestAuth['principal'] {
    const user = this.credentials.userOf(accessKeyId);
    if (user === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
    return userPrincipal(user);
  }

  private secretOf(accessKeyId: string): string {
    const secret = this.credentials.secretOf(accessKeyId);
    if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
    return secret;
  }

  private sigV2Header(request: S3Request, authorization: string, now: number): RequestAuth {
    const { accessKeyId, signature } = parseV2Header(authorization);
    verifyV2Header(this.sigV2Request(request), this.secretOf(accessKeyId), signature, now, MAX_SKEW_MS);
    return { principal: this.principalOf(accessKeyId), payload: {} };
  }

  private sigV2Presigned(request: S3Request, now: number): RequestAuth {
    const accessKeyId = request.query.AWSAccessKeyId;
    verifyV2Presigned(this.sigV2Request(request), this.secretOf(accessKeyId), request.query, now);
    return { principal: this.principalOf(accessKeyId), payload: {} };
  }

  /** SigV2 signs `/bucket/key`: clients configured with a prefixed endpoint leave the prefix out, some keep it. */
  private sigV2Request(request: S3Request): SigV2Request {
    const [path, rawQuery = ''] = splitOnce(request.originalUrl, '?');
    const prefix = this.options.s3Prefix;
    const withoutPrefix = prefix !== '' && path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path;
    const hostBucket = request.bucket !== undefined && !withoutPrefix.startsWith(`/${encodeURIComponent(request.bucket)}`);
    const paths = hostBucket ? [`/${request.bucket}${withoutPrefix}`, `/${request.bucket}${path}`] : [withoutPrefix, path];
    return { method: request.method, headers: request.headers, resourcePaths: [...new Set(paths)], rawQuery };
  }
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

function signedPayloadOf(context: SigV4Context, debug: boolean): SignedPayload {
  const mode = payloadMode(context.payloadHash);
  if (mode === 'streaming-signed' || mode === 'streaming-signed-trailer') {
    return { chunks: chunkSignatureVerifier(context, { debug }), signedTrailer: context.payloadHash === STREAMING_SIGNED_PAYLOAD_TRAILER };
  }
  if (mode === 'sha256') return { sha256Check: () => payloadHashCheck(context.payloadHash)! };
  return {};
}
