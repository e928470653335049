import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { expectS3Error } from './support/s3-errors';

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

  it('answers BucketAlreadyOwnedByYou when creating a bucket twice', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    await expectS3Error(fixture.s3.send(new CreateBucketCommand({ Bucket: 'twice' })), 'BucketAlreadyOwnedByYou', 409);
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

  it('reports the bucket location', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'located' }));
    const location = await fixture.s3.send(new GetBucketLocationCommand({ Bucket: 'located' }));
    expect(location.LocationConstraint ?? '').toBe('');
  });
});
