import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { AisNativeApi } from './support/ais-cluster';
import { devCluster } from './support/ais-global-setup';
import { E2E_AIS_ENDPOINT } from './support/backend';
import { checksumOf } from './support/checksums';
import { type ClientSandbox, clientSandbox, requireClient, runOk } from './support/clients';
import { eventually } from './support/data-dir';
import { AWS_CLI, useGateway } from './support/fixture';
import { stringMatching } from './support/matchers';
import { etagOf, expectObjectBytes, getObject, md5Hex, storeState, utf8Order } from './support/objects';
import { rawRequest, xmlText } from './support/raw-http';
import { bodylessErrorName, expectS3Error } from './support/s3-errors';

/**
 * The gateway with STORE=ais in front of a real AIStore cluster (aisnode v1.5.0, 1 proxy + 1 target on
 * loopback, from scripts/ais-dev-cluster.sh), driven by @aws-sdk/client-s3 and the aws CLI, and checked
 * through AIS's own REST API.
 */
describe('the gateway on a real AIS cluster (STORE=ais)', () => {
  const native = new AisNativeApi(E2E_AIS_ENDPOINT);
  const fixture = useGateway();

  it('a bucket made through S3 is an ordinary ais:// bucket: listed, headed, made again (200 in us-east-1), and gone after DeleteBucket', async () => {
    const { s3 } = fixture;
    await s3.send(new CreateBucketCommand({ Bucket: 'made-by-s3' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).toContain('made-by-s3');
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'made-by-s3' }))).$metadata.httpStatusCode).toBe(200);
    expect(await native.bucketNames()).toContain('made-by-s3');
    expect((await s3.send(new CreateBucketCommand({ Bucket: 'made-by-s3' }))).$metadata.httpStatusCode).toBe(200);
    expect(await native.bucketNames()).toContain('made-by-s3');

    await s3.send(new DeleteBucketCommand({ Bucket: 'made-by-s3' }));
    await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: 'made-by-s3' })), bodylessErrorName(404), 404);
    expect(await native.bucketNames()).not.toContain('made-by-s3');
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'made-by-s3' })), 'NoSuchBucket', 404);
  });

  it("notes a bucket's LocationConstraint in its AIS props; a bucket made with AIS's own API is in the gateway's region", async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    expect((await native.bucketProps(bucket)).extra?.custom).toBe('s3-location=');
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint ?? '').toBe('');

    await native.createBucket('made-by-ais', { extra: { custom: 'team=alpha' } });
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'made-by-ais' }))).LocationConstraint ?? '').toBe('');
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'made-by-ais' }))).BucketRegion).toBe('us-east-1');
    // Made again through S3: it is there already, so nothing about it changes (us-east-1 answers 200).
    expect((await s3.send(new CreateBucketCommand({ Bucket: 'made-by-ais' }))).$metadata.httpStatusCode).toBe(200);
    expect((await native.bucketProps('made-by-ais')).extra?.custom).toBe('team=alpha');
  });

  it('DeleteBucket of a bucket with objects is BucketNotEmpty and leaves every object in it', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep/me', Body: 'still here' }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'BucketNotEmpty', 409);
    await expectObjectBytes(s3, bucket, 'keep/me', 'still here');
    expect(await native.objectNames(bucket)).toEqual(['keep/me']);
  });

  it('an object written through AIS native API reads through S3, and one written through S3 reads through AIS', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    await native.putObject(bucket, 'native/written.txt', 'from ais', { 'x-amz-meta-origin': 'native', 'content-type': 'text/native' });
    const got = await getObject(s3, { Bucket: bucket, Key: 'native/written.txt' });
    expect({ text: got.bytes.toString(), etag: got.ETag, metadata: got.Metadata, type: got.ContentType }).toEqual({
      text: 'from ais',
      etag: etagOf('from ais'),
      metadata: { origin: 'native' },
      type: 'text/native',
    });

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/written.bin', Body: 'from s3' }));
    const read = await native.getObject(bucket, 's3/written.bin');
    expect({ status: read.status, body: read.body, md5: read.headers['ais-checksum-value'] }).toEqual({ status: 200, body: 'from s3', md5: md5Hex('from s3') });
    expect(await native.objectNames(bucket)).toEqual(['native/written.txt', 's3/written.bin']);
  });

  it("ETags are the MD5 of the bytes whoever hashes them: AIS in the gateway's buckets, the gateway in a bucket AIS checksums with xxhash", async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    const big = Buffer.alloc(300 * 1024, 'md5 by AIS ');
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-ais', Body: big }));
    expect({ etag: put.ETag, stored: (await native.getObject(bucket, 'by-ais')).headers['ais-checksum-value'] }).toEqual({
      etag: `"${md5Hex(big)}"`,
      stored: md5Hex(big),
    });

    await native.createBucket('xxhash-by-ais', { checksum: { type: 'xxhash' } });
    for (const body of [Buffer.from('small, read whole'), big]) {
      const written = await s3.send(new PutObjectCommand({ Bucket: 'xxhash-by-ais', Key: `size-${body.length}`, Body: body }));
      expect(written.ETag).toBe(`"${md5Hex(body)}"`);
      expect((await native.getObject('xxhash-by-ais', `size-${body.length}`)).headers['ais-checksum-type']).toBe('xxhash');
    }
    // A Content-MD5 that is not the body's is refused in both, and nothing is stored.
    for (const target of [bucket, 'xxhash-by-ais']) {
      await expectS3Error(
        s3.send(new PutObjectCommand({ Bucket: target, Key: 'refused', Body: big, ContentMD5: Buffer.from(md5Hex('other'), 'hex').toString('base64') })),
        'BadDigest',
        400,
      );
      expect(await native.objectNames(target)).not.toContain('refused');
    }
  });

  it('keys AIS cannot hold as they are live under reversible names, which AIS lists and serves like any other', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    // S3 key -> AIS object name (src/ais/cluster/object-names.ts): ordinary keys keep their name.
    const names: Array<[string, string]> = [
      ['plain/key.txt', 'plain/key.txt'],
      ['folder/', 'folder/ '],
      ['a//b', 'a/.\u{10FFFF}/b'],
      ['/leading', '.\u{10FFFF}/leading'],
      ['up/../x', 'up/...\u{10FFFF}/x'],
      ['dot/.', 'dot/. '],
      ['~/home', '~.\u{10FFFF}/home'],
      ['k'.repeat(300), `${'k'.repeat(251)}\u{10FFFE}/${'k'.repeat(49)}`],
    ];
    for (const [key] of names) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `is ${key}` }));
    expect(await native.objectNames(bucket)).toEqual(utf8Order(names.map(([, name]) => name)));
    for (const [key, name] of names) expect((await native.getObject(bucket, name)).body).toBe(`is ${key}`);
    expect((await storeState(s3, bucket)).map((item) => item.key)).toEqual(utf8Order(names.map(([key]) => key)));

    // And the other way: an object a native user writes under such a name is the key it stands for.
    await native.putObject(bucket, 'made/by/ais/ ', 'folder marker from AIS');
    await expectObjectBytes(s3, bucket, 'made/by/ais/', 'folder marker from AIS');
  });

  it('an object and keys under its name cannot both be stored: InvalidArgument names the key in the way, and nothing changes', async () => {
    const { s3 } = fixture;
    const bucket = await fixture.newBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'photos', Body: 'a file named photos' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/readme', Body: 'under docs/' }));
    for (const [key, inTheWay] of [
      ['photos/2024/a.jpg', '"photos" or "photos/2024"'],
      ['photos/', '"photos"'],
    ]) {
      const err = await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })), 'InvalidArgument', 400);
      expect(err.message).toContain(`cannot store "${key}" while the key ${inTheWay} exists`);
    }
    const err = await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs', Body: 'x' })), 'InvalidArgument', 400);
    expect(err.message).toContain('cannot store "docs" while keys under "docs/" exist');
    const copy = s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'docs', CopySource: `${bucket}/photos` }));
    expect((await expectS3Error(copy, 'InvalidArgument', 400)).message).toContain('cannot store "docs" while keys under "docs/" exist');
    expect(await native.objectNames(bucket)).toEqual(['docs/readme', 'photos']);
    await expectObjectBytes(s3, bucket, 'photos', 'a file named photos');
  });

  describe('the aws CLI transcript of issue 3', () => {
    let sandbox: ClientSandbox;
    beforeAll(() => {
      sandbox = clientSandbox();
      requireClient(AWS_CLI.command, AWS_CLI.args, sandbox.env, AWS_CLI.hint);
    });
    afterAll(() => sandbox.cleanup());
    const aws = (...args: string[]) => runOk('aws', ['--endpoint-url', fixture.gateway.endpoint, ...args], { env: sandbox.env, cwd: sandbox.dir });

    it('s3 mb makes an ais:// bucket that s3 ls and AIS both list, and s3 rb removes it', async () => {
      expect((await aws('s3', 'mb', 's3://bck1')).stdout).toContain('make_bucket: bck1');
      expect((await aws('s3', 'ls')).stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d bck1\n/);
      expect(await native.bucketNames()).toContain('bck1');
      expect((await aws('s3', 'rb', 's3://bck1')).stdout).toContain('remove_bucket: bck1');
      expect(await native.bucketNames()).not.toContain('bck1');
    });
  });

  describe('S3 versioning on AIS: the latest version only, honestly reported', () => {
    const enabledBucket = async () => {
      const bucket = await fixture.newBucket();
      await fixture.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      return bucket;
    };
    const put = (bucket: string, key: string, body: string) => fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

    it('Enabled turns AIS bucket versioning on; Suspended turns it off, is noted in the bucket props, and reads back as Suspended', async () => {
      const { s3 } = fixture;
      const bucket = await enabledBucket();
      expect((await native.bucketProps(bucket)).versioning.enabled).toBe(true);
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
      const props = await native.bucketProps(bucket);
      expect({ enabled: props.versioning.enabled, custom: props.extra?.custom }).toEqual({ enabled: false, custom: 's3-location=;s3-versioning=Suspended' });
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Suspended');
    });

    it('keeps one version per key: its id is the same through PUT, HEAD, GET and ListObjectVersions, and kept in AIS custom metadata', async () => {
      const { s3 } = fixture;
      const bucket = await enabledBucket();
      const first = (await put(bucket, 'k', 'one')).VersionId;
      const current = (await put(bucket, 'k', 'two')).VersionId;
      expect(current).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(current).not.toBe(first);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId).toBe(current);
      expect((await getObject(s3, { Bucket: bucket, Key: 'k', VersionId: current })).bytes.toString()).toBe('two');
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(listed.Versions?.map((version) => [version.Key, version.VersionId, version.IsLatest])).toEqual([['k', current, true]]);
      expect(listed.DeleteMarkers ?? []).toEqual([]);
      expect((await native.customMetadata(bucket, 'k'))['x-amz-version-id']).toBe(current);
    });

    it('answers NoSuchVersion for a replaced version, and deleting it changes nothing; deleting the current version deletes the object', async () => {
      const { s3 } = fixture;
      const bucket = await enabledBucket();
      const replaced = (await put(bucket, 'k', 'one')).VersionId;
      const current = (await put(bucket, 'k', 'two')).VersionId;
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: replaced }), 'NoSuchVersion', 404);
      await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', VersionId: replaced })), bodylessErrorName(404), 404);
      const kept = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: replaced }));
      expect({ status: kept.$metadata.httpStatusCode, versionId: kept.VersionId }).toEqual({ status: 204, versionId: replaced });
      await expectObjectBytes(s3, bucket, 'k', 'two');
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: current }));
      await expectS3Error(getObject(s3, { Bucket: bucket, Key: 'k', VersionId: current }), 'NoSuchVersion', 404);
      expect(await native.objectNames(bucket)).toEqual([]);
    });

    it('DeleteObject without a version id deletes the object in an Enabled bucket, with no delete marker (AIS keeps none)', async () => {
      const { s3 } = fixture;
      const bucket = await enabledBucket();
      await put(bucket, 'k', 'gone');
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
      expect({ status: deleted.$metadata.httpStatusCode, marker: deleted.DeleteMarker, versionId: deleted.VersionId }).toEqual({
        status: 204,
        marker: undefined,
        versionId: undefined,
      });
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect({ versions: listed.Versions ?? [], markers: listed.DeleteMarkers ?? [] }).toEqual({ versions: [], markers: [] });
    });

    it('a version id belongs to its bucket and key: an AIS copy of a versioned object reads as version null, an S3 copy into an Enabled bucket gets its own', async () => {
      const { s3 } = fixture;
      const bucket = await enabledBucket();
      const plain = await fixture.newBucket();
      const source = (await put(bucket, 'src', 'copied')).VersionId;
      await native.copyObject(bucket, 'src', plain, 'by-ais');
      expect((await native.customMetadata(plain, 'by-ais'))['x-amz-version-id']).toBe(source);
      expect((await s3.send(new HeadObjectCommand({ Bucket: plain, Key: 'by-ais' }))).VersionId).toBeUndefined();
      const copy = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'by-s3', CopySource: `${bucket}/src` }));
      expect(copy.VersionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(copy.VersionId).not.toBe(source);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'by-s3' }))).VersionId).toBe(copy.VersionId);
      expect((await getObject(s3, { Bucket: bucket, Key: 'by-s3' })).bytes.toString()).toBe('copied');
    });
  });

  describe('S3 attributes in AIS custom metadata', () => {
    it('keeps the flexible checksum, content headers and write time under their S3 names, and an overwrite replaces them all', async () => {
      const { s3 } = fixture;
      const bucket = await fixture.newBucket();
      const body = Buffer.from('checked by sha256');
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body, ChecksumAlgorithm: 'SHA256', ContentType: 'text/old', Metadata: { old: '1' } }),
      );
      // `Last-Modified` (an HTTP date) is the key AIS itself reports as the object's Last-Modified; `s3-modified`
      // the same time to the millisecond.
      const written = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).LastModified!;
      const stored = await native.customMetadata(bucket, 'k');
      expect(stored).toEqual({
        'content-type': 'text/old',
        'x-amz-meta-old': '1',
        'x-amz-checksum-sha256': await checksumOf('SHA256', body),
        'Last-Modified': written.toUTCString(),
        's3-modified': stringMatching(/^\d{13}$/),
      });
      expect(Math.floor(Number(stored['s3-modified']) / 1000) * 1000).toBe(written.getTime());
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'replaced', ChecksumAlgorithm: 'SHA1', Metadata: { new: '2' } }));
      expect(await native.customMetadata(bucket, 'k')).toEqual({
        'content-type': 'application/octet-stream',
        'x-amz-meta-new': '2',
        'x-amz-checksum-sha1': await checksumOf('SHA1', Buffer.from('replaced')),
        'Last-Modified': (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).LastModified!.toUTCString(),
        's3-modified': stringMatching(/^\d{13}$/),
      });
    });

    it('adds a checksum that came in a trailer after the upload, bound to the bytes by their MD5, and drops it once other bytes replace them', async () => {
      const { s3 } = fixture;
      const bucket = await fixture.newBucket();
      const body = Buffer.from('streamed with a trailer');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: Readable.from([body]), ContentLength: body.length, ChecksumAlgorithm: 'CRC32C' }));
      const crc32c = await checksumOf('CRC32C', body);
      expect(await native.customMetadata(bucket, 'k')).toMatchObject({ 'x-amz-checksum-crc32c': crc32c, 's3-of': md5Hex(body) });
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED' }))).ChecksumCRC32C).toBe(crc32c);
      // A native PUT merges custom metadata: the checksum stays, but it no longer describes the object.
      await native.putObject(bucket, 'k', 'other bytes');
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED' }));
      expect({ etag: head.ETag, crc32c: head.ChecksumCRC32C }).toEqual({ etag: etagOf('other bytes'), crc32c: undefined });
    });
  });

  // Last: it stops and restarts the AIS target.
  describe('an AIS outage', () => {
    it('with the AIS target stopped, requests get 503 in S3 XML and readiness fails; both recover when it is back', async () => {
      const { s3, gateway } = fixture;
      const bucket = await fixture.newBucket();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'survives', Body: 'kept across the outage' }));
      expect((await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' })).status).toBe(200);

      await devCluster('stop', 'target');
      try {
        const ready = await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' });
        expect(ready.status).toBe(503);
        const read = await rawRequest(gateway.origin, { method: 'GET', path: `/s3/${bucket}/survives` });
        expect({ status: read.status, code: xmlText(read.body, 'Code') }).toEqual({ status: 503, code: 'ServiceUnavailable' });
        const listing = await rawRequest(gateway.origin, { method: 'GET', path: `/s3/${bucket}?list-type=2` });
        expect({ status: listing.status, code: xmlText(listing.body, 'Code') }).toEqual({ status: 503, code: 'ServiceUnavailable' });
      } finally {
        await devCluster('start');
      }
      expect(await eventually(async () => (await rawRequest(gateway.origin, { method: 'GET', path: '/health/ready' })).status === 200, 30_000)).toBe(true);
      await expectObjectBytes(s3, bucket, 'survives', 'kept across the outage');
    }, 120_000);
  });
});
