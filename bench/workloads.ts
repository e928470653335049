/**
 * The workloads and how one is measured against one target: warm-up, then a fixed time (or a fixed amount
 * of work), with the target's CPU seconds and peak RSS over the measured part only.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Job, JobResult, KeySet } from './loadgen';
import { deleteRoundKeys, keyName } from './loadgen';
import { coreBusySeconds, cpuSeconds, MemorySampler, rssBytes } from './proc-stats';
import { bucketConfigurationRequest, createBucketRequest, repeatablePath } from './protocol';
import { GiB, KiB, MiB, type Settings } from './settings';
import type { Target, TargetName } from './targets';
import { runWrk } from './wrk';

const run = promisify(execFile);

export type WorkloadId =
  | 'get-4k-1'
  | 'get-4k-16'
  | 'get-4k-64'
  | 'put-4k-1'
  | 'put-4k-16'
  | 'put-4k-64'
  | 'get-1m-16'
  | 'put-1m-16'
  | 'put-huge'
  | 'get-huge'
  | 'list-small'
  | 'list-large'
  | 'delete-1000'
  | 'head-4k-64';

export interface Workload {
  id: WorkloadId;
  label: string;
  kind: 'requests' | 'transfer' | 'list' | 'delete';
  op?: 'GET' | 'PUT' | 'HEAD';
  size?: number;
  concurrency?: number;
}

export const BUCKET = 'bench';
export const SMALL_LIST_BUCKET = 'list-small';
export const LARGE_LIST_BUCKET = 'list-large';
export const LIST_KEYS_PREFIX = 'k';
/** GETs and HEADs read one object of each size; PUTs cycle over this many keys (overwrites after one pass). */
const PUT_KEYS = 2000;

export const SEEDED: Record<number, KeySet> = {
  [4 * KiB]: { prefix: 'seed-4k-', count: 1 },
  [MiB]: { prefix: 'seed-1m-', count: 1 },
};

