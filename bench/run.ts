/**
 * `npm run bench`: every target in turn, every workload against each, one report. Servers run pinned to
 * core 0, the load generator (and this process) to core 1. Not a test: it prints ratios and whether the
 * issue's goals hold, and writes the table and a chart to bench/results/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fillS3rverFiles, fillThroughApi, type FillReport } from './fill';
import { evaluateGoals } from './goals';
import type { KeySet } from './loadgen';
import { markdownReport, matrix, type RunInfo } from './report';
import { svgChart } from './chart';
import { readSettings } from './settings';
import { AisCluster, ROOT, snapshotGatewayBuild, startCeiling, startGateway, startS3rver, type Target, type TargetName, tempDir } from './targets';
import {
  configureFeatures,
  applies,
  BUCKET,
  objectBucket,
  sizeLabel,
  type Context,
  ensureBucket,
  LARGE_LIST_BUCKET,
  LIST_KEYS_PREFIX,
  loadgenRunner,
  measure,
  type Measurement,
  seedObjects,
  SMALL_LIST_BUCKET,
  type WorkloadId,
  workloads,
} from './workloads';
import { medianOfRounds } from './rounds';
import { startVersitygw, versitygwBinary } from './versitygw';
import { wrkVersion } from './wrk';

const exec = promisify(execFile);
const ALL_TARGETS: TargetName[] = [
  'ceiling',
  's3rver',
  'versitygw',
  'gateway',
  'gateway-verify',
  'gateway-2-workers',
  'gateway-policy-cors',
  'gateway-features',
  'gateway-ais',
  'ais-s3',
  'ais-native',
];
const BOTH_CORES = '0,1';
/** The rows whose ratios say what a bucket's policy, CORS and versioning cost a plain GET and PUT. */
const FEATURE_COMPARISON: readonly TargetName[] = ['gateway-verify', 'gateway-policy-cors', 'gateway-features'];
const FEATURE_WORKLOADS: readonly WorkloadId[] = ['get-4k-64', 'put-4k-64'];

interface GatewayVariant {
  name: TargetName;
  cpu?: string;
  workers: number;
  /** A bucket of its own for its object workloads, given a policy and CORS (and versioning when asked). */
  features?: { bucket: string; versioning: boolean };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match ? match[1].trim() : 'unknown CPU';
}

async function commandWorks(command: string, args: string[]): Promise<boolean> {
  return exec(command, args).then(
    () => true,
    () => false,
  );
}

