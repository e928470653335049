import { PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { expectObjectBytes } from './support/objects';
import { s3ClientFor } from './support/s3-client';

/**
 * The embedded store checks a write's condition inside the LMDB transaction that commits it, and LMDB
 * serialises write transactions across processes: with WORKERS=2 the racing requests land in two processes on
 * one data directory, and still exactly one If-None-Match: * PUT wins.
 */
describe('conditional writes across worker processes on one data directory', () => {
  const fixture = useGateway({ WORKERS: '2' });

  it('of 50 racing If-None-Match: * PUTs over two workers exactly one wins, the others get 412', async () => {
    const bucket = await fixture.newBucket();
    const clients: S3Client[] = Array.from({ length: 50 }, () => s3ClientFor(fixture.gateway.endpoint));
    try {
      const settled = await Promise.allSettled(
        clients.map((client, index) => client.send(new PutObjectCommand({ Bucket: bucket, Key: 'race', Body: `racer ${index}`, IfNoneMatch: '*' }))),
      );
      const results = settled.map((result) => {
        if (result.status === 'fulfilled') return 'ok';
        if (result.reason instanceof S3ServiceException) return `${result.reason.name} ${result.reason.$metadata.httpStatusCode}`;
        throw result.reason;
      });
      expect(results.filter((result) => result === 'ok')).toHaveLength(1);
      expect(results.filter((result) => result === 'PreconditionFailed 412')).toHaveLength(49);
      await expectObjectBytes(fixture.s3, bucket, 'race', `racer ${results.indexOf('ok')}`);
    } finally {
      for (const client of clients) client.destroy();
    }
  });
});
