import type { IncomingMessage } from 'node:http';
import type { Query } from './query';
import type { S3Operation } from './routes';
import type { Transform } from 'node:stream';
import type { ChunkSignatureVerifier } from './aws-chunked';
import type { S3Error } from './errors';
import type { Owner, Principal } from '../access/principal';
import type { RequestedLock } from '../object-lock/object-lock-rules';

/** What a verified signature says about the body: how to check it as it streams in. */
export interface SignedPayload {
  /** `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: each chunk's signature, and a signed trailer. */
  chunks?: ChunkSignatureVerifier & { verifyTrailer(trailers: ReadonlyMap<string, string>): void };
  /** A hex `x-amz-content-sha256`: a stage that fails at the end of the body if the hash differs. */
  sha256Check?: () => Transform;
  /** The `-TRAILER` variant: the trailer is signed too. */
  signedTrailer?: boolean;
}

/** The caller (auth mode `verify`): the user a verified signature identified, or anonymous for a request without one. */
export interface RequestAuth {
  principal: Principal;
  payload: SignedPayload;
}

/** Everything a handler needs to know about one S3 request, decided once before routing. */
export interface S3Request {
  readonly id: string;
  readonly operation: S3Operation;
  readonly bucket?: string;
  readonly key?: string;
  readonly query: Query;
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  /** The URL exactly as the client sent it (before any rewrite); what a signature covers. */
  readonly originalUrl: string;
  /** The request body stream (not yet read). */
  readonly raw: IncomingMessage;
  /** Set by the auth guard once the signature is verified (`verify` mode only). */
  auth?: RequestAuth;
  /**
   * PostObject only, set by the auth guard: authenticates the form's signature and runs the access check, given the
   * form's fields (names lower-cased) and the key it writes; the handler calls it before it reads the file.
   */
  authorizeForm?: (fields: ReadonlyMap<string, string>, key: string) => Promise<void>;
  /**
   * The lock the request's body names (a form's `x-amz-object-lock-*` fields, PutObjectRetention's Retention or
   * PutObjectLegalHold's LegalHold document), for the bucket policy's s3:object-lock-* condition keys.
   */
  requestedLock?: RequestedLock;
  /**
   * PutObjectRetention and PutObjectLegalHold on a bucket whose policy tests s3:object-lock-* keys, set by the access
   * check, which then waits for the body: the handler calls it with the document's lock before it changes anything.
   */
  authorizeLockDocument?: (lock: RequestedLock) => Promise<void>;
  /** The addressed bucket's owner as S3 shows it, set by the access check (`verify` mode, an existing bucket). */
  bucketOwner?: Owner;
  /** DeleteObjects on a bucket with a policy: whether the caller may delete one entry (S3 checks s3:DeleteObject per key). */
  mayDeleteKey?: (key: string, versionId?: string) => boolean;
  /**
   * Set by the access check (`verify` mode) when the request sends `x-amz-bypass-governance-retention: true` and the
   * caller may not use it (s3:BypassGovernanceRetention): Object Lock then ignores the header.
   */
  bypassGovernanceDenied?: boolean;
  /**
   * A read let in by a bucket policy for a caller who may not list the bucket: a missing key is 403
   * AccessDenied, not 404 NoSuchKey, as S3 answers, so the caller learns nothing of what exists.
   */
  hidesMissingKeys?: boolean;
}

/** Address errors found while routing (bad percent-encoding) are thrown from the handler, as S3 errors. */
export interface S3RoutingFailure {
  readonly id: string;
  readonly error: S3Error;
}

const CONTEXT = Symbol('s3.request');

export function attachS3Request(raw: IncomingMessage, request: S3Request | S3RoutingFailure): void {
  (raw as unknown as Record<symbol, unknown>)[CONTEXT] = request;
}

export function s3RequestOf(raw: IncomingMessage): S3Request | S3RoutingFailure | undefined {
  return (raw as unknown as Record<symbol, S3Request | S3RoutingFailure | undefined>)[CONTEXT];
}

const ERROR_CODE = Symbol('s3.errorCode');

/** Remembers the S3 error code a request was answered with, for metrics and the access log. */
export function recordErrorCode(raw: IncomingMessage, code: string): void {
  (raw as unknown as Record<symbol, unknown>)[ERROR_CODE] = code;
}

export function errorCodeOf(raw: IncomingMessage): string | undefined {
  return (raw as unknown as Record<symbol, string | undefined>)[ERROR_CODE];
}
