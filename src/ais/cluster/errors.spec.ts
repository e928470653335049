import { S3Error } from '../../s3/errors';
import {
  AisError,
  asS3Error,
  BUSY_RETRY_AFTER_SECONDS,
  type ErrorContext,
  isBucketMissing,
  isBucketTaken,
  isMissing,
  isObjectMissing,
  s3ErrorOf,
} from './errors';

/** The AisError of an AIS answer `status` with this error text, for a call about `context`. */
function answered(status: number, body: string, context: ErrorContext = {}): AisError {
  return AisError.answered('GET /v1/x', 'http://127.0.0.1:51080', status, body, context);
}

/** The S3 error code and status an AIS answer becomes. */
function mapped(status: number, body: string, context: ErrorContext = {}) {
  const error = s3ErrorOf(answered(status, body, context));
  return { code: error.code, status: error.status };
}

const json = (fields: Record<string, unknown>) => JSON.stringify({ method: 'GET', url_path: '/v1/x', node: 'p[x]', ...fields });

describe('mapping AIS errors to S3 errors', () => {
  it('a missing bucket is NoSuchBucket, for bucket and object calls alike', () => {
    const body = json({ tcode: 'ErrBckNotFound', message: 'bucket "ais://nope" does not exist', status: 404 });
    expect(mapped(404, body, { bucket: 'nope' })).toEqual({ code: 'NoSuchBucket', status: 404 });
    expect(mapped(404, body, { bucket: 'nope', key: 'k' })).toEqual({ code: 'NoSuchBucket', status: 404 });
    expect(s3ErrorOf(answered(404, body, { bucket: 'nope' })).details).toEqual({ BucketName: 'nope' });
  });

  it('a missing object (typed on GET/HEAD, untyped on DELETE) is NoSuchKey', () => {
    expect(mapped(404, json({ tcode: 'ErrNotFound', message: 't[x]: ais://b/k does not exist', status: 404 }), { bucket: 'b', key: 'k' })).toEqual({
      code: 'NoSuchKey',
      status: 404,
    });
    expect(mapped(404, json({ message: "ais://b/k doesn't exist", status: 404 }), { bucket: 'b', key: 'k' })).toEqual({ code: 'NoSuchKey', status: 404 });
  });

  it('AIS conflicts and refusals become the S3 errors a client expects', () => {
    expect(mapped(409, json({ tcode: 'ErrBucketAlreadyExists', message: 'exists', status: 409 }))).toEqual({ code: 'BucketAlreadyOwnedByYou', status: 409 });
    expect(mapped(500, json({ tcode: 'ErrBadCksum', message: 'BAD DATA CHECKSUM', status: 500 }))).toEqual({ code: 'BadDigest', status: 400 });
    expect(mapped(416, json({ tcode: 'ErrRangeNotSatisfiable', message: 'range', status: 416 }))).toEqual({ code: 'InvalidRange', status: 416 });
    expect(mapped(400, json({ tcode: 'errInvalidPath', message: 'invalid path', status: 400 }))).toEqual({ code: 'InvalidArgument', status: 400 });
    expect(mapped(400, json({ tcode: 'ErrMv', message: 'destination contains an object in its path', status: 400 }))).toEqual({
      code: 'InvalidArgument',
      status: 400,
    });
    expect(mapped(400, json({ message: 'custom metadata: total size 3001 exceeds max 2048 bytes', status: 400 }))).toEqual({
      code: 'MetadataTooLarge',
      status: 400,
    });
  });

  it('an object and a directory of the same name (ErrMv) is InvalidArgument naming the keys in the way', () => {
    const inPath = json({ tcode: 'ErrMv', message: 'destination contains an object in its path', status: 400 });
    const clash = s3ErrorOf(answered(400, inPath, { bucket: 'b', key: 'a/b//c' }));
    expect(clash).toMatchObject({ code: 'InvalidArgument', details: { ArgumentName: 'key', ArgumentValue: 'a/b//c' } });
    expect(clash.message).toContain('cannot store "a/b//c" while the key "a" or "a/b" exists');
    const directory = json({ tcode: 'ErrMv', message: 'destination exists and is a virtual directory', status: 400 });
    expect(s3ErrorOf(answered(400, directory, { bucket: 'b', key: 'src', storedKey: 'photos' })).message).toContain(
      'cannot store "photos" while keys under "photos/" exist',
    );
  });

  it('a cluster that cannot reach its storage is 503, never a client error, with a Retry-After', () => {
    expect(mapped(400, json({ tcode: 'ErrNoNodes', message: 'no storage targets in the cluster', status: 400 }))).toEqual({
      code: 'ServiceUnavailable',
      status: 503,
    });
    const refused = 'failed to list: dial tcp 127.0.0.1:51084: connect: connection refused';
    expect(mapped(400, json({ tcode: 'ErrFailedTo', message: refused, status: 400 }))).toEqual({ code: 'ServiceUnavailable', status: 503 });
    expect(mapped(503, '')).toEqual({ code: 'ServiceUnavailable', status: 503 });
    const refusedConnection = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(s3ErrorOf(AisError.noAnswer('GET /v1/buckets', 'http://127.0.0.1:1', refusedConnection))).toMatchObject({
      code: 'ServiceUnavailable',
      status: 503,
      message: 'AIS at http://127.0.0.1:1 is not reachable (ECONNREFUSED)',
      headers: { 'retry-after': '5' },
    });
    expect(s3ErrorOf(answered(503, '')).headers).toEqual({ 'retry-after': '5' });
  });

  it('a call AIS took and did not answer in time is SlowDown with Retry-After, naming a busy object, never "not reachable"', () => {
    const timeout = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    const objectCall = s3ErrorOf(AisError.noAnswer('DELETE /v1/objects/b/k', 'http://t:1', timeout, { bucket: 'b', key: 'k' }));
    expect(objectCall).toMatchObject({ code: 'SlowDown', status: 503, headers: { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) } });
    expect(objectCall.message).toBe(
      'AIS at http://t:1 did not answer DELETE /v1/objects/b/k in time (UND_ERR_HEADERS_TIMEOUT): the object "k" is busy (a read of it holds its lock in AIS; a write waiting for the lock still takes effect once it is free). Please retry.',
    );
    const bucketCall = s3ErrorOf(AisError.noAnswer('GET /v1/buckets/b', 'http://p:1', timeout, { bucket: 'b' }));
    expect(bucketCall).toMatchObject({ code: 'SlowDown', headers: { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) } });
    expect(bucketCall.message).toMatch(/: AIS is busy\. Please retry\.$/);
  });

  it('anything else keeps AIS message: a 400 as InvalidRequest, other statuses as InternalError', () => {
    expect(s3ErrorOf(answered(400, json({ message: 'failed to unmarshal', status: 400 })))).toMatchObject({
      code: 'InvalidRequest',
      message: 'AIS refused the request: failed to unmarshal',
    });
    expect(s3ErrorOf(answered(500, 'plain text failure'))).toMatchObject({ code: 'InternalError', message: 'AIS answered 500: plain text failure' });
  });

  it('other AIS answers: 429 is SlowDown, 5xx gateway errors are ServiceUnavailable, an empty body says its status', () => {
    expect(mapped(429, json({ message: 'too many requests', status: 429 }))).toEqual({ code: 'SlowDown', status: 503 });
    expect(s3ErrorOf(answered(502, ''))).toMatchObject({ code: 'ServiceUnavailable', message: 'AIS is not available: HTTP 502' });
    expect(s3ErrorOf(answered(404, '', { bucket: 'b', key: 'k' })).details).toEqual({ Key: 'k' });
  });
});

