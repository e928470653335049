import { inParallel } from '../../in-parallel';
import { S3Error } from '../../s3/errors';
import type { BucketInfo, ListBucketsRequest, VersioningStatus } from '../store';
import type { AisHttp } from './ais-http';
import type { AisCluster } from './cluster';
import { isMissing } from './errors';
import { listPage } from './object-listing';
import { bucketPath } from './object-names';
import { UPLOADS_BUCKET } from './upload-names';

/** The bucket props AIS returns in `Ais-Bucket-Props` (the part the gateway reads). */
interface BucketProps {
  created?: string;
  versioning?: { enabled?: boolean };
  /** `extra.custom`: a free-form note AIS keeps with the bucket (`team=alpha;project=beta`), 128 characters at most. */
  extra?: { custom?: string };
}

/**
 * S3 has three versioning states, AIS two (`versioning.enabled`). Once S3 versioning was configured, the
 * gateway notes it as one `s3-versioning=<status>` entry of the bucket's `extra.custom`, beside whatever other
 * entries AIS users keep there: bucket props are durable and every gateway replica reads them.
 */
const VERSIONING_NOTE = 's3-versioning';
/** The LocationConstraint a bucket was created with (GetBucketLocation), noted the same way at creation. */
const LOCATION_NOTE = 's3-location';
const NOTE_SEPARATOR = ';';

