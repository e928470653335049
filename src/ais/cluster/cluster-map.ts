import { BackgroundJob, type JobReporting } from '../../jobs/background-job';
import { type Hrw, loadHrw, type PlacedTarget } from './hrw';

/** A storage target of the cluster map. */
export interface TargetNode extends PlacedTarget {
  /** Public URL, e.g. `http://127.0.0.1:51083`. */
  url: string;
}

export interface ClusterMap {
  version: string;
  /** The primary proxy's id: AIS's redirects name it as the redirecting proxy (`pid`). */
  primaryId: string;
  targets: TargetNode[];
}

interface SnodeJson {
  daemon_id?: string;
  public_net?: { direct_url?: string };
  flags?: number;
}

interface SmapJson {
  version?: string;
  proxy_si?: SnodeJson | null;
  tmap?: Record<string, SnodeJson> | null;
}

/**
 * AIS's cluster map (`GET /v1/cluster?what=smap`, docs/ais-native-api.md section 3). Digests are computed from
 * the ids, as AIS computes them (`Snode.setDigest`): the map's `id_digest` is a 64-bit number that JSON.parse
 * would round.
 */
export function parseClusterMap(text: string, hrw: Pick<Hrw, 'hash'>): ClusterMap {
  const smap = JSON.parse(text) as SmapJson;
  const targets = Object.entries(smap.tmap ?? {}).map(([key, node]) => {
    const id = node.daemon_id ?? key;
    return { id, url: node.public_net?.direct_url ?? '', flags: node.flags ?? 0, digest: hrw.hash(id) };
  });
  return { version: String(smap.version ?? ''), primaryId: smap.proxy_si?.daemon_id ?? '', targets };
}

/** How often the cached map is read again. AIS answers carry no map version, so a change is seen at the latest then. */
export const MAP_REFRESH_MS = 2000;
/** A refresh asked for by a failed direct call waits at least this long after the last one. */
const MIN_REFRESH_GAP_MS = 250;

/** Where an object call goes without asking the proxy: the owning target, and the marker values AIS's redirects carry. */
export interface DirectRoute {
  target: TargetNode;
  primaryId: string;
}

/**
 * The cluster map, cached: read at start, every MAP_REFRESH_MS, and whenever a direct call suggests it changed
 * (refreshSoon). It routes object calls to their owning target (HRW). Until the first read, and while the map
 * has no usable target, it routes nothing and calls go through the proxy.
 */
export class ClusterMapCache {
  private map: ClusterMap | undefined;
  private hrw: Hrw | undefined;
  private reading: Promise<ClusterMap> | undefined;
  private readAt = 0;
  private readonly job: BackgroundJob;

  /** `jobs`: where the periodic reads are counted and their failures logged (rate-limited: AIS may be down for long). */
  constructor(
    private readonly fetchMap: () => Promise<string>,
    jobs?: JobReporting,
  ) {
    // A failed read leaves the last map in place; direct calls that fail fall back to the proxy anyway.
    this.job = new BackgroundJob('ais_cluster_map', MAP_REFRESH_MS, () => this.refresh(), jobs).start({ runNow: true });
  }

  /** Stops the periodic reads (after the one in progress). */
  close(): Promise<void> {
    return this.job.stop();
  }

  /** The map as AIS has it now (one read shared by concurrent callers); the cache keeps it. */
  refresh(): Promise<ClusterMap> {
    this.reading ??= (async () => {
      try {
        const [text, hrw] = await Promise.all([this.fetchMap(), loadHrw()]);
        this.hrw = hrw;
        this.map = parseClusterMap(text, hrw);
        return this.map;
      } finally {
        this.readAt = Date.now();
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  /** Reads the map again unless that was just done: a direct call failed in a way a changed map explains. */
  refreshSoon(): void {
    if (this.reading === undefined && Date.now() - this.readAt >= MIN_REFRESH_GAP_MS) void this.job.run();
  }

  /** The owning target of an object by the cached map; undefined when there is no map or no owner in it. */
  routeOf(bucket: string, objectName: string): DirectRoute | undefined {
    if (this.map === undefined || this.hrw === undefined) return undefined;
    const target = this.hrw.ownerOf(this.map.targets, bucket, objectName);
    // Without the proxy's id there is no redirect marker to send, and a target would refuse the writes.
    return target === undefined || target.url === '' || this.map.primaryId === '' ? undefined : { target, primaryId: this.map.primaryId };
  }
}
