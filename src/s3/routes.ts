import type { IncomingHttpHeaders } from 'node:http';
import type { Query } from './query';

/** S3 operations, named as the S3 API reference names them; also the metrics label and the route name. */
export const S3_OPERATIONS = [
  'ListBuckets',
  'CreateBucket',
  'DeleteBucket',
  'HeadBucket',
  'GetBucketLocation',
  'GetBucketVersioning',
  'PutBucketVersioning',
  'GetBucketAcl',
  'PutBucketAcl',
  'GetBucketCors',
  'PutBucketCors',
  'DeleteBucketCors',
  'GetBucketLifecycleConfiguration',
  'PutBucketLifecycleConfiguration',
  'DeleteBucketLifecycle',
  'GetBucketOwnershipControls',
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
  // Bucket policies (src/access/policy).
  'GetBucketPolicy',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'GetBucketPolicyStatus',
  // Public access blocks (src/access/policy).
  'GetPublicAccessBlock',
  'PutPublicAccessBlock',
  'DeletePublicAccessBlock',
  'GetBucketTagging',
  'PutBucketTagging',
  // Object Lock (src/object-lock).
  'GetObjectLockConfiguration',
  'PutObjectLockConfiguration',
  'DeleteBucketTagging',
  'ListObjects',
  'ListObjectsV2',
  'ListObjectVersions',
  'DeleteObjects',
  // POST Object: a browser's HTML form upload (S3 API reference, "PostObject").
  'PostObject',
  'PutObject',
  'CopyObject',
  'GetObject',
  'HeadObject',
  'GetObjectAttributes',
  'DeleteObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'ListParts',
  'ListMultipartUploads',
  // S3's OPTIONS object (a browser's CORS preflight): not named in the S3 API reference's operation list.
  'CorsPreflight',
  // Not an S3 operation: anything S3 defines that this gateway does not do (501 NotImplemented).
  'NotImplemented',
  // Not an S3 operation: a method the addressed resource does not take (405 MethodNotAllowed).
  'MethodNotAllowed',
] as const;

export type S3Operation = (typeof S3_OPERATIONS)[number];
export type S3Scope = 'service' | 'bucket' | 'object';

interface RouteRule {
  method: string;
  scope: S3Scope;
  /** Query parameter that selects this rule (a subresource such as `versioning`). */
  param?: string;
  /** Request header that selects this rule. */
  header?: string;
  operation: S3Operation;
}

/**
 * Subresources S3 defines that this gateway does not serve, or serves only for some methods (`attributes`: GET
 * of an object is GetObjectAttributes). A request naming one that no rule selects by it gets 501 rather than
 * being mistaken for the plain operation (a PUT ?policy must never become a CreateBucket).
 */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'website',
] as const;

