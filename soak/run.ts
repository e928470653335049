/**
 * `npm run soak`: hours-of-load proof, not run by CI. Starts the built gateway (dist/, S3_AUTH=verify) on the
 * embedded store (or on a dev AIS cluster of its own with SOAK_STORE=ais), runs SOAK_CLIENTS mixed clients and
 * SOAK_SLOW_CLIENTS slow ones for SOAK_MINUTES, samples the gateway every SOAK_SAMPLE_SECONDS into a CSV, and
 * writes an SVG chart and a summary beside it (soak/results/soak-<store>.*). Exits 1 when the verdict fails
 * (verdict.ts): a resource that keeps growing, or more than 0.1% failed operations.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { processTree } from '../bench/proc-stats';
import { freePort, startProcess, stopProcess, waitUntilReady } from '../bench/processes';
import { AisCluster, ROOT } from '../bench/targets';
import { soakChart } from './chart';
import { MixedClient, PLAIN_BUCKET, VERSIONED_BUCKET } from './mixed-client';
import { CSV_HEADER, csvLine, type Sample, takeSample } from './sampler';
import { readSoakSettings, type SoakSettings } from './settings';
import { runSlowReader, runSlowWriter } from './slow-clients';
import { Tally } from './tally';
import { judge, type Verdict } from './verdict';

const KEY = { id: 'AKSOAK', secret: 'soak-secret' };
// Below Linux's ephemeral range, so that no outgoing connection holds a port the cluster needs.
const AIS_PORT = Number(process.env.SOAK_AIS_PORT ?? 27080);

interface Gateway {
  origin: string;
  dataDir: string;
  pids: () => number[];
  stop: () => Promise<void>;
}

async function startGateway(work: string, aisOrigin: string | undefined): Promise<Gateway> {
  const port = await freePort();
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  const child = startProcess(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WORKERS: '1',
      LOG_LEVEL: 'warn',
      S3_AUTH: 'verify',
      S3_ACCESS_KEY_ID: KEY.id,
      S3_SECRET_ACCESS_KEY: KEY.secret,
      ...(aisOrigin === undefined ? { STORE: 'embedded' } : { STORE: 'ais', AIS_ENDPOINT: aisOrigin }),
    },
    logFile: join(work, 'gateway.log'),
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${origin}/health/ready`, child, 60_000);
  return { origin, dataDir, pids: () => processTree(child.pid!), stop: () => stopProcess(child) };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Samples until `until`, appending each sample to the CSV as it is taken (a killed run keeps what it had). */
async function sampleUntil(gateway: Gateway, settings: SoakSettings, csv: string, tally: Tally, until: number): Promise<Sample[]> {
  const startedAt = Date.now();
  const samples: Sample[] = [];
  const target = { origin: gateway.origin, pids: gateway.pids, dataDir: settings.store === 'embedded' ? gateway.dataDir : undefined };
  for (;;) {
    const sample = await takeSample(target, startedAt, { operations: tally.total, errors: tally.errors });
    samples.push(sample);
    appendFileSync(csv, `${csvLine(sample)}\n`);
    console.log(
      `[soak] ${(sample.seconds / 60).toFixed(1)} min: ${sample.operations} ops, ${sample.errors} failed, RSS ${sample.rssMiB.toFixed(0)} MiB, ` +
        `${sample.fds} fds, loop p99 ${sample.eventLoopP99Ms.toFixed(1)} ms${Number.isNaN(sample.lmdbMiB) ? '' : `, LMDB ${sample.lmdbMiB.toFixed(1)} MiB`}`,
    );
    if (Date.now() >= until) return samples;
    await pause(Math.min(settings.sampleSeconds * 1000, Math.max(0, until - Date.now())));
  }
}

