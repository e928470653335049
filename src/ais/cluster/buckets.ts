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
  checksum?: { type?: string };
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
/**
 * The creator's canonical id (64 hex characters), noted at creation as 43 base64url characters: `extra.custom` holds
 * 128 characters at most, and this note, the location's and the versioning's fit in it together.
 */
const OWNER_NOTE = 's3-owner';
const NOTE_SEPARATOR = ';';

/** The owner note's value for a canonical id. */
export function ownerNoteOf(canonicalId: string): string {
  return Buffer.from(canonicalId, 'hex').toString('base64url');
}

/** The canonical id an owner note stands for; undefined for a missing or damaged note (the bucket is then the admins'). */
export function ownerOfNote(note: string | undefined): string | undefined {
  if (note === undefined || !/^[A-Za-z0-9_-]{43}$/.test(note)) return undefined;
  return Buffer.from(note, 'base64url').toString('hex');
}

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

/** NEW_BUCKET_PROPS plus the bucket's LocationConstraint and owner, noted in `extra.custom` by the same create call. */
export function newBucketProps(location: string, owner?: string): typeof NEW_BUCKET_PROPS & { extra: { custom: string } } {
  const custom = withNote(undefined, LOCATION_NOTE, location);
  return { ...NEW_BUCKET_PROPS, extra: { custom: owner === undefined ? custom : withNote(custom, OWNER_NOTE, ownerNoteOf(owner)) } };
}

/** How many HEADs ListBuckets runs at once (AIS's bucket list has no creation times). */
const HEAD_CONCURRENCY = 8;
/**
 * How long a gateway trusts the bucket props it last read (versioning status, owner), so that a PUT or the access
 * check does not HEAD the bucket every time (an AIS bucket HEAD costs about as much as half a small PUT). Another
 * replica's change reaches this one within that time; S3 itself says a versioning change takes a while to reach
 * every writer. README, "Access control", states what it means for owners.
 */
export const BUCKET_TRUSTED_MS = 1000;

/** `created` is nanoseconds since the epoch, as a string. */
export function bucketInfoOfProps(name: string, props: BucketProps): BucketInfo {
  const createdNs = props.created !== undefined && /^\d+$/.test(props.created) ? BigInt(props.created) : 0n;
  return {
    name,
    created: new Date(Number(createdNs / 1_000_000n)),
    versioning: versioningOfProps(props),
    location: noteOf(props.extra?.custom, LOCATION_NOTE),
    owner: ownerOfNote(noteOf(props.extra?.custom, OWNER_NOTE)),
  };
}

/** What an object write into a bucket needs to know of it, from the bucket's props. */
export interface WriteFacts {
  versioning?: VersioningStatus;
  /** AIS computes each object's MD5 as it stores it (checksum type `md5`, as in the buckets the gateway creates). */
  aisMd5: boolean;
}

interface KnownBucket {
  info: BucketInfo;
  aisMd5: boolean;
}

/** Bucket calls: all answered by the AIS proxy itself. */
export class AisBuckets {
  private readonly seen = new Map<string, KnownBucket & { until: number }>();
  /** The HEAD under way for a bucket's props, shared by every request that found them stale. */
  private readonly reads = new Map<string, Promise<KnownBucket>>();

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
  async create(bucket: string, location: string, owner?: string): Promise<void> {
    this.seen.delete(bucket);
    await this.http.proxyCall({
      method: 'POST',
      path: bucketPath(bucket),
      json: { action: 'create-bck', value: newBucketProps(location, owner) },
      context: { bucket },
    });
  }

  async head(bucket: string): Promise<BucketInfo> {
    return (await this.read(bucket)).info;
  }

  private async read(bucket: string): Promise<KnownBucket> {
    return this.remember(bucket, await this.props(bucket));
  }

  private remember(bucket: string, props: BucketProps): KnownBucket {
    const known = { info: bucketInfoOfProps(bucket, props), aisMd5: props.checksum?.type === 'md5' };
    this.seen.set(bucket, { ...known, until: Date.now() + BUCKET_TRUSTED_MS });
    return known;
  }

  /** The bucket's props as read at most BUCKET_TRUSTED_MS ago; throws NoSuchBucket. */
  async recent(bucket: string): Promise<BucketInfo> {
    return (await this.recentlyKnown(bucket)).info;
  }

  /** What a write into the bucket needs to know, as read at most BUCKET_TRUSTED_MS ago; throws NoSuchBucket. */
  async writeFactsOf(bucket: string): Promise<WriteFacts> {
    const { info, aisMd5 } = await this.recentlyKnown(bucket);
    return { versioning: info.versioning, aisMd5 };
  }

  private async recentlyKnown(bucket: string): Promise<KnownBucket> {
    const seen = this.seen.get(bucket);
    if (seen !== undefined && seen.until > Date.now()) return seen;
    // Without sharing, every PUT under way when the props went stale sent a HEAD of its own: under load dozens
    // at once, each on a new connection to the proxy.
    let reading = this.reads.get(bucket);
    if (reading === undefined) {
      reading = this.read(bucket).finally(() => this.reads.delete(bucket));
      this.reads.set(bucket, reading);
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
    this.seen.delete(bucket);
    await this.http.proxyCall({ method: 'DELETE', path: bucketPath(bucket), json: { action: 'destroy-bck' }, context: { bucket } });
  }

  /**
   * Enabled turns AIS versioning on, Suspended off; both note the S3 status in `extra.custom`, in the same
   * props update. Another writer of `extra.custom` between the HEAD and the update would lose its change.
   */
  async setVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    const props = await this.props(bucket);
    const changes = { versioning: { enabled: status === 'Enabled' }, extra: { custom: withVersioningNote(props.extra?.custom, status) } };
    await this.http.proxyCall({ method: 'PATCH', path: bucketPath(bucket), json: { action: 'set-bprops', value: changes }, context: { bucket } });
    this.remember(bucket, { ...props, ...changes });
  }
}
