import {
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { e2eBackend } from './support/backend';
import { eventually } from './support/data-dir';
import { useGateway } from './support/fixture';
import { type RunningGateway, startGateway } from './support/gateway';
import { scrapeMetrics } from './support/prometheus';

/**
 * Lifecycle passes of a running gateway acting on Days rules (LIFECYCLE_CLOCK_OFFSET_DAYS moves the passes' clock
 * forward, nothing else), and several gateway processes running passes over one store at once.
 */

async function keysOf(s3: S3Client, bucket: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key!);
}

async function versionsOf(s3: S3Client, bucket: string): Promise<string[]> {
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return [
    ...(page.Versions ?? []).map((version) => `${version.Key} ${version.IsLatest ? 'latest' : 'noncurrent'} version`),
    ...(page.DeleteMarkers ?? []).map((marker) => `${marker.Key} ${marker.IsLatest ? 'latest' : 'noncurrent'} marker`),
  ].sort();
}

async function uploadKeysOf(s3: S3Client, bucket: string): Promise<string[]> {
  return ((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).map((upload) => upload.Key!);
}

async function actionsCounted(gateways: RunningGateway[], action: string): Promise<number> {
  let sum = 0;
  for (const gateway of gateways) sum += (await scrapeMetrics(gateway.origin)).value('s3_lifecycle_actions_total', { action }) ?? 0;
  return sum;
}

describe('lifecycle passes three days ahead (LIFECYCLE_CLOCK_OFFSET_DAYS=3)', () => {
  const fixture = useGateway({ LIFECYCLE_INTERVAL_MS: '300', LIFECYCLE_CLOCK_OFFSET_DAYS: '3' });

  it('apply Days rules that are due (2 days) and leave those that are not (5 days), for current and noncurrent versions, markers and uploads', async () => {
    const s3 = fixture.s3;
    const bucket = await fixture.newBucket();
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const key of ['tmp/x', 'logs/a', 'ver/k', 'ver/k', 'gone/k']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    // gone/k: a delete marker left alone once its object version is deleted (only on a backend that keeps markers).
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone/k' }));
    if (marker.DeleteMarker === true) {
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'gone/' }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone/k', VersionId: versions.Versions![0].VersionId }));
    }
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'up/abandoned' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'logs/upload' }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 2 } },
            { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 5 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
            { ID: 'ver', Status: 'Enabled', Filter: { Prefix: 'ver/' }, NoncurrentVersionExpiration: { NoncurrentDays: 2 } },
            { ID: 'gone', Status: 'Enabled', Filter: { Prefix: 'gone/' }, Expiration: { ExpiredObjectDeleteMarker: true } },
            { ID: 'up', Status: 'Enabled', Filter: { Prefix: 'up/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
            { ID: 'later', Status: 'Enabled', Filter: { Prefix: 'logs/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 4 } },
          ],
        },
      }),
    );
    const embedded = e2eBackend() === 'embedded';
    // What a user sees once the passes are done: AIS keeps no older versions and no markers, so only the
    // current-object, marker-free and upload rules show there.
    const expectedVersions = embedded
      ? ['logs/a latest version', 'tmp/x latest marker', 'tmp/x noncurrent version', 'ver/k latest version']
      : ['logs/a latest version', 'ver/k latest version'];
    expect(await eventually(async () => JSON.stringify(await versionsOf(s3, bucket)) === JSON.stringify(expectedVersions), 20_000)).toBe(true);
    expect(await eventually(async () => (await uploadKeysOf(s3, bucket)).length === 1, 20_000)).toBe(true);
    expect(await keysOf(s3, bucket)).toEqual(['logs/a', 'ver/k']);
    expect(await uploadKeysOf(s3, bucket)).toEqual(['logs/upload']);
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ver/k' }));
    expect(await body.Body!.transformToString()).toBe('ver/k');
    expect(await actionsCounted([fixture.gateway], 'expire_current')).toBe(1);
    expect(await actionsCounted([fixture.gateway], 'abort_upload')).toBe(1);
    expect(await actionsCounted([fixture.gateway], 'expire_noncurrent')).toBe(embedded ? 1 : 0);
    expect(await actionsCounted([fixture.gateway], 'remove_expired_marker')).toBe(embedded ? 1 : 0);
  });
});

