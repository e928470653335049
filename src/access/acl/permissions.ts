import type { S3Operation } from '../../s3/routes';
import type { Permission } from './grants';

/** What an ACL must grant for an operation: a permission on the bucket, or on the object addressed. */
export interface AclRequirement {
  on: 'bucket' | 'object';
  permission: Permission;
}

/**
 * S3's ACL permissions by operation (S3 user guide, "ACL permissions"): bucket READ lists, bucket WRITE creates,
 * overwrites and deletes objects (and runs their multipart uploads), object READ reads, READ_ACP / WRITE_ACP read
 * and change an ACL. Operations not here (bucket configuration, DeleteBucket, Object Lock's retention and legal hold,
 * which S3 governs by IAM permissions only) are the owner's alone, or a bucket policy's to grant.
 */
const REQUIREMENTS: Partial<Record<S3Operation, AclRequirement>> = {
  HeadBucket: { on: 'bucket', permission: 'READ' },
  ListObjects: { on: 'bucket', permission: 'READ' },
  ListObjectsV2: { on: 'bucket', permission: 'READ' },
  ListObjectVersions: { on: 'bucket', permission: 'READ' },
  ListMultipartUploads: { on: 'bucket', permission: 'READ' },
  GetBucketAcl: { on: 'bucket', permission: 'READ_ACP' },
  PutBucketAcl: { on: 'bucket', permission: 'WRITE_ACP' },
  PutObject: { on: 'bucket', permission: 'WRITE' },
  PostObject: { on: 'bucket', permission: 'WRITE' },
  CopyObject: { on: 'bucket', permission: 'WRITE' },
  DeleteObject: { on: 'bucket', permission: 'WRITE' },
  DeleteObjects: { on: 'bucket', permission: 'WRITE' },
  CreateMultipartUpload: { on: 'bucket', permission: 'WRITE' },
  UploadPart: { on: 'bucket', permission: 'WRITE' },
  UploadPartCopy: { on: 'bucket', permission: 'WRITE' },
  CompleteMultipartUpload: { on: 'bucket', permission: 'WRITE' },
  AbortMultipartUpload: { on: 'bucket', permission: 'WRITE' },
  ListParts: { on: 'bucket', permission: 'WRITE' },
  GetObject: { on: 'object', permission: 'READ' },
  HeadObject: { on: 'object', permission: 'READ' },
  GetObjectAttributes: { on: 'object', permission: 'READ' },
  GetObjectAcl: { on: 'object', permission: 'READ_ACP' },
  PutObjectAcl: { on: 'object', permission: 'WRITE_ACP' },
};

export function aclRequirementOf(operation: S3Operation): AclRequirement | undefined {
  return REQUIREMENTS[operation];
}