/** wrk from apt when it is missing and we may install it; otherwise the undici generator does everything. */
async function ensureWrk(): Promise<string | undefined> {
  const version = await wrkVersion();
  if (version || process.getuid?.() !== 0) return version;
  log('wrk is not installed: apt-get install -y wrk ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await exec('apt-get', ['update', '-q'], { env }).catch(() => undefined);
  await exec('apt-get', ['install', '-y', '-q', 'wrk'], { env }).catch(() => undefined);
  return wrkVersion();
}

class Bench {
  readonly settings = readSettings();
  readonly workDir = tempDir(tmpdir(), 'ais-s3-bench');
  readonly logDir = join(this.workDir, 'logs');
  readonly workloads = workloads(this.settings);
  readonly measurements: Measurement[] = [];
  readonly skipped: string[] = [];
  readonly notes: string[] = [];
  readonly fills: string[] = [];
  ctx!: Context;
  private readonly running = new Set<{ stop(): Promise<void> }>();

  /** Whether any listing workload runs (else the listing buckets are not filled). */
  get lists(): boolean {
    return this.workloads.some((w) => w.kind === 'list');
  }

  wanted(name: TargetName): boolean {
    return !this.settings.targets || this.settings.targets.has(name);
  }

  skip(what: string, why: string): void {
    this.skipped.push(`${what}: ${why}`);
    log(`SKIP ${what}: ${why}`);
  }

  listKeys(which: 'small' | 'large'): KeySet {
    return { prefix: LIST_KEYS_PREFIX, count: which === 'small' ? this.settings.smallListKeys : this.settings.largeListKeys };
  }

  recordFill(target: string, bucket: string, report: FillReport): void {
    const line = `${target}: ${bucket} filled with ${report.keys.toLocaleString('en-US')} keys in ${report.seconds.toFixed(0)} s (${report.how})`;
    this.fills.push(line);
    log(`  ${line}`);
  }

  async started<T extends { stop(): Promise<void> }>(start: Promise<T>): Promise<T> {
    const thing = await start;
    this.running.add(thing);
    return thing;
  }

  async stopped(thing: { stop(): Promise<void> }): Promise<void> {
    this.running.delete(thing);
    await thing.stop();
  }

  async stopAll(): Promise<void> {
    for (const thing of Array.from(this.running).reverse()) await this.stopped(thing).catch(() => undefined);
  }

  async runTarget(target: Target, options: { lists: boolean; only?: readonly WorkloadId[] }): Promise<void> {
    log(`\n== ${target.name} (${target.endpoint.origin})`);
    try {
      await ensureBucket(target, objectBucket(target));
      await seedObjects(target, this.ctx);
    } catch (err) {
      return this.skip(target.name, `its objects could not be written: ${(err as Error).message.split('\n')[0].slice(0, 300)}`);
    }
    for (const workload of this.workloads) {
      if (!applies(target.name, workload)) continue;
      if (workload.kind === 'list' && !options.lists) continue;
      if (options.only && !options.only.includes(workload.id)) continue;
      try {
        const m = await measure(target, workload, this.ctx);
        this.measurements.push(m);
        const latency = m.p50Ms === undefined ? '' : ` p50 ${m.p50Ms.toFixed(2)} ms p99 ${(m.p99Ms ?? 0).toFixed(2)} ms`;
        log(
          `  ${workload.label.padEnd(30)} ${m.opsPerSec.toFixed(0).padStart(8)} ops/s ${m.mbPerSec.toFixed(0).padStart(6)} MB/s${latency} rss ${m.peakRssMb.toFixed(0)} MB cpu ${m.cpuSeconds.toFixed(1)} s others ${m.othersOnServerCoresPct.toFixed(0)}%${m.note ? ` (${m.note})` : ''}`,
        );
      } catch (err) {
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        this.measurements.push({
          target: target.name,
          workload: workload.id,
          opsPerSec: 0,
          mbPerSec: 0,
          peakRssMb: 0,
          rssGrowthMb: 0,
          cpuSeconds: 0,
          othersOnServerCoresPct: 0,
          errors: 1,
          generator: 'undici',
          note: `failed: ${message}`,
        });
        log(`  ${workload.label.padEnd(30)} FAILED: ${message}`);
      }
    }
  }

  async ceiling(): Promise<void> {
    if (!this.wanted('ceiling')) return;
    const target = await this.started(startCeiling(tempDir(this.workDir, 'ceiling'), this.settings.serverCpu, this.logDir));
    await this.runTarget(target, { lists: false });
    await this.stopped(target);
  }

  async s3rver(): Promise<void> {
    if (!this.wanted('s3rver')) return;
    const dataDir = tempDir(this.workDir, 's3rver');
    if (this.lists) this.recordFill('s3rver', LARGE_LIST_BUCKET, await fillS3rverFiles(dataDir, LARGE_LIST_BUCKET, this.listKeys('large')));
    const target = await this.started(startS3rver(dataDir, this.settings.serverCpu, this.logDir));
    if (this.lists) {
      await ensureBucket(target, SMALL_LIST_BUCKET);
      this.recordFill(
        's3rver',
        SMALL_LIST_BUCKET,
        await fillThroughApi(this.ctx.loadgen, target.endpoint, SMALL_LIST_BUCKET, this.listKeys('small'), 32, 'PUTs, 32 at a time'),
      );
    }
    await this.runTarget(target, { lists: this.lists });
    await this.stopped(target);
    rmSync(dataDir, { recursive: true, force: true });
  }

  /** versitygw on its posix backend; its listing buckets are filled through its API (it has no faster way). */
  async versitygw(): Promise<void> {
    if (!this.wanted('versitygw')) return;
    log('\n== versitygw: building it with go install if needed (minutes on a cold Go module cache) ...');
    let binary: string;
    try {
      binary = await versitygwBinary();
    } catch (err) {
      return this.skip('versitygw', (err as Error).message);
    }
    const dataDir = tempDir(this.workDir, 'versitygw');
    const target = await this.started(startVersitygw(binary, dataDir, this.settings.serverCpu, this.logDir));
    if (this.lists) {
      for (const [bucket, which] of [
        [SMALL_LIST_BUCKET, 'small'],
        [LARGE_LIST_BUCKET, 'large'],
      ] as const) {
        await ensureBucket(target, bucket);
        this.recordFill(
          'versitygw',
          bucket,
          await fillThroughApi(this.ctx.loadgen, target.endpoint, bucket, this.listKeys(which), 64, 'signed PUTs, 64 at a time'),
        );
      }
    }
    await this.runTarget(target, { lists: this.lists });
    await this.stopped(target);
    rmSync(dataDir, { recursive: true, force: true });
  }

  async gateways(): Promise<void> {
    const names: TargetName[] = ['gateway', 'gateway-verify', 'gateway-2-workers', 'gateway-policy-cors', 'gateway-features'];
    if (!names.some((name) => this.wanted(name))) return;
    const dataDir = tempDir(this.workDir, 'gateway');
    const filler = await this.started(startGateway({ name: 'gateway', dataDir, workers: 2, env: { FSYNC: 'false' }, logDir: this.logDir }));
    for (const [bucket, which] of this.lists
      ? ([
          [SMALL_LIST_BUCKET, 'small'],
          [LARGE_LIST_BUCKET, 'large'],
        ] as const)
      : []) {
      await ensureBucket(filler, bucket);
      const how = 'PUTs, 128 at a time, through a gateway with 2 workers and FSYNC=false on the same data directory';
      this.recordFill('gateway', bucket, await fillThroughApi(loadgenRunner(BOTH_CORES), filler.endpoint, bucket, this.listKeys(which), 128, how));
    }
    await this.stopped(filler);
    const variants: GatewayVariant[] = [
      { name: 'gateway', cpu: this.settings.serverCpu, workers: 1 },
      { name: 'gateway-verify', cpu: this.settings.serverCpu, workers: 1 },
      // Both cores: the second worker shares core 1 with the load generator.
      { name: 'gateway-2-workers', cpu: BOTH_CORES, workers: 2 },
      // Each in a bucket of its own: a policy, CORS and versioning that the others must not see.
      { name: 'gateway-policy-cors', cpu: this.settings.serverCpu, workers: 1, features: { bucket: 'bench-policy-cors', versioning: false } },
      { name: 'gateway-features', cpu: this.settings.serverCpu, workers: 1, features: { bucket: 'bench-features', versioning: true } },
    ];
    const wanted = variants.filter((v) => this.wanted(v.name));
    for (const variant of wanted) await this.runGatewayVariant(variant, dataDir);
    // What the features cost is a ratio of a few percent, and rows of one target measured minutes apart differ by
    // more than that here: the three take turns for more rounds, each round starting with the next of them (no row
    // always follows the same one), and each row reports its median round.
    const compared = wanted.filter((v) => FEATURE_COMPARISON.includes(v.name));
    for (let round = 2; round <= this.settings.featureRounds && compared.length > 1; round++) {
      const first = (round - 1) % compared.length;
      for (const variant of [...compared.slice(first), ...compared.slice(0, first)]) await this.runGatewayVariant(variant, dataDir, FEATURE_WORKLOADS);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  /** One gateway variant on the shared data directory: its bucket configured, then the workloads (or only `only`). */
  async runGatewayVariant(variant: GatewayVariant, dataDir: string, only?: readonly WorkloadId[]): Promise<void> {
    const { features } = variant;
    const target = await this.started(startGateway({ name: variant.name, cpu: variant.cpu, workers: variant.workers, dataDir, logDir: this.logDir }));
    if (features) {
      target.bucket = features.bucket;
      await configureFeatures(target, features.bucket, { versioning: features.versioning });
    }
    await this.runTarget(target, { lists: only === undefined, only });
    await this.stopped(target);
  }

  async ais(): Promise<void> {
    const names: TargetName[] = ['gateway-ais', 'ais-s3', 'ais-native'];
    if (!names.some((name) => this.wanted(name))) return;
    if (this.settings.skipAis) return this.skip('AIS targets', 'BENCH_SKIP_AIS is set');
    if (!(await commandWorks('bash', ['-c', 'command -v go || test -x "$0"', join(ROOT, '.tmp/ais/bin/v1.5.0/aisnode')]))) {
      return this.skip('AIS targets', 'neither Go (to build aisnode) nor a built aisnode is here');
    }
    // Below Linux's ephemeral range (32768-60999 by default): a port there can be taken by any outgoing
    // connection between the script's check and aisnode's bind, and the load generator makes many.
    const cluster = new AisCluster(Number(process.env.BENCH_AIS_PORT || 31080), this.workDir);
    log('\n== AIS dev cluster: building aisnode if needed (minutes on a cold Go cache), starting ...');
    try {
      await this.started(cluster.start(this.settings.serverCpu).then(() => cluster));
    } catch (err) {
      await cluster.stop();
      return this.skip('AIS targets', `the dev cluster did not start: ${(err as Error).message}`);
    }
    try {
      try {
        await cluster.enableS3ReverseProxy();
        this.notes.push(
          'AIS /s3 runs with the S3-Reverse-Proxy feature (features=8192, set through PUT /v1/cluster/set-config): the proxy carries the data instead of redirecting',
        );
      } catch (err) {
        this.notes.push(`AIS /s3 could not get S3-Reverse-Proxy (${(err as Error).message}): its object calls answer 307 and fail here`);
      }
      this.notes.push('AIS buckets are made with the props the gateway gives its own buckets: MD5 checksums, versioning off');
      const native = cluster.targets(this.settings.serverCpu).find((t) => t.name === 'ais-native')!;
      for (const [bucket, which] of [
        [BUCKET, undefined],
        [SMALL_LIST_BUCKET, 'small'],
        [LARGE_LIST_BUCKET, 'large'],
      ] as const) {
        await ensureBucket(native, bucket);
        if (which && this.lists)
          this.recordFill(
            'AIS',
            bucket,
            await fillThroughApi(this.ctx.loadgen, native.endpoint, bucket, this.listKeys(which), 64, 'native PUTs, 64 at a time'),
          );
      }
      if (this.wanted('gateway-ais')) {
        const env = { STORE: 'ais', AIS_ENDPOINT: cluster.origin };
        const target = await this.started(
          startGateway({ name: 'gateway-ais', dataDir: tempDir(this.workDir, 'unused'), cpu: this.settings.serverCpu, env, logDir: this.logDir }, () =>
            cluster.pids(),
          ),
        );
        await this.runTarget(target, { lists: true });
        await this.stopped(target);
      }
      for (const target of cluster.targets(this.settings.serverCpu).filter((t) => this.wanted(t.name))) await this.runTarget(target, { lists: true });
    } finally {
      await this.stopped(cluster);
    }
  }

  info(generators: string): RunInfo {
    const s = this.settings;
    return {
      date: new Date().toISOString().slice(0, 10),
      cpuModel: cpuModel(),
      cores: Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0),
      host: hostname(),
      node: process.version,
      command: `${Object.entries(process.env)
        .filter(([name]) => name.startsWith('BENCH_'))
        .map(([name, value]) => `${name}=${value} `)
        .join('')}npm run bench`,
      settingsLine: `warm-up ${s.warmupMs / 1000} s, ${s.durationMs / 1000} s per workload, listing buckets of ${s.smallListKeys.toLocaleString('en-US')} and ${s.largeListKeys.toLocaleString('en-US')} keys`,
      generators,
      notes: [
        `servers pinned to core ${s.serverCpu}, load generator to core ${s.clientCpu} (taskset); gateway-2-workers runs on both cores`,
        'durability: the gateway fsyncs every write before answering (FSYNC=true, the default); s3rver, versitygw, the ceiling and AIS (no Fsync-PUT feature) do not',
        'PUT workloads cycle over 2000 keys (after the first pass they overwrite); GET and HEAD read one object; bodies are sent as UNSIGNED-PAYLOAD',
        `gateway-policy-cors and gateway-features use buckets of their own; with gateway-verify they take turns on 4 KiB GET and PUT c=64 for ${s.featureRounds} round(s), and each of those rows is its median round (the note names every round's ops/s)`,
        ...this.notes,
        ...this.fills.map((f) => `fill: ${f}`),
      ],
      skipped: this.skipped,
    };
  }

  writeResults(info: RunInfo): void {
    const measurements = medianOfRounds(this.measurements);
    const targets = ALL_TARGETS.filter((t) => measurements.some((m) => m.target === t));
    const hugeLabel = sizeLabel(this.settings.hugeObjectBytes);
    const goals = evaluateGoals(measurements, hugeLabel);
    const markdown = markdownReport(info, measurements, this.workloads, targets, goals);
    const dir = this.settings.quick ? join(ROOT, '.tmp/bench/results') : join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const stem = join(dir, `${info.date}-${info.host.replace(/[^A-Za-z0-9_.-]/g, '_')}${this.partialSuffix()}`);
    writeFileSync(`${stem}.md`, markdown);
    writeFileSync(`${stem}.svg`, svgChart(`ais-s3 benchmark ${info.date}: ${info.cpuModel}`, measurements, this.workloads, targets));
    log(`\n${matrix(measurements, this.workloads, targets)}\n`);
    log(goals.map((g) => `${g.holds === undefined ? 'n/a  ' : g.holds ? 'HOLDS' : 'FAILS'} ${g.text}`).join('\n'));
    log(`\nwritten: ${stem}.md and ${stem}.svg`);
  }

  /** A run of some workloads or targets only (with its time), or of another listing size, is kept beside the full one. */
  partialSuffix(): string {
    // With the time of day: two partial runs of one day must not overwrite each other's results.
    const partial = this.settings.workloads || this.settings.targets ? `-partial-${new Date().toISOString().slice(11, 16).replace(':', '')}` : '';
    return partial + (process.env.BENCH_LIST_KEYS ? `-${this.settings.largeListKeys}-keys` : '');
  }

  async main(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    snapshotGatewayBuild();
    if (!(await commandWorks('taskset', ['-c', '0', 'true'])))
      throw new Error('taskset (Debian package util-linux) is needed to pin servers and the load generator');
    await exec('taskset', ['-pc', this.settings.clientCpu, String(process.pid)]);
    const wrk = await ensureWrk();
    const generators = wrk
      ? `wrk ${wrk} (1 thread) for GET and PUT; an undici 7 Pool (bench/loadgen.ts) for HEAD, single large transfers, listing and DeleteObjects`
      : 'an undici 7 Pool (bench/loadgen.ts) for everything (wrk is not installed)';
    log(`work dir ${this.workDir} (server logs in logs/)\n${generators}`);
    this.ctx = { settings: this.settings, workDir: this.workDir, wrk: wrk !== undefined, loadgen: loadgenRunner(this.settings.clientCpu) };
    try {
      await this.ceiling();
      await this.s3rver();
      await this.versitygw();
      await this.gateways();
      await this.ais();
    } finally {
      await this.stopAll();
      // Whatever was measured is written, also when a target failed half-way.
      this.writeResults(this.info(generators));
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

const bench = new Bench();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the servers`);
    void bench
      .stopAll()
      .finally(() => rmSync(bench.workDir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  });
}
bench.main().catch(async (err: unknown) => {
  console.error(err);
  await bench.stopAll();
  process.exit(1);
});