/** The value of the `name=` entry of `extra.custom`, or undefined when there is none. */
export function noteOf(custom: string | undefined, name: string): string | undefined {
  const entry = (custom ?? '').split(NOTE_SEPARATOR).find((candidate) => candidate.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/** `extra.custom` with the `name=` entry set to `value`, the other entries kept in order. */
function withNote(custom: string | undefined, name: string, value: string): string {
  const others = (custom ?? '').split(NOTE_SEPARATOR).filter((entry) => entry !== '' && !entry.startsWith(`${name}=`));
  return [...others, `${name}=${value}`].join(NOTE_SEPARATOR);
}

/**
 * AIS versioning on is Enabled (whoever turned it on); off is Suspended once S3 versioning was ever configured
 * (noted), else never configured. So a bucket that AIS users switch behind the gateway's back reads as it is.
 */
export function versioningOfProps(props: BucketProps): VersioningStatus | undefined {
  if (props.versioning?.enabled) return 'Enabled';
  return noteOf(props.extra?.custom, VERSIONING_NOTE) !== undefined ? 'Suspended' : undefined;
}

/** `extra.custom` with the versioning note set to `status`, the other entries kept in order. */
export function withVersioningNote(custom: string | undefined, status: VersioningStatus): string {
  return withNote(custom, VERSIONING_NOTE, status);
}

/** Props of every bucket the gateway creates: MD5 checksums (so ETags are what S3 clients check), no versioning. */
export const NEW_BUCKET_PROPS = { checksum: { type: 'md5' }, versioning: { enabled: false } };

/** NEW_BUCKET_PROPS plus the bucket's LocationConstraint, noted in `extra.custom` by the same create call. */
export function newBucketProps(location: string): typeof NEW_BUCKET_PROPS & { extra: { custom: string } } {
  return { ...NEW_BUCKET_PROPS, extra: { custom: withNote(undefined, LOCATION_NOTE, location) } };
}

/** How many HEADs ListBuckets runs at once (AIS's bucket list has no creation times). */
const HEAD_CONCURRENCY = 8;
/**
 * How long a gateway trusts the versioning status it last read, so that a PUT does not HEAD the bucket every
 * time (an AIS bucket HEAD costs about as much as half a small PUT). Another replica's change reaches this one
 * within that time; S3 itself says a versioning change takes a while to reach every writer.
 */
const VERSIONING_TRUSTED_MS = 1000;

/** `created` is nanoseconds since the epoch, as a string. */
export function bucketInfoOfProps(name: string, props: BucketProps): BucketInfo {
  const createdNs = props.created !== undefined && /^\d+$/.test(props.created) ? BigInt(props.created) : 0n;
  return {
    name,
    created: new Date(Number(createdNs / 1_000_000n)),
    versioning: versioningOfProps(props),
    location: noteOf(props.extra?.custom, LOCATION_NOTE),
  };
}

/** Bucket calls: all answered by the AIS proxy itself. */
export class AisBuckets {
  private readonly versioningSeen = new Map<string, { status: VersioningStatus | undefined; until: number }>();
  /** The HEAD under way for a bucket's versioning status, shared by every PUT that found the status stale. */
  private readonly versioningReads = new Map<string, Promise<VersioningStatus | undefined>>();

  constructor(
    private readonly http: AisHttp,
    private readonly cluster: AisCluster,
  ) {}

  /**
   * AIS's bucket list has names only: the selected names are HEADed (for creation time, versioning and location)
   * a batch at a time until `limit` buckets were found, skipping any deleted meanwhile.
   */
  async list(request: ListBucketsRequest = {}): Promise<BucketInfo[]> {
    const { prefix = '', startAfter, limit = Infinity } = request;
    const { text } = await this.http.proxyCall({ method: 'GET', path: '/v1/buckets' });
    const names = ((JSON.parse(text) as Array<{ name: string }> | null) ?? [])
      .map((bucket) => bucket.name)
      .filter((name) => name !== UPLOADS_BUCKET && name.startsWith(prefix) && (startAfter === undefined || name > startAfter))
      .sort(); // AIS sorts them already; its names are ASCII, where string order is byte order
    const found: BucketInfo[] = [];
    for (let at = 0; at < names.length && found.length < limit;) {
      const batch = names.slice(at, at + (limit - found.length));
      at += batch.length;
      found.push(...(await this.headEach(batch)));
    }
    return found;
  }

  /** HEADs of `names`, HEAD_CONCURRENCY at a time, in their order; buckets deleted meanwhile are left out. */
  private async headEach(names: string[]): Promise<BucketInfo[]> {
    const infos: Array<BucketInfo | undefined> = names.map(() => undefined);
    await inParallel(names, HEAD_CONCURRENCY, async (name, at) => {
      try {
        infos[at] = await this.head(name);
      } catch (err) {
        if (!isMissing(err)) throw err; // deleted meanwhile
      }
    });
    return infos.filter((info): info is BucketInfo => info !== undefined);
  }

  /** Fails with AIS's 409 ErrBucketAlreadyExists (isBucketTaken) when the bucket exists. */
  async create(bucket: string, location: string): Promise<void> {
    this.versioningSeen.delete(bucket);
    await this.http.proxyCall({
      method: 'POST',
      path: bucketPath(bucket),
      json: { action: 'create-bck', value: newBucketProps(location) },
      context: { bucket },
    });
  }

  async head(bucket: string): Promise<BucketInfo> {
    const info = bucketInfoOfProps(bucket, await this.props(bucket));
    this.versioningSeen.set(bucket, { status: info.versioning, until: Date.now() + VERSIONING_TRUSTED_MS });
    return info;
  }

  /** The bucket's S3 versioning status, as read at most VERSIONING_TRUSTED_MS ago; throws NoSuchBucket. */
  async versioningOf(bucket: string): Promise<VersioningStatus | undefined> {
    const seen = this.versioningSeen.get(bucket);
    if (seen !== undefined && seen.until > Date.now()) return seen.status;
    // Without sharing, every PUT under way when the status went stale sent a HEAD of its own: under load dozens
    // at once, each on a new connection to the proxy.
    let reading = this.versioningReads.get(bucket);
    if (reading === undefined) {
      reading = this.head(bucket)
        .then((info) => info.versioning)
        .finally(() => this.versioningReads.delete(bucket));
      this.versioningReads.set(bucket, reading);
    }
    return reading;
  }

  private async props(bucket: string): Promise<BucketProps> {
    const { headers } = await this.http.proxyCall({ method: 'HEAD', path: bucketPath(bucket), context: { bucket } });
    const raw = headers['ais-bucket-props'];
    return (raw ? JSON.parse(Array.isArray(raw) ? raw[0] : raw) : {}) as BucketProps;
  }

  /**
   * AIS's destroy removes a bucket with everything in it, so emptiness is checked first (S3: BucketNotEmpty).
   * Not atomic: an object written between the check and the destroy is lost with the bucket.
   */
  async delete(bucket: string): Promise<void> {
    const { entries } = await listPage(this.http, bucket, { prefix: '', pageSize: 1, props: 'name' });
    if (entries.length > 0) throw new S3Error('BucketNotEmpty', undefined, { BucketName: bucket });
    // A cluster without targets lists every bucket as empty: never destroy on that answer.
    await this.cluster.requireTargets();
    this.versioningSeen.delete(bucket);
    await this.http.proxyCall({ method: 'DELETE', path: bucketPath(bucket), json: { action: 'destroy-bck' }, context: { bucket } });
  }

  /**
   * Enabled turns AIS versioning on, Suspended off; both note the S3 status in `extra.custom`, in the same
   * props update. Another writer of `extra.custom` between the HEAD and the update would lose its change.
   */
  async setVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    const custom = withVersioningNote((await this.props(bucket)).extra?.custom, status);
    await this.http.proxyCall({
      method: 'PATCH',
      path: bucketPath(bucket),
      json: { action: 'set-bprops', value: { versioning: { enabled: status === 'Enabled' }, extra: { custom } } },
      context: { bucket },
    });
    this.versioningSeen.set(bucket, { status, until: Date.now() + VERSIONING_TRUSTED_MS });
  }
}
