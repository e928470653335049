/**
 * kill -9 of the gateway (embedded store) at random moments of a mixed stream of writes from several clients,
 * FAULTS_KILLS times (200 by default, shared by two independent loops), each followed by a restart on the same
 * data directory and a check of everything the clients were told: every key is one of the states it may be in (acknowledged writes survive,
 * an unanswered one is all or nothing), byte-exact; ListObjectsV2 agrees with the GETs; the blob files are
 * exactly those the records need (verify-store.ts).
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startGateway } from '../support/gateway';
import { killIfRunning, killMidStream } from './support/processes';
import { CRASH_CLIENTS, CRASH_INLINE_MAX_BYTES, crashStream, suiteDataDir } from './support/crash-setup';
import { faultClients, type StreamCounts } from './support/mixed-stream';
import { envCount, faultsRandom, type Random } from './support/random';
import { verifyStore } from './support/verify-store';

const KILLS = envCount('FAULTS_KILLS', 200);
/** Independent loops of kills and restarts, run side by side. */
const LOOPS = 2;

/** What one loop of kills and restarts saw. */
interface LoopReport {
  kills: number;
  caughtInFlight: number;
  maxUploads: number;
  counts: StreamCounts;
}

/**
 * `kills` times: start the gateway on `dataDir`, check the store, run the stream for 20-500 ms, kill -9;
 * then a last start and check.
 */
async function killLoop(random: Random, kills: number, dataDir: string, bucket: string): Promise<LoopReport> {
  const { states, stream } = crashStream(bucket);
  const env = { INLINE_MAX_BYTES: String(CRASH_INLINE_MAX_BYTES) };
  const report: LoopReport = { kills, caughtInFlight: 0, maxUploads: 0, counts: stream.counts };
  for (let cycle = 0; cycle <= kills; cycle++) {
    const gateway = await startGateway(env, { dataDir });
    const [s3, ...clients] = faultClients(gateway.endpoint, CRASH_CLIENTS + 1);
    try {
      if (cycle === 0) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const check = await verifyStore(s3, bucket, states, dataDir, CRASH_INLINE_MAX_BYTES).catch((err: Error) => {
        throw new Error(`${bucket}, after kill ${cycle} (seed ${random.seed}): ${err.message}`);
      });
      report.maxUploads = Math.max(report.maxUploads, check.uploads);
      expect(stream.counts.failures).toEqual([]);
      if (cycle === kills) {
        await gateway.stop();
        break;
      }
      await killMidStream(gateway, random.int(20, 500), (stopping) => stream.run(clients, random, stopping));
      if (states.openKeys() > 0) report.caughtInFlight += 1;
    } finally {
      for (const client of [s3, ...clients]) client.destroy();
      killIfRunning(gateway);
    }
  }
  return report;
}

/** Sums per-operation counts. */
function sum(records: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const record of records) for (const [operation, n] of Object.entries(record)) total[operation] = (total[operation] ?? 0) + n;
  return total;
}

describe('kill -9 of the embedded-store gateway under a mixed stream of writes', () => {
  // LOOPS gateways on data directories of their own, killed independently: one starts while another serves,
  // which keeps both cores busy (start-up is most of a cycle).
  const dataDirs = Array.from({ length: LOOPS }, (_, loop) => suiteDataDir(`ais-s3-faults-crash-${loop}-`));

  it(`loses no acknowledged write, applies unanswered ones whole or not at all, and leaves no orphan blob, over ${KILLS} kills`, async () => {
    const random = faultsRandom('crash');
    const loops = dataDirs.map((dataDir, loop) => {
      const kills = Math.floor(KILLS / LOOPS) + (loop < KILLS % LOOPS ? 1 : 0);
      return killLoop(random.fork(), kills, dataDir, `crash-${loop}`);
    });
    const reports = await Promise.all(loops);

    const acknowledged = sum(reports.map((report) => report.counts.acknowledged));
    const unanswered = sum(reports.map((report) => report.counts.unanswered));
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const caught = reports.reduce((n, report) => n + report.caughtInFlight, 0);
    process.stdout.write(
      `[faults] crash: ${KILLS} kills survived in ${LOOPS} loops (${caught} with a write in flight), ${total(acknowledged)} requests acknowledged, ` +
        `${total(unanswered)} cut by a kill; at most ${Math.max(...reports.map((report) => report.maxUploads))} unfinished uploads at a restart\n` +
        `[faults] crash: acknowledged ${JSON.stringify(acknowledged)}; unanswered ${JSON.stringify(unanswered)}\n`,
    );
    expect(total(unanswered)).toBeGreaterThan(0);
  });
});