export function sizeLabel(bytes: number): string {
  return bytes >= GiB ? `${bytes / GiB} GiB` : bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`;
}

export function workloads(settings: Settings): Workload[] {
  const huge = settings.hugeObjectBytes;
  const list: Workload[] = [];
  for (const op of ['GET', 'PUT'] as const) {
    for (const c of [1, 16, 64])
      list.push({ id: `${op.toLowerCase()}-4k-${c}` as WorkloadId, label: `4 KiB ${op} c=${c}`, kind: 'requests', op, size: 4 * KiB, concurrency: c });
  }
  list.push(
    { id: 'get-1m-16', label: '1 MiB GET c=16', kind: 'requests', op: 'GET', size: MiB, concurrency: 16 },
    { id: 'put-1m-16', label: '1 MiB PUT c=16', kind: 'requests', op: 'PUT', size: MiB, concurrency: 16 },
    { id: 'put-huge', label: `${sizeLabel(huge)} PUT`, kind: 'transfer', op: 'PUT', size: huge },
    { id: 'get-huge', label: `${sizeLabel(huge)} GET`, kind: 'transfer', op: 'GET', size: huge },
    { id: 'list-small', label: `list page, ${settings.smallListKeys.toLocaleString('en-US')} keys`, kind: 'list' },
    { id: 'list-large', label: `list page, ${settings.largeListKeys.toLocaleString('en-US')} keys`, kind: 'list' },
    { id: 'delete-1000', label: 'DeleteObjects 1000 keys', kind: 'delete' },
    { id: 'head-4k-64', label: 'HEAD c=64', kind: 'requests', op: 'HEAD', size: 4 * KiB, concurrency: 64 },
  );
  return settings.workloads ? list.filter((w) => settings.workloads!.has(w.id)) : list;
}

/** The bucket a target's object workloads use. */
export function objectBucket(target: Target): string {
  return target.bucket ?? BUCKET;
}

/** Which workloads a target takes part in; anything else is shown as not applicable. */
export function applies(target: TargetName, workload: Workload): boolean {
  if (target === 'gateway-2-workers' || target === 'gateway-policy-cors' || target === 'gateway-features')
    return workload.id === 'get-4k-64' || workload.id === 'put-4k-64';
  if (target === 'ceiling') return workload.kind === 'requests' || workload.kind === 'transfer';
  if (target === 'ais-native') return workload.kind !== 'delete';
  return true;
}

export interface Measurement {
  target: TargetName;
  workload: WorkloadId;
  opsPerSec: number;
  mbPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  peakRssMb: number;
  /** Growth of the target's RSS over its level just before the workload. */
  rssGrowthMb: number;
  cpuSeconds: number;
  opsPerCpuSecond?: number;
  /**
   * Share of the server core(s) used by processes other than the target during the measured part: other
   * work on this shared machine. High values mean the row is noisy.
   */
  othersOnServerCoresPct: number;
  errors: number;
  generator: 'wrk' | 'undici';
  note?: string;
}

export interface Context {
  settings: Settings;
  workDir: string;
  wrk: boolean;
  /** Runs one loadgen job (a function value: callers pass it on, e.g. to fillThroughApi). */
  loadgen: (job: Job) => Promise<JobResult>;
}

/** Runs the loadgen process pinned to `cpu` (a taskset list); resolves with its one JSON line. */
export function loadgenRunner(cpu: string): (job: Job) => Promise<JobResult> {
  const script = join(__dirname, 'loadgen.js');
  return async (job) => {
    const { stdout } = await run('taskset', ['-c', cpu, process.execPath, script, JSON.stringify(job)], { maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as JobResult;
  };
}

/** The key names a workload reads or writes. */
function keysFor(workload: Workload): KeySet {
  if (workload.op === 'PUT') return { prefix: `put-${workload.size === MiB ? '1m' : '4k'}-`, count: PUT_KEYS };
  return SEEDED[workload.size!];
}

/** wrk paths for an object workload: presigned S3 paths, or for AIS-native the target URLs the proxy names. */
async function wrkPaths(target: Target, workload: Workload, keys: KeySet, ctx: Context): Promise<{ origin: string; paths: string[] }> {
  const endpoint = target.endpoint;
  if (endpoint.dialect === 'ais') {
    const located = await ctx.loadgen({ kind: 'locate', endpoint, method: workload.op === 'PUT' ? 'PUT' : 'GET', bucket: objectBucket(target), keys });
    const urls = located.urls!.map((url) => new URL(url));
    return { origin: urls[0].origin, paths: urls.map((url) => url.pathname + url.search) };
  }
  const paths = Array.from({ length: keys.count }, (_, i) => repeatablePath(endpoint, workload.op!, objectBucket(target), keyName(keys, i)));
  return { origin: endpoint.origin, paths };
}

/** Measures `work` on `target`: CPU seconds, peak RSS and what else ran on its cores, over exactly that span. */
async function measured(
  target: Target,
  cores: number[],
  work: () => Promise<JobResult>,
): Promise<{ result: JobResult; cpu: number; peak: number; growth: number; othersPct: number }> {
  const before = rssBytes(target.pids());
  const cpuBefore = cpuSeconds(target.pids());
  const busyBefore = coreBusySeconds(cores);
  const started = performance.now();
  const sampler = new MemorySampler(() => target.pids());
  let peak: number;
  let result: JobResult;
  try {
    result = await work();
  } finally {
    peak = sampler.stop();
  }
  const cpu = cpuSeconds(target.pids()) - cpuBefore;
  const wall = (performance.now() - started) / 1000;
  const others = Math.max(0, coreBusySeconds(cores) - busyBefore - cpu);
  return { result, cpu, peak, growth: peak - before, othersPct: wall > 0 ? (100 * others) / (wall * cores.length) : 0 };
}

export async function measure(target: Target, workload: Workload, ctx: Context): Promise<Measurement> {
  const { settings } = ctx;
  let generator: Measurement['generator'] = 'undici';
  let work: () => Promise<JobResult>;
  let warmup: (() => Promise<unknown>) | undefined;
  let note: string | undefined;
  const endpoint = target.endpoint;

  if (workload.kind === 'requests') {
    const keys = keysFor(workload);
    // wrk cannot do HEAD (it waits for the body that Content-Length announces): HEAD goes through undici.
    if (ctx.wrk && workload.op !== 'HEAD') {
      generator = 'wrk';
      const { origin, paths } = await wrkPaths(target, workload, keys, ctx);
      const job = { origin, method: workload.op!, paths, objectSize: workload.size!, concurrency: workload.concurrency! };
      warmup = () => runWrk({ ...job, durationMs: settings.warmupMs }, settings.clientCpu, ctx.workDir);
      work = () => runWrk({ ...job, durationMs: settings.durationMs }, settings.clientCpu, ctx.workDir);
      if (endpoint.dialect === 'ais') note = 'straight to the target (URLs from the proxy redirect)';
    } else {
      const base = {
        kind: 'requests' as const,
        endpoint,
        op: workload.op!,
        bucket: objectBucket(target),
        keys,
        size: workload.size!,
        concurrency: workload.concurrency!,
        warmupMs: 0,
      };
      warmup = () => ctx.loadgen({ ...base, durationMs: settings.warmupMs });
      work = () => ctx.loadgen({ ...base, durationMs: settings.durationMs });
    }
  } else if (workload.kind === 'transfer') {
    work = () => ctx.loadgen({ kind: 'transfer', endpoint, op: workload.op as 'GET' | 'PUT', bucket: objectBucket(target), key: 'huge', size: workload.size! });
    // The same transfer once before: a cold first one measures JIT and connection warm-up, not the server.
    warmup = work;
  } else if (workload.kind === 'list') {
    const keys = workload.id === 'list-small' ? settings.smallListKeys : settings.largeListKeys;
    const bucket = workload.id === 'list-small' ? SMALL_LIST_BUCKET : LARGE_LIST_BUCKET;
    // Pages from the middle of the bucket on, so the large bucket is read deep in its index.
    const startAfter = keyName({ prefix: LIST_KEYS_PREFIX, count: keys }, Math.floor(keys / 2));
    const job = { kind: 'list' as const, endpoint, bucket, startAfter, maxPages: settings.quick ? 5 : 40, durationMs: settings.quick ? 10_000 : 20_000 };
    // Warm-up as long as the other workloads' (up to 10 pages): a Node server's first pages run before the JIT
    // has compiled its listing code (40-50 ms against 4 ms later), which says nothing of the page's cost.
    warmup = () => ctx.loadgen({ ...job, maxPages: 10, durationMs: settings.warmupMs });
    work = () => ctx.loadgen(job);
  } else {
    const keys = { prefix: 'del-', count: 1000 };
    const rounds = settings.quick ? 1 : 3;
    // The keys are written before the measured part, so CPU seconds are those of the deletes alone.
    warmup = async () => {
      for (let round = 0; round < rounds; round++) {
        await ctx.loadgen({ kind: 'fill', endpoint, bucket: objectBucket(target), keys: deleteRoundKeys(keys, round), size: 16, concurrency: 32 });
      }
    };
    work = () => ctx.loadgen({ kind: 'delete', endpoint, bucket: objectBucket(target), keys, rounds });
    note = 'ops = keys deleted; latency per DeleteObjects call';
  }

  if (warmup) await warmup();
  const cores = (target.cpu ?? settings.serverCpu).split(',').map(Number);
  const { result, cpu, peak, growth, othersPct } = await measured(target, cores, work);
  const keysPerCall = workload.kind === 'delete' ? 1000 : 1;
  const ops = result.ops * keysPerCall;
  const opsPerSec = result.seconds > 0 ? ops / result.seconds : 0;
  const errorNote = result.errors > 0 ? `${result.errors} errors: ${result.firstError}` : undefined;
  return {
    target: target.name,
    workload: workload.id,
    opsPerSec,
    mbPerSec: result.seconds > 0 && workload.kind !== 'list' && workload.kind !== 'delete' ? result.bytes / MiB / result.seconds : 0,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    peakRssMb: peak / MiB,
    rssGrowthMb: growth / MiB,
    cpuSeconds: cpu,
    opsPerCpuSecond: cpu > 0 ? ops / cpu : undefined,
    othersOnServerCoresPct: othersPct,
    errors: result.errors,
    generator,
    note: [note, errorNote].filter(Boolean).join('; ') || undefined,
  };
}

/** Creates the bucket (an existing one is fine) through the target's own API. */
export async function ensureBucket(target: Target, bucket: string): Promise<void> {
  const request = createBucketRequest(target.endpoint, bucket);
  const answer = await fetch(target.endpoint.origin + request.path, { method: request.method, headers: request.headers, body: request.body });
  const text = await answer.text();
  if (answer.status >= 300 && answer.status !== 409 && !/BucketAlreadyOwnedByYou|already exists/.test(text)) {
    throw new Error(`create bucket ${bucket} on ${target.name}: ${answer.status} ${text.slice(0, 200)}`);
  }
}

/**
 * The bucket configuration a user turns on (a bucket policy, a CORS rule and, unless `versioning` is false,
 * versioning Enabled), so that `gateway-features` measures what they cost plain GETs and PUTs (without an Origin
 * header, as non-browser clients send them), and `gateway-policy-cors` the same without versioning: a versioned
 * PUT keeps the version it replaces, which is the feature's work, not overhead. The policy is evaluated on every
 * request in `verify` mode: a Deny for requests from outside the loopback network (a common "only from our
 * network" policy; the bench's own requests come from 127.0.0.1, so its condition is checked and does not match)
 * and an Allow of reads under a prefix to an account that never asks.
 */
export async function configureFeatures(target: Target, bucket: string, options: { versioning: boolean }): Promise<void> {
  await ensureBucket(target, bucket);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyFromLoopback',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } },
      },
      {
        Sid: 'PartnerReads',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:user/partner' },
        Action: ['s3:GetObject'],
        Resource: `arn:aws:s3:::${bucket}/shared/*`,
      },
    ],
  });
  const cors =
    '<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>';
  const versioning = '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>';
  const settings: Array<[subresource: string, body: string, ok: number]> = [
    ['policy', policy, 204],
    ['cors', cors, 200],
  ];
  if (options.versioning) settings.push(['versioning', versioning, 200]);
  for (const [subresource, body, ok] of settings) {
    const request = bucketConfigurationRequest(target.endpoint, bucket, subresource, body);
    const answer = await fetch(target.endpoint.origin + request.path, { method: request.method, headers: request.headers, body: request.body });
    if (answer.status !== ok) throw new Error(`${subresource} on ${target.name}: ${answer.status} ${(await answer.text()).slice(0, 200)}`);
  }
}

/** The objects GET and HEAD workloads read, written once through the target. */
export async function seedObjects(target: Target, ctx: Context): Promise<void> {
  for (const [size, keys] of Object.entries(SEEDED)) {
    const result = await ctx.loadgen({ kind: 'fill', endpoint: target.endpoint, bucket: objectBucket(target), keys, size: Number(size), concurrency: 1 });
    if (result.errors > 0) throw new Error(`seeding ${keys.prefix} on ${target.name}: ${result.firstError}`);
  }
}
