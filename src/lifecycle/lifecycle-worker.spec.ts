import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EmbeddedStore } from '../ais/embedded/embedded-store';
import type { IncomingBody, ObjectAttributes } from '../ais/store';
import type { LifecycleRule } from './lifecycle-configuration';
import { LifecycleWorker } from './lifecycle-worker';

const NO_ATTRIBUTES: ObjectAttributes = { content: {}, userMetadata: {} };
const DAY = 86_400_000;

function bodyOf(text: string): IncomingBody {
  const bytes = Buffer.from(text);
  return {
    stream: Readable.from([bytes]),
    verify: () => Promise.resolve({ size: bytes.length, md5Hex: createHash('md5').update(bytes).digest('hex'), checksums: {} }),
  };
}

/** The worker over a real embedded store (LMDB and blob files in a temporary directory); time moves by `now`. */
describe('LifecycleWorker on the embedded store', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  const acted: string[] = [];
  let worker: LifecycleWorker;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-lifecycle-'));
    store = new EmbeddedStore({ dataDir, inlineMaxBytes: 16, fsync: false });
    await store.open();
    acted.length = 0;
    worker = new LifecycleWorker(store, { acted: (action) => acted.push(action) });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const keys = async (bucket: string) => (await store.listObjects(bucket, { prefix: '', maxKeys: 1000 })).objects.map((o) => o.key);
  const versions = async (bucket: string) =>
    (await store.listObjectVersions(bucket, { prefix: '', maxKeys: 1000 })).versions.map((v) => `${v.key}:${v.deleteMarker ? 'marker' : 'version'}`);

  it('expires current objects under the rule, on the day S3 would, and is a no-op when run again', async () => {
    await store.createBucket('logs', '');
    await store.putObject('logs', 'tmp/a', NO_ATTRIBUTES, bodyOf('a'));
    await store.putObject('logs', 'tmp/b', NO_ATTRIBUTES, bodyOf('b'));
    await store.putObject('logs', 'keep/c', NO_ATTRIBUTES, bodyOf('c'));
    const rules: LifecycleRule[] = [{ id: 'tmp', enabled: true, filter: { prefix: 'tmp/', tags: [], form: 'prefix' }, expiration: { days: 1 } }];
    await store.putBucketSetting('logs', 'lifecycle', rules);
    expect((await worker.runPass(new Date(Date.now() + DAY / 2))).actions.expire_current).toBe(0);
    const report = await worker.runPass(new Date(Date.now() + 2 * DAY));
    expect(report).toMatchObject({ buckets: 1, failed: 0, budgetReached: false, actions: { expire_current: 2 } });
    expect(await keys('logs')).toEqual(['keep/c']);
    expect((await worker.runPass(new Date(Date.now() + 2 * DAY))).actions.expire_current).toBe(0);
    expect(acted).toEqual(['expire_current', 'expire_current']);
  });

  it('in a versioned bucket: expiring writes a delete marker, noncurrent versions go after their days, then the lone marker', async () => {
    await store.createBucket('ver', '');
    await store.putBucketVersioning('ver', 'Enabled');
    await store.putObject('ver', 'doc', NO_ATTRIBUTES, bodyOf('one'));
    await store.putObject('ver', 'doc', NO_ATTRIBUTES, bodyOf('two'));
    const rules: LifecycleRule[] = [
      { id: 'cur', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { days: 10 } },
      { id: 'nc', enabled: true, filter: { tags: [], form: 'empty' }, noncurrentVersionExpiration: { noncurrentDays: 1 } },
      { id: 'dm', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { expiredObjectDeleteMarker: true } },
    ];
    await store.putBucketSetting('ver', 'lifecycle', rules);
    // Day 3: 'one' is noncurrent since today: due after day 2 -> removed; 'two' stays current.
    await worker.runPass(new Date(Date.now() + 3 * DAY));
    expect(await versions('ver')).toEqual(['doc:version']);
    // Day 12: 'two' expires: a delete marker on top of it.
    await worker.runPass(new Date(Date.now() + 12 * DAY));
    expect(await versions('ver')).toEqual(['doc:marker', 'doc:version']);
    // Much later: 'two' (noncurrent) goes, and then the marker is alone and goes as well.
    await worker.runPass(new Date(Date.now() + 30 * DAY));
    expect(await versions('ver')).toEqual([]);
    expect(acted.sort()).toEqual(['expire_current', 'expire_noncurrent', 'expire_noncurrent', 'remove_expired_marker']);
  });

  it('does not expire an object overwritten after the pass listed it (a conditional delete of the version it evaluated)', async () => {
    await store.createBucket('race', '');
    await store.putObject('race', 'k', NO_ATTRIBUTES, bodyOf('old'));
    await store.putBucketSetting('race', 'lifecycle', [{ id: 'all', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { days: 1 } }]);
    const listed = store.listObjectVersions.bind(store);
    // The overwrite lands between the listing and the delete.
    jest.spyOn(store, 'listObjectVersions').mockImplementationOnce(async (bucket, request) => {
      const page = await listed(bucket, request);
      await store.putObject('race', 'k', NO_ATTRIBUTES, bodyOf('new'));
      return page;
    });
    const report = await worker.runPass(new Date(Date.now() + 5 * DAY));
    expect(report.actions.expire_current).toBe(0);
    expect((await store.headObject('race', 'k')).etag).toBe(createHash('md5').update('new').digest('hex'));
  });

  it('aborts incomplete multipart uploads after DaysAfterInitiation, only under the rule', async () => {
    await store.createBucket('mpu', '');
    const stale = await store.createMultipartUpload('mpu', 'tmp/big', NO_ATTRIBUTES);
    await store.createMultipartUpload('mpu', 'keep/big', NO_ATTRIBUTES);
    await store.putBucketSetting('mpu', 'lifecycle', [
      { id: 'abort', enabled: true, filter: { prefix: 'tmp/', tags: [], form: 'prefix' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
    ]);
    expect((await worker.runPass(new Date())).actions.abort_upload).toBe(0);
    expect((await worker.runPass(new Date(Date.now() + 3 * DAY))).actions.abort_upload).toBe(1);
    const left = await store.listMultipartUploads('mpu', { prefix: '', maxUploads: 100 });
    expect(left.uploads.map((u) => u.key)).toEqual(['keep/big']);
    expect(left.uploads.map((u) => u.uploadId)).not.toContain(stale.uploadId);
  });

  it('stops at its budget and goes on in the next pass; disabled rules do nothing', async () => {
    await store.createBucket('many', '');
    for (let i = 0; i < 5; i += 1) await store.putObject('many', `k${i}`, NO_ATTRIBUTES, bodyOf(String(i)));
    await store.putBucketSetting('many', 'lifecycle', [{ id: 'off', enabled: false, filter: { tags: [], form: 'empty' }, expiration: { days: 1 } }]);
    expect((await worker.runPass(new Date(Date.now() + 5 * DAY))).buckets).toBe(0);
    await store.putBucketSetting('many', 'lifecycle', [{ id: 'on', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { days: 1 } }]);
    const small = new LifecycleWorker(store, { maxActions: 3 });
    expect(await small.runPass(new Date(Date.now() + 5 * DAY))).toMatchObject({ budgetReached: true, actions: { expire_current: 3 } });
    expect(await keys('many')).toHaveLength(2);
    expect(await small.runPass(new Date(Date.now() + 5 * DAY))).toMatchObject({ budgetReached: false, actions: { expire_current: 2 } });
    expect(await keys('many')).toEqual([]);
  });

  it('selects by tags: a Tag filter expires only the objects that carry the tag', async () => {
    const tagged = new LifecycleWorker(store, {
      tagsOf: async (bucket, key, versionId) =>
        Object.fromEntries((await store.getObjectTagging(bucket, key, versionId)).tags.map((tag) => [tag.key, tag.value])),
    });
    await store.createBucket('tags', '');
    await store.putObject('tags', 'cold', NO_ATTRIBUTES, bodyOf('c'));
    await store.putObject('tags', 'hot', NO_ATTRIBUTES, bodyOf('h'));
    await store.putObjectTagging('tags', 'cold', undefined, [{ key: 'tier', value: 'cold' }]);
    await store.putObjectTagging('tags', 'hot', undefined, [{ key: 'tier', value: 'hot' }]);
    await store.putBucketSetting('tags', 'lifecycle', [
      { id: 'cold', enabled: true, filter: { tags: [{ key: 'tier', value: 'cold' }], form: 'tag' }, expiration: { days: 1 } },
    ]);
    expect((await tagged.runPass(new Date(Date.now() + 3 * DAY))).actions.expire_current).toBe(1);
    expect(await keys('tags')).toEqual(['hot']);
  });

  it('never removes a version Object Lock protects: keeps noncurrent versions under legal hold or retention, removes the free one, and expires the current one with a marker', async () => {
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
    const report = await worker.runPass(new Date(Date.now() + 3 * DAY));
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
