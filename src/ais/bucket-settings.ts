import type { StoredPolicy } from '../access/policy/bucket-policies';
import type { PublicAccessBlock } from '../access/policy/public-access-block';
import type { CorsRule } from '../cors/cors-configuration';

/**
 * The configuration documents a bucket carries besides its record (versioning and owner live there): one per
 * S3 sub-resource that a Put...Bucket... call sets whole and a Delete...Bucket... call removes. Every backend
 * keeps them with the bucket (DeleteBucket removes them; a bucket made again under the same name starts without
 * them). A feature adds its document here and its name to SETTING_NAMES (on AIS the name is the first path
 * segment of the setting's object in the system bucket: never `uploads`, `parts` or `completed`).
 */
export interface BucketSettings {
  /** PutBucketCors: the rules, already validated by src/cors. */
  cors: CorsRule[];
  /** PutBucketPolicy: the document as put (GetBucketPolicy answers it), validated by src/access/policy. */
  policy: StoredPolicy;
  /** PutPublicAccessBlock: the bucket's four switches. */
  publicAccessBlock: PublicAccessBlock;
}

export type BucketSettingName = keyof BucketSettings;

/** Every setting name once: a name added to BucketSettings and missing here does not compile. */
const SETTING_NAMES: Record<BucketSettingName, true> = { cors: true, policy: true, publicAccessBlock: true };

export const BUCKET_SETTING_NAMES = Object.keys(SETTING_NAMES) as readonly BucketSettingName[];
