import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyBackend } from './support/backend';
import { useGateway } from './support/fixture';
import { startGateway } from './support/gateway';
import { rawRequest, xmlText } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

describe('buckets through @aws-sdk/client-s3', () => {
  const fixture = useGateway();

  it('creates, lists, heads and deletes a bucket', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'first-bucket' }));
    const listed = await fixture.s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((bucket) => bucket.Name)).toContain('first-bucket');
    expect(listed.Buckets?.[0].CreationDate).toBeInstanceOf(Date);
    await fixture.s3.send(new HeadBucketCommand({ Bucket: 'first-bucket' }));
    await fixture.s3.send(new DeleteBucketCommand({ Bucket: 'first-bucket' }));
    const after = await fixture.s3.send(new ListBucketsCommand({}));
    expect(after.Buckets?.map((bucket) => bucket.Name) ?? []).not.toContain('first-bucket');
  });

  it('answers 200 to creating a bucket twice in us-east-1 (S3 legacy behaviour) and leaves the bucket as it was', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    await fixture.s3.send(new PutObjectCommand({ Bucket: 'twice', Key: 'kept', Body: 'still here' }));
    await fixture.s3.send(new PutBucketVersioningCommand({ Bucket: 'twice', VersioningConfiguration: { Status: 'Suspended' } }));
    const again = await fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(again.Location).toBe('/twice');
    expect((await fixture.s3.send(new ListObjectsV2Command({ Bucket: 'twice' }))).Contents?.map((object) => object.Key)).toEqual(['kept']);
    expect((await fixture.s3.send(new GetBucketVersioningCommand({ Bucket: 'twice' }))).Status).toBe('Suspended');
    expect((await fixture.s3.send(new ListBucketsCommand({}))).Buckets?.filter((bucket) => bucket.Name === 'twice')).toHaveLength(1);
  });

  it('refuses to delete a bucket that still has objects', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
    await fixture.s3.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'a', Body: 'x' }));
    await expectS3Error(fixture.s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' })), 'BucketNotEmpty', 409);
    await fixture.s3.send(new HeadBucketCommand({ Bucket: 'not-empty' }));
  });

  it.each(['ab', 'UPPER', 'under_score', '-dash', 'dot.', 'two..dots', '192.168.1.1', 'x'.repeat(64), 'xn--punycode'])(
    'refuses the invalid bucket name %p with InvalidBucketName and creates nothing',
    async (name) => {
      await expectS3Error(fixture.s3.send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
      const listed = await fixture.s3.send(new ListBucketsCommand({}));
      expect(listed.Buckets?.map((bucket) => bucket.Name) ?? []).not.toContain(name);
    },
  );

  it('answers NoSuchBucket for a bucket that does not exist', async () => {
    await expectS3Error(fixture.s3.send(new DeleteBucketCommand({ Bucket: 'never-made' })), 'NoSuchBucket', 404);
    await expectS3Error(fixture.s3.send(new HeadBucketCommand({ Bucket: 'never-made' })), 'NotFound', 404);
  });

  it('reports the bucket location: an empty LocationConstraint for us-east-1', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'located' }));
    const location = await fixture.s3.send(new GetBucketLocationCommand({ Bucket: 'located' }));
    expect(location.LocationConstraint ?? '').toBe('');
    const wire = await rawRequest(fixture.gateway.origin, { method: 'GET', path: '/s3/located?location' });
    expect(wire.status).toBe(200);
    expect(wire.body).toMatch(
      /<LocationConstraint xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"\s*\/>|<LocationConstraint [^>]*><\/LocationConstraint>/,
    );
    expect((await fixture.s3.send(new HeadBucketCommand({ Bucket: 'located' }))).BucketRegion).toBe('us-east-1');
  });

  it.each([
    ['us-east-1', 'InvalidLocationConstraint'],
    ['eu-west-1', 'IllegalLocationConstraintException'],
    ['EU', 'IllegalLocationConstraintException'],
  ] as const)('refuses a LocationConstraint of %p on a us-east-1 gateway with %s (400) and creates nothing', async (constraint, code) => {
    const bucket = `refused-${constraint.toLowerCase()}`;
    const err = await expectS3Error(
      fixture.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: constraint as BucketLocationConstraint } })),
      code,
      400,
    );
    if (code === 'InvalidLocationConstraint') expect(err.message).toBe('The specified location-constraint is not valid');
    await expectS3Error(fixture.s3.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
  });

  it('refuses a LocationConstraint that is no region with InvalidLocationConstraint, naming it, and creates nothing', async () => {
    const body = '<CreateBucketConfiguration><LocationConstraint>nowhere</LocationConstraint></CreateBucketConfiguration>';
    const headers = { 'content-length': String(Buffer.byteLength(body)) };
    const answer = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: '/s3/junk-location', headers, body });
    expectS3ErrorResponse(answer, 'InvalidLocationConstraint', 400);
    expect(xmlText(answer.body, 'LocationConstraint')).toBe('nowhere');
    await expectS3Error(fixture.s3.send(new HeadBucketCommand({ Bucket: 'junk-location' })), 'NotFound', 404);
  });

  it('refuses a redundant LocationConstraint even for a bucket that exists, and leaves it alone', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'exists-already' }));
    await expectS3Error(
      fixture.s3.send(
        new CreateBucketCommand({ Bucket: 'exists-already', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as BucketLocationConstraint } }),
      ),
      'InvalidLocationConstraint',
      400,
    );
    expect((await fixture.s3.send(new GetBucketLocationCommand({ Bucket: 'exists-already' }))).LocationConstraint ?? '').toBe('');
  });
});

