import { S3Error } from '../../s3/errors';
import type { BucketInfo, VersioningStatus } from '../ais-client';
import type { AisHttp } from './ais-http';
import type { AisCluster } from './cluster';
import { bucketPath } from './object-names';

/** The bucket props AIS returns in `Ais-Bucket-Props` (the part the gateway reads). */
interface BucketProps {
  created?: string;
  versioning?: { enabled?: boolean };
}

/** Props of every bucket the gateway creates: MD5 checksums (so ETags are what S3 clients check), no versioning. */
export const NEW_BUCKET_PROPS = { checksum: { type: 'md5' }, versioning: { enabled: false } };

/** How many HEADs ListBuckets runs at once (AIS's bucket list has no creation times). */
const HEAD_CONCURRENCY = 8;

/** `created` is nanoseconds since the epoch, as a string. */
export function bucketInfoOfProps(name: string, props: BucketProps): BucketInfo {
  const createdNs = props.created !== undefined && /^\d+$/.test(props.created) ? BigInt(props.created) : 0n;
  return {
    name,
    created: new Date(Number(createdNs / 1_000_000n)),
    // AIS versioning keeps no older versions (it is a counter): reported as Enabled when on, else as never set.
    versioning: props.versioning?.enabled ? 'Enabled' : undefined,
  };
}

/** Bucket calls: all answered by the AIS proxy itself. */
export class AisBuckets {
  constructor(
    private readonly http: AisHttp,
    private readonly cluster: AisCluster,
  ) {}

  async list(): Promise<BucketInfo[]> {
    const { text } = await this.http.proxyCall({ method: 'GET', path: '/v1/buckets' });
    const names = ((JSON.parse(text) as Array<{ name: string }> | null) ?? []).map((bucket) => bucket.name);
    const infos: Array<BucketInfo | undefined> = new Array(names.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let at = next++; at < names.length; at = next++) {
        try {
          infos[at] = await this.head(names[at]);
        } catch (err) {
          if (!(err instanceof S3Error && err.code === 'NoSuchBucket')) throw err; // deleted meanwhile
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, names.length) }, worker));
    return infos.filter((info): info is BucketInfo => info !== undefined);
  }

  async create(bucket: string): Promise<void> {
    await this.http.proxyCall({
      method: 'POST',
      path: bucketPath(bucket),
      json: { action: 'create-bck', value: NEW_BUCKET_PROPS },
      context: { bucket },
    });
  }

  async head(bucket: string): Promise<BucketInfo> {
    const { headers } = await this.http.proxyCall({ method: 'HEAD', path: bucketPath(bucket), context: { bucket } });
    const raw = headers['ais-bucket-props'];
    const props = (raw ? JSON.parse(Array.isArray(raw) ? raw[0] : raw) : {}) as BucketProps;
    return bucketInfoOfProps(bucket, props);
  }

  /**
   * AIS's destroy removes a bucket with everything in it, so emptiness is checked first (S3: BucketNotEmpty).
   * Not atomic: an object written between the check and the destroy is lost with the bucket.
   */
  async delete(bucket: string): Promise<void> {
    const { text } = await this.http.proxyCall({
      method: 'GET',
      path: bucketPath(bucket),
      json: { action: 'list', value: { pagesize: 1, props: 'name' } },
      context: { bucket },
    });
    const entries = (JSON.parse(text) as { entries?: unknown[] | null }).entries ?? [];
    if (entries.length > 0) throw new S3Error('BucketNotEmpty', undefined, { BucketName: bucket });
    // A cluster without targets lists every bucket as empty: never destroy on that answer.
    await this.cluster.requireTargets();
    await this.http.proxyCall({ method: 'DELETE', path: bucketPath(bucket), json: { action: 'destroy-bck' }, context: { bucket } });
  }

  async setVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    await this.http.proxyCall({
      method: 'PATCH',
      path: bucketPath(bucket),
      json: { action: 'set-bprops', value: { versioning: { enabled: status === 'Enabled' } } },
      context: { bucket },
    });
  }
}
