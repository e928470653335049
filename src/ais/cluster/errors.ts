import { S3Error } from '../../s3/errors';
import { aisNameOf, keyOfAisName } from './object-names';

/** What the failed call was about, so that a 404 can say which bucket or key is missing. */
export interface ErrorContext {
  bucket?: string;
  /** Set for object calls: a 404 that is not ErrBckNotFound then means the object is missing. */
  key?: string;
  /** The key the call writes when it is not `key` (a copy's destination): a name clash is about it. */
  storedKey?: string;
}

/** Reads AIS's error JSON (`{"tcode","message","status",...}`); falls back to the raw text. */
function parseAisError(status: number, text: string | undefined): { tcode?: string; message: string } {
  if (text) {
    try {
      const parsed = JSON.parse(text) as { tcode?: unknown; message?: unknown };
      if (parsed !== null && typeof parsed === 'object') {
        return {
          tcode: typeof parsed.tcode === 'string' && parsed.tcode !== '' ? parsed.tcode : undefined,
          message: typeof parsed.message === 'string' ? parsed.message : text,
        };
      }
    } catch {
      // not JSON: keep the text
    }
  }
  return { message: text?.trim() || `HTTP ${status}` };
}

/**
 * The one error AisHttp throws for a call that failed (besides the error of a caller's streamed body, which
 * passes through): AIS answered with an error (`answered`), could not be reached (`unreachable`: the connection
 * failed), or took the call and gave no answer within AIS_TIMEOUT_MS (`unanswered`). It states facts of the
 * transport only; s3ErrorOf turns it into what an S3 client sees, at the store boundary (ClusterStore).
 */
export class AisError extends Error {
  override readonly name = 'AisError';

  private constructor(
    readonly kind: 'answered' | 'unreachable' | 'unanswered',
    /** The call: method and path without the query, e.g. `GET /v1/objects/b1/k`. */
    readonly call: string,
    /** The node called (its origin, e.g. `http://127.0.0.1:51080`). */
    readonly node: string,
    /** AIS's HTTP status; 0 when it did not answer. */
    readonly status: number,
    /** AIS's typed error code (`ErrBckNotFound`, ...); undefined for untyped errors and when AIS did not answer. */
    readonly tcode: string | undefined,
    /** AIS's error message; when it did not answer, what failed (the connection error's code). */
    readonly text: string,
    /** What the call was about, as its caller said (AisCall.context): the S3 error names that bucket or key. */
    readonly context: ErrorContext,
  ) {
    super(`${call}: ${AisError.summary(kind, node, status, tcode, text)}`);
  }

  private static summary(kind: AisError['kind'], node: string, status: number, tcode: string | undefined, text: string): string {
    if (kind === 'answered') return `AIS answered ${status}${tcode ? ` ${tcode}` : ''}: ${text}`;
    if (kind === 'unanswered') return `AIS at ${node} did not answer in time (${text})`;
    return `AIS at ${node} is not reachable (${text})`;
  }

  /** AIS answered `status` with this error: JSON in the body, or in the `Hdr-Error` header of a HEAD answer. */
  static answered(call: string, node: string, status: number, errorText: string | undefined, context: ErrorContext = {}): AisError {
    const { tcode, message } = parseAisError(status, errorText);
    return new AisError('answered', call, node, status, tcode, message, context);
  }

  /**
   * The call to `node` failed without an answer: `cause` is the client's error. A call `node` took but did not
   * answer within the timeout (undici's headers timeout) is `unanswered`; any other failure (refused, reset, a
   * connect timeout) `unreachable`.
   */
  static noAnswer(call: string, node: string, cause: unknown, context: ErrorContext = {}): AisError {
    const code = (cause as { code?: string }).code;
    const kind = code === 'UND_ERR_HEADERS_TIMEOUT' ? 'unanswered' : 'unreachable';
    const error = new AisError(kind, call, node, 0, undefined, code ?? (cause as Error).message, context);
    error.cause = cause;
    return error;
  }
}

export function isAisError(err: unknown): err is AisError {
  return err instanceof AisError;
}

/** AIS answered that the object or the bucket of the call does not exist. */
export function isMissing(err: unknown): boolean {
  return isAisError(err) && err.kind === 'answered' && (err.status === 404 || err.tcode === 'ErrBckNotFound');
}

/** AIS answered that the bucket of the call does not exist. */
export function isBucketMissing(err: unknown): boolean {
  return isAisError(err) && err.kind === 'answered' && err.tcode === 'ErrBckNotFound';
}

/** AIS answered 404 to an object call whose bucket exists: the object does not. */
export function isObjectMissing(err: unknown): boolean {
  return isMissing(err) && !isBucketMissing(err);
}

/** AIS answered that the bucket the call creates exists already. */
export function isBucketTaken(err: unknown): boolean {
  return isAisError(err) && err.kind === 'answered' && err.tcode === 'ErrBucketAlreadyExists';
}

/**
 * Retry-After of a call AIS took and did not answer in time, in seconds. The usual reason is a lock: an AIS
 * target serves a DELETE or an overwrite of an object only once the reads of it under way have ended, and
 * the gateway cuts a reader that stopped reading after STALLED_READER_TIMEOUT_MS (20 s by default).
 */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * Retry-After of a 503 for an AIS node that cannot be reached (a proxy or target restarting): an aisnode
 * restarts in seconds, and a client that retries sooner only adds load. A hint: clients back off on the 503 anyway.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** 503 ServiceUnavailable with a Retry-After: AIS, or a node of it, is not serving now. */
