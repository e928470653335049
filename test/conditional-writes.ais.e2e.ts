import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { listedUploads } from './support/multipart';
import { etagOf, expectNoSuchKey, expectObjectBytes } from './support/objects';
import { expectS3Error } from './support/s3-errors';

/**
 * AIS v1.5.0 has no conditional or exclusive PUT, so a gateway that may share its cluster with other writers
 * (the default: no AIS_SINGLE_WRITER) refuses conditional writes with 501 rather than check and then write,
 * which another replica could come between. test/conditional-writes.e2e.ts covers the single-writer mode.
 */
describe('conditional writes on AIS without AIS_SINGLE_WRITER', () => {
  const fixture = useGateway();

  it('refuses them with 501 NotImplemented naming the reason, and changes nothing', async () => {
    const bucket = await fixture.newBucket();
    const s3 = fixture.s3;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'kept' }));
    const refusal = await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'new', Body: 'x', IfNoneMatch: '*' })), 'NotImplemented', 501);
    expect(refusal.message).toContain('AIS_SINGLE_WRITER=true');
    await expectNoSuchKey(s3, bucket, 'new');
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', IfMatch: etagOf('kept') })), 'NotImplemented', 501);
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/k`, IfNoneMatch: '*' })), 'NotImplemented', 501);
    await expectNoSuchKey(s3, bucket, 'copy');
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', IfMatch: etagOf('kept') })), 'NotImplemented', 501);
    await expectObjectBytes(s3, bucket, 'k', 'kept');

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber: 1, Body: 'parts' }));
    const complete = new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: 'k',
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      IfNoneMatch: '*',
    });
    await expectS3Error(s3.send(complete), 'NotImplemented', 501);
    await expectObjectBytes(s3, bucket, 'k', 'kept');
    expect(await listedUploads(s3, bucket)).toEqual([['k', UploadId]]);
  });

  it('writes as before without a condition header', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one' }));
    await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two' }));
    await expectObjectBytes(fixture.s3, bucket, 'k', 'two');
    await fixture.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    await expectNoSuchKey(fixture.s3, bucket, 'k');
  });
});
