/**
 * The servers measured, each started as its own process: the gateway on its embedded store (auth `parse`,
 * auth `verify`, and with 2 workers), s3rver, versitygw (versitygw.ts), the bare-Fastify ceiling, and with AIS the gateway on the AIS
 * backend, AIS's own /s3 endpoint (S3-Reverse-Proxy on) and AIS's native API.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startProcess, stopProcess, waitUntilReady } from './processes';
import { processTree } from './proc-stats';
import type { Endpoint } from './protocol';
import type { AccessKey } from './sigv4';

const run = promisify(execFile);
export const ROOT = resolve(__dirname, '../../..');
/**
 * The gateway runs from a copy of dist/ taken when the run starts, so a rebuild during a long run does not
 * change what later targets measure (the copy sits under the repository, so node_modules still resolves).
 */
export const GATEWAY_DIST = join(ROOT, '.tmp/bench/gateway-dist');

export function snapshotGatewayBuild(): void {
  rmSync(GATEWAY_DIST, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), GATEWAY_DIST, { recursive: true });
}

export type TargetName =
  | 'ceiling'
  | 's3rver'
  | 'versitygw'
  | 'gateway'
  | 'gateway-verify'
  | 'gateway-2-workers'
  | 'gateway-policy-cors'
  | 'gateway-features'
  | 'gateway-ais'
  | 'ais-s3'
  | 'ais-native';

export interface Target {
  name: TargetName;
  endpoint: Endpoint;
  /** Every process that serves this target (CPU and memory are summed over them). */
  pids(): number[];
  /** The cores its processes are pinned to (a taskset list). */
  cpu?: string;
  /** The bucket its object workloads read and write: `BUCKET` unless set (a target whose bucket carries settings the others must not see). */
  bucket?: string;
  stop(): Promise<void>;
}

export const GATEWAY_KEY: AccessKey = { id: 'AKBENCH', secret: 'bench-secret' };
const S3RVER_KEY: AccessKey = { id: 'S3RVER', secret: 'S3RVER' };
/** AIS's /s3 without AuthN does not check signatures; requests are signed anyway, so clients do the same work. */
const AIS_S3_KEY: AccessKey = { id: 'AKAIS', secret: 'unused' };

export interface GatewayOptions {
  name: TargetName;
  dataDir: string;
  cpu?: string;
  workers?: number;
  env?: Record<string, string>;
  logDir: string;
}

export async function startGateway(options: GatewayOptions, extraPids: () => number[] = () => []): Promise<Target> {
  const port = await freePort();
  // gateway-policy-cors and gateway-features verify too: a bucket policy is only evaluated when requests are authenticated.
  const verify = options.name === 'gateway-verify' || options.name === 'gateway-policy-cors' || options.name === 'gateway-features';
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    STORE: 'embedded',
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    WORKERS: String(options.workers ?? 1),
    S3_AUTH: verify ? 'verify' : 'parse',
    ...(verify ? { S3_ACCESS_KEY_ID: GATEWAY_KEY.id, S3_SECRET_ACCESS_KEY: GATEWAY_KEY.secret } : {}),
    ...options.env,
  };
  // BENCH_GATEWAY_NODE_ARGS: Node options for the gateway alone, e.g. `--cpu-prof --cpu-prof-dir=DIR` (Node
  // refuses --cpu-prof in NODE_OPTIONS); the profile is written when the gateway exits at the target's end.
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = startProcess(process.execPath, [...nodeArgs, join(GATEWAY_DIST, 'main.js')], {
    env,
    cpu: options.cpu,
    logFile: join(options.logDir, `${options.name}.log`),
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${origin}/health/ready`, child, 60_000);
  return {
    name: options.name,
    endpoint: { origin, dialect: 's3', prefix: '/s3', key: GATEWAY_KEY },
    pids: () => [...processTree(child.pid!), ...extraPids()],
    cpu: options.cpu,
    stop: () => stopProcess(child),
  };
}

export async function startS3rver(dataDir: string, cpu: string, logDir: string): Promise<Target> {
  const port = await freePort();
  const bin = join(ROOT, 'node_modules/s3rver/bin/s3rver.js');
  // ListObjectsV2 continuation tokens use a cipher that Node >= 17 only offers with the legacy provider.
  const child = startProcess(process.execPath, ['--openssl-legacy-provider', bin, '-d', dataDir, '-a', '127.0.0.1', '-p', String(port), '--silent'], {
    cpu,
    logFile: join(logDir, 's3rver.log'),
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${origin}/`, child, 30_000, (status) => status < 500);
  return { name: 's3rver', endpoint: { origin, dialect: 's3', prefix: '', key: S3RVER_KEY }, pids: () => [child.pid!], cpu, stop: () => stopProcess(child) };
}