/** Ordered: the first rule whose method, scope and selector match wins; specific rules come before plain ones. */
const RULES: readonly RouteRule[] = [
  { method: 'GET', scope: 'service', operation: 'ListBuckets' },
  { method: 'OPTIONS', scope: 'service', operation: 'CorsPreflight' },

  { method: 'GET', scope: 'bucket', param: 'versioning', operation: 'GetBucketVersioning' },
  { method: 'PUT', scope: 'bucket', param: 'versioning', operation: 'PutBucketVersioning' },
  { method: 'GET', scope: 'bucket', param: 'location', operation: 'GetBucketLocation' },
  { method: 'GET', scope: 'bucket', param: 'acl', operation: 'GetBucketAcl' },
  { method: 'PUT', scope: 'bucket', param: 'acl', operation: 'PutBucketAcl' },
  { method: 'GET', scope: 'bucket', param: 'cors', operation: 'GetBucketCors' },
  { method: 'PUT', scope: 'bucket', param: 'cors', operation: 'PutBucketCors' },
  { method: 'DELETE', scope: 'bucket', param: 'cors', operation: 'DeleteBucketCors' },
  { method: 'GET', scope: 'bucket', param: 'lifecycle', operation: 'GetBucketLifecycleConfiguration' },
  { method: 'PUT', scope: 'bucket', param: 'lifecycle', operation: 'PutBucketLifecycleConfiguration' },
  { method: 'DELETE', scope: 'bucket', param: 'lifecycle', operation: 'DeleteBucketLifecycle' },
  { method: 'GET', scope: 'bucket', param: 'ownershipControls', operation: 'GetBucketOwnershipControls' },
  { method: 'PUT', scope: 'bucket', param: 'ownershipControls', operation: 'PutBucketOwnershipControls' },
  { method: 'DELETE', scope: 'bucket', param: 'ownershipControls', operation: 'DeleteBucketOwnershipControls' },
  { method: 'GET', scope: 'bucket', param: 'policy', operation: 'GetBucketPolicy' },
  { method: 'PUT', scope: 'bucket', param: 'policy', operation: 'PutBucketPolicy' },
  { method: 'DELETE', scope: 'bucket', param: 'policy', operation: 'DeleteBucketPolicy' },
  { method: 'GET', scope: 'bucket', param: 'policyStatus', operation: 'GetBucketPolicyStatus' },
  { method: 'GET', scope: 'bucket', param: 'publicAccessBlock', operation: 'GetPublicAccessBlock' },
  { method: 'PUT', scope: 'bucket', param: 'publicAccessBlock', operation: 'PutPublicAccessBlock' },
  { method: 'DELETE', scope: 'bucket', param: 'publicAccessBlock', operation: 'DeletePublicAccessBlock' },
  { method: 'GET', scope: 'bucket', param: 'tagging', operation: 'GetBucketTagging' },
  { method: 'PUT', scope: 'bucket', param: 'tagging', operation: 'PutBucketTagging' },
  { method: 'DELETE', scope: 'bucket', param: 'tagging', operation: 'DeleteBucketTagging' },
  { method: 'GET', scope: 'bucket', param: 'object-lock', operation: 'GetObjectLockConfiguration' },
  { method: 'PUT', scope: 'bucket', param: 'object-lock', operation: 'PutObjectLockConfiguration' },
  { method: 'OPTIONS', scope: 'bucket', operation: 'CorsPreflight' },
  { method: 'GET', scope: 'bucket', param: 'versions', operation: 'ListObjectVersions' },
  { method: 'GET', scope: 'bucket', param: 'uploads', operation: 'ListMultipartUploads' },
  { method: 'POST', scope: 'bucket', param: 'delete', operation: 'DeleteObjects' },
  { method: 'POST', scope: 'bucket', operation: 'PostObject' },
  { method: 'GET', scope: 'bucket', param: 'list-type', operation: 'ListObjectsV2' },
  { method: 'GET', scope: 'bucket', operation: 'ListObjects' },
  { method: 'PUT', scope: 'bucket', operation: 'CreateBucket' },
  { method: 'DELETE', scope: 'bucket', operation: 'DeleteBucket' },
  { method: 'HEAD', scope: 'bucket', operation: 'HeadBucket' },

  { method: 'GET', scope: 'object', param: 'acl', operation: 'GetObjectAcl' },
  { method: 'GET', scope: 'object', param: 'attributes', operation: 'GetObjectAttributes' },
  { method: 'PUT', scope: 'object', param: 'acl', operation: 'PutObjectAcl' },
  { method: 'GET', scope: 'object', param: 'tagging', operation: 'GetObjectTagging' },
  { method: 'PUT', scope: 'object', param: 'tagging', operation: 'PutObjectTagging' },
  { method: 'DELETE', scope: 'object', param: 'tagging', operation: 'DeleteObjectTagging' },
  { method: 'GET', scope: 'object', param: 'retention', operation: 'GetObjectRetention' },
  { method: 'PUT', scope: 'object', param: 'retention', operation: 'PutObjectRetention' },
  { method: 'GET', scope: 'object', param: 'legal-hold', operation: 'GetObjectLegalHold' },
  { method: 'PUT', scope: 'object', param: 'legal-hold', operation: 'PutObjectLegalHold' },
  { method: 'POST', scope: 'object', param: 'uploads', operation: 'CreateMultipartUpload' },
  { method: 'PUT', scope: 'object', param: 'uploadId', header: 'x-amz-copy-source', operation: 'UploadPartCopy' },
  { method: 'PUT', scope: 'object', param: 'uploadId', operation: 'UploadPart' },
  { method: 'POST', scope: 'object', param: 'uploadId', operation: 'CompleteMultipartUpload' },
  { method: 'DELETE', scope: 'object', param: 'uploadId', operation: 'AbortMultipartUpload' },
  { method: 'GET', scope: 'object', param: 'uploadId', operation: 'ListParts' },
  { method: 'PUT', scope: 'object', header: 'x-amz-copy-source', operation: 'CopyObject' },
  { method: 'PUT', scope: 'object', operation: 'PutObject' },
  { method: 'GET', scope: 'object', operation: 'GetObject' },
  { method: 'HEAD', scope: 'object', operation: 'HeadObject' },
  { method: 'DELETE', scope: 'object', operation: 'DeleteObject' },
  { method: 'OPTIONS', scope: 'object', operation: 'CorsPreflight' },
];

function ruleMatches(rule: RouteRule, method: string, scope: S3Scope, query: Query, headers: IncomingHttpHeaders): boolean {
  if (rule.method !== method || rule.scope !== scope) return false;
  if (rule.param !== undefined && !(rule.param in query)) return false;
  if (rule.header !== undefined && headers[rule.header] === undefined) return false;
  return true;
}

/** The one place that decides which S3 operation a request is. */
export function resolveOperation(method: string, scope: S3Scope, query: Query, headers: IncomingHttpHeaders): S3Operation {
  const rule = RULES.find((candidate) => ruleMatches(candidate, method, scope, query, headers));
  // A preflight carries the query of the request it asks about, whatever that is.
  if (rule?.operation === 'CorsPreflight') return rule.operation;
  if (UNSUPPORTED_SUBRESOURCES.some((name) => name in query && rule?.param !== name)) return 'NotImplemented';
  return rule?.operation ?? 'MethodNotAllowed';
}
