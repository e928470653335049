import { parseAisError, s3ErrorOf, unreachableError } from './errors';

/** The S3 error code and status an AIS answer becomes. */
function mapped(status: number, body: string, context = {}) {
  const error = s3ErrorOf(parseAisError(status, body), context);
  return { code: error.code, status: error.status };
}

const json = (fields: Record<string, unknown>) => JSON.stringify({ method: 'GET', url_path: '/v1/x', node: 'p[x]', ...fields });

describe('mapping AIS errors to S3 errors', () => {
  it('a missing bucket is NoSuchBucket, for bucket and object calls alike', () => {
    const body = json({ tcode: 'ErrBckNotFound', message: 'bucket "ais://nope" does not exist', status: 404 });
    expect(mapped(404, body, { bucket: 'nope' })).toEqual({ code: 'NoSuchBucket', status: 404 });
    expect(mapped(404, body, { bucket: 'nope', key: 'k' })).toEqual({ code: 'NoSuchBucket', status: 404 });
    expect(s3ErrorOf(parseAisError(404, body), { bucket: 'nope' }).details).toEqual({ BucketName: 'nope' });
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
    expect(s3ErrorOf(parseAisError(400, inPath), { bucket: 'b', key: 'a/b//c' })).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('cannot store "a/b//c" while the key "a" or "a/b" exists'),
      details: { ArgumentName: 'key', ArgumentValue: 'a/b//c' },
    });
    const directory = json({ tcode: 'ErrMv', message: 'destination exists and is a virtual directory', status: 400 });
    expect(s3ErrorOf(parseAisError(400, directory), { bucket: 'b', key: 'src', storedKey: 'photos' }).message).toContain(
      'cannot store "photos" while keys under "photos/" exist',
    );
  });

  it('a cluster that cannot reach its storage is 503, never a client error', () => {
    expect(mapped(400, json({ tcode: 'ErrNoNodes', message: 'no storage targets in the cluster', status: 400 }))).toEqual({
      code: 'ServiceUnavailable',
      status: 503,
    });
    const refused = 'failed to list: dial tcp 127.0.0.1:51084: connect: connection refused';
    expect(mapped(400, json({ tcode: 'ErrFailedTo', message: refused, status: 400 }))).toEqual({ code: 'ServiceUnavailable', status: 503 });
    expect(mapped(503, '')).toEqual({ code: 'ServiceUnavailable', status: 503 });
    expect(unreachableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'http://127.0.0.1:1')).toMatchObject({
      code: 'ServiceUnavailable',
      status: 503,
      message: 'AIS at http://127.0.0.1:1 is not reachable (ECONNREFUSED)',
    });
  });

  it('anything else keeps AIS message: a 400 as InvalidRequest, other statuses as InternalError', () => {
    expect(s3ErrorOf(parseAisError(400, json({ message: 'failed to unmarshal', status: 400 })))).toMatchObject({
      code: 'InvalidRequest',
      message: 'AIS refused the request: failed to unmarshal',
    });
    expect(s3ErrorOf(parseAisError(500, 'plain text failure'))).toMatchObject({ code: 'InternalError', message: 'AIS answered 500: plain text failure' });
  });
});
