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
    ['GET', 'bucket', 'tagging', 'GetBucketTagging'],
    ['PUT', 'bucket', 'tagging', 'PutBucketTagging'],
    ['DELETE', 'bucket', 'tagging', 'DeleteBucketTagging'],
    ['GET', 'object', 'tagging', 'GetObjectTagging'],
    ['GET', 'object', 'tagging&versionId=v', 'GetObjectTagging'],
    ['PUT', 'object', 'tagging', 'PutObjectTagging'],
    ['DELETE', 'object', 'tagging', 'DeleteObjectTagging'],
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

  it('answers NotImplemented for ?tagging where no tagging operation takes it: POST, HEAD', () => {
    expect(route('POST', 'bucket', 'tagging')).toBe('NotImplemented');
    expect(route('HEAD', 'object', 'tagging')).toBe('NotImplemented');
    expect(route('POST', 'object', 'tagging')).toBe('NotImplemented');
  });

  it.each(['website', 'analytics', 'replication'])('answers NotImplemented for the unsupported subresource ?%s whatever the method', (subresource) => {
    for (const method of ['GET', 'PUT', 'DELETE', 'POST']) expect(route(method, 'bucket', subresource)).toBe('NotImplemented');
  });

  it('routes GET ?attributes of an object to GetObjectAttributes, and ?attributes anywhere else to NotImplemented', () => {
    expect(route('GET', 'object', 'attributes')).toBe('GetObjectAttributes');
    expect(route('GET', 'object', 'attributes&versionId=v')).toBe('GetObjectAttributes');
    expect(route('GET', 'object', 'attributes&tagging')).toBe('NotImplemented');
    for (const method of ['PUT', 'HEAD', 'DELETE', 'POST']) expect(route(method, 'object', 'attributes')).toBe('NotImplemented');
    for (const method of ['GET', 'PUT']) expect(route(method, 'bucket', 'attributes')).toBe('NotImplemented');
  });

  it('routes ?policy and ?policyStatus of a bucket to the bucket policy operations, never to CreateBucket or an object operation', () => {
    expect(route('PUT', 'bucket', 'policy')).toBe('PutBucketPolicy');
    expect(route('GET', 'bucket', 'policy')).toBe('GetBucketPolicy');
    expect(route('DELETE', 'bucket', 'policy')).toBe('DeleteBucketPolicy');
    expect(route('GET', 'bucket', 'policyStatus')).toBe('GetBucketPolicyStatus');
    expect(route('POST', 'bucket', 'policy')).toBe('NotImplemented');
    for (const method of ['GET', 'PUT', 'DELETE']) expect(route(method, 'object', 'policy')).toBe('NotImplemented');
  });

  it('routes ?publicAccessBlock of a bucket to the public access block operations, and of an object to NotImplemented', () => {
    expect(route('GET', 'bucket', 'publicAccessBlock')).toBe('GetPublicAccessBlock');
    expect(route('PUT', 'bucket', 'publicAccessBlock')).toBe('PutPublicAccessBlock');
    expect(route('DELETE', 'bucket', 'publicAccessBlock')).toBe('DeletePublicAccessBlock');
    for (const method of ['GET', 'PUT', 'DELETE']) expect(route(method, 'object', 'publicAccessBlock')).toBe('NotImplemented');
  });

  it('answers MethodNotAllowed for methods a resource does not take', () => {
    expect(route('POST', 'object', '')).toBe('MethodNotAllowed');
    expect(route('PUT', 'service', '')).toBe('MethodNotAllowed');
    expect(route('PATCH', 'bucket', '')).toBe('MethodNotAllowed');
  });
});
