import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { RunningGateway, startGateway } from './gateway';
import { s3ClientFor } from './s3-client';

export interface GatewayFixture {
  readonly gateway: RunningGateway;
  readonly s3: S3Client;
  /** Creates a bucket with a name no other test of this file uses. */
  newBucket(): Promise<string>;
}

/** The SDK's own CRC64NVME implementation, registered the way its docs say: the `checksumAlgorithms` option. */
export function s3ClientWithChecksums(endpoint: string): S3Client {
  return s3ClientFor(endpoint, { checksumAlgorithms: { CRC64NVME: Crc64Nvme } });
}

/** Starts one gateway (with its own data directory) and one client for the enclosing describe block. */
export function useGateway(env: Record<string, string> = {}): GatewayFixture {
  let gateway: RunningGateway | undefined;
  let s3: S3Client | undefined;
  let buckets = 0;
  beforeAll(async () => {
    gateway = await startGateway(env);
    s3 = s3ClientWithChecksums(gateway.endpoint);
  });
  afterAll(async () => {
    s3?.destroy();
    await gateway?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the gateway is not started');
    return value;
  };
  return {
    get gateway() {
      return started(gateway);
    },
    get s3() {
      return started(s3);
    },
    async newBucket() {
      buckets += 1;
      const name = `bucket-${buckets}`;
      await started(s3).send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
  };
}
