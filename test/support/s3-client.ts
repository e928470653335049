import { S3Client } from '@aws-sdk/client-s3';

/** An unmodified AWS SDK v3 client pointed at the gateway, path-style, as a user would configure it. */
export function s3ClientFor(endpoint: string, overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
    ...overrides,
  });
}
