/**
 * Auth mode `verify` with the command-line and Python clients a user would pick: the aws CLI, boto3, and
 * curl holding presigned URLs the CLI and boto3 made (SigV2, their default, and SigV4 with s3v4). Every
 * client runs in a sandbox with explicit credentials and talks to 127.0.0.1 only. Set-up and the
 * "store unchanged" checks go through @aws-sdk/client-s3 in-process.
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Boto3Scenarios } from './support/boto3-scenarios';
import { ACCESS_KEY, boto3Scenario, type ClientSandbox, clientSandbox, requireClient, run, type RunResult, runOk, SECRET_KEY } from './support/clients';
import { type RunningGateway, startGateway } from './support/gateway';
import { etagOf, expectObjectBytes, expectStoreUnchangedBy } from './support/objects';
import { xmlText } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3ErrorResponse } from './support/s3-errors';

const FILE_KEY = { accessKeyId: 'AKIABOTOFILEKEY001', secretAccessKey: 'botoFileSecret/Tr5+Gh8jKl2mNb4v' };

describe('the aws CLI, boto3 and curl against S3_AUTH=verify', () => {
  let gateway: RunningGateway;
  let credentialsDir: string;
  /** Signs with the environment key, as the gateway is configured. */
  let sandbox: ClientSandbox;
  /** Signs with the key from the credentials file. */
  let fileKeySandbox: ClientSandbox;
  /** The environment key's id with a wrong secret. */
  let wrongSecret: ClientSandbox;
  /** An access key the gateway does not know. */
  let unknownKey: ClientSandbox;
  /** Presigns with SigV4 (`s3 = signature_version = s3v4` in the AWS config). */
  let s3v4: ClientSandbox;
  let sdk: S3Client;

  beforeAll(async () => {
    sandbox = clientSandbox();
    requireClient('aws', ['--version'], sandbox.env, 'install it with `python3 -m pip install awscli` (.ci/run does)');
    requireClient('python3', ['-c', 'import boto3'], sandbox.env, 'install boto3 with `python3 -m pip install boto3` (.ci/run does)');
    requireClient('curl', ['--version'], sandbox.env, 'install curl');
    fileKeySandbox = clientSandbox({ AWS_ACCESS_KEY_ID: FILE_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: FILE_KEY.secretAccessKey });
    wrongSecret = clientSandbox({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    unknownKey = clientSandbox({ AWS_ACCESS_KEY_ID: 'AKIANOBODY00000000' });
    s3v4 = clientSandbox();
    writeFileSync(s3v4.env.AWS_CONFIG_FILE!, '[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n');

    credentialsDir = mkdtempSync(join(tmpdir(), 'ais-s3-auth-clients-'));
    writeFileSync(join(credentialsDir, 'credentials'), `${FILE_KEY.accessKeyId}:${FILE_KEY.secretAccessKey}\n`);
    gateway = await startGateway({ S3_ACCESS_KEY_ID: ACCESS_KEY, S3_SECRET_ACCESS_KEY: SECRET_KEY, S3_CREDENTIALS_FILE: join(credentialsDir, 'credentials') });
    sdk = s3ClientFor(gateway.endpoint, { credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  });
  afterAll(async () => {
    sdk?.destroy();
    await gateway?.stop();
    for (const box of [sandbox, fileKeySandbox, wrongSecret, unknownKey, s3v4]) box?.cleanup();
    if (credentialsDir !== undefined) rmSync(credentialsDir, { recursive: true, force: true });
  });

  const aws = (box: ClientSandbox, ...args: string[]): Promise<RunResult> =>
    run('aws', ['--endpoint-url', gateway.endpoint, ...args], { env: box.env, cwd: box.dir });
  const awsOk = (box: ClientSandbox, ...args: string[]): Promise<RunResult> =>
    runOk('aws', ['--endpoint-url', gateway.endpoint, ...args], { env: box.env, cwd: box.dir });
  const presign = async (box: ClientSandbox, s3Url: string, expiresIn = 300): Promise<string> =>
    (await awsOk(box, 's3', 'presign', s3Url, '--expires-in', String(expiresIn))).stdout.trim();

  const boto3 = <N extends keyof Boto3Scenarios>(box: ClientSandbox, scenario: N, params: Record<string, unknown>): Promise<Boto3Scenarios[N]> =>
    boto3Scenario(box, gateway.endpoint, scenario, params);

  /** A plain HTTP request by curl, no credentials of its own; only ever to the gateway on loopback. */
  async function curl(url: string, ...args: string[]): Promise<{ status: number; body: string }> {
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const { stdout } = await runOk('curl', ['--silent', '--show-error', '--noproxy', '*', '--max-time', '20', '--write-out', '\n%{http_code}', ...args, url], {
      env: sandbox.env,
      cwd: sandbox.dir,
    });
    const at = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
  }

  function expectCurlError(response: { status: number; body: string }, code: string, status: number, message?: string): void {
    expectS3ErrorResponse(response, code, status);
    if (message !== undefined) expect(xmlText(response.body, 'Message')).toBe(message);
  }

  /** Credentials the gateway refuses: what they are, the error code, the sandbox holding them. */
  const REFUSED_CREDENTIALS: Array<[string, string, () => ClientSandbox]> = [
    ['a wrong secret', 'SignatureDoesNotMatch', () => wrongSecret],
    ['an unknown access key', 'InvalidAccessKeyId', () => unknownKey],
  ];

  const expectStoreUnchanged = (refusals: () => Promise<void>) => expectStoreUnchangedBy(sdk, gateway.dataDir, refusals);

  async function seed(bucket: string, objects: Record<string, string>): Promise<void> {
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [key, body] of Object.entries(objects)) await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  it('aws CLI with the right key: s3 mb, cp up and down, ls, rm and rb all succeed', async () => {
    const file = sandbox.write('upload.txt', 'uploaded by the aws CLI');
    expect((await awsOk(sandbox, 's3', 'mb', 's3://cli-verify')).stdout).toBe('make_bucket: cli-verify\n');
    await awsOk(sandbox, 's3', 'cp', file, 's3://cli-verify/dir/a b+c ü.txt');
    await expectObjectBytes(sdk, 'cli-verify', 'dir/a b+c ü.txt', 'uploaded by the aws CLI');
    expect((await awsOk(sandbox, 's3', 'ls', 's3://cli-verify/dir/')).stdout).toMatch(/ 23 a b\+c ü\.txt\n$/);
    expect((await awsOk(sandbox, 's3', 'cp', 's3://cli-verify/dir/a b+c ü.txt', '-')).stdout).toBe('uploaded by the aws CLI');
    expect((await awsOk(sandbox, 's3', 'rm', 's3://cli-verify/dir/a b+c ü.txt')).stdout).toBe('delete: s3://cli-verify/dir/a b+c ü.txt\n');
    expect((await awsOk(sandbox, 's3', 'rb', 's3://cli-verify')).stdout).toBe('remove_bucket: cli-verify\n');
    expect((await awsOk(sandbox, 's3', 'ls')).stdout).not.toMatch(/ cli-verify$/m);
  });

  it.each(REFUSED_CREDENTIALS)('aws CLI with %s: s3 ls, mb, cp and rm fail with %s, changing nothing', async (_label, code, box) => {
    const bucket = `cli-refused-${code.toLowerCase()}`;
    await seed(bucket, { existing: 'original bytes' });
    const file = sandbox.write('refused.txt', 'never stored');
    await expectStoreUnchanged(async () => {
      const attempts: Array<[string[], string]> = [
        [['s3', 'ls'], 'ListBuckets'],
        [['s3', 'mb', 's3://cli-refused-new'], 'CreateBucket'],
        [['s3', 'cp', file, `s3://${bucket}/existing`], 'PutObject'],
        [['s3', 'rm', `s3://${bucket}/existing`], 'DeleteObject'],
      ];
      for (const [args, operation] of attempts) {
        const result = await aws(box(), ...args);
        expect({
          args,
          code: result.code === 0 ? 0 : 'failed',
          said: result.stderr.includes(`An error occurred (${code}) when calling the ${operation} operation`),
        }).toEqual({
          args,
          code: 'failed',
          said: true,
        });
      }
    });
    await expectObjectBytes(sdk, bucket, 'existing', 'original bytes');
  });

  it('boto3: canned ACLs, an AccessControlPolicy body and Object Ownership; an unsigned boto3 client reads what is public and nothing else', async () => {
    const result = await boto3(fileKeySandbox, 'acls', { bucket: 'boto-acls', key: 'public.txt' });
    expect(result).toMatchObject({
      public_get: 'public bytes',
      listed: ['private', 'public.txt'],
      private_get: { code: 'AccessDenied', status: 403 },
      anonymous_put: { code: 'AccessDenied', status: 403 },
      now_public: 'private bytes',
      object_grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }],
      ownership: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      enforced_put: { code: 'AccessControlListNotSupported', status: 400 },
    });
    expect(result.owner.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('boto3 with the key from the credentials file: create, put with metadata, list, get, delete and delete the bucket', async () => {
    const result = await boto3(fileKeySandbox, 'round_trip', { bucket: 'boto-verify', key: 'dir/ünï code+plus.txt' });
    expect(result).toMatchObject({
      etag: etagOf('boto3 round trip'),
      listed: ['dir/ünï code+plus.txt'],
      body: 'boto3 round trip',
      metadata: { via: 'boto3' },
    });
    expect(result.buckets_after).not.toContain('boto-verify');
  });

  it("boto3 with the file's key (a user, not an admin) on a bucket the environment key owns: AccessDenied, changing nothing", async () => {
    await seed('boto-not-owner', { existing: 'original bytes' });
    await expectStoreUnchanged(async () => {
      const result = await boto3(fileKeySandbox, 'not_owner', { bucket: 'boto-not-owner', key: 'existing' });
      for (const call of ['put_object', 'get_object', 'delete_object', 'list_objects_v2', 'copy_object'] as const) {
        expect([call, result[call]]).toEqual([call, expect.objectContaining({ code: 'AccessDenied', status: 403 })]);
      }
      expect(result.listed_buckets).not.toContain('boto-not-owner');
    });
    await expectObjectBytes(sdk, 'boto-not-owner', 'existing', 'original bytes');
  });

  it.each(REFUSED_CREDENTIALS)('boto3 with %s: every call ends in %s 403, changing nothing', async (_label, code, box) => {
    const bucket = `boto-refused-${code.toLowerCase()}`;
    await seed(bucket, { existing: 'original bytes' });
    await expectStoreUnchanged(async () => {
      const result = await boto3(box(), 'refused', { bucket, key: 'existing', new_bucket: 'boto-refused-new' });
      for (const call of ['list_buckets', 'create_bucket', 'put_object', 'delete_object'] as const)
        expect([call, result[call]]).toEqual([call, expect.objectContaining({ code, status: 403 })]);
      // A GET's error body is read as S3 wrote it; boto3 shows the same code.
      expect(result.get_object).toMatchObject({ code, status: 403 });
    });
    await expectObjectBytes(sdk, bucket, 'existing', 'original bytes');
  });

  it('boto3 generate_presigned_url: curl PUTs through the PUT URL and reads through the GET URL, with the default (SigV2) and with s3v4', async () => {
    await seed('boto-presigned', {});
    const urls = await boto3(sandbox, 'presign_urls', { bucket: 'boto-presigned', key: 'shared/ünï code+plus.txt', expires: 300 });
    expect(new URL(urls.default.put).searchParams.has('AWSAccessKeyId')).toBe(true);
    expect(new URL(urls.s3v4.put).searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    for (const label of ['default', 's3v4'] as const) {
      const file = sandbox.write(`${label}.txt`, `put through the ${label} url`);
      expect(await curl(urls[label].put, '--upload-file', file)).toEqual({ status: 200, body: '' });
      expect(await curl(urls[label].get)).toEqual({ status: 200, body: `put through the ${label} url` });
    }
  });

  it('refuses a boto3 SigV2 presigned PUT sent with a Content-Type it was not signed with (SignatureDoesNotMatch 403), changing nothing', async () => {
    await seed('boto-presigned-v2', { 'k.txt': 'original bytes' });
    const urls = await boto3(sandbox, 'presign_urls', { bucket: 'boto-presigned-v2', key: 'k.txt', expires: 300 });
    const file = sandbox.write('typed.txt', 'typed body');
    await expectStoreUnchanged(async () => {
      expectCurlError(await curl(urls.default.put, '--upload-file', file, '--header', 'Content-Type: text/plain'), 'SignatureDoesNotMatch', 403);
    });
  });

  it('aws s3 presign: curl reads through the URL with the CLI default (SigV2) and with s3v4, and is refused once the key in it is changed', async () => {
    await seed('cli-presign', { 'a b/p+q.txt': 'presigned read', other: 'other bytes' });
    const sigV2 = await presign(sandbox, 's3://cli-presign/a b/p+q.txt');
    const sigV4 = await presign(s3v4, 's3://cli-presign/a b/p+q.txt');
    expect(new URL(sigV2).searchParams.has('AWSAccessKeyId')).toBe(true);
    expect(new URL(sigV4).searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    for (const url of [sigV2, sigV4]) {
      expect(await curl(url)).toEqual({ status: 200, body: 'presigned read' });
      const tampered = url.replace('/a%20b/p%2Bq.txt?', '/other?');
      expect(tampered).not.toBe(url);
      expectCurlError(await curl(tampered), 'SignatureDoesNotMatch', 403);
    }
  });

  it('refuses presigned URLs from the CLI and boto3 (both styles each) once their expiry has passed: AccessDenied "Request has expired", nothing written', async () => {
    await seed('expired-urls', { existing: 'original bytes' });
    const fromBoto3 = await boto3(sandbox, 'presign_urls', { bucket: 'expired-urls', key: 'existing', expires: 1 });
    const getUrls = [
      await presign(sandbox, 's3://expired-urls/existing', 1),
      await presign(s3v4, 's3://expired-urls/existing', 1),
      fromBoto3.default.get,
      fromBoto3.s3v4.get,
    ];
    const putUrls = [fromBoto3.default.put, fromBoto3.s3v4.put];
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const file = sandbox.write('late.txt', 'too late');
    await expectStoreUnchanged(async () => {
      for (const url of getUrls) expectCurlError(await curl(url), 'AccessDenied', 403, 'Request has expired');
      for (const url of putUrls) expectCurlError(await curl(url, '--upload-file', file), 'AccessDenied', 403, 'Request has expired');
    });
    await expectObjectBytes(sdk, 'expired-urls', 'existing', 'original bytes');
  });

  it('refuses presigned URLs boto3 made with ExpiresIn=0 or a negative ExpiresIn as expired (403, not 400), nothing written', async () => {
    await seed('expired-at-once', { existing: 'original bytes' });
    const file = sandbox.write('at-once.txt', 'too late');
    await expectStoreUnchanged(async () => {
      for (const expires of [0, -60]) {
        const urls = await boto3(sandbox, 'presign_urls', { bucket: 'expired-at-once', key: 'existing', expires });
        for (const style of ['default', 's3v4'] as const) {
          expectCurlError(await curl(urls[style].get), 'AccessDenied', 403, 'Request has expired');
          expectCurlError(await curl(urls[style].put, '--upload-file', file), 'AccessDenied', 403, 'Request has expired');
        }
      }
    });
    await expectObjectBytes(sdk, 'expired-at-once', 'existing', 'original bytes');
  });

  it('never writes a secret to the gateway output', () => {
    const output = gateway.output.join('\n');
    expect(output).toContain('gateway listening');
    for (const secret of [SECRET_KEY, FILE_KEY.secretAccessKey, 'not-the-secret']) expect(output).not.toContain(secret);
  });
});
