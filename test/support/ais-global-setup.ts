import { E2E_AIS_DIR, E2E_AIS_PORT } from './backend';
import { runOk } from './clients';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SCRIPT = resolve(ROOT, 'scripts/ais-dev-cluster.sh');

/** The AIS pass's cluster: the dev cluster script's environment for this pass's port and directory. */
export function devClusterEnv(): NodeJS.ProcessEnv {
  return { ...process.env, AIS_PORT: String(E2E_AIS_PORT), AIS_DEV_DIR: E2E_AIS_DIR };
}

/** Starts (or stops: `stop`, `stop target`) the AIS pass's dev cluster with scripts/ais-dev-cluster.sh. */
export async function devCluster(...args: string[]): Promise<void> {
  // Building aisnode when it is missing takes minutes (cold Go caches); starting a built one about 20 s.
  await runOk('bash', [SCRIPT, ...args], { env: devClusterEnv(), cwd: ROOT, timeoutMs: 15 * 60_000 });
}

/** jest globalSetup of the e2e-ais project: 1 proxy + 1 target on loopback, before any of its tests. */
export default async function startAisForTests(): Promise<void> {
  process.stderr.write(`\n[e2e-ais] starting the AIS dev cluster on 127.0.0.1:${E2E_AIS_PORT} (scripts/ais-dev-cluster.sh)\n`);
  try {
    await devCluster('start');
  } catch (err) {
    // Now and then aisnode's target exits during start-up before writing any log (seen twice in a day of runs, the
    // cause not found); the script has stopped what it started and printed what logs there were. One more try.
    process.stderr.write(`\n[e2e-ais] the AIS dev cluster did not start; trying once more. The first attempt:\n${(err as Error).message}\n`);
    await devCluster('start');
  }
}