describe('buckets on a gateway in eu-west-1 (S3_REGION)', () => {
  const fixture = useGateway({ S3_REGION: 'eu-west-1' });

  it('answers BucketAlreadyOwnedByYou (409) when creating a bucket twice, as S3 does outside us-east-1', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await fixture.s3.send(new PutObjectCommand({ Bucket: 'twice', Key: 'kept', Body: 'x' }));
    const err = await expectS3Error(
      fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
      'BucketAlreadyOwnedByYou',
      409,
    );
    expect(err.message).toBe('Your previous request to create the named bucket succeeded and you already own it.');
    await expectS3Error(fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice' })), 'BucketAlreadyOwnedByYou', 409);
    expect((await fixture.s3.send(new ListObjectsV2Command({ Bucket: 'twice' }))).KeyCount).toBe(1);
  });

  it('keeps the LocationConstraint a bucket was created with: the region, EU as EU, and the gateway region without one', async () => {
    const created: Array<[string, string | undefined, string, string]> = [
      ['in-eu-west-1', 'eu-west-1', 'eu-west-1', 'eu-west-1'],
      ['in-legacy-eu', 'EU', 'EU', 'eu-west-1'],
      ['without-constraint', undefined, 'eu-west-1', 'eu-west-1'],
    ];
    for (const [bucket, constraint, reported, region] of created) {
      const configuration = constraint === undefined ? undefined : { LocationConstraint: constraint as BucketLocationConstraint };
      await fixture.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: configuration }));
      expect((await fixture.s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBe(reported);
      expect((await fixture.s3.send(new HeadBucketCommand({ Bucket: bucket }))).BucketRegion).toBe(region);
    }
  });

  it.each([
    ['us-east-1', 'InvalidLocationConstraint'],
    ['us-west-2', 'IllegalLocationConstraintException'],
  ] as const)('refuses a LocationConstraint of %p with %s (400) and creates nothing', async (constraint, code) => {
    const bucket = `refused-${constraint}`;
    const err = await expectS3Error(
      fixture.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: constraint as BucketLocationConstraint } })),
      code,
      400,
    );
    if (code === 'IllegalLocationConstraintException') {
      expect(err.message).toBe('The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.');
    }
    await expectS3Error(fixture.s3.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
  });
});

describe('a bucket keeps its location when the gateway region changes', () => {
  it('a bucket created in eu-west-1 still reports eu-west-1 from a gateway restarted in us-east-1, on the same store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-e2e-'));
    await emptyBackend();
    const first = await startGateway({ S3_REGION: 'eu-west-1' }, { dataDir });
    const s3 = s3ClientFor(first.endpoint);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'moved-not', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await s3.send(new CreateBucketCommand({ Bucket: 'plain-old' }));
    } finally {
      s3.destroy();
      await first.stop();
    }
    const second = await startGateway({ S3_REGION: 'us-east-1' }, { dataDir });
    const again = s3ClientFor(second.endpoint);
    try {
      expect((await again.send(new GetBucketLocationCommand({ Bucket: 'moved-not' }))).LocationConstraint).toBe('eu-west-1');
      expect((await again.send(new HeadBucketCommand({ Bucket: 'moved-not' }))).BucketRegion).toBe('eu-west-1');
      // Created without a constraint on the eu-west-1 gateway: in eu-west-1, and it stays there.
      expect((await again.send(new GetBucketLocationCommand({ Bucket: 'plain-old' }))).LocationConstraint).toBe('eu-west-1');
    } finally {
      again.destroy();
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
