import { isS3Error } from '../../s3/errors';
import type { AisHttp } from './ais-http';
import type { TargetNode } from './cluster-map';
import { asS3Error, unavailable } from './errors';

/**
 * The cluster as a whole: its map of storage targets and whether it can serve. AIS's proxy answers its own
 * health checks even with every target gone (docs/ais-native-api.md section 12), so readiness also asks the
 * targets, and an empty answer from a cluster without targets is not taken for an empty bucket.
 */
export class AisCluster {
  constructor(private readonly http: AisHttp) {}

  /** The targets of the cluster map as the proxy has it now (the read refreshes the map that routes object calls). */
  async targets(): Promise<TargetNode[]> {
    return (await this.http.clusterMap.refresh()).targets;
  }

  /** Throws ServiceUnavailable when the cluster map has no storage target. */
  async requireTargets(): Promise<void> {
    if ((await this.targets()).length === 0) throw unavailable('AIS has no storage target in its cluster map');
  }

  /** Undefined when the proxy and every target in the cluster map are ready; otherwise what is wrong. */
  async problem(): Promise<string | undefined> {
    try {
      await this.http.proxyCall({ method: 'GET', path: '/v1/health', query: { readiness: 'true' } });
      const targets = await this.targets();
      if (targets.length === 0) return 'AIS has no storage target in its cluster map';
      const down: string[] = [];
      await Promise.all(
        targets.map(async (target) => {
          try {
            await this.http.nodeCall(target.url, { method: 'GET', path: '/v1/health', query: { readiness: 'true' } });
          } catch {
            down.push(`${target.id} (${target.url})`);
          }
        }),
      );
      return down.length > 0 ? `AIS storage targets not ready: ${down.sort().join(', ')}` : undefined;
    } catch (err) {
      // Said as the S3 error a request would get (ServiceUnavailable: AIS at ... is not reachable, ...).
      const failure = asS3Error(err);
      return isS3Error(failure) ? failure.message : `AIS health check failed: ${(err as Error).message}`;
    }
  }
}
