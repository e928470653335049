import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BucketVersioningStatus,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3ClientWithChecksums, useGateway } from './support/fixture';
import { startGateway } from './support/gateway';
import { etagOf, expectNoSuchKey, expectObjectBytes, getObject, storeState, utf8Order } from './support/objects';
import { expectS3Error } from './support/s3-errors';

describe('versioning through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });

  const setVersioning = (bucket: string, status: string) =>
    s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status as BucketVersioningStatus } }));
  const versioningOf = async (bucket: string) => (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
  const put = (bucket: string, key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const putKeys = async (bucket: string, keys: readonly string[]) => {
    for (const key of keys) await put(bucket, key, `body of ${key}`);
  };

  describe('bucket versioning configuration', () => {
    it('reports no Status for a bucket whose versioning was never configured', async () => {
      const bucket = await fixture.newBucket();
      const output = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      expect(output.$metadata.httpStatusCode).toBe(200);
      expect(output.Status).toBeUndefined();
      expect(output.MFADelete).toBeUndefined();
    });

    it('enables and then suspends versioning, reporting each state', async () => {
      const bucket = await fixture.newBucket();
      await setVersioning(bucket, 'Enabled');
      expect(await versioningOf(bucket)).toBe('Enabled');
      await setVersioning(bucket, 'Suspended');
      expect(await versioningOf(bucket)).toBe('Suspended');
    });

    it('refuses a configuration with an unknown Status with MalformedXML, keeping the setting', async () => {
      const bucket = await fixture.newBucket();
      await setVersioning(bucket, 'Enabled');
      await expectS3Error(setVersioning(bucket, 'Sometimes'), 'MalformedXML', 400);
      expect(await versioningOf(bucket)).toBe('Enabled');
    });

    it('answers NoSuchBucket for the versioning of a bucket that does not exist', async () => {
      await expectS3Error(s3.send(new GetBucketVersioningCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
      await expectS3Error(setVersioning('no-such-bucket', 'Enabled'), 'NoSuchBucket', 404);
    });

    it('keeps the versioning setting of each bucket, and its objects, across a gateway restart', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-e2e-restart-'));
      /** One gateway run on the shared data directory: started, used, stopped. */
      const runGateway = async (use: (client: S3Client) => Promise<void>) => {
        const gateway = await startGateway({}, { dataDir });
        const client = s3ClientWithChecksums(gateway.endpoint);
        try {
          await use(client);
        } finally {
          client.destroy();
          await gateway.stop();
        }
      };
      try {
        await runGateway(async (client) => {
          for (const bucket of ['enabled-bucket', 'suspended-bucket', 'plain-bucket']) await client.send(new CreateBucketCommand({ Bucket: bucket }));
          await client.send(new PutBucketVersioningCommand({ Bucket: 'enabled-bucket', VersioningConfiguration: { Status: 'Enabled' } }));
          await client.send(new PutBucketVersioningCommand({ Bucket: 'suspended-bucket', VersioningConfiguration: { Status: 'Enabled' } }));
          await client.send(new PutBucketVersioningCommand({ Bucket: 'suspended-bucket', VersioningConfiguration: { Status: 'Suspended' } }));
          await client.send(new PutObjectCommand({ Bucket: 'enabled-bucket', Key: 'k', Body: 'survives' }));
        });
        await runGateway(async (client) => {
          const status = async (bucket: string) => (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
          expect(await status('enabled-bucket')).toBe('Enabled');
          expect(await status('suspended-bucket')).toBe('Suspended');
          expect(await status('plain-bucket')).toBeUndefined();
          await expectObjectBytes(client, 'enabled-bucket', 'k', 'survives');
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('object versions', () => {
    it('returns a VersionId for each PutObject in a versioning-enabled bucket, and GET and HEAD return it', async () => {
      const bucket = await fixture.newBucket();
      await setVersioning(bucket, 'Enabled');
      const first = await put(bucket, 'k', 'one');
      const second = await put(bucket, 'k', 'two');
      expect(first.VersionId).toMatch(/^[A-Za-z0-9._-]{16,}$/);
      expect(second.VersionId).toMatch(/^[A-Za-z0-9._-]{16,}$/);
      expect(second.VersionId).not.toBe(first.VersionId);
      const read = await getObject(s3, { Bucket: bucket, Key: 'k' });
      expect(read.VersionId).toBe(second.VersionId);
      expect(read.bytes.toString()).toBe('two');
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId).toBe(second.VersionId);
      const byVersion = await getObject(s3, { Bucket: bucket, Key: 'k', VersionId: second.VersionId });
      expect(byVersion.bytes.toString()).toBe('two');
    });

    it('returns no VersionId for PutObject in a bucket that never had versioning', async () => {
      const bucket = await fixture.newBucket();
      const written = await put(bucket, 'k', 'plain');
      expect(written.VersionId).toBeUndefined();
      expect((await getObject(s3, { Bucket: bucket, Key: 'k' })).VersionId).toBeUndefined();
    });

    it('writes null versions again once versioning is suspended', async () => {
      const bucket = await fixture.newBucket();
      await setVersioning(bucket, 'Enabled');
      await put(bucket, 'k', 'versioned');
      await setVersioning(bucket, 'Suspended');
      const written = await put(bucket, 'k', 'suspended');
      expect(written.VersionId ?? 'null').toBe('null');
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      const latest = listed.Versions?.filter((version) => version.IsLatest === true);
      expect(latest?.map((version) => [version.Key, version.VersionId])).toEqual([['k', 'null']]);
      expect((await getObject(s3, { Bucket: bucket, Key: 'k', VersionId: 'null' })).bytes.toString()).toBe('suspended');
    });

    it('reads version null with GetObject and HeadObject', async () => {
      const bucket = await fixture.newBucket();
      await put(bucket, 'k', 'plain');
      const read = await getObject(s3, { Bucket: bucket, Key: 'k', VersionId: 'null' });
      expect(read.bytes.toString()).toBe('plain');
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', VersionId: 'null' }))).ETag).toBe(etagOf('plain'));
    });

    it('answers NoSuchVersion for a version the object does not have, leaving the object intact', async () => {
      const bucket = await fixture.newBucket();
      await put(bucket, 'k', 'plain');
      // A version id of the gateway's own making, of another object: well-formed, but not one this object has.
      const elsewhere = await fixture.newBucket();
      await setVersioning(elsewhere, 'Enabled');
      const foreign = (await put(elsewhere, 'k', 'other')).VersionId!;
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: foreign }), 'NoSuchVersion', 404);
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: 'not a version id' }), 'InvalidArgument', 400);
      await expectObjectBytes(s3, bucket, 'k', 'plain');
    });
  });

  describe('ListObjectVersions', () => {
    it('lists keys written unversioned as version null, IsLatest, with ETag, size and owner', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['b', 'a/1', 'c']);
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(listed.IsTruncated).toBe(false);
      expect(listed.Versions?.map((version) => version.Key)).toEqual(['a/1', 'b', 'c']);
      for (const version of listed.Versions ?? []) {
        expect(version).toMatchObject({ VersionId: 'null', IsLatest: true, ETag: etagOf(`body of ${version.Key}`), Size: `body of ${version.Key}`.length });
        expect(version.LastModified).toBeInstanceOf(Date);
        expect(version.Owner?.ID).toBeTruthy();
      }
      expect(listed.DeleteMarkers ?? []).toEqual([]);
    });

    it('lists the VersionId that PutObject returned in a versioning-enabled bucket', async () => {
      const bucket = await fixture.newBucket();
      await setVersioning(bucket, 'Enabled');
      const written = await put(bucket, 'k', 'v');
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(listed.Versions).toEqual([expect.objectContaining({ Key: 'k', VersionId: written.VersionId, IsLatest: true })]);
    });

    it('pages with KeyMarker, VersionIdMarker and MaxKeys, truncating at every page edge', async () => {
      const bucket = await fixture.newBucket();
      const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
      await putKeys(bucket, keys);
      const pages: string[][] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 2, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        pages.push((page.Versions ?? []).map((version) => version.Key!));
        expect(page.MaxKeys).toBe(2);
        if (!page.IsTruncated) break;
        expect(page.NextKeyMarker).toBe(pages.at(-1)!.at(-1));
        expect(page.NextVersionIdMarker).toBe('null');
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
      expect(pages).toEqual([['k1', 'k2'], ['k3', 'k4'], ['k5']]);
    });

    it('answers a page ending exactly at the last key as not truncated', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['k1', 'k2']);
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 2 }));
      expect(page.Versions?.map((version) => version.Key)).toEqual(['k1', 'k2']);
      expect(page.IsTruncated).toBe(false);
      expect(page.NextKeyMarker).toBeUndefined();
    });

    it('lists only keys under Prefix and rolls keys up into CommonPrefixes with Delimiter', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['photos/2024/a.jpg', 'photos/2025/b.jpg', 'photos/top.jpg', 'videos/c.mp4']);
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'photos/', Delimiter: '/' }));
      expect(listed.Versions?.map((version) => version.Key)).toEqual(['photos/top.jpg']);
      expect(listed.CommonPrefixes?.map((prefix) => prefix.Prefix)).toEqual(['photos/2024/', 'photos/2025/']);
      expect(listed.Prefix).toBe('photos/');
      expect(listed.Delimiter).toBe('/');
    });

    it('answers a malformed VersionIdMarker with 400 InvalidArgument, wherever its KeyMarker points', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['k']);
      for (const KeyMarker of ['k', 'beyond-every-key']) {
        await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker: 'not a version id' })), 'InvalidArgument', 400);
      }
    });

    it('answers NoSuchBucket for a bucket that does not exist', async () => {
      await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
    });
  });

  describe('deleting versions', () => {
    it('deletes an object with DeleteObject naming VersionId null', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['k', 'keep']);
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: 'null' }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      expect(deleted.VersionId).toBe('null');
      await expectNoSuchKey(s3, bucket, 'k');
      expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(['keep']);
    });

    it('deletes a versioned object with DeleteObject naming its VersionId', async () => {
      const bucket = await fixture.newBucket();
      await setVersioning(bucket, 'Enabled');
      const written = await put(bucket, 'k', 'versioned');
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: written.VersionId }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      expect(deleted.VersionId).toBe(written.VersionId);
      await expectNoSuchKey(s3, bucket, 'k');
    });

    it('deletes with DeleteObjects naming VersionId null and reports the version deleted', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['a', 'b', 'keep']);
      const output = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: {
            Objects: [
              { Key: 'a', VersionId: 'null' },
              { Key: 'b', VersionId: 'null' },
            ],
          },
        }),
      );
      expect(output.Deleted).toEqual([expect.objectContaining({ Key: 'a', VersionId: 'null' }), expect.objectContaining({ Key: 'b', VersionId: 'null' })]);
      expect(output.Errors ?? []).toEqual([]);
      expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(['keep']);
    });

    it('refuses BypassGovernanceRetention on DeleteObject in a bucket without Object Lock (as S3), and ignores it on DeleteObjects', async () => {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, ['a', 'b']);
      await expectS3Error(
        s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a', VersionId: 'null', BypassGovernanceRetention: true })),
        'InvalidArgument',
        400,
      );
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a', VersionId: 'null' }));
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'b', VersionId: 'null' }] } }));
      expect(await storeState(s3, bucket)).toEqual([]);
    });
  });

  describe('emptying a bucket the way cleanup scripts do', () => {
    const KEYS = ['plain-1', 'dir/plain-2', 'dir/sub/plain 3', 'a&amp;b', '<tag>', 'ü-unicode'];
    const VERSIONED_KEYS = ['versioned-1', 'dir/versioned-2', 'plain-1'];

    /** A bucket holding null versions, then real versions written after versioning was enabled. */
    async function populatedBucket(): Promise<string> {
      const bucket = await fixture.newBucket();
      await putKeys(bucket, KEYS);
      await setVersioning(bucket, 'Enabled');
      await putKeys(bucket, VERSIONED_KEYS);
      return bucket;
    }

    /** The listing loop of such scripts: the SDK has no paginator for ListObjectVersions (it pages on two markers). */
    async function* versionPages(bucket: string, maxKeys: number): AsyncGenerator<ListObjectVersionsCommandOutput> {
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: maxKeys, KeyMarker, VersionIdMarker }));
        yield page;
        if (!page.IsTruncated) return;
        ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
      }
    }

    async function expectBucketGone(bucket: string): Promise<void> {
      await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
    }

    it('lists every version, deletes each with DeleteObject and its VersionId, then deletes the bucket', async () => {
      const bucket = await populatedBucket();
      const seen: string[] = [];
      for await (const page of versionPages(bucket, 2)) {
        for (const version of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
          seen.push(version.Key!);
          await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: version.Key, VersionId: version.VersionId }));
        }
      }
      // Each key once, in order (on the embedded store, plain-1 lists its two versions one after the other).
      expect([...new Set(seen)]).toEqual(utf8Order([...new Set([...KEYS, ...VERSIONED_KEYS])]));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      await expectBucketGone(bucket);
    });

    it('lists every version, deletes each page with DeleteObjects and the VersionIds, then deletes the bucket', async () => {
      const bucket = await populatedBucket();
      for await (const page of versionPages(bucket, 4)) {
        const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(({ Key, VersionId }) => ({ Key, VersionId }));
        if (objects.length === 0) continue;
        const output = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
        expect(output.Errors ?? []).toEqual([]);
      }
      expect((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions ?? []).toEqual([]);
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      await expectBucketGone(bucket);
    });
  });
});
