import { DeleteObjectCommand, GetObjectTaggingCommand, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { ClusterStore } from '../src/ais/cluster/cluster-store';
import { UPLOADS_BUCKET } from '../src/ais/cluster/upload-names';
import { AisNativeApi } from './support/ais-cluster';
import { E2E_AIS_ENDPOINT } from './support/backend';
import { useGateway } from './support/fixture';

/**
 * On AIS an object's tags are a sidecar object in the gateway's bucket (README, "tagging" on AIS). Overwrites and
 * deletes leave the old sidecar behind; the hourly system-bucket sweep of every replica deletes those no object refers
 * to once they are a day old. The sweep runs here in-process against the suite's AIS with its clock moved.
 */
describe('tag sidecars on AIS: the sweep deletes those no object refers to, and only those', () => {
  const fixture = useGateway();
  const ais = new AisNativeApi(E2E_AIS_ENDPOINT);
  const sidecars = async () => (await ais.objectNames(UPLOADS_BUCKET)).filter((name) => name.startsWith('object-tags/')).length;
  const DAY_MS = 86_400_000;

  it('keeps the tags of live objects and drops the sidecars of overwritten and deleted ones, once a day old', async () => {
    const s3 = fixture.s3;
    const bucket = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'k', Tagging: 'a=1' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/overwritten', Body: 'o', Tagging: 'b=2' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/overwritten', Body: 'o2', Tagging: 'c=3' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'deleted', Body: 'd', Tagging: 'd=4' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'deleted' }));
    // PutObjectTagging deletes the sidecar it replaces itself.
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'kept', Tagging: { TagSet: [{ Key: 'a', Value: '2' }] } }));
    expect(await sidecars()).toBe(4);

    const store = new ClusterStore({ endpoint: E2E_AIS_ENDPOINT, timeoutMs: 10_000, retries: 1 }, {}, { sweepIntervalMs: DAY_MS });
    try {
      // Young sidecars are left alone (one may belong to a write still under way).
      expect(await store.sweepTagSidecars(Date.now())).toBe(0);
      expect(await sidecars()).toBe(4);
      expect(await store.sweepTagSidecars(Date.now() + 2 * DAY_MS)).toBe(2);
      expect(await sidecars()).toBe(2);
      expect(await store.sweepTagSidecars(Date.now() + 2 * DAY_MS)).toBe(0);
    } finally {
      await store.close();
    }
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'kept' }))).TagSet).toEqual([{ Key: 'a', Value: '2' }]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'dir/overwritten' }))).TagSet).toEqual([{ Key: 'c', Value: '3' }]);
  });
});
