import type { IncomingMessage } from 'node:http';
import type { Query } from './query';
import type { S3Operation } from './routes';
import type { S3Error } from './errors';

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
