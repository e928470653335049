/**
 * WORKERS=2 on one data directory: kill -9 of one worker at random moments of a mixed stream of writes,
 * FAULTS_WORKER_KILLS times (20 by default). The other worker keeps serving (a new connection right after
 * the primary saw the death is answered), the primary starts a replacement, and once it listens the store
 * is checked as after a crash (verify-store.ts): the killed worker's writes are whole or absent, its
 * half-written blobs are freed by the replacement, nothing the survivor acknowledged is lost.
 */
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { eventually } from '../support/data-dir';
import { startGateway } from '../support/gateway';
import { CRASH_CLIENTS, CRASH_INLINE_MAX_BYTES, crashStream, suiteDataDir } from './support/crash-setup';
import { faultClients } from './support/mixed-stream';
import { childPids, linesWith } from './support/processes';
import { envCount, faultsRandom } from './support/random';
import { verifyStore } from './support/verify-store';

const KILLS = envCount('FAULTS_WORKER_KILLS', 20);
const BUCKET = 'workers-crash';

describe('WORKERS=2: kill -9 of one worker under a mixed stream of writes', () => {
  const dataDir = suiteDataDir('ais-s3-faults-workers-');

  it(`keeps serving from the other worker, replaces the killed one, and loses nothing, over ${KILLS} kills`, async () => {
    const random = faultsRandom('workers-crash');
    const { states, stream } = crashStream(BUCKET);
    const gateway = await startGateway({ WORKERS: '2', INLINE_MAX_BYTES: String(CRASH_INLINE_MAX_BYTES) }, { dataDir });
    const [s3, ...clients] = faultClients(gateway.endpoint, CRASH_CLIENTS + 1);
    let answeredMeanwhile = 0;
    try {
      expect(await eventually(() => linesWith(gateway, 'ais-s3 gateway listening') === 2, 20_000)).toBe(true);
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

      for (let kill = 1; kill <= KILLS; kill++) {
        let stopping = false;
        const running = stream.run(clients, random, () => stopping);
        await new Promise((resolve) => setTimeout(resolve, random.int(50, 500)));
        const workers = childPids(gateway.process.pid as number);
        expect(workers).toHaveLength(2);
        const [exitsBefore, listeningBefore] = [linesWith(gateway, 'worker exited; starting another'), linesWith(gateway, 'ais-s3 gateway listening')];
        process.kill(random.pick(workers), 'SIGKILL');

        // Once the primary knows, new connections go to the survivor (or the replacement): all answered.
        expect(await eventually(() => linesWith(gateway, 'worker exited; starting another') > exitsBefore, 10_000)).toBe(true);
        const [probe] = faultClients(gateway.endpoint, 1);
        await probe.send(new HeadBucketCommand({ Bucket: BUCKET }));
        probe.destroy();
        if (linesWith(gateway, 'ais-s3 gateway listening') === listeningBefore) answeredMeanwhile += 1;

        expect(await eventually(() => linesWith(gateway, 'ais-s3 gateway listening') > listeningBefore, 20_000)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, random.int(50, 300)));
        stopping = true;
        await running;
        await verifyStore(s3, BUCKET, states, dataDir, CRASH_INLINE_MAX_BYTES).catch((err: Error) => {
          throw new Error(`after worker kill ${kill} (seed ${random.seed}): ${err.message}`);
        });
        expect(stream.counts.failures).toEqual([]);
      }
    } finally {
      for (const client of [s3, ...clients]) client.destroy();
      await gateway.stop();
    }
    process.stdout.write(
      `[faults] workers-crash: ${KILLS} worker kills survived (${answeredMeanwhile} times a new connection was answered before the replacement listened), ` +
        `${stream.counts.total('acknowledged')} requests acknowledged, ${stream.counts.total('unanswered')} cut\n`,
    );
    expect(stream.counts.total('unanswered')).toBeGreaterThan(0);
  });
});
