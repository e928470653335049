import type { S3Operation } from '../../s3/routes';

/**
 * S3's IAM action names (the "Actions defined by Amazon S3" table of the Service Authorization Reference) that a
 * bucket policy may name, each with the kind of resource it applies to: a policy naming another action is
 * MalformedPolicy "Policy has invalid action", and a statement none of whose actions applies to any of its
 * resources is MalformedPolicy "Action does not apply to any resource(s) in statement", as S3 answers. Account
 * and job actions (s3:ListAllMyBuckets, s3:CreateJob, ...) cannot apply to a bucket's resources and are absent:
 * naming them alone is that second error too.
 */
const BUCKET_ACTIONS = [
  'CreateBucket',
  'DeleteBucket',
  'DeleteBucketOwnershipControls',
  'DeleteBucketPolicy',
  'DeleteBucketWebsite',
  'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration',
  'GetBucketAcl',
  'GetBucketCORS',
  'GetBucketLocation',
  'GetBucketLogging',
  'GetBucketNotification',
  'GetBucketObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketPublicAccessBlock',
  'GetBucketRequestPayment',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetBucketWebsite',
  'GetEncryptionConfiguration',
  'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration',
  'GetLifecycleConfiguration',
  'GetMetricsConfiguration',
  'GetReplicationConfiguration',
  'ListBucket',
  'ListBucketMultipartUploads',
  'ListBucketVersions',
  'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration',
  'PutBucketAcl',
  'PutBucketCORS',
  'PutBucketLogging',
  'PutBucketNotification',
  'PutBucketObjectLockConfiguration',
  'PutBucketOwnershipControls',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutBucketWebsite',
  'PutEncryptionConfiguration',
  'PutIntelligentTieringConfiguration',
  'PutInventoryConfiguration',
  'PutLifecycleConfiguration',
  'PutMetricsConfiguration',
  'PutReplicationConfiguration',
] as const;

const OBJECT_ACTIONS = [
  'AbortMultipartUpload',
  'BypassGovernanceRetention',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjectVersion',
  'DeleteObjectVersionTagging',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectLegalHold',
  'GetObjectRetention',
  'GetObjectTagging',
  'GetObjectTorrent',
  'GetObjectVersion',
  'GetObjectVersionAcl',
  'GetObjectVersionAttributes',
  'GetObjectVersionTagging',
  'GetObjectVersionTorrent',
  'ListMultipartUploadParts',
  'PutObject',
  'PutObjectAcl',
  'PutObjectLegalHold',
  'PutObjectRetention',
  'PutObjectTagging',
  'PutObjectVersionAcl',
  'PutObjectVersionTagging',
  'ReplicateDelete',
  'ReplicateObject',
  'ReplicateTags',
  'RestoreObject',
] as const;

export type ResourceKind = 'bucket' | 'object';

/** Every action a bucket policy may name, lowercased (IAM compares action names without case), with its resource kind. */
export const POLICY_ACTIONS: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ...BUCKET_ACTIONS.map((name) => [`s3:${name.toLowerCase()}`, 'bucket'] as const),
  ...OBJECT_ACTIONS.map((name) => [`s3:${name.toLowerCase()}`, 'object'] as const),
]);

/** What a request asks of a policy: the actions it needs (all of them) on one resource kind. */
export interface RequiredActions {
  kind: ResourceKind;
  /** IAM action names, e.g. `s3:GetObject`; every one must be allowed. */
  actions: readonly string[];
}

/** Request details that change which action an operation needs. */
export interface ActionInputs {
  /** A `versionId` query parameter (the `...Version` actions). */
  versionId?: string;
  /** An `x-amz-acl` or `x-amz-grant-*` header on a write: S3 asks for s3:PutObjectAcl too. */
  setsAcl?: boolean;
  /** An `x-amz-tagging` header on a write: S3 asks for s3:PutObjectTagging too. */
  setsTags?: boolean;
}

const versioned = (inputs: ActionInputs, plain: string, version: string): string => (inputs.versionId === undefined ? plain : version);

/**
 * The IAM actions an operation needs (the S3 API reference's "Permissions" of each operation). Several operations
 * share an action (HeadObject is s3:GetObject, UploadPart is s3:PutObject). Undefined for what no bucket policy
 * governs: ListBuckets (an account action), preflights, and requests answered NotImplemented/MethodNotAllowed.
 * CopyObject and UploadPartCopy need s3:GetObject of the source as well: copySourceActions.
 */
