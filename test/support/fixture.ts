import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { type ClientSandbox, clientSandbox, requireClient } from './clients';
import { type RunningGateway, startGateway } from './gateway';
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

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the gateway is not started');
  return value;
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

/** A command-line client tests need; checked before they run, and a missing one fails them (never skipped). */
export interface RequiredClient {
  command: string;
  args: string[];
  hint: string;
}

export const AWS_CLI: RequiredClient = { command: 'aws', args: ['--version'], hint: 'install it with `python3 -m pip install awscli` (.ci/run does)' };
export const BOTO3: RequiredClient = {
  command: 'python3',
  args: ['-c', 'import boto3'],
  hint: 'install boto3 with `python3 -m pip install boto3` (.ci/run does)',
};

export interface ClientGatewayFixture {
  readonly gateway: RunningGateway;
  /** Where the command-line clients run (clientSandbox). */
  readonly sandbox: ClientSandbox;
  /** @aws-sdk/client-s3, to set up and inspect state without starting a client process. */
  readonly sdk: S3Client;
}

/** For command-line client tests: one gateway, one client sandbox and an SDK client for the enclosing describe block. */
export function useClientGateway(...required: RequiredClient[]): ClientGatewayFixture {
  let gateway: RunningGateway | undefined;
  let sandbox: ClientSandbox | undefined;
  let sdk: S3Client | undefined;
  beforeAll(async () => {
    sandbox = clientSandbox();
    for (const client of required) requireClient(client.command, client.args, sandbox.env, client.hint);
    gateway = await startGateway();
    sdk = s3ClientFor(gateway.endpoint);
  });
  afterAll(async () => {
    sdk?.destroy();
    await gateway?.stop();
    sandbox?.cleanup();
  });
  return {
    get gateway() {
      return started(gateway);
    },
    get sandbox() {
      return started(sandbox);
    },
    get sdk() {
      return started(sdk);
    },
  };
}
