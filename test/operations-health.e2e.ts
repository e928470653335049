/**
 * Kubernetes probes as an operator's kubelet sees them: `/health/live` and `/health/ready`, readiness failing
 * with a reason when the embedded store cannot take writes (free disk below MIN_FREE_DISK_MB) and recovering
 * by itself once space is back, and the operations paths still answering with S3 served at the root.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { e2eBackend, itOn } from './support/backend';
import { eventually } from './support/data-dir';
import { useGateway } from './support/fixture';
import { type RunningGateway, startGateway } from './support/gateway';
import { objectContaining } from './support/matchers';
import { expectObjectBytes } from './support/objects';
import { expectS3Error } from './support/s3-errors';
import { labelKey, scrapeMetrics } from './support/prometheus';
import { type RawResponse, rawRequest } from './support/raw-http';

const MiB = 1024 * 1024;

interface HealthBody {
  status: 'ok' | 'error';
  info?: Record<string, { status: string }>;
  error?: Record<string, { status: string; reason?: string }>;
}

async function probe(origin: string, path: string): Promise<{ status: number; body: HealthBody }> {
  const response: RawResponse = await rawRequest(origin, { method: 'GET', path });
  return { status: response.status, body: JSON.parse(response.body) as HealthBody };
}

async function freeBytes(dir: string): Promise<number> {
  const disk = await statfs(dir);
  return disk.bavail * disk.bsize;
}

/** Runs `body` with a gateway started with `env`, stopping it afterwards whatever happens. */
async function withGateway(env: Record<string, string>, body: (gateway: RunningGateway) => Promise<void>): Promise<void> {
  const gateway = await startGateway(env);
  try {
    await body(gateway);
  } finally {
    await gateway.stop();
  }
}

describe('health probes', () => {
  it('answers /health/live 200 and /health/ready 200 with the store and the lifecycle up', async () => {
    await withGateway({}, async (gateway) => {
      expect(await probe(gateway.origin, '/health/live')).toEqual({ status: 200, body: objectContaining({ status: 'ok' }) });
      const ready = await probe(gateway.origin, '/health/ready');
      expect(ready.status).toBe(200);
      // The store's indicator is named after the backend.
      expect(ready.body).toMatchObject({ status: 'ok', info: { [e2eBackend()]: { status: 'up' }, lifecycle: { status: 'up' } } });
    });
  });

  // MIN_FREE_DISK_MB watches the embedded store's disk; the AIS backend's readiness is tested in ais-backend.ais.e2e.ts.
  itOn('embedded')(
    'answers /health/ready 503 naming the free space when MIN_FREE_DISK_MB is more than the disk has, while /health/live stays 200',
    async () => {
      const free = await freeBytes(tmpdir());
      const minFreeMb = Math.ceil(free / MiB) + 10 * 1024;
      await withGateway({ MIN_FREE_DISK_MB: String(minFreeMb) }, async (gateway) => {
        const ready = await probe(gateway.origin, '/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.status).toBe('error');
        expect(ready.body.error?.embedded?.status).toBe('down');
        expect(ready.body.error?.embedded?.reason).toMatch(/^only \d+ bytes free in /);
        expect((await probe(gateway.origin, '/health/live')).status).toBe(200);
        // The gauge an alert would use shows the same shortage.
        expect((await scrapeMetrics(gateway.origin)).value('embedded_store_free_bytes')).toBeLessThan(minFreeMb * MiB);
      });
    },
  );

  itOn('embedded')(
    'turns /health/ready 503 when the disk fills below MIN_FREE_DISK_MB and back to 200 once the space is freed, without a restart',
    async () => {
      const filler = mkdtempSync(join(tmpdir(), 'ais-s3-filler-'));
      try {
        // The threshold sits 1 GiB below today's free space; a 3 GiB file takes the disk 2 GiB below it.
        const free = await freeBytes(filler);
        const fillBytes = 3 * 1024 * MiB;
        if (free < 2 * fillBytes) throw new Error(`this test needs ${(2 * fillBytes) / MiB} MiB free in ${tmpdir()}, there are ${Math.floor(free / MiB)}`);
        await withGateway({ MIN_FREE_DISK_MB: String(Math.floor(free / MiB) - 1024) }, async (gateway) => {
          expect((await probe(gateway.origin, '/health/ready')).status).toBe(200);

          const fallocate = spawnSync('fallocate', ['-l', String(fillBytes), join(filler, 'fill')], { encoding: 'utf8' });
          if (fallocate.status !== 0) throw new Error(`fallocate failed: ${fallocate.error?.message ?? fallocate.stderr}`);
          expect(await eventually(async () => (await probe(gateway.origin, '/health/ready')).status === 503)).toBe(true);
          expect((await probe(gateway.origin, '/health/ready')).body.error?.embedded?.reason).toMatch(/^only \d+ bytes free in /);

          rmSync(join(filler, 'fill'));
          expect(await eventually(async () => (await probe(gateway.origin, '/health/ready')).status === 200)).toBe(true);
          expect((await probe(gateway.origin, '/health/ready')).body).toMatchObject({ status: 'ok', info: { embedded: { status: 'up' } } });
        });
      } finally {
        rmSync(filler, { recursive: true, force: true });
      }
    },
  );
});

describe('operations paths with S3 at the root (S3_PREFIX=/)', () => {
  const fixture = useGateway({ S3_PREFIX: '/' });

  it('still answers /health/live, /health/ready and /metrics, and serves a bucket named "healthy", counted as S3 operations', async () => {
    const { gateway, s3 } = fixture;
    expect((await probe(gateway.origin, '/health/live')).status).toBe(200);
    expect((await probe(gateway.origin, '/health/ready')).status).toBe(200);
    const before = await scrapeMetrics(gateway.origin);

    await s3.send(new CreateBucketCommand({ Bucket: 'healthy' }));
    await s3.send(new PutObjectCommand({ Bucket: 'healthy', Key: 'live', Body: 'not a probe' }));
    await expectObjectBytes(s3, 'healthy', 'live', 'not a probe');

    const after = await scrapeMetrics(gateway.origin);
    expect(after.changes(before, 's3_requests_total')).toEqual({
      [labelKey({ operation: 'CreateBucket', status: '200' })]: 1,
      [labelKey({ operation: 'PutObject', status: '200' })]: 1,
      [labelKey({ operation: 'GetObject', status: '200' })]: 1,
    });
  });

  it.each(['health', 'metrics'])('refuses to create a bucket named %p, which would shadow its endpoints, with InvalidBucketName', async (name) => {
    const { gateway, s3 } = fixture;
    await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
    const page = await rawRequest(gateway.origin, { method: 'GET', path: `/${name}/some-key` });
    expect(page.status).toBe(400);
    expect(page.body).toContain('<Code>InvalidBucketName</Code>');
  });
});
