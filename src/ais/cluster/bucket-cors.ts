import type { CorsRule } from '../../cors/cors-configuration';
import { S3Error } from '../../s3/errors';
import type { BucketInfo } from '../store';
import type { SystemBucket } from './system-bucket';

/**
 * How long a gateway trusts the CORS rules it last read for a bucket, so that requests with an Origin header do
 * not each cost AIS calls: another replica's PutBucketCors or DeleteBucketCors reaches this one within that
 * time (this replica's own changes at once).
 */
export const CORS_TRUSTED_MS = 5000;

/** Where a bucket's CORS configuration lives in the system bucket (upload-names.ts has the rest of its layout). */
export function corsRecordName(bucket: string): string {
  return `cors/${bucket}`;
}

/**
 * The stored configuration names the creation time of the bucket it was made for: a bucket deleted (by AIS's own
 * tools too) and made again under the same name starts without the old bucket's rules.
 */
interface CorsRecord {
  bucket: string;
  /** The bucket's creation time, ms since the epoch. */
  bucketCreated: number;
  rules: CorsRule[];
}

/**
 * Buckets' CORS configurations on AIS. They can be 64 KB, far beyond a bucket's `extra.custom` (128 characters),
 * so each is a JSON object in the gateway's system bucket, read with a HEAD of its bucket (existence and creation
 * time) and kept for CORS_TRUSTED_MS.
 */
export class AisBucketCors {
  private readonly seen = new Map<string, { rules: CorsRule[] | undefined; until: number }>();
  /** The read under way for a bucket, shared by every request that found the rules stale meanwhile. */
  private readonly reads = new Map<string, Promise<CorsRule[] | undefined>>();

  constructor(
    private readonly system: SystemBucket,
    /** Throws NoSuchBucket. */
    private readonly headBucket: (bucket: string) => Promise<BucketInfo>,
  ) {}

  /** `cached`: what was read within CORS_TRUSTED_MS will do (the CORS checks of requests); else a fresh read. */
  get(bucket: string, cached: boolean): Promise<CorsRule[] | undefined> {
    if (!cached) return this.read(bucket);
    const seen = this.seen.get(bucket);
    if (seen !== undefined && seen.until > Date.now()) return Promise.resolve(seen.rules);
    let reading = this.reads.get(bucket);
    if (reading === undefined) {
      reading = this.read(bucket).finally(() => this.reads.delete(bucket));
      this.reads.set(bucket, reading);
    }
    return reading;
  }

  private async read(bucket: string): Promise<CorsRule[] | undefined> {
    const [info, text] = await Promise.all([this.headBucket(bucket), this.system.getText(corsRecordName(bucket))]);
    const record = text === undefined ? undefined : parseRecord(bucket, text);
    const rules = record !== undefined && record.bucket === bucket && record.bucketCreated === info.created.getTime() ? record.rules : undefined;
    this.remember(bucket, rules);
    return rules;
  }

  async put(bucket: string, rules: CorsRule[]): Promise<void> {
    const info = await this.headBucket(bucket);
    const record: CorsRecord = { bucket, bucketCreated: info.created.getTime(), rules };
    await this.system.put(corsRecordName(bucket), Buffer.from(JSON.stringify(record)));
    this.remember(bucket, rules);
  }

  async delete(bucket: string): Promise<void> {
    await this.headBucket(bucket);
    await this.forget(bucket);
  }

  /** Removes the bucket's configuration without checking the bucket (DeleteBucket). */
  async forget(bucket: string): Promise<void> {
    await this.system.delete(corsRecordName(bucket));
    this.remember(bucket, undefined);
  }

  private remember(bucket: string, rules: CorsRule[] | undefined): void {
    this.seen.set(bucket, { rules, until: Date.now() + CORS_TRUSTED_MS });
  }
}

function parseRecord(bucket: string, text: string): CorsRecord {
  try {
    return JSON.parse(text) as CorsRecord;
  } catch {
    throw new S3Error('InternalError', `The CORS configuration of ${bucket} in AIS is not valid JSON`);
  }
}
