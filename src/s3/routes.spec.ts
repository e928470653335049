import { resolveOperation } from './routes';
import { parseQuery } from './query';

const route = (method: string, scope: 'service' | 'bucket' | 'object', query = '', headers: Record<string, string> = {}) =>
  resolveOperation(method, scope, parseQuery(query), headers);

describe('resolveOperation', () => {
  it.each([
    ['GET', 'service', '', 'ListBuckets'],
    ['PUT', 'bucket', '', 'CreateBucket'],
    ['DELETE', 'bucket', '', 'DeleteBucket'],
    ['HEAD', 'bucket', '', 'HeadBucket'],
    ['GET', 'bucket', '', 'ListObjects'],
    ['GET', 'bucket', 'list-type=2&prefix=a', 'ListObjectsV2'],
    ['GET', 'bucket', 'location', 'GetBucketLocation'],
    ['GET', 'bucket', 'versioning', 'GetBucketVersioning'],
    ['PUT', 'bucket', 'versioning', 'PutBucketVersioning'],
    ['GET', 'bucket', 'versions&prefix=x', 'ListObjectVersions'],
    ['POST', 'bucket', 'delete', 'DeleteObjects'],
    ['POST', 'bucket', '', 'PostObject'],
    ['GET', 'bucket', 'acl', 'GetBucketAcl'],
    ['GET', 'bucket', 'cors', 'GetBucketCors'],
    ['PUT', 'bucket', 'cors', 'PutBucketCors'],
    ['DELETE', 'bucket', 'cors', 'DeleteBucketCors'],
    ['GET', 'bucket', 'lifecycle', 'GetBucketLifecycleConfiguration'],
    ['PUT', 'bucket', 'lifecycle', 'PutBucketLifecycleConfiguration'],
    ['DELETE', 'bucket', 'lifecycle', 'DeleteBucketLifecycle'],
    ['OPTIONS', 'bucket', '', 'CorsPreflight'],
    ['OPTIONS', 'object', 'uploadId=u&partNumber=2', 'CorsPreflight'],
    ['OPTIONS', 'bucket', 'tagging', 'CorsPreflight'],
    ['OPTIONS', 'service', '', 'CorsPreflight'],
    ['PUT', 'object', '', 'PutObject'],
    ['GET', 'object', 'versionId=abc', 'GetObject'],
    ['HEAD', 'object', '', 'HeadObject'],
    ['DELETE', 'object', '', 'DeleteObject'],
    ['GET', 'object', 'acl', 'GetObjectAcl'],
    ['POST', 'object', 'uploads', 'CreateMultipartUpload'],
    ['PUT', 'object', 'partNumber=1&uploadId=u', 'UploadPart'],
    ['POST', 'object', 'uploadId=u', 'CompleteMultipartUpload'],
    ['DELETE', 'object', 'uploadId=u', 'AbortMultipartUpload'],
    ['GET', 'object', 'uploadId=u&max-parts=3', 'ListParts'],
    ['GET', 'object', 'partNumber=2', 'GetObject'],
    ['GET', 'bucket', 'uploads&prefix=a', 'ListMultipartUploads'],
  ] as const)('routes %s on a %s with ?%s to %s', (method, scope, query, operation) => {
    expect(route(method, scope, query)).toBe(operation);
  });

  it('routes a PUT with x-amz-copy-source to CopyObject, and with an uploadId to UploadPartCopy', () => {
    expect(route('PUT', 'object', '', { 'x-amz-copy-source': '/b/k' })).toBe('CopyObject');
    expect(route('PUT', 'object', 'partNumber=1&uploadId=u', { 'x-amz-copy-source': '/b/k' })).toBe('UploadPartCopy');
  });

  it('answers NotImplemented for ?cors and ?lifecycle where no operation takes them: POST on a bucket, any method on an object', () => {
    expect(route('POST', 'bucket', 'cors')).toBe('NotImplemented');
    for (const method of ['GET', 'PUT', 'DELETE']) expect(route(method, 'object', 'cors')).toBe('NotImplemented');
    expect(route('POST', 'bucket', 'lifecycle')).toBe('NotImplemented');
    expect(route('GET', 'object', 'lifecycle')).toBe('NotImplemented');
  });

  it.each(['policy', 'website', 'tagging', 'object-lock', 'replication'])(
    'answers NotImplemented for the unsupported subresource ?%s whatever the method',
    (subresource) => {
      for (const method of ['GET', 'PUT', 'DELETE', 'POST']) expect(route(method, 'bucket', subresource)).toBe('NotImplemented');
    },
  );

  it('routes GET ?attributes of an object to GetObjectAttributes, and ?attributes anywhere else to NotImplemented', () => {
    expect(route('GET', 'object', 'attributes')).toBe('GetObjectAttributes');
    expect(route('GET', 'object', 'attributes&versionId=v')).toBe('GetObjectAttributes');
    expect(route('GET', 'object', 'attributes&tagging')).toBe('NotImplemented');
    for (const method of ['PUT', 'HEAD', 'DELETE', 'POST']) expect(route(method, 'object', 'attributes')).toBe('NotImplemented');
    for (const method of ['GET', 'PUT']) expect(route(method, 'bucket', 'attributes')).toBe('NotImplemented');
  });

  it('never takes a PUT ?policy for CreateBucket', () => {
    expect(route('PUT', 'bucket', 'policy')).toBe('NotImplemented');
  });

  it('answers MethodNotAllowed for methods a resource does not take', () => {
    expect(route('POST', 'object', '')).toBe('MethodNotAllowed');
    expect(route('PUT', 'service', '')).toBe('MethodNotAllowed');
    expect(route('PATCH', 'bucket', '')).toBe('MethodNotAllowed');
  });
});
