import { BUCKET_SETTING_NAMES, type BucketSettingName, type BucketSettings } from '../bucket-settings';
import { S3Error } from '../../s3/errors';
import type { BucketInfo } from '../store';
import type { SystemBucket } from './system-bucket';

/**
 * How long a gateway trusts a bucket setting it last read, so that the checks of requests (CORS rules for every
 * request with an Origin header, and the like) do not each cost AIS calls: another replica's change reaches this
 * one within that time (this replica's own changes at once).
 */
export const SETTINGS_TRUSTED_MS = 5000;

/** Where a bucket's setting lives in the system bucket (upload-names.ts has the rest of its layout). */
export function settingRecordName(bucket: string, name: BucketSettingName): string {
  return `${name}/${bucket}`;
}

/**
 * The stored setting names the creation time of the bucket it was made for: a bucket deleted (by AIS's own
 * tools too) and made again under the same name starts without the old bucket's settings.
 */
interface SettingRecord {
  bucket: string;
  /** The bucket's creation time, ms since the epoch. */
  bucketCreated: number;
  value: unknown;
}

/** How to find a bucket's creation time: `recent` may answer from the bucket cache, `head` asks AIS. Both throw NoSuchBucket. */
export interface BucketHeads {
  head(bucket: string): Promise<BucketInfo>;
  recent(bucket: string): Promise<BucketInfo>;
}

/**
 * Buckets' settings (BucketSettings) on AIS. A CORS configuration alone can be 64 KB, far beyond a bucket's
 * `extra.custom` (128 characters), so each setting is a JSON object in the gateway's system bucket, valid while
 * its bucket's creation time matches, and kept for SETTINGS_TRUSTED_MS.
 */
export class AisBucketSettings {
  private readonly seen = new Map<string, { value: unknown; until: number }>();
  /** The read under way for a setting, shared by every request that found it stale meanwhile. */
  private readonly reads = new Map<string, Promise<unknown>>();

  constructor(
    private readonly system: SystemBucket,
    private readonly buckets: BucketHeads,
  ) {}

  /** `cached`: what was read within SETTINGS_TRUSTED_MS will do (the checks of requests); else a fresh read. */
  get<K extends BucketSettingName>(bucket: string, name: K, cached: boolean): Promise<BucketSettings[K] | undefined> {
    const record = settingRecordName(bucket, name);
    if (!cached) return this.read(bucket, name, false) as Promise<BucketSettings[K] | undefined>;
    const seen = this.seen.get(record);
    if (seen !== undefined && seen.until > Date.now()) return Promise.resolve(seen.value as BucketSettings[K] | undefined);
    let reading = this.reads.get(record);
    if (reading === undefined) {
      reading = this.read(bucket, name, true).finally(() => this.reads.delete(record));
      this.reads.set(record, reading);
    }
    return reading as Promise<BucketSettings[K] | undefined>;
  }

  private async read(bucket: string, name: BucketSettingName, cached: boolean): Promise<unknown> {
    const recordName = settingRecordName(bucket, name);
    const [info, text] = await Promise.all([cached ? this.buckets.recent(bucket) : this.buckets.head(bucket), this.system.getText(recordName)]);
    const record = text === undefined ? undefined : parseRecord(bucket, name, text);
    const value = record !== undefined && record.bucket === bucket && record.bucketCreated === info.created.getTime() ? record.value : undefined;
    this.remember(recordName, value);
    return value;
  }

  async put<K extends BucketSettingName>(bucket: string, name: K, value: BucketSettings[K]): Promise<void> {
    const info = await this.buckets.head(bucket);
    const record: SettingRecord = { bucket, bucketCreated: info.created.getTime(), value };
    const recordName = settingRecordName(bucket, name);
    await this.system.put(recordName, Buffer.from(JSON.stringify(record)));
    this.remember(recordName, value);
  }

  async delete(bucket: string, name: BucketSettingName): Promise<void> {
    await this.buckets.head(bucket);
    await this.remove(settingRecordName(bucket, name));
  }

  /** Removes every setting of the bucket without checking the bucket (DeleteBucket). */
  async forget(bucket: string): Promise<void> {
    await Promise.all(BUCKET_SETTING_NAMES.map((name) => this.remove(settingRecordName(bucket, name))));
  }

  private async remove(recordName: string): Promise<void> {
    await this.system.delete(recordName);
    this.remember(recordName, undefined);
  }

  private remember(recordName: string, value: unknown): void {
    this.seen.set(recordName, { value, until: Date.now() + SETTINGS_TRUSTED_MS });
  }
}

function parseRecord(bucket: string, name: BucketSettingName, text: string): SettingRecord {
  try {
    return JSON.parse(text) as SettingRecord;
  } catch {
    throw new S3Error('InternalError', `The ${name} setting of ${bucket} in AIS is not valid JSON`);
  }
}