describe('the AisError of a failed call', () => {
  it('keeps the call, the node, AIS status, tcode and message (JSON body, or text that is not JSON)', () => {
    const typed = AisError.answered(
      'HEAD /v1/objects/b/k',
      'http://t:1',
      404,
      json({ tcode: 'ErrNotFound', message: 'ais://b/k does not exist', status: 404 }),
    );
    expect(typed).toMatchObject({
      kind: 'answered',
      call: 'HEAD /v1/objects/b/k',
      node: 'http://t:1',
      status: 404,
      tcode: 'ErrNotFound',
      text: 'ais://b/k does not exist',
      message: 'HEAD /v1/objects/b/k: AIS answered 404 ErrNotFound: ais://b/k does not exist',
    });
    expect(AisError.answered('GET /v1/x', 'http://p:1', 500, ' oops \n')).toMatchObject({ tcode: undefined, text: 'oops' });
    const timeout = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(AisError.noAnswer('DELETE /v1/objects/b/k', 'http://t:1', timeout)).toMatchObject({
      kind: 'unanswered',
      status: 0,
      text: 'UND_ERR_HEADERS_TIMEOUT',
      message: 'DELETE /v1/objects/b/k: AIS at http://t:1 did not answer in time (UND_ERR_HEADERS_TIMEOUT)',
    });
    const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(AisError.noAnswer('PUT /v1/objects/b/k', 'http://t:1', cause, { bucket: 'b', key: 'k' })).toMatchObject({
      kind: 'unreachable',
      status: 0,
      text: 'UND_ERR_SOCKET',
      cause,
      context: { bucket: 'b', key: 'k' },
      message: 'PUT /v1/objects/b/k: AIS at http://t:1 is not reachable (UND_ERR_SOCKET)',
    });
  });

  it('tells apart a missing object, a missing bucket and a bucket that exists, on AIS facts only', () => {
    const noObject = answered(404, json({ tcode: 'ErrNotFound', message: 'does not exist', status: 404 }));
    const noBucket = answered(404, json({ tcode: 'ErrBckNotFound', message: 'bucket does not exist', status: 404 }));
    const taken = answered(409, json({ tcode: 'ErrBucketAlreadyExists', message: 'exists', status: 409 }));
    const down = AisError.noAnswer('GET /v1/x', 'http://p:1', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    const s3NoKey = new S3Error('NoSuchKey');
    expect([noObject, noBucket, taken, down, s3NoKey].map(isMissing)).toEqual([true, true, false, false, false]);
    expect([noObject, noBucket, taken, down, s3NoKey].map(isObjectMissing)).toEqual([true, false, false, false, false]);
    expect([noObject, noBucket, taken, down, s3NoKey].map(isBucketMissing)).toEqual([false, true, false, false, false]);
    expect([noObject, noBucket, taken, down, s3NoKey].map(isBucketTaken)).toEqual([false, false, true, false, false]);
  });

  it('becomes an S3 error at the store boundary; anything else passes as it is', () => {
    const noBucket = answered(404, json({ tcode: 'ErrBckNotFound', message: 'bucket does not exist', status: 404 }), { bucket: 'b1' });
    expect(asS3Error(noBucket)).toMatchObject({ code: 'NoSuchBucket', details: { BucketName: 'b1' } });
    const own = new S3Error('InvalidPart');
    expect(asS3Error(own)).toBe(own);
    const other = new Error('a stream failed');
    expect(asS3Error(other)).toBe(other);
  });
});
