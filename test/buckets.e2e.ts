import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { RunningGateway, startGateway } from './support/gateway';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error } from './support/s3-errors';

describe('buckets through @aws-sdk/client-s3', () => {
  let gateway: RunningGateway;
  let s3: S3Client;

  beforeAll(async () => {
    gateway = await startGateway();
    s3 = s3ClientFor(gateway.endpoint);
  });
  afterAll(async () => {
    s3?.destroy();
    await gateway?.stop();
  });

  it('creates, lists, heads and deletes a bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'first-bucket' }));
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((bucket) => bucket.Name)).toContain('first-bucket');
    expect(listed.Buckets?.[0].CreationDate).toBeInstanceOf(Date);
    await s3.send(new HeadBucketCommand({ Bucket: 'first-bucket' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'first-bucket' }));
    const after = await s3.send(new ListBucketsCommand({}));
    expect(after.Buckets?.map((bucket) => bucket.Name) ?? []).not.toContain('first-bucket');
  });

  it('answers BucketAlreadyOwnedByYou when creating a bucket twice', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: 'twice' })), 'BucketAlreadyOwnedByYou', 409);
  });

  it('refuses to delete a bucket that still has objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
    await s3.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'a', Body: 'x' }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' })), 'BucketNotEmpty', 409);
    await s3.send(new HeadBucketCommand({ Bucket: 'not-empty' }));
  });

  it.each(['ab', 'UPPER', 'under_score', '-dash', 'dot.', 'two..dots', '192.168.1.1', 'x'.repeat(64), 'xn--punycode'])(
    'refuses the invalid bucket name %p with InvalidBucketName and creates nothing',
    async (name) => {
      await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
      const listed = await s3.send(new ListBucketsCommand({}));
      expect(listed.Buckets?.map((bucket) => bucket.Name) ?? []).not.toContain(name);
    },
  );

  it('answers NoSuchBucket for a bucket that does not exist', async () => {
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: 'never-made' })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: 'never-made' })), 'NotFound', 404);
  });

  it('reports the bucket location', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'located' }));
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'located' }));
    expect(location.LocationConstraint ?? '').toBe('');
  });
});
