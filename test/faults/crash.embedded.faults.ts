/**
 * kill -9 of the gateway (embedded store) at random moments of a mixed stream of writes from several clients,
 * FAULTS_KILLS times (200 by default), each followed by a restart on the same data directory and a check of
 * everything the clients were told: every key is one of the states it may be in (acknowledged writes survive,
 * an unanswered one is all or nothing), byte-exact; ListObjectsV2 agrees with the GETs; the blob files are
 * exactly those the records need (verify-store.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startGateway } from '../support/gateway';
import { KeyStates } from './support/key-states';
import { faultClients, MixedStream } from './support/mixed-stream';
import { envCount, faultsRandom } from './support/random';
import { verifyStore } from './support/verify-store';

const KILLS = envCount('FAULTS_KILLS', 200);
const CLIENTS = 4;
const INLINE_MAX_BYTES = 16 * 1024;
const BUCKET = 'crash';

describe('kill -9 of the embedded-store gateway under a mixed stream of writes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-faults-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    `loses no acknowledged write, applies unanswered ones whole or not at all, and leaves no orphan blob, over ${KILLS} kills`,
    async () => {
      const random = faultsRandom('crash');
      const states = new KeyStates(Array.from({ length: 10 }, (_, i) => `key-${i}`));
      const stream = new MixedStream(BUCKET, states, 1);
      const env = { INLINE_MAX_BYTES: String(INLINE_MAX_BYTES) };
      let caughtInFlight = 0;
      let maxUploads = 0;

      for (let cycle = 0; cycle <= KILLS; cycle++) {
        const gateway = await startGateway(env, { dataDir });
        const [s3, ...clients] = faultClients(gateway.endpoint, CLIENTS + 1);
        try {
          if (cycle === 0) await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
          const check = await verifyStore(s3, BUCKET, states, dataDir, INLINE_MAX_BYTES).catch((err: Error) => {
            throw new Error(`after kill ${cycle} (seed ${random.seed}): ${err.message}`);
          });
          maxUploads = Math.max(maxUploads, check.uploads);
          expect(stream.counts.failures).toEqual([]);
          if (cycle === KILLS) {
            await gateway.stop();
            break;
          }
          let stopping = false;
          const running = stream.run(clients, random, () => stopping);
          await new Promise((resolve) => setTimeout(resolve, random.int(20, 500)));
          stopping = true;
          const exited = new Promise((resolve) => gateway.process.once('exit', resolve));
          gateway.process.kill('SIGKILL');
          await exited;
          await running;
          if (states.openKeys() > 0) caughtInFlight += 1;
        } finally {
          for (const client of [s3, ...clients]) client.destroy();
          if (gateway.process.exitCode === null && gateway.process.signalCode === null) gateway.process.kill('SIGKILL');
        }
      }

      const { acknowledged, unanswered } = stream.counts;
      process.stdout.write(
        `[faults] crash: ${KILLS} kills survived (${caughtInFlight} with a write in flight), ${stream.counts.total('acknowledged')} requests acknowledged, ` +
          `${stream.counts.total('unanswered')} cut by a kill; at most ${maxUploads} unfinished uploads at a restart\n` +
          `[faults] crash: acknowledged ${JSON.stringify(acknowledged)}; unanswered ${JSON.stringify(unanswered)}\n`,
      );
      expect(stream.counts.total('unanswered')).toBeGreaterThan(0);
    },
    20 * 60_000,
  );
});
