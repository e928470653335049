import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { countBlobFiles, eventually } from './data-dir';
import { keysAisHoldsTogether } from './listing-model';
import { rawRequest } from './raw-http';

/**
 * Which store the end-to-end suite runs against. jest.config.js runs the suite twice: the `e2e-embedded`
 * project on the embedded store and the `e2e-ais` project on a real AIS cluster; the project sets the
 * global `E2E_STORE`, and every gateway the suite starts gets the matching environment.
 */
export type E2eBackend = 'embedded' | 'ais';

export function e2eBackend(): E2eBackend {
  return (globalThis as { E2E_STORE?: string }).E2E_STORE === 'ais' ? 'ais' : 'embedded';
}

/**
 * Proxy public port of the AIS pass's dev cluster (scripts/ais-dev-cluster.sh); it also takes the five after it,
 * and the fault tests' two-target cluster the nine from +20. Below Linux's ephemeral range (32768-60999): a port
 * in it can be taken by any outgoing connection's local end, and a target restarted by a fault test then fails to
 * bind ("address already in use"), as a CI run saw.
 */
export const E2E_AIS_PORT = Number(process.env.AIS_E2E_PORT ?? 28080);
export const E2E_AIS_ENDPOINT = `http://127.0.0.1:${E2E_AIS_PORT}`;
/** The dev cluster's own directory (configs, mountpaths, logs), apart from a developer's cluster. */
export const E2E_AIS_DIR = join(resolve(__dirname, '../..'), '.tmp', 'ais', `e2e-${E2E_AIS_PORT}`);

/** The keys of `keys` the pass's store can hold together: all of them, except on AIS (listing-model.ts says why). */
export function keysTheStoreHolds(keys: readonly string[]): string[] {
  return e2eBackend() === 'ais' ? keysAisHoldsTogether(keys) : [...keys];
}

/** What a gateway needs in its environment to run on the pass's backend. */
export function backendEnv(): Record<string, string> {
  if (e2eBackend() === 'embedded') return {};
  return { STORE: 'ais', AIS_ENDPOINT: E2E_AIS_ENDPOINT, AIS_TIMEOUT_MS: '5000', AIS_RETRIES: '1' };
}

async function aisJson<T>(method: string, path: string, message?: unknown): Promise<T> {
  const body = message === undefined ? undefined : JSON.stringify(message);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  const response = await rawRequest(E2E_AIS_ENDPOINT, { method, path, headers, body });
  if (response.status !== 200) throw new Error(`AIS ${method} ${path}: ${response.status} ${response.body}`);
  return (response.body === '' ? undefined : JSON.parse(response.body)) as T;
}

/** Every bucket of the pass's AIS cluster, as AIS lists them (including any the gateway hides from S3). */
async function aisBucketNames(): Promise<string[]> {
  return ((await aisJson<Array<{ name: string }> | null>('GET', '/v1/buckets?provider=ais')) ?? []).map((bucket) => bucket.name);
}

async function aisObjectCount(bucket: string): Promise<number> {
  let count = 0;
  let token = '';
  do {
    const page = await aisJson<{ entries: unknown[] | null; continuation_token?: string }>('GET', `/v1/buckets/${bucket}?provider=ais`, {
      action: 'list',
      value: { props: 'name', continuation_token: token },
    });
    count += page.entries?.length ?? 0;
    token = page.continuation_token ?? '';
  } while (token !== '');
  return count;
}

/**
 * Gives a gateway that asks for a fresh store an empty one. On AIS that means destroying every bucket of the
 * pass's dev cluster: test files run one after another (--runInBand), so each starts from nothing, as it
 * does on the embedded store with a new data directory.
 */
export async function emptyBackend(): Promise<void> {
  if (e2eBackend() === 'embedded') return;
  for (const bucket of await aisBucketNames()) await aisJson('DELETE', `/v1/buckets/${bucket}?provider=ais`, { action: 'destroy-bck' });
}

/**
 * How much the store holds beyond its metadata, in units that grow with every stored object or part and
 * fall when they are freed: blob files under the embedded store's data directory; objects in every bucket
 * of the AIS cluster (multipart parts staged by the gateway included). For "refused or aborted requests
 * leave no trace" checks.
 */
export async function storeFootprint(gateway: { dataDir: string }): Promise<number> {
  if (e2eBackend() === 'embedded') return countBlobFiles(gateway.dataDir);
  let total = 0;
  for (const bucket of await aisBucketNames()) total += await aisObjectCount(bucket);
  return total;
}

/**
 * `it` for a test of one backend's own machinery (files in the embedded store's data directory, its start-up
 * cleanup): defined in that backend's pass only, so the other pass neither runs nor lists it.
 */
export function itOn(backend: E2eBackend): jest.It {
  const defineNothing = (() => undefined) as unknown as jest.It;
  return e2eBackend() === backend ? it : defineNothing;
}

/**
 * The bytes AIS holds of PUTs of `bucket/key` still in progress. A target receives a PUT into a work file,
 * `<mountpath>/@ais/<bucket>/%wk/put.<key>.<suffix>`, which becomes the object when the PUT completes and is
 * removed when it is cut; the mountpaths are the ones AIS reports (`/v1/cluster?what=mountpaths`).
 */
async function aisWorkFileBytes(bucket: string, key: string): Promise<number> {
  // A key with a slash is a path below %wk; this helper only needs flat keys.
  if (key.includes('/')) throw new Error(`aisWorkFileBytes takes keys without '/': ${key}`);
  const report = await aisJson<{ targets: Record<string, { available: string[] | null }> }>('GET', '/v1/cluster?what=mountpaths');
  let bytes = 0;
  for (const mountpath of Object.values(report.targets).flatMap((target) => target.available ?? [])) {
    const dir = join(mountpath, '@ais', bucket, '%wk');
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const name of names.filter((entry) => entry.startsWith(`put.${key}.`))) {
      bytes += await stat(join(dir, name)).then(
        (file) => file.size,
        // Gone between the listing and the stat: the PUT just ended.
        () => 0,
      );
    }
  }
  return bytes;
}

/**
 * Resolves with true once the store has visibly started writing what a PUT of `bucket/key` sends (so a test
 * can cut or interrupt it mid-write), false if it has not within 10 s: a new blob file on the embedded store
 * (more than `footprintBefore`); on AIS, bytes of that PUT in a target's work file (aisWorkFileBytes).
 */
export async function storeStartedWriting(gateway: { dataDir: string }, footprintBefore: number, object: { bucket: string; key: string }): Promise<boolean> {
  if (e2eBackend() === 'ais') return eventually(async () => (await aisWorkFileBytes(object.bucket, object.key)) > 0, 10_000);
  return eventually(() => countBlobFiles(gateway.dataDir) > footprintBefore, 10_000);
}
