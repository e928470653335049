/**
 * WORKERS=2: one port served by two worker processes under a node:cluster primary, as an operator runs it to use
 * both cores. Clients see one gateway: every request is answered whichever worker takes it, a scrape of
 * /metrics counts the requests of both, and SIGTERM to the primary drains both and exits 0.
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { e2eBackend } from './support/backend';
import { eventually } from './support/data-dir';
import { type RunningGateway, startGateway } from './support/gateway';
import { expectObjectBytes } from './support/objects';
import { scrapeMetrics } from './support/prometheus';
import { s3ClientFor } from './support/s3-client';

const listeningLines = (gateway: RunningGateway) => gateway.output.filter((line) => line.includes('ais-s3 gateway listening')).length;

describe('WORKERS=2', () => {
  let gateway: RunningGateway;
  let s3: S3Client;
  beforeAll(async () => {
    gateway = await startGateway({ WORKERS: '2' });
    s3 = s3ClientFor(gateway.endpoint);
  });
  afterAll(async () => {
    s3?.destroy();
    await gateway?.stop();
  });

  it('serves one port from two worker processes: objects written through either are read through either, and /metrics counts both', async () => {
    expect(await eventually(() => listeningLines(gateway) === 2, 20_000)).toBe(true);
    await s3.send(new CreateBucketCommand({ Bucket: 'two-workers' }));
    const keys = Array.from({ length: 12 }, (_, i) => `k-${i}`);
    // Each on a new connection, which either worker may accept.
    for (const key of keys) {
      const client = s3ClientFor(gateway.endpoint);
      await client.send(new PutObjectCommand({ Bucket: 'two-workers', Key: key, Body: `body of ${key}` }));
      client.destroy();
    }
    for (const key of keys) await expectObjectBytes(s3, 'two-workers', key, `body of ${key}`);

    // Two scrapes, likely on different workers, both see every PutObject.
    for (let scrape = 0; scrape < 2; scrape++) {
      const metrics = await scrapeMetrics(gateway.origin);
      expect(metrics.value('s3_requests_total', { operation: 'PutObject', status: '200' })).toBe(keys.length);
      // Each worker runs its own background jobs; their counter is summed too: one series per job and outcome.
      const jobs = e2eBackend() === 'ais' ? ['ais_cluster_map', 'ais_multipart_sweep', 'lifecycle'] : ['embedded_maintenance', 'lifecycle'];
      const jobSeries = metrics.series('s3_background_jobs_total').map((sample) => `${sample.labels.job}/${sample.labels.outcome}`);
      expect(jobSeries.sort()).toEqual(jobs.flatMap((job) => [`${job}/failed`, `${job}/ok`]));
    }
  });

  it('drains both workers on SIGTERM to the primary and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => gateway.process.once('exit', (code) => resolve(code)));
    gateway.process.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