export function unavailable(message: string): S3Error {
  return new S3Error('ServiceUnavailable', message, {}, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
}

/** AIS cannot reach a node of its own (a target stopped or killed): the cluster is not serving. */
const UNREACHABLE_NODE = /connection refused|dial tcp|i\/o timeout|no route to host|connection reset/i;

/**
 * The S3 error a client sees for a failed AIS call: the one mapping from AIS's errors to S3's. Decided on AIS's
 * `tcode` and the HTTP status, and only where AIS gives nothing better, its message (docs/ais-native-api.md
 * section 1); the call's context names the bucket or key. An AIS that cannot be reached is 503.
 */
export function s3ErrorOf(error: AisError): S3Error {
  if (error.kind === 'unreachable') return unavailable(`AIS at ${error.node} is not reachable (${error.text})`);
  if (error.kind === 'unanswered') return busy(error);
  const { status, tcode, text: message, context } = error;
  const bucketDetails: Record<string, string> = context.bucket !== undefined ? { BucketName: context.bucket } : {};
  if (tcode === 'ErrBckNotFound') return new S3Error('NoSuchBucket', undefined, bucketDetails);
  if (tcode === 'ErrNoNodes') return unavailable(`AIS has no storage target: ${message}`);
  if (tcode === 'ErrFailedTo' && UNREACHABLE_NODE.test(message)) return unavailable(`AIS cannot reach a storage target: ${message}`);
  if (tcode === 'ErrBucketAlreadyExists') return new S3Error('BucketAlreadyOwnedByYou', undefined, bucketDetails);
  if (tcode === 'ErrBadCksum') return new S3Error('BadDigest');
  if (tcode === 'errInvalidPath') return new S3Error('InvalidArgument', `AIS refuses this object name: ${message}`, { ArgumentName: 'key' });
  if (tcode === 'ErrMv') return nameClash(context.storedKey ?? context.key, message);
  if (status === 404) {
    if (context.key !== undefined) return new S3Error('NoSuchKey', undefined, { Key: context.key });
    return new S3Error('NoSuchBucket', undefined, bucketDetails);
  }
  if (status === 416 || tcode === 'ErrRangeNotSatisfiable') return new S3Error('InvalidRange');
  if (/custom metadata: total size/.test(message)) return new S3Error('MetadataTooLarge');
  if (status === 429) return new S3Error('SlowDown');
  if (status === 502 || status === 503 || status === 504) return unavailable(`AIS is not available: ${message}`);
  if (status === 400) return new S3Error('InvalidRequest', `AIS refused the request: ${message}`);
  return new S3Error('InternalError', `AIS answered ${status}: ${message}`);
}

/**
 * A call AIS took and did not answer within AIS_TIMEOUT_MS: AIS is up (it took the call), so not "unreachable".
 * For an object call the likely reason is that the object is busy (a read of it holds its lock), for any other
 * an overloaded node: either way SlowDown, which clients retry, with a Retry-After. Not ServiceUnavailable with
 * the map's other routes tried: the owner answered the connection, asking the proxy would only wait again.
 */
function busy(error: AisError): S3Error {
  // AIS cannot withdraw a call it took: a write waiting for the object's lock is still carried out once it is free.
  const what =
    error.context.key !== undefined
      ? `the object "${error.context.key}" is busy (a read of it holds its lock in AIS; a write waiting for the lock still takes effect once it is free)`
      : 'AIS is busy';
  return new S3Error(
    'SlowDown',
    `AIS at ${error.node} did not answer ${error.call} in time (${error.text}): ${what}. Please retry.`,
    {},
    {
      'retry-after': String(BUSY_RETRY_AFTER_SECONDS),
    },
  );
}

/**
 * AIS stores an object as a file named after it, so a name cannot be an object and a directory at once
 * (docs/ais-native-api.md section 6): `a` and `a/b` cannot both be stored. S3 allows both; the gateway says
 * which keys are in the way. ErrMv's message tells the two cases apart.
 */
function nameClash(key: string | undefined, message: string): S3Error {
  if (key === undefined)
    return new S3Error('InvalidArgument', `AIS cannot store an object and keys under its name at once (${message})`, { ArgumentName: 'key' });
  const details = { ArgumentName: 'key', ArgumentValue: key };
  if (/object in its path/.test(message)) {
    const name = aisNameOf(key);
    const parents: string[] = [];
    for (let at = name.indexOf('/'); at >= 0; at = name.indexOf('/', at + 1)) {
      const parent = keyOfAisName(name.slice(0, at));
      if (parent !== undefined) parents.push(`"${parent}"`);
    }
    return new S3Error(
      'InvalidArgument',
      `The AIS backend cannot store "${key}" while the key ${parents.join(' or ')} exists: AIS stores keys as file paths, and a path cannot be both an object and a directory. Delete that key first.`,
      details,
    );
  }
  return new S3Error(
    'InvalidArgument',
    `The AIS backend cannot store "${key}" while keys under "${key}/" exist: AIS stores keys as file paths, and a path cannot be both an object and a directory. ` +
      'AIS also keeps the directory, empty, after the last of those keys is deleted, until `ais storage cleanup` removes it.',
    details,
  );
}

/** What the store answers for a failure: an AisError as its S3 error, anything else (an S3Error already) as it is. */
export function asS3Error(err: unknown): unknown {
  return isAisError(err) ? s3ErrorOf(err) : err;
}

/** Connection-level failures worth retrying for idempotent calls. */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'UND_ERR_SOCKET' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_CLOSED'
  );
}