export async function startCeiling(dataDir: string, cpu: string, logDir: string): Promise<Target> {
  const port = await freePort();
  const child = startProcess(process.execPath, [join(__dirname, 'ceiling-server.js'), String(port), dataDir], { cpu, logFile: join(logDir, 'ceiling.log') });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${origin}/ready`, child, 30_000);
  return { name: 'ceiling', endpoint: { origin, dialect: 's3', prefix: '' }, pids: () => [child.pid!], cpu, stop: () => stopProcess(child) };
}

/** A dev AIS cluster (1 proxy + 1 target) of its own, through scripts/ais-dev-cluster.sh. */
export class AisCluster {
  readonly dir: string;
  readonly origin: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly port: number,
    workDir: string,
  ) {
    this.dir = join(workDir, 'ais');
    this.origin = `http://127.0.0.1:${port}`;
    this.env = { ...process.env, AIS_PORT: String(port), AIS_DEV_DIR: this.dir };
  }

  private script(command: string): Promise<{ stdout: string; stderr: string }> {
    return run('bash', [join(ROOT, 'scripts/ais-dev-cluster.sh'), command], { env: this.env, maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 });
  }

  /** Builds aisnode if needed (minutes on a cold Go cache), starts the cluster, pins it to `cpu`. */
  async start(cpu: string): Promise<void> {
    await this.script('start').catch((err: { stderr?: string; message: string }) => {
      throw new Error((err.stderr ?? err.message).trim().split('\n').slice(-5).join(' | '));
    });
    for (const pid of this.pids()) await run('taskset', ['-a', '-pc', cpu, String(pid)]);
  }

  pids(): number[] {
    return ['proxy', 'target'].flatMap((node) => {
      try {
        return [Number(readFileSync(join(this.dir, `${node}.pid`), 'utf8').trim())];
      } catch {
        return [];
      }
    });
  }

  /**
   * Turns on S3-Reverse-Proxy (feature bit 13 in AIS v1.5.0, cmn/feat/feat.go), so AIS's /s3 carries the
   * data through the proxy instead of redirecting the client; answers what the cluster config then says.
   */
  async enableS3ReverseProxy(): Promise<string> {
    const S3_REVERSE_PROXY = 1 << 13;
    const set = await fetch(`${this.origin}/v1/cluster/set-config?features=${S3_REVERSE_PROXY}`, { method: 'PUT' });
    if (set.status !== 200) throw new Error(`set-config features: ${set.status} ${await set.text()}`);
    const config = (await (await fetch(`${this.origin}/v1/cluster?what=cluster_config`)).json()) as { features?: string };
    if (config.features !== String(S3_REVERSE_PROXY)) throw new Error(`features is ${config.features} after set-config`);
    return config.features;
  }

  async stop(): Promise<void> {
    await this.script('stop').catch(() => undefined);
  }

  /** AIS's own endpoints; stopping them is stopping the cluster, which the run does once at the end. */
  targets(cpu: string): Target[] {
    const pids = () => this.pids();
    return [
      { name: 'ais-s3', endpoint: { origin: this.origin, dialect: 's3', prefix: '/s3', key: AIS_S3_KEY }, pids, cpu, stop: () => Promise.resolve() },
      { name: 'ais-native', endpoint: { origin: this.origin, dialect: 'ais', prefix: '' }, pids, cpu, stop: () => Promise.resolve() },
    ];
  }
}

export function tempDir(parent: string, name: string): string {
  return mkdtempSync(join(parent, `${name}-`));
}
