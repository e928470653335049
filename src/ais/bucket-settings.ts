import type { Grant } from '../access/acl/grants';
import type { ObjectOwnership } from '../access/acl/ownership';
import type { StoredPolicy } from '../access/policy/bucket-policies';
import type { PublicAccessBlock } from '../access/policy/public-access-block';
import type { CorsRule } from '../cors/cors-configuration';
import type { LifecycleRule } from '../lifecycle/lifecycle-configuration';
import type { ObjectLockConfiguration } from '../object-lock/object-lock-rules';
import type { TagSet } from './store';

/**
 * The configuration documents a bucket carries besides its record (versioning and owner live there): one per
 * S3 sub-resource that a Put...Bucket... call sets whole and a Delete...Bucket... call removes. Every backend
 * keeps them with the bucket (DeleteBucket removes them; a bucket made again under the same name starts without
 * them). A feature adds its document here and its name to SETTING_NAMES (on AIS the name is the first path
 * segment of the setting's object in the system bucket: never `uploads`, `parts`, `completed` or `object-tags`).
 */
export interface BucketSettings {
  /** PutBucketCors: the rules, already validated by src/cors. */
  cors: CorsRule[];
  /** PutBucketLifecycleConfiguration: the rules, validated by src/lifecycle. */
  lifecycle: LifecycleRule[];
  /** The bucket's ACL grants (CreateBucket's x-amz-acl / grant headers, PutBucketAcl); absent: private. */
  acl: Grant[];
  /** PutBucketOwnershipControls (or CreateBucket's x-amz-object-ownership); absent: none configured (ObjectWriter). */
  ownership: ObjectOwnership;
  /** PutBucketPolicy: the document as put (GetBucketPolicy answers it), validated by src/access/policy. */
  policy: StoredPolicy;
  /** PutPublicAccessBlock: the bucket's four switches. */
  publicAccessBlock: PublicAccessBlock;
  /** PutBucketTagging: the bucket's tags, already checked by src/tagging. */
  tagging: TagSet;
  /** Object Lock is enabled (CreateBucket's x-amz-bucket-object-lock-enabled, PutObjectLockConfiguration), with its default retention; absent: not enabled. */
  objectLock: ObjectLockConfiguration;
}

export type BucketSettingName = keyof BucketSettings;

/** Every setting name once: a name added to BucketSettings and missing here does not compile. */
const SETTING_NAMES: Record<BucketSettingName, true> = {
  cors: true,
  lifecycle: true,
  acl: true,
  ownership: true,
  policy: true,
  publicAccessBlock: true,
  tagging: true,
  objectLock: true,
};

export const BUCKET_SETTING_NAMES = Object.keys(SETTING_NAMES) as readonly BucketSettingName[];
