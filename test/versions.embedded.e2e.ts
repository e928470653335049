import {
  type BucketVersioningStatus,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { etagOf, expectNoSuchKey, getObject, storeState } from './support/objects';
import { rawRequest } from './support/raw-http';
import { listedVersions, s3PathOf } from './support/versions';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

describe('every version kept, on the embedded store (@aws-sdk/client-s3)', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });

  const setVersioning = (bucket: string, status: BucketVersioningStatus) =>
    s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }));
  const put = async (bucket: string, key: string, body: string) => (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId;
  const read = async (bucket: string, key: string, versionId?: string) =>
    (await getObject(s3, { Bucket: bucket, Key: key, VersionId: versionId })).bytes.toString();
  const versionedBucket = async () => {
    const bucket = await fixture.newBucket();
    await setVersioning(bucket, 'Enabled');
    return bucket;
  };

  const versionsListed = (bucket: string, maxKeys?: number, prefix?: string) => listedVersions(fixture.gateway, bucket, maxKeys, prefix);

  describe('a versioning-enabled bucket', () => {
    it('keeps every PUT as a version: each readable by its id, listed newest first, the newest latest', async () => {
      const bucket = await versionedBucket();
      const ids = [await put(bucket, 'k', 'one'), await put(bucket, 'k', 'two'), await put(bucket, 'k', 'three')];
      expect(new Set(ids).size).toBe(3);
      expect(await read(bucket, 'k')).toBe('three');
      expect([await read(bucket, 'k', ids[0]), await read(bucket, 'k', ids[1]), await read(bucket, 'k', ids[2])]).toEqual(['one', 'two', 'three']);
      expect(await versionsListed(bucket)).toEqual([
        { key: 'k', versionId: ids[2], latest: true, marker: false },
        { key: 'k', versionId: ids[1], latest: false, marker: false },
        { key: 'k', versionId: ids[0], latest: false, marker: false },
      ]);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', VersionId: ids[0] }));
      expect({ etag: head.ETag, version: head.VersionId, length: head.ContentLength }).toEqual({ etag: etagOf('one'), version: ids[0], length: 3 });
    });

    it('makes DELETE without a version id a delete marker: GET and HEAD 404 with x-amz-delete-marker, the key leaves ListObjects', async () => {
      const bucket = await versionedBucket();
      const written = await put(bucket, 'k', 'kept');
      await put(bucket, 'other', 'stays');
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      expect(deleted.DeleteMarker).toBe(true);
      expect(deleted.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await expectNoSuchKey(s3, bucket, 'k');
      for (const method of ['GET', 'HEAD']) {
        const answer = await rawRequest(fixture.gateway.origin, { method, path: `${s3PathOf(fixture.gateway)}/${bucket}/k` });
        expect({ status: answer.status, marker: answer.headers['x-amz-delete-marker'], version: answer.headers['x-amz-version-id'] }).toEqual({
          status: 404,
          marker: 'true',
          version: deleted.VersionId,
        });
      }
      expect((await storeState(s3, bucket)).map((object) => object.key)).toEqual(['other']);
      expect(await read(bucket, 'k', written)).toBe('kept');
      expect(await versionsListed(bucket)).toEqual([
        { key: 'k', versionId: deleted.VersionId, latest: true, marker: true },
        { key: 'k', versionId: written, latest: false, marker: false },
        { key: 'other', versionId: expect.any(String) as string, latest: true, marker: false },
      ]);
    });

    it('answers 405 MethodNotAllowed for a delete marker asked for by its version id, on GET and HEAD', async () => {
      const bucket = await versionedBucket();
      await put(bucket, 'k', 'body');
      const marker = (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;
      const get = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `${s3PathOf(fixture.gateway)}/${bucket}/k?versionId=${marker}` });
      expectS3ErrorResponse(get, 'MethodNotAllowed', 405);
      expect(get.headers['x-amz-delete-marker']).toBe('true');
      expect(get.headers['last-modified']).toBeDefined();
      const head = await rawRequest(fixture.gateway.origin, { method: 'HEAD', path: `${s3PathOf(fixture.gateway)}/${bucket}/k?versionId=${marker}` });
      expect({ status: head.status, marker: head.headers['x-amz-delete-marker'] }).toEqual({ status: 405, marker: 'true' });
    });

    it('removes a delete marker for good when it is deleted by version id: the object is back', async () => {
      const bucket = await versionedBucket();
      await put(bucket, 'k', 'back');
      const marker = (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;
      const removed = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: marker }));
      expect({ marker: removed.DeleteMarker, version: removed.VersionId }).toEqual({ marker: true, version: marker });
      expect(await read(bucket, 'k')).toBe('back');
      expect((await versionsListed(bucket)).map((entry) => [entry.marker, entry.latest])).toEqual([[false, true]]);
    });

    it('makes the next newest version latest when the latest is deleted by version id', async () => {
      const bucket = await versionedBucket();
      const first = await put(bucket, 'k', 'first');
      const second = await put(bucket, 'k', 'second');
      const removed = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: second }));
      expect({ marker: removed.DeleteMarker, version: removed.VersionId }).toEqual({ marker: undefined, version: second });
      expect(await read(bucket, 'k')).toBe('first');
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId).toBe(first);
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: second }), 'NoSuchVersion', 404);
      expect(await versionsListed(bucket)).toEqual([{ key: 'k', versionId: first, latest: true, marker: false }]);
    });

    it('adds a version for CopyObject and CompleteMultipartUpload, and restores an old version by copying it onto its key', async () => {
      const bucket = await versionedBucket();
      const old = await put(bucket, 'k', 'old');
      await put(bucket, 'k', 'new');
      const restored = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'k', CopySource: `${bucket}/k?versionId=${old}` }));
      expect(restored.CopySourceVersionId).toBe(old);
      expect(restored.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await read(bucket, 'k')).toBe('old');
      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId: upload.UploadId, PartNumber: 1, Body: 'multipart' }));
      const completed = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'k',
          UploadId: upload.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      expect(await read(bucket, 'k')).toBe('multipart');
      const versions = await versionsListed(bucket);
      expect(versions.map((entry) => entry.versionId)).toEqual([completed.VersionId, restored.VersionId, expect.any(String), old]);
      expect(await read(bucket, 'k', restored.VersionId)).toBe('old');
    });

    it('refuses to copy from a delete marker: 400 by its version id, 404 NoSuchKey when it is the latest', async () => {
      const bucket = await versionedBucket();
      await put(bucket, 'src', 'body');
      const marker = (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'src' }))).VersionId!;
      await expectS3Error(
        s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src?versionId=${marker}` })),
        'InvalidRequest',
        400,
      );
      await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src` })), 'NoSuchKey', 404);
      expect(await storeState(s3, bucket)).toEqual([]);
    });

    it('answers a malformed version id with 400 InvalidArgument and an unknown one with 404 NoSuchVersion', async () => {
      const bucket = await versionedBucket();
      await put(bucket, 'k', 'body');
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: 'not-a-version' }), 'InvalidArgument', 400);
      await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: 'not-a-version' })), 'InvalidArgument', 400);
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: 'A'.repeat(32) }), 'NoSuchVersion', 404);
      const unknown = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: 'A'.repeat(32) }));
      expect(unknown.$metadata.httpStatusCode).toBe(204);
      expect(await read(bucket, 'k')).toBe('body');
    });

    it('keeps a version for each of many concurrent writers to one key, none lost', async () => {
      const bucket = await versionedBucket();
      const bodies = Array.from({ length: 24 }, (_, index) => `writer ${index}`);
      const ids = await Promise.all(bodies.map((body) => put(bucket, 'hot', body)));
      expect(new Set(ids).size).toBe(bodies.length);
      const versions = await versionsListed(bucket, 5);
      expect(new Set(versions.map((entry) => entry.versionId))).toEqual(new Set(ids));
      expect(versions.filter((entry) => entry.latest)).toHaveLength(1);
      for (const [index, id] of ids.entries()) expect(await read(bucket, 'hot', id)).toBe(bodies[index]);
      expect(await read(bucket, 'hot')).toBe(bodies[ids.indexOf(versions[0].versionId)]);
    });

    it('leaves a history S3 could have produced when DELETEs and PUTs of one key race', async () => {
      const bucket = await versionedBucket();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          index % 2 === 0
            ? put(bucket, 'k', `put ${index}`).then((id) => ({ id, marker: false }))
            : s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' })).then((answer) => ({ id: answer.VersionId, marker: true })),
        ),
      );
      const versions = await versionsListed(bucket);
      expect(new Set(versions.map((entry) => `${entry.versionId}:${entry.marker}`))).toEqual(
        new Set(outcomes.map((outcome) => `${outcome.id}:${outcome.marker}`)),
      );
      const latest = versions[0];
      if (latest.marker) await expectNoSuchKey(s3, bucket, 'k');
      else expect(await read(bucket, 'k')).toBe(`put ${outcomes.findIndex((outcome) => outcome.id === latest.versionId)}`);
    });
  });

  describe('suspended versioning and objects written before versioning', () => {
    it('treats an object written before versioning as the null version, kept when new versions arrive', async () => {
      const bucket = await fixture.newBucket();
      await put(bucket, 'k', 'before');
      await setVersioning(bucket, 'Enabled');
      const after = await put(bucket, 'k', 'after');
      expect(await versionsListed(bucket)).toEqual([
        { key: 'k', versionId: after, latest: true, marker: false },
        { key: 'k', versionId: 'null', latest: false, marker: false },
      ]);
      expect(await read(bucket, 'k', 'null')).toBe('before');
    });

    it('replaces only the null version while suspended, keeps the others, and deletes with a null marker', async () => {
      const bucket = await fixture.newBucket();
      await put(bucket, 'k', 'null one');
      await setVersioning(bucket, 'Enabled');
      const kept = await put(bucket, 'k', 'versioned');
      await setVersioning(bucket, 'Suspended');
      expect(await put(bucket, 'k', 'null two')).toBeUndefined();
      expect(await versionsListed(bucket)).toEqual([
        { key: 'k', versionId: 'null', latest: true, marker: false },
        { key: 'k', versionId: kept, latest: false, marker: false },
      ]);
      expect(await read(bucket, 'k', 'null')).toBe('null two');
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
      expect({ marker: deleted.DeleteMarker, version: deleted.VersionId }).toEqual({ marker: true, version: 'null' });
      expect(await versionsListed(bucket)).toEqual([
        { key: 'k', versionId: 'null', latest: true, marker: true },
        { key: 'k', versionId: kept, latest: false, marker: false },
      ]);
      expect(await read(bucket, 'k', kept)).toBe('versioned');
    });
  });

  describe('ListObjectVersions paging', () => {
    /** a: 3 versions under a marker, b/1 and b/2: one each, c: one marker over one version. */
    async function bucketWithHistory(): Promise<string> {
      const bucket = await versionedBucket();
      for (const body of ['a1', 'a2', 'a3']) await put(bucket, 'a', body);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a' }));
      await put(bucket, 'b/1', 'b1');
      await put(bucket, 'b/2', 'b2');
      await put(bucket, 'c', 'c1');
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'c' }));
      return bucket;
    }

    it('gives the same versions in the same order at every page size, pages ending inside one key included', async () => {
      const bucket = await bucketWithHistory();
      const whole = await versionsListed(bucket);
      expect(whole.map((entry) => `${entry.key}${entry.marker ? ' marker' : ''}${entry.latest ? ' latest' : ''}`)).toEqual([
        'a marker latest',
        'a',
        'a',
        'a',
        'b/1 latest',
        'b/2 latest',
        'c marker latest',
        'c',
      ]);
      for (const maxKeys of [1, 2, 3, 5, 7]) expect(await versionsListed(bucket, maxKeys)).toEqual(whole);
      expect(await versionsListed(bucket, 2, 'b')).toEqual(whole.filter((entry) => entry.key.startsWith('b')));
    });

    it('rolls keys up into CommonPrefixes, counting each once against MaxKeys', async () => {
      const bucket = await bucketWithHistory();
      const pages: ListObjectVersionsCommandOutput[] = [];
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 2, KeyMarker, VersionIdMarker }));
        pages.push(page);
        if (!page.IsTruncated) break;
        ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
      }
      const prefixes = pages.flatMap((page) => (page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix));
      const keys = pages.flatMap((page) => [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((entry) => entry.Key));
      expect(prefixes).toEqual(['b/']);
      expect(keys.sort()).toEqual(['a', 'a', 'a', 'a', 'c', 'c']);
      for (const page of pages)
        expect((page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(2);
    });

    it('shows ListObjectsV2 only keys whose latest version is an object', async () => {
      const bucket = await bucketWithHistory();
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(listed.Contents?.map((object) => [object.Key, object.ETag])).toEqual([
        ['b/1', etagOf('b1')],
        ['b/2', etagOf('b2')],
      ]);
    });
  });

  describe('DeleteObjects with versions', () => {
    it('answers each entry with VersionId, DeleteMarker and DeleteMarkerVersionId as S3 does', async () => {
      const bucket = await versionedBucket();
      const plain = await put(bucket, 'plain', 'p');
      await put(bucket, 'marked', 'm');
      const marker = (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'marked' }))).VersionId!;
      await put(bucket, 'live', 'l');
      const output = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: [{ Key: 'plain', VersionId: plain }, { Key: 'marked', VersionId: marker }, { Key: 'live' }] },
        }),
      );
      expect(output.Errors ?? []).toEqual([]);
      const byKey = new Map(output.Deleted?.map((entry) => [entry.Key, entry]));
      expect(byKey.get('plain')).toEqual({ Key: 'plain', VersionId: plain });
      expect(byKey.get('marked')).toEqual({ Key: 'marked', VersionId: marker, DeleteMarker: true, DeleteMarkerVersionId: marker });
      expect(byKey.get('live')).toEqual({ Key: 'live', DeleteMarker: true, DeleteMarkerVersionId: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) as string });
      expect(await read(bucket, 'marked')).toBe('m');
      await expectNoSuchKey(s3, bucket, 'live');
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'plain', VersionId: plain }), 'NoSuchVersion', 404);
    });

    it('deletes an entry only while its ETag matches, answering PreconditionFailed for that entry otherwise', async () => {
      const bucket = await fixture.newBucket();
      await put(bucket, 'match', 'm');
      await put(bucket, 'stale', 's');
      const output = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: {
            Objects: [
              { Key: 'match', ETag: etagOf('m') },
              { Key: 'stale', ETag: etagOf('something else') },
            ],
          },
        }),
      );
      expect(output.Deleted?.map((entry) => entry.Key)).toEqual(['match']);
      expect(output.Errors?.map((entry) => [entry.Key, entry.Code])).toEqual([['stale', 'PreconditionFailed']]);
      expect((await storeState(s3, bucket)).map((object) => object.key)).toEqual(['stale']);
    });
  });

  it('keeps a bucket holding only delete markers or past versions from being deleted (BucketNotEmpty)', async () => {
    const bucket = await versionedBucket();
    const version = await put(bucket, 'k', 'body');
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: version }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: marker }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });
});
