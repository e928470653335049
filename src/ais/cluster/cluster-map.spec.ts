import { ClusterMapCache, parseClusterMap } from './cluster-map';
import { loadHrw } from './hrw';

/** A cluster map as AIS v1.5.0 answers `GET /v1/cluster?what=smap` (trimmed to what the gateway reads). */
function smapText(options: { primary?: string; flags?: number } = {}): string {
  const node = (id: string, port: number, flags = 0): string =>
    `{"public_net":{"node_ip_addr":"127.0.0.1","daemon_port":"${port}","direct_url":"http://127.0.0.1:${port}"},"daemon_type":"target","daemon_id":"${id}","flags":${flags},"id_digest":4792655291114835675}`;
  const proxy = options.primary === '' ? 'null' : `{"daemon_id":"${options.primary ?? 'RQNQmLNs'}","daemon_type":"proxy"}`;
  return `{"pmap":{},"proxy_si":${proxy},"tmap":{"rfgt51083":${node('rfgt51083', 51083)},"MMvt54086":${node('MMvt54086', 54086, options.flags)}},"uuid":"A6RE7bGPYn","version":"7"}`;
}

describe('the cluster map that routes object calls', () => {
  it('reads targets with digests computed from their ids (a 64-bit id_digest does not survive JSON.parse)', async () => {
    const hrw = await loadHrw();
    const map = parseClusterMap(smapText({ flags: 4 }), hrw);
    expect(map.version).toBe('7');
    expect(map.primaryId).toBe('RQNQmLNs');
    expect(map.targets.map((target) => [target.id, target.url, target.flags])).toEqual([
      ['rfgt51083', 'http://127.0.0.1:51083', 0],
      ['MMvt54086', 'http://127.0.0.1:54086', 4],
    ]);
    // The digest AIS v1.5.0 reports for the dev cluster's target (docs/ais-native-api.md section 3).
    expect(map.targets[0].digest).toBe(4792655291114835675n);
  });

  it('routes nothing before the map is read, then each object to its owner, with the primary as redirecting proxy', async () => {
    let answer = smapText();
    const cache = new ClusterMapCache(() => Promise.resolve(answer));
    try {
      await cache.refresh();
      const hrw = await loadHrw();
      const targets = parseClusterMap(answer, hrw).targets;
      for (const name of ['a', 'b/c', 'photos/ ', 'unié']) {
        const route = cache.routeOf('b1', name);
        expect(route?.target.id).toBe(hrw.ownerOf(targets, 'b1', name)?.id);
        expect(route?.primaryId).toBe('RQNQmLNs');
      }
      // A target in maintenance takes no objects; without a primary there are no redirect markers to send.
      answer = smapText({ flags: 4 });
      await cache.refresh();
      expect(cache.routeOf('b1', 'a')?.target.id).toBe('rfgt51083');
      answer = smapText({ primary: '' });
      await cache.refresh();
      expect(cache.routeOf('b1', 'a')).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it('keeps the last map when a read fails', async () => {
    let fail = false;
    const cache = new ClusterMapCache(() => (fail ? Promise.reject(new Error('proxy down')) : Promise.resolve(smapText())));
    try {
      await cache.refresh();
      fail = true;
      await expect(cache.refresh()).rejects.toThrow('proxy down');
      expect(cache.routeOf('b1', 'a')).toBeDefined();
    } finally {
      await cache.close();
    }
  });
});
