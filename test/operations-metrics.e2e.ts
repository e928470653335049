/**
 * What an operator's Prometheus sees at `/metrics` (issue 6): counters that move by exactly what clients did,
 * label sets that stay bounded whatever buckets and keys clients pick, and the same metrics on METRICS_PORT.
 * Health probes, auth and logs are in operations-health.e2e.ts and operations-access.e2e.ts; SIGTERM in
 * operations-shutdown.e2e.ts.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { patternBytes } from './support/clients';
import { e2eBackend, storeFootprint, storeStartedWriting } from './support/backend';
import { eventually } from './support/data-dir';
import { useGateway } from './support/fixture';
import { freePort } from './support/free-port';
import { startGateway } from './support/gateway';
import { getObject } from './support/objects';
import { labelKey, type Scrape, scrapeMetrics } from './support/prometheus';
import { rawRequest } from './support/raw-http';
import { bodylessErrorName, expectS3Error } from './support/s3-errors';

const MiB = 1024 * 1024;

/** Label values of every sample, with the metric they belong to. */
function labelValues(scrape: Scrape): Array<{ name: string; label: string; value: string }> {
  return scrape.samples.flatMap((sample) => Object.entries(sample.labels).map(([label, value]) => ({ name: sample.name, label, value })));
}

/** The series of the gateway's own metrics (not the Node.js process ones), as `name{labels}` strings. */
function gatewaySeries(scrape: Scrape): string[] {
  return scrape.samples
    .filter((sample) => /^(s3_|ais_backend_|embedded_store_)/.test(sample.name))
    .map((sample) => `${sample.name}{${labelKey(sample.labels)}}`)
    .sort();
}

/**
 * Sends a PUT announcing `total` bytes and writes the first `first` of them; the caller decides whether to
 * finish it (`finish`) or cut it (`abort`). `done` settles with the status, or with 0 when the request failed.
 */
function startPut(origin: string, path: string, total: number, first: number) {
  const req = request(new URL(path, origin), { method: 'PUT', headers: { 'content-length': String(total) } });
  const done = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
  req.write(Buffer.alloc(first, 'f'));
  return {
    done,
    finish: () => req.end(Buffer.alloc(total - first, 'f')),
    abort: () => req.destroy(),
  };
}