function summary(settings: SoakSettings, samples: Sample[], tally: Tally, verdict: Verdict, startedAt: Date): string {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const lines = [
    `# Soak run: ${settings.store} store, ${settings.minutes} minutes`,
    '',
    `Started ${startedAt.toISOString()} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); ${settings.clients} mixed clients ` +
      `(AWS SDK), ${settings.slowClients} slow clients (half trickle 256 KiB PUTs at 64 KiB/s, half read a 1 MiB GET at 64 KiB/s), ` +
      `a sample every ${settings.sampleSeconds} s (\`soak-${settings.store}.csv\`, chart \`soak-${settings.store}.svg\`).`,
    '',
    `**${verdict.passed ? 'PASSED' : 'FAILED'}**`,
    '',
    '```',
    ...verdict.lines,
    '```',
    '',
    '| | before the load | at the end |',
    '|---|---:|---:|',
    `| RSS (MiB) | ${first.rssMiB.toFixed(1)} | ${last.rssMiB.toFixed(1)} |`,
    `| open fds | ${first.fds} | ${last.fds} |`,
    `| event-loop p99 (ms) | ${first.eventLoopP99Ms.toFixed(1)} | ${last.eventLoopP99Ms.toFixed(1)} |`,
    ...(Number.isNaN(last.lmdbMiB) ? [] : [`| LMDB files (MiB) | ${first.lmdbMiB.toFixed(1)} | ${last.lmdbMiB.toFixed(1)} |`]),
    '',
    '| operation | ok | failed |',
    '|---|---:|---:|',
    ...tally.byOperation().map((count) => `| ${count.operation} | ${count.ok} | ${count.failed} |`),
    `| **all** | ${tally.total - tally.errors} | ${tally.errors} |`,
    '',
  ];
  if (tally.failures.size > 0) lines.push('Failures:', '', ...[...tally.failures].map(([failure, count]) => `- ${count} x ${failure}`), '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = readSoakSettings(ROOT);
  const work = mkdtempSync(join(tmpdir(), 'ais-s3-soak-'));
  mkdirSync(settings.outDir, { recursive: true });
  const base = join(settings.outDir, `soak-${settings.store}`);
  const csv = `${base}.csv`;
  writeFileSync(csv, `${CSV_HEADER}\n`);
  let ais: AisCluster | undefined;
  let gateway: Gateway | undefined;
  try {
    if (settings.store === 'ais') {
      ais = new AisCluster(AIS_PORT, work);
      await ais.start(`0-${cpus().length - 1}`);
    }
    gateway = await startGateway(work, ais?.origin);
    console.log(`[soak] gateway at ${gateway.origin} (${settings.store}), logs and data in ${work}`);
    const s3 = new S3Client({
      endpoint: `${gateway.origin}/s3`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: KEY.id, secretAccessKey: KEY.secret },
    });
    await s3.send(new CreateBucketCommand({ Bucket: PLAIN_BUCKET }));
    // AIS keeps one version per object: the versioned part of the mix runs on the embedded store only.
    const versioned = settings.store === 'embedded';
    if (versioned) {
      await s3.send(new CreateBucketCommand({ Bucket: VERSIONED_BUCKET }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: VERSIONED_BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    const tally = new Tally();
    const startedAt = new Date();
    const until = startedAt.getTime() + settings.minutes * 60_000;
    const endpoint = { origin: gateway.origin, prefix: '/s3', key: KEY };
    const clients = [
      ...Array.from({ length: settings.clients }, (_, id) => new MixedClient(s3, id, tally, versioned).runUntil(until)),
      ...Array.from({ length: settings.slowClients }, (_, id) =>
        id % 2 === 0 ? runSlowWriter(endpoint, id, until, tally) : runSlowReader(endpoint, id, until, tally),
      ),
    ];
    const sampled = sampleUntil(gateway, settings, csv, tally, until);
    await Promise.all(clients);
    const samples = await sampled;
    s3.destroy();
    const verdict = judge(samples, { operations: tally.total, errors: tally.errors });
    writeFileSync(`${base}.svg`, soakChart(`ais-s3 soak: ${settings.store} store, ${settings.clients} + ${settings.slowClients} slow clients`, samples));
    writeFileSync(`${base}.md`, summary(settings, samples, tally, verdict, startedAt));
    console.log(verdict.lines.join('\n'));
    console.log(`[soak] ${verdict.passed ? 'passed' : 'FAILED'}; results in ${base}.{csv,svg,md}`);
    process.exitCode = verdict.passed ? 0 : 1;
  } finally {
    await gateway?.stop();
    await ais?.stop();
    if (process.exitCode === 0) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
