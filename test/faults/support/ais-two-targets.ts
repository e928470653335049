import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { E2E_AIS_PORT } from '../../support/backend';
import { runOk } from '../../support/clients';
import { eventually } from '../../support/data-dir';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = resolve(ROOT, 'scripts/ais-dev-cluster.sh');

export type AisNode = 'proxy' | 'target' | 'target2';
export const TARGETS: readonly AisNode[] = ['target', 'target2'];

/**
 * An AIS dev cluster of its own for one fault test: a proxy and two targets (scripts/ais-dev-cluster.sh with
 * AIS_TARGETS=2), beside the AIS pass's single-target cluster. Its ports start `FAULTS_AIS_PORT` (default:
 * the pass's AIS port + 20) and take nine of them.
 */
export class TwoTargetCluster {
  readonly port = Number(process.env.FAULTS_AIS_PORT ?? E2E_AIS_PORT + 20);
  readonly endpoint = `http://127.0.0.1:${this.port}`;
  readonly dir = join(ROOT, '.tmp', 'ais', `faults-two-targets-${this.port}`);

  private script(...args: string[]) {
    const env = { ...process.env, AIS_PORT: String(this.port), AIS_DEV_DIR: this.dir, AIS_TARGETS: '2' };
    return runOk('bash', [SCRIPT, ...args], { env, cwd: ROOT, timeoutMs: 15 * 60_000 });
  }

  /** Starts the cluster, or the nodes of it that are not running (a killed node comes back with its data). */
  async start(): Promise<void> {
    try {
      await this.script('start');
    } catch (err) {
      // As the e2e pass's global setup: aisnode now and then exits during start-up; one more try.
      process.stderr.write(`[faults] the two-target AIS cluster did not start; trying once more:\n${(err as Error).message}\n`);
      await this.script('start');
    }
  }

  async stop(): Promise<void> {
    await this.script('stop');
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }

  /** kill -9 of one node; resolves once it is gone. */
  async kill(node: AisNode): Promise<void> {
    const pid = Number((await this.script('pid', node)).stdout.trim());
    process.kill(pid, 'SIGKILL');
    const gone = await eventually(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 10_000);
    if (!gone) throw new Error(`aisnode ${node} (pid ${pid}) outlived SIGKILL`);
  }

  /** The target whose mountpath holds the object `bucket/name` (AIS's file `<mountpath>/@ais/<bucket>/%ob/<name>`). */
  holderOf(bucket: string, name: string): AisNode | undefined {
    return TARGETS.find((target) => existsSync(join(this.dir, target, 'mpaths', 'mp1', '@ais', bucket, '%ob', name)));
  }
}