describe('Prometheus metrics at /metrics', () => {
  const fixture = useGateway();
  let s3: S3Client;
  let origin: string;
  beforeAll(() => {
    s3 = fixture.s3;
    origin = fixture.gateway.origin;
  });

  it('moves by exactly what a known sequence of SDK calls did: requests per operation and status, bytes in and out, the error code, backend calls and the duration histogram', async () => {
    const body = patternBytes(12_345, 6);
    const before = await scrapeMetrics(origin);

    const bucket = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'known', Body: body }));
    expect((await getObject(s3, { Bucket: bucket, Key: 'known' })).bytes.equals(body)).toBe(true);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'known' }))).ContentLength).toBe(body.length);
    const missing = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'missing' })), bodylessErrorName(404), 404);
    // The NoSuchKey answer's XML body is sent bytes of GetObject too.
    const errorBodyBytes = Number(missing.$response?.headers['content-length']);
    expect(errorBodyBytes).toBeGreaterThan(0);

    const after = await scrapeMetrics(origin);
    expect(after.changes(before, 's3_requests_total')).toEqual({
      [labelKey({ operation: 'CreateBucket', status: '200' })]: 1,
      [labelKey({ operation: 'PutObject', status: '200' })]: 1,
      [labelKey({ operation: 'GetObject', status: '200' })]: 1,
      [labelKey({ operation: 'HeadObject', status: '200' })]: 1,
      [labelKey({ operation: 'GetObject', status: '404' })]: 1,
      [labelKey({ operation: 'HeadObject', status: '404' })]: 1,
    });
    expect(after.changes(before, 's3_errors_total')).toEqual({
      [labelKey({ operation: 'GetObject', code: 'NoSuchKey' })]: 1,
      [labelKey({ operation: 'HeadObject', code: 'NoSuchKey' })]: 1,
    });
    // A Buffer body goes out whole with its checksum in a header, so Content-Length is the object's size.
    expect(after.changes(before, 's3_received_bytes_total')).toEqual({ [labelKey({ operation: 'PutObject' })]: body.length });
    // HEAD answers announce the object's length but send no body: nothing is counted for them.
    expect(after.changes(before, 's3_sent_bytes_total')).toEqual({ [labelKey({ operation: 'GetObject' })]: body.length + errorBodyBytes });
    const backendCalls = after.changes(before, 'ais_backend_requests_total');
    // The bucket's lifecycle rules (x-amz-expiration) and Object Lock configuration (the PUT), each read and then kept 1 s: once, or again on a slow machine.
    const settingReads = labelKey({ backend: e2eBackend(), call: 'getBucketSetting', status: 'ok' });
    expect(backendCalls[settingReads]).toBeGreaterThanOrEqual(1);
    const readsOfSettings = backendCalls[settingReads];
    delete backendCalls[settingReads];
    expect(backendCalls).toEqual({
      [labelKey({ backend: e2eBackend(), call: 'createBucket', status: 'ok' })]: 1,
      [labelKey({ backend: e2eBackend(), call: 'putObject', status: 'ok' })]: 1,
      [labelKey({ backend: e2eBackend(), call: 'getObject', status: 'ok' })]: 1,
      [labelKey({ backend: e2eBackend(), call: 'headObject', status: 'ok' })]: 1,
      [labelKey({ backend: e2eBackend(), call: 'getObject', status: 'NoSuchKey' })]: 1,
      [labelKey({ backend: e2eBackend(), call: 'headObject', status: 'NoSuchKey' })]: 1,
    });
    const backendCounts = after.changes(before, 'ais_backend_request_duration_seconds_count');
    expect(Object.values(backendCounts).reduce((a, b) => a + b, 0)).toBe(6 + readsOfSettings);

    const durationCounts = { CreateBucket: 1, PutObject: 1, GetObject: 2, HeadObject: 2 };
    expect(after.changes(before, 's3_request_duration_seconds_count')).toEqual(
      Object.fromEntries(Object.entries(durationCounts).map(([operation, count]) => [labelKey({ operation }), count])),
    );
    for (const [operation, count] of Object.entries(durationCounts)) {
      // Buckets are cumulative and +Inf holds every observation; the time spent is positive.
      const buckets = after.series('s3_request_duration_seconds_bucket').filter((sample) => sample.labels.operation === operation);
      const bounds = buckets.map((sample) => (sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le)));
      expect(bounds[0]).toBe(0.001);
      expect(bounds.at(-2)).toBe(60);
      expect(bounds.at(-1)).toBe(Infinity);
      expect(buckets.map((sample) => sample.value)).toEqual([...buckets.map((sample) => sample.value)].sort((a, b) => a - b));
      const inf = { operation, le: '+Inf' };
      expect(after.value('s3_request_duration_seconds_bucket', inf) - before.value('s3_request_duration_seconds_bucket', inf)).toBe(count);
      expect(after.value('s3_request_duration_seconds_sum', { operation })).toBeGreaterThan(before.value('s3_request_duration_seconds_sum', { operation }));
    }
    expect(after.value('s3_requests_in_flight')).toBe(0);
    if (e2eBackend() === 'embedded') {
      // The embedded store's own gauges (the AIS backend has none: AIS exports its own metrics).
      expect(after.value('embedded_store_objects')).toBeGreaterThanOrEqual(1);
      expect(after.value('embedded_store_free_bytes')).toBeGreaterThan(0);
    }
    // Default Node.js process metrics are there too.
    expect(after.value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a request in flight while its body is still arriving, and back to 0 once it is answered or the client cuts it (then counted as status 499)', async () => {
    const bucket = await fixture.newBucket();
    expect((await scrapeMetrics(origin)).value('s3_requests_in_flight')).toBe(0);

    const finished = startPut(origin, `/s3/${bucket}/finished`, 4 * MiB, MiB);
    expect(await eventually(async () => (await scrapeMetrics(origin)).value('s3_requests_in_flight') === 1)).toBe(true);
    finished.finish();
    expect(await finished.done).toBe(200);
    expect((await scrapeMetrics(origin)).value('s3_requests_in_flight')).toBe(0);

    const countedBefore = await scrapeMetrics(origin);
    const blobsBefore = await storeFootprint(fixture.gateway);
    const cut = startPut(origin, `/s3/${bucket}/cut`, 8 * MiB, MiB);
    expect(await storeStartedWriting(fixture.gateway, blobsBefore, { bucket, key: 'cut' })).toBe(true);
    expect((await scrapeMetrics(origin)).value('s3_requests_in_flight')).toBe(1);
    cut.abort();
    expect(await cut.done).toBe(0);
    expect(await eventually(async () => (await scrapeMetrics(origin)).value('s3_requests_in_flight') === 0)).toBe(true);
    // The cut request is still counted, under nginx's 499 "client closed request", with nothing received.
    const countedAfter = await scrapeMetrics(origin);
    expect(countedAfter.changes(countedBefore, 's3_requests_total')).toEqual({ [labelKey({ operation: 'PutObject', status: '499' })]: 1 });
    expect(countedAfter.changes(countedBefore, 's3_received_bytes_total')).toEqual({});
  });

  it('keeps label values to fixed sets: after PUT/GET/HEAD of 200 random keys in 20 random buckets no label carries a bucket name or key, and the series do not grow with them', async () => {
    const buckets = Array.from({ length: 20 }, () => `rnd-${randomBytes(6).toString('hex')}`);
    const keys = Array.from({ length: 200 }, (_, i) => ({
      bucket: buckets[i % buckets.length],
      key: `dir-${randomBytes(4).toString('hex')}/obj ${randomBytes(6).toString('base64url')}`,
    }));
    const missingBucket = `gone-${randomBytes(6).toString('hex')}`;
    const exercise = async (slice: typeof keys, bucketNames: string[]) => {
      await Promise.all(bucketNames.map((bucket) => s3.send(new CreateBucketCommand({ Bucket: bucket }))));
      for (let at = 0; at < slice.length; at += 25) {
        await Promise.all(
          slice.slice(at, at + 25).map(async ({ bucket, key }) => {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
            expect((await getObject(s3, { Bucket: bucket, Key: key })).bytes.toString()).toBe(key);
            await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          }),
        );
      }
      // Errors too: a missing key in every bucket, a bucket that does not exist.
      await Promise.all(
        bucketNames.map((bucket) => expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${bucket}-absent` })), bodylessErrorName(404), 404)),
      );
      await expectS3Error(s3.send(new GetObjectCommand({ Bucket: missingBucket, Key: 'k' })), 'NoSuchBucket', 404);
    };

    // A first round with a few buckets and keys gives every series it will ever need...
    await exercise(keys.slice(0, 10), buckets.slice(0, 10));
    const early = await scrapeMetrics(origin);
    // ...and the rest, with 10 more buckets and 190 more keys, adds none.
    await exercise(keys.slice(10), buckets.slice(10));
    const late = await scrapeMetrics(origin);
    expect(gatewaySeries(late)).toEqual(gatewaySeries(early));

    const clientChosen = [...buckets, missingBucket, ...keys.map(({ key }) => key), ...keys.flatMap(({ key }) => key.split('/'))];
    const leaks = labelValues(late).filter(({ value }) => clientChosen.some((text) => value.includes(text)));
    expect(leaks).toEqual([]);

    const requests = late.series('s3_requests_total');
    expect(new Set(requests.flatMap((sample) => Object.keys(sample.labels)))).toEqual(new Set(['operation', 'status']));
    const operations = new Set(requests.map((sample) => sample.labels.operation));
    const statuses = new Set(requests.map((sample) => sample.labels.status));
    // This file's other tests used these operations too; nothing else shows up.
    expect([...operations].sort()).toEqual(['CreateBucket', 'GetObject', 'HeadObject', 'PutObject']);
    expect([...statuses].every((status) => /^[1-5]\d\d$/.test(status))).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(operations.size * statuses.size);
    const requestCount =
      requests.reduce((sum, sample) => sum + sample.value, 0) - early.series('s3_requests_total').reduce((sum, sample) => sum + sample.value, 0);
    expect(requestCount).toBe(10 + 190 * 3 + 10 + 1);
  }, 60_000);
});

/** A scrape's s3_background_jobs_total as `job/outcome` to count. */
function jobCounts(scrape: Scrape): Record<string, number> {
  return Object.fromEntries(scrape.series('s3_background_jobs_total').map((sample) => [`${sample.labels.job}/${sample.labels.outcome}`, sample.value]));
}

describe('background jobs in /metrics (s3_background_jobs_total)', () => {
  // The sweep every 300 ms instead of every 10 minutes (embedded) or hour (AIS); lifecycle passes as often.
  const fixture = useGateway({ SWEEP_INTERVAL_MS: '300', LIFECYCLE_INTERVAL_MS: '300' });

  it('lists every job of the store from the start and counts the runs of its sweep (on AIS also the cluster map reads), none failed', async () => {
    const jobs = e2eBackend() === 'ais' ? ['ais_cluster_map', 'ais_multipart_sweep', 'lifecycle'] : ['embedded_maintenance', 'lifecycle'];
    const first = jobCounts(await scrapeMetrics(fixture.gateway.origin));
    expect(Object.keys(first).sort()).toEqual(jobs.flatMap((job) => [`${job}/failed`, `${job}/ok`]));
    let counts = first;
    await eventually(async () => {
      counts = jobCounts(await scrapeMetrics(fixture.gateway.origin));
      return jobs.every((job) => counts[`${job}/ok`] >= 2);
    }, 15_000);
    for (const job of jobs) expect({ job, ok: counts[`${job}/ok`] >= 2, failed: counts[`${job}/failed`] }).toEqual({ job, ok: true, failed: 0 });
  });
});

describe('background jobs while AIS cannot be reached', () => {
  it('counts every failed run and logs the failures without flooding: one warning per job, not one per run', async () => {
    const gateway = await startGateway({
      STORE: 'ais',
      AIS_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      AIS_RETRIES: '0',
      AIS_TIMEOUT_MS: '1000',
      SWEEP_INTERVAL_MS: '300',
    });
    try {
      // The cluster map is read at start and every 2 s, the sweep runs every 300 ms.
      let counts: Record<string, number> = {};
      await eventually(async () => {
        counts = jobCounts(await scrapeMetrics(gateway.origin));
        return counts['ais_cluster_map/failed'] >= 3 && counts['ais_multipart_sweep/failed'] >= 10;
      }, 15_000);
      expect(counts['ais_cluster_map/failed']).toBeGreaterThanOrEqual(3);
      expect(counts['ais_multipart_sweep/failed']).toBeGreaterThanOrEqual(10);
      expect({ map: counts['ais_cluster_map/ok'], sweep: counts['ais_multipart_sweep/ok'] }).toEqual({ map: 0, sweep: 0 });
      const logged = gateway.output
        .filter((line) => line.includes('"context":"BackgroundJobs"'))
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .map(({ level, msg }) => ({ level, job: /^background job (\S+) failed: /.exec(msg)?.[1] }));
      // pino's level 40 is warn.
      expect(logged.sort((a, b) => String(a.job).localeCompare(String(b.job)))).toEqual([
        { level: 40, job: 'ais_cluster_map' },
        { level: 40, job: 'ais_multipart_sweep' },
      ]);
    } finally {
      await gateway.stop();
    }
  });
});

describe('METRICS_PORT', () => {
  const env: Record<string, string> = {};
  let metricsOrigin: string;
  // Runs before useGateway's own beforeAll, which reads `env` when it starts the gateway.
  beforeAll(async () => {
    const port = await freePort();
    env.METRICS_PORT = String(port);
    metricsOrigin = `http://127.0.0.1:${port}`;
  });
  const fixture = useGateway(env);

  it('serves the same metrics on its own port as on the S3 port, and nothing else there', async () => {
    const { gateway, s3 } = fixture;
    await s3.send(new CreateBucketCommand({ Bucket: 'on-metrics-port' }));
    await s3.send(new PutObjectCommand({ Bucket: 'on-metrics-port', Key: 'k', Body: 'counted' }));
    const onMetricsPort = await scrapeMetrics(metricsOrigin);
    const onS3Port = await scrapeMetrics(gateway.origin);
    expect(onMetricsPort.value('s3_requests_total', { operation: 'PutObject', status: '200' })).toBe(1);
    for (const name of [
      's3_requests_total',
      's3_received_bytes_total',
      's3_request_duration_seconds_count',
      'ais_backend_requests_total',
      'embedded_store_objects',
    ]) {
      expect(onMetricsPort.series(name)).toEqual(onS3Port.series(name));
    }

    expect((await rawRequest(metricsOrigin, { method: 'GET', path: '/health/live' })).status).toBe(404);
    const s3OnMetricsPort = await rawRequest(metricsOrigin, { method: 'GET', path: '/s3/on-metrics-port/k' });
    expect(s3OnMetricsPort.status).toBe(404);
    expect(s3OnMetricsPort.body).not.toContain('counted');
  });
});
