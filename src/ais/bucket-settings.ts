import type { CorsRule } from '../cors/cors-configuration';
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
  /** PutBucketTagging: the bucket's tags, already checked by src/tagging. */
  tagging: TagSet;
}

export type BucketSettingName = keyof BucketSettings;

/** Every setting name once: a name added to BucketSettings and missing here does not compile. */
const SETTING_NAMES: Record<BucketSettingName, true> = { cors: true, tagging: true };

export const BUCKET_SETTING_NAMES = Object.keys(SETTING_NAMES) as readonly BucketSettingName[];