describe('two gateway processes running lifecycle passes over one store at once', () => {
  const PASSES = { LIFECYCLE_INTERVAL_MS: '150' };
  const fixture = useGateway(PASSES);
  let second: RunningGateway | undefined;

  beforeAll(async () => {
    second = await startGateway(PASSES, { dataDir: fixture.gateway.dataDir });
  });

  afterAll(async () => {
    await second?.stop();
  });

  it('expire each object once: in a versioned bucket every expired key gets exactly one delete marker', async () => {
    const s3 = fixture.s3;
    const bucket = await fixture.newBucket();
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const keys = Array.from({ length: 40 }, (_, i) => `old/${String(i).padStart(2, '0')}`);
    for (const key of [...keys, 'kept']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [{ ID: 'old', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } }],
        },
      }),
    );
    expect(await eventually(async () => JSON.stringify(await keysOf(s3, bucket)) === '["kept"]', 20_000)).toBe(true);
    // Let both processes make a few more passes over the expired keys: none may add a second marker.
    const settledPasses = async () => {
      const before = await actionsCounted([fixture.gateway, second!], 'expire_current');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return before === (await actionsCounted([fixture.gateway, second!], 'expire_current'));
    };
    expect(await eventually(settledPasses, 20_000)).toBe(true);
    const versions = await versionsOf(s3, bucket);
    const expired = e2eBackend() === 'embedded' ? keys.flatMap((key) => [`${key} latest marker`, `${key} noncurrent version`]) : []; // AIS deletes the object
    expect(versions).toEqual([...expired, 'kept latest version'].sort());
    // Embedded: of two processes' deletes of one version, the conditional one that comes second finds a marker and
    // is not counted. AIS (no conditional delete without AIS_SINGLE_WRITER): both may check, delete and count it.
    const counted = await actionsCounted([fixture.gateway, second!], 'expire_current');
    if (e2eBackend() === 'embedded') expect(counted).toBe(keys.length);
    else expect(counted).toBeGreaterThanOrEqual(keys.length);
  });
});

describe('lifecycle passes racing overwrites of the keys they expire', () => {
  // Embedded: two processes pass at once while a client writes. AIS: one process, with AIS_SINGLE_WRITER=true, the
  // only setting in which AIS can check an ETag and delete in one step (README, "Lifecycle").
  const embedded = e2eBackend() === 'embedded';
  const PASSES = { LIFECYCLE_INTERVAL_MS: '50', ...(embedded ? {} : { AIS_SINGLE_WRITER: 'true' }) };
  const fixture = useGateway(PASSES);
  let second: RunningGateway | undefined;

  beforeAll(async () => {
    if (embedded) second = await startGateway(PASSES, { dataDir: fixture.gateway.dataDir });
  });

  afterAll(async () => {
    await second?.stop();
  });

  it('never expire a newer write than the version they evaluated: a small overwrite of an expiring large object survives', async () => {
    const s3 = fixture.s3;
    const bucket = await fixture.newBucket();
    // The rule selects only objects over 100 bytes: every large write is due at once, no small one ever is.
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [{ ID: 'large', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 100 }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } }],
        },
      }),
    );
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const rounds = 25;
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        keys.map(async (key) => {
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${key}:${round}:`.padEnd(200, 'L') }));
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${key}:${round}:small` }));
        }),
      );
    }
    const expired = async () => (await actionsCounted(second === undefined ? [fixture.gateway] : [fixture.gateway, second], 'expire_current')) > 0;
    // The race was run: passes expired large objects while the writes went on.
    expect(await expired()).toBe(true);
    // Every key keeps its last write, the small one, after the passes have gone on a while longer.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const key of keys) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body!.transformToString()).toBe(`${key}:${rounds - 1}:small`);
    }
  });
});
