import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EmbeddedStore } from '../ais/embedded/embedded-store';
import type { IncomingBody, ObjectAttributes } from '../ais/store';
import type { LifecycleRule } from '../lifecycle/lifecycle-configuration';
import { LifecycleWorker } from '../lifecycle/lifecycle-worker';

const DAY = 86_400_000;

function bodyOf(text: string): IncomingBody {
  const bytes = Buffer.from(text);
  return {
    stream: Readable.from([bytes]),
    verify: () => Promise.resolve({ size: bytes.length, md5Hex: createHash('md5').update(bytes).digest('hex'), checksums: {} }),
  };
}

/** The lifecycle worker (src/lifecycle) never removes a version Object Lock protects: S3's rule, over a real embedded store. */
describe('LifecycleWorker and Object Lock', () => {
  let dataDir: string;
  let store: EmbeddedStore;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-lifecycle-lock-'));
    store = new EmbeddedStore({ dataDir, inlineMaxBytes: 16, fsync: false });
    await store.open();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps noncurrent versions under legal hold or retention, removes the free one, and expires the current one with a marker', async () => {
    await store.createBucket('locked', '');
    await store.putBucketVersioning('locked', 'Enabled');
    const held: ObjectAttributes = { content: {}, userMetadata: {}, lock: { legalHold: true } };
    const retained: ObjectAttributes = { content: {}, userMetadata: {}, lock: { mode: 'COMPLIANCE', retainUntil: Date.now() + 365 * DAY } };
    const plain: ObjectAttributes = { content: {}, userMetadata: {} };
    const v1 = await store.putObject('locked', 'k', held, bodyOf('held'));
    const v2 = await store.putObject('locked', 'k', retained, bodyOf('retained'));
    const v3 = await store.putObject('locked', 'k', plain, bodyOf('free'));
    await store.putObject('locked', 'k', retained, bodyOf('current'));
    const rules: LifecycleRule[] = [
      { id: 'all', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { days: 1 }, noncurrentVersionExpiration: { noncurrentDays: 1 } },
    ];
    await store.putBucketSetting('locked', 'lifecycle', rules);
    const report = await new LifecycleWorker(store).runPass(new Date(Date.now() + 3 * DAY));
    expect(report.failed).toBe(0);
    const left = (await store.listObjectVersions('locked', { prefix: '', maxKeys: 100 })).versions;
    const ids = left.filter((entry) => !entry.deleteMarker).map((entry) => entry.versionId);
    expect(ids).toContain(v1.versionId);
    expect(ids).toContain(v2.versionId);
    expect(ids).not.toContain(v3.versionId);
    // The current version (retained) got a delete marker over it, which S3 allows: no version was removed for it.
    expect(left[0]).toMatchObject({ deleteMarker: true, isLatest: true });
  });
});