export function requiredActions(operation: S3Operation, inputs: ActionInputs = {}): RequiredActions | undefined {
  const bucket = (...actions: string[]): RequiredActions => ({ kind: 'bucket', actions });
  const object = (...actions: string[]): RequiredActions => ({ kind: 'object', actions });
  const write = (): RequiredActions =>
    object('s3:PutObject', ...(inputs.setsAcl ? ['s3:PutObjectAcl'] : []), ...(inputs.setsTags ? ['s3:PutObjectTagging'] : []));
  switch (operation) {
    case 'CreateBucket':
      return bucket('s3:CreateBucket');
    case 'DeleteBucket':
      return bucket('s3:DeleteBucket');
    case 'HeadBucket':
    case 'ListObjects':
    case 'ListObjectsV2':
      return bucket('s3:ListBucket');
    case 'GetBucketLocation':
      return bucket('s3:GetBucketLocation');
    case 'GetBucketVersioning':
      return bucket('s3:GetBucketVersioning');
    case 'PutBucketVersioning':
      return bucket('s3:PutBucketVersioning');
    case 'GetBucketAcl':
      return bucket('s3:GetBucketAcl');
    case 'PutBucketAcl':
      return bucket('s3:PutBucketAcl');
    case 'GetBucketCors':
      return bucket('s3:GetBucketCORS');
    case 'PutBucketCors':
    case 'DeleteBucketCors':
      return bucket('s3:PutBucketCORS');
    case 'GetBucketPolicy':
      return bucket('s3:GetBucketPolicy');
    case 'PutBucketPolicy':
      return bucket('s3:PutBucketPolicy');
    case 'DeleteBucketPolicy':
      return bucket('s3:DeleteBucketPolicy');
    case 'GetBucketPolicyStatus':
      return bucket('s3:GetBucketPolicyStatus');
    case 'GetPublicAccessBlock':
      return bucket('s3:GetBucketPublicAccessBlock');
    case 'PutPublicAccessBlock':
    case 'DeletePublicAccessBlock':
      return bucket('s3:PutBucketPublicAccessBlock');
    case 'ListObjectVersions':
      return bucket('s3:ListBucketVersions');
    case 'ListMultipartUploads':
      return bucket('s3:ListBucketMultipartUploads');
    case 'DeleteObjects':
    case 'DeleteObject':
      return object(versioned(inputs, 's3:DeleteObject', 's3:DeleteObjectVersion'));
    case 'PutObject':
    case 'CopyObject':
    case 'CreateMultipartUpload':
      return write();
    case 'UploadPart':
    case 'UploadPartCopy':
    case 'CompleteMultipartUpload':
      return object('s3:PutObject');
    case 'GetObject':
    case 'HeadObject':
      return object(versioned(inputs, 's3:GetObject', 's3:GetObjectVersion'));
    case 'GetObjectAttributes':
      return object(versioned(inputs, 's3:GetObjectAttributes', 's3:GetObjectVersionAttributes'));
    case 'GetObjectAcl':
      return object(versioned(inputs, 's3:GetObjectAcl', 's3:GetObjectVersionAcl'));
    case 'PutObjectAcl':
      return object(versioned(inputs, 's3:PutObjectAcl', 's3:PutObjectVersionAcl'));
    case 'AbortMultipartUpload':
      return object('s3:AbortMultipartUpload');
    case 'ListParts':
      return object('s3:ListMultipartUploadParts');
    case 'PostObject':
      return write();
    case 'GetObjectTagging':
      return object(versioned(inputs, 's3:GetObjectTagging', 's3:GetObjectVersionTagging'));
    case 'PutObjectTagging':
      return object(versioned(inputs, 's3:PutObjectTagging', 's3:PutObjectVersionTagging'));
    case 'DeleteObjectTagging':
      return object(versioned(inputs, 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'));
    case 'GetBucketTagging':
      return bucket('s3:GetBucketTagging');
    case 'PutBucketTagging':
    case 'DeleteBucketTagging':
      return bucket('s3:PutBucketTagging');
    case 'GetBucketLifecycleConfiguration':
      return bucket('s3:GetLifecycleConfiguration');
    case 'PutBucketLifecycleConfiguration':
    case 'DeleteBucketLifecycle':
      return bucket('s3:PutLifecycleConfiguration');
    case 'GetBucketOwnershipControls':
      return bucket('s3:GetBucketOwnershipControls');
    case 'GetObjectLockConfiguration':
      return bucket('s3:GetBucketObjectLockConfiguration');
    case 'PutObjectLockConfiguration':
      return bucket('s3:PutBucketObjectLockConfiguration');
    case 'GetObjectRetention':
      return object('s3:GetObjectRetention');
    case 'PutObjectRetention':
      return object('s3:PutObjectRetention');
    case 'GetObjectLegalHold':
      return object('s3:GetObjectLegalHold');
    case 'PutObjectLegalHold':
      return object('s3:PutObjectLegalHold');
    case 'PutBucketOwnershipControls':
    case 'DeleteBucketOwnershipControls':
      return bucket('s3:PutBucketOwnershipControls');
    default:
      return undefined;
  }
}

/**
 * What `x-amz-bypass-governance-retention: true` needs besides the operation's own actions (DeleteObject, DeleteObjects,
 * PutObjectRetention): decided on its own, so a policy can deny it while allowing the delete.
 */
export const BYPASS_GOVERNANCE_ACTIONS: RequiredActions = { kind: 'object', actions: ['s3:BypassGovernanceRetention'] };

/** The operations where `x-amz-bypass-governance-retention` counts (Object Lock). */
export const BYPASS_OPERATIONS: ReadonlySet<S3Operation> = new Set(['DeleteObject', 'DeleteObjects', 'PutObjectRetention']);

/** What a copy needs of its source object (`x-amz-copy-source`, with its own versionId). */
export function copySourceActions(sourceVersionId: string | undefined): RequiredActions {
  return { kind: 'object', actions: [sourceVersionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion'] };
}
