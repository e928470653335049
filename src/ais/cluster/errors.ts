import { S3Error } from '../../s3/errors';
import { aisNameOf, keyOfAisName } from './object-names';

/** An AIS error as it arrives: JSON in the body, or in the `Hdr-Error` header of a HEAD answer. */
export interface AisErrorPayload {
  status: number;
  /** AIS's typed error code (`ErrBckNotFound`, ...); absent for untyped errors. */
  tcode?: string;
  message: string;
}

/** What the failed call was about, so that a 404 can say which bucket or key is missing. */
export interface ErrorContext {
  bucket?: string;
  /** Set for object calls: a 404 that is not ErrBckNotFound then means the object is missing. */
  key?: string;
  /** The key the call writes when it is not `key` (a copy's destination): a name clash is about it. */
  storedKey?: string;
}

/** Reads AIS's error JSON (`{"tcode","message","status",...}`); falls back to the raw text. */
export function parseAisError(status: number, text: string | undefined): AisErrorPayload {
  if (text) {
    try {
      const parsed = JSON.parse(text) as { tcode?: unknown; message?: unknown };
      if (parsed !== null && typeof parsed === 'object') {
        return {
          status,
          tcode: typeof parsed.tcode === 'string' && parsed.tcode !== '' ? parsed.tcode : undefined,
          message: typeof parsed.message === 'string' ? parsed.message : text,
        };
      }
    } catch {
      // not JSON: keep the text
    }
  }
  return { status, message: text?.trim() || `HTTP ${status}` };
}

/** AIS cannot reach a node of its own (a target stopped or killed): the cluster is not serving. */
const UNREACHABLE_NODE = /connection refused|dial tcp|i\/o timeout|no route to host|connection reset/i;

/**
 * Maps an AIS error to the S3 error a client should see. Decided on the HTTP status first, then AIS's
 * `tcode`, and only where AIS gives nothing better, its message (docs/ais-native-api.md section 1).
 */
export function s3ErrorOf(error: AisErrorPayload, context: ErrorContext = {}): S3Error {
  const { status, tcode, message } = error;
  const bucketDetails: Record<string, string> = context.bucket !== undefined ? { BucketName: context.bucket } : {};
  if (tcode === 'ErrBckNotFound') return new S3Error('NoSuchBucket', undefined, bucketDetails);
  if (tcode === 'ErrNoNodes') return new S3Error('ServiceUnavailable', `AIS has no storage target: ${message}`);
  if (tcode === 'ErrFailedTo' && UNREACHABLE_NODE.test(message)) return new S3Error('ServiceUnavailable', `AIS cannot reach a storage target: ${message}`);
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
  if (status === 502 || status === 503 || status === 504) return new S3Error('ServiceUnavailable', `AIS is not available: ${message}`);
  if (status === 400) return new S3Error('InvalidRequest', `AIS refused the request: ${message}`);
  return new S3Error('InternalError', `AIS answered ${status}: ${message}`);
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

/** Errors of the connection itself (refused, reset, timed out) are answered as 503: AIS is down or restarting. */
export function unreachableError(err: unknown, endpoint: string): S3Error {
  const code = (err as { code?: string }).code;
  const what = code ?? (err as Error).message;
  return new S3Error('ServiceUnavailable', `AIS at ${endpoint} is not reachable (${what})`);
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
