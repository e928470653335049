/**
 * Bucket policies in `verify` mode (README, "Access control"), on the pass's backend: team A owns a bucket, team
 * B is another user, ROOT is an admin, and unsigned requests are anonymous. Policies are put and read through
 * @aws-sdk/client-s3 and boto3; what they allow and deny is driven by each principal, and every refusal is
 * shown to change nothing and reveal nothing.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boto3Scenario, type ClientSandbox, clientSandbox, requireClient } from './support/clients';
import { type RunningGateway, startGateway } from './support/gateway';
import { expectObjectBytes, expectStoreUnchangedBy } from './support/objects';
import { rawRequest } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import type { AccessKey } from './support/sigv4-client';

const ROOT: AccessKey = { accessKeyId: 'ROOTKEY', secretAccessKey: 'root-secret' };
const TEAM_A: AccessKey = { accessKeyId: 'AKIATEAMA000000001', secretAccessKey: 'teamA/Secret+1' };
const TEAM_B: AccessKey = { accessKeyId: 'AKIATEAMB000000002', secretAccessKey: 'teamB/Secret+2' };

/** A policy document of these statements, each on `bucket`'s objects unless it names its own Resource. */
function policyOf(bucket: string, ...statements: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements.map((statement) => ({ Resource: `arn:aws:s3:::${bucket}/*`, ...statement })) });
}

describe('bucket policies (S3_AUTH=verify): Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus, and what a policy allows and denies', () => {
  const credentialsDir = mkdtempSync(join(tmpdir(), 'ais-s3-policy-'));
  let gateway: RunningGateway;
  const clients: S3Client[] = [];
  let root: S3Client;
  let teamA: S3Client;
  let teamB: S3Client;
  let bucketCount = 0;

  const clientOf = (key: AccessKey): S3Client => {
    const client = s3ClientFor(gateway.endpoint, { credentials: key });
    clients.push(client);
    return client;
  };
  const anonymous = (method: string, path: string, body?: string) => rawRequest(gateway.origin, { method, path: `/s3/${path}`, body });

  /** A new bucket of team A's holding `objects`. */
  async function teamABucket(objects: Record<string, string>): Promise<string> {
    const bucket = `team-a-${++bucketCount}`;
    await teamA.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [key, body] of Object.entries(objects)) await teamA.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return bucket;
  }

  const putPolicy = (s3: S3Client, bucket: string, policy: string) => s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));

  beforeAll(async () => {
    writeFileSync(
      join(credentialsDir, 'credentials'),
      [`${TEAM_A.accessKeyId}:${TEAM_A.secretAccessKey} name=team-a`, `${TEAM_B.accessKeyId}:${TEAM_B.secretAccessKey} name=team-b`].join('\n'),
    );
    gateway = await startGateway({
      S3_ACCESS_KEY_ID: ROOT.accessKeyId,
      S3_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      S3_CREDENTIALS_FILE: join(credentialsDir, 'credentials'),
    });
    [root, teamA, teamB] = [ROOT, TEAM_A, TEAM_B].map(clientOf);
  });

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await gateway?.stop();
    rmSync(credentialsDir, { recursive: true, force: true });
  });

  it('keeps the document exactly as put, answers NoSuchBucketPolicy without one, and lets only the owner and admins manage it', async () => {
    const bucket = await teamABucket({});
    await expectS3Error(teamA.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'NoSuchBucketPolicy', 404);
    await expectS3Error(teamA.send(new GetBucketPolicyStatusCommand({ Bucket: bucket })), 'NoSuchBucketPolicy', 404);
    const document = `{\n  "Version": "2012-10-17",\n  "Statement": [{"Sid": "B reads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/team-b"}, "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::${bucket}/*"}]\n}`;
    const refusedPut = putPolicy(teamB, bucket, document);
    await expectS3Error(refusedPut, 'AccessDenied', 403);
    await putPolicy(teamA, bucket, document);
    expect((await teamA.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(document);
    expect((await root.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(document);
    expect((await teamA.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus).toEqual({ IsPublic: false });
    await expectS3Error(teamB.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
    await expectS3Error(teamB.send(new DeleteBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
    expect((await teamA.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(document);
    await teamA.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await expectS3Error(teamA.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'NoSuchBucketPolicy', 404);
    await teamA.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await expectS3Error(putPolicy(teamA, 'no-such-bucket', document), 'NoSuchBucket', 404);
  });

  it('serves a public-read-by-policy bucket to anonymous requests: GetObject only, nothing else, and IsPublic', async () => {
    const bucket = await teamABucket({ 'index.html': '<h1>public</h1>', 'css/site.css': 'body{}' });
    await putPolicy(teamA, bucket, policyOf(bucket, { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }));
    expect((await teamA.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus).toEqual({ IsPublic: true });
    const page = await anonymous('GET', `${bucket}/index.html`);
    expect({ status: page.status, body: page.body }).toEqual({ status: 200, body: '<h1>public</h1>' });
    expect((await anonymous('HEAD', `${bucket}/css/site.css`)).status).toBe(200);
    await expectObjectBytes(teamB, bucket, 'css/site.css', 'body{}');
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      expectS3ErrorResponse(await anonymous('PUT', `${bucket}/index.html`, 'defaced'), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('DELETE', `${bucket}/index.html`), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('GET', `${bucket}?list-type=2`), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('GET', `${bucket}?policy`), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('PUT', `${bucket}?policy`, '{}'), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('GET', ''), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: 'defaced' })), 'AccessDenied', 403);
    });
    await expectObjectBytes(teamA, bucket, 'index.html', '<h1>public</h1>');
    // Without s3:ListBucket a missing key is AccessDenied, as S3 answers: nothing tells what exists.
    expectS3ErrorResponse(await anonymous('GET', `${bucket}/missing.html`), 'AccessDenied', 403);
    expect((await anonymous('HEAD', `${bucket}/missing.html`)).status).toBe(403);
    await putPolicy(
      teamA,
      bucket,
      policyOf(
        bucket,
        { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject' },
        { Sid: 'PublicList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      ),
    );
    expectS3ErrorResponse(await anonymous('GET', `${bucket}/missing.html`), 'NoSuchKey', 404);
    await teamA.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    expectS3ErrorResponse(await anonymous('GET', `${bucket}/index.html`), 'AccessDenied', 403);
  });

  it('lets team B read and list prefix b/ of team A’s bucket, and nothing else (a two-team policy)', async () => {
    const bucket = await teamABucket({ 'a/plan.txt': 'team a only', 'b/shared.txt': 'for team b', 'b/more/deep.txt': 'deep' });
    const teamBArn = 'arn:aws:iam::111122223333:user/team-b';
    await putPolicy(
      teamA,
      bucket,
      policyOf(
        bucket,
        { Sid: 'TeamBReadsB', Effect: 'Allow', Principal: { AWS: teamBArn }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/b/*` },
        {
          Sid: 'TeamBListsB',
          Effect: 'Allow',
          Principal: { AWS: teamBArn },
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${bucket}`,
          Condition: { StringLike: { 's3:prefix': 'b/*' } },
        },
      ),
    );
    await expectObjectBytes(teamB, bucket, 'b/shared.txt', 'for team b');
    await expectObjectBytes(teamB, bucket, 'b/more/deep.txt', 'deep');
    const listed = await teamB.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'b/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['b/more/deep.txt', 'b/shared.txt']);
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      const refused = await expectS3Error(teamB.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/plan.txt' })), 'AccessDenied', 403);
      expect(JSON.stringify(refused)).not.toContain('team a only');
      await expectS3Error(teamB.send(new ListObjectsV2Command({ Bucket: bucket })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'b/new.txt', Body: 'x' })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b/shared.txt' })), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('GET', `${bucket}/b/shared.txt`), 'AccessDenied', 403);
    });
    // Copies out of team A's bucket are judged by its policy too (s3:GetObject of the source).
    const own = `team-b-${bucketCount}`;
    await teamB.send(new CreateBucketCommand({ Bucket: own }));
    await teamB.send(new CopyObjectCommand({ Bucket: own, Key: 'copied.txt', CopySource: `${bucket}/b/shared.txt` }));
    await expectObjectBytes(teamB, own, 'copied.txt', 'for team b');
    await expectS3Error(teamB.send(new CopyObjectCommand({ Bucket: own, Key: 'stolen.txt', CopySource: `${bucket}/a/plan.txt` })), 'AccessDenied', 403);
    expect((await teamB.send(new ListObjectsV2Command({ Bucket: own }))).Contents?.map((object) => object.Key)).toEqual(['copied.txt']);
    // The owner keeps every right the policy does not take away.
    await teamA.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/new.txt', Body: 'mine' }));
    await expectObjectBytes(teamA, bucket, 'a/new.txt', 'mine');
  });

  it('tests object tags: team B reads only objects tagged share=team-b, and writes only with allowed tag keys and its team tag', async () => {
    const bucket = await teamABucket({});
    await teamA.send(new PutObjectCommand({ Bucket: bucket, Key: 'shared', Body: 'for b', Tagging: 'share=team-b' }));
    await teamA.send(new PutObjectCommand({ Bucket: bucket, Key: 'private', Body: 'a only', Tagging: 'share=nobody' }));
    await teamA.send(new PutObjectCommand({ Bucket: bucket, Key: 'untagged', Body: 'a only' }));
    const teamBArn = 'arn:aws:iam::111122223333:user/team-b';
    await putPolicy(
      teamA,
      bucket,
      policyOf(
        bucket,
        {
          Sid: 'ReadShared',
          Effect: 'Allow',
          Principal: { AWS: teamBArn },
          Action: ['s3:GetObject', 's3:GetObjectTagging'],
          Condition: { StringEquals: { 's3:ExistingObjectTag/share': 'team-b' } },
        },
        {
          Sid: 'WriteTagged',
          Effect: 'Allow',
          Principal: { AWS: teamBArn },
          // A PutObject with x-amz-tagging needs s3:PutObjectTagging as well, as in S3.
          Action: ['s3:PutObject', 's3:PutObjectTagging'],
          Condition: { StringEquals: { 's3:RequestObjectTag/team': 'b' }, 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['team', 'env'] } },
        },
      ),
    );
    await expectObjectBytes(teamB, bucket, 'shared', 'for b');
    expect((await teamB.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'shared' }))).TagSet).toEqual([{ Key: 'share', Value: 'team-b' }]);
    await teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'from-b', Body: 'b wrote', Tagging: 'team=b&env=dev' }));
    await expectObjectBytes(teamA, bucket, 'from-b', 'b wrote');
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      await expectS3Error(teamB.send(new GetObjectCommand({ Bucket: bucket, Key: 'private' })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new GetObjectCommand({ Bucket: bucket, Key: 'untagged' })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'no-tags', Body: 'x' })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'other-team', Body: 'x', Tagging: 'team=a' })), 'AccessDenied', 403);
      await expectS3Error(teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'extra-key', Body: 'x', Tagging: 'team=b&cost=1' })), 'AccessDenied', 403);
    });
    // The object's tags as they are now decide: retagged by its owner, the shared object is shut to team B.
    await teamA.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'shared', Tagging: { TagSet: [{ Key: 'share', Value: 'nobody' }] } }));
    await expectS3Error(teamB.send(new GetObjectCommand({ Bucket: bucket, Key: 'shared' })), 'AccessDenied', 403);
    // Without s3:PutObjectTagging a write may not set tags, though s3:PutObject lets it write.
    await putPolicy(teamA, bucket, policyOf(bucket, { Effect: 'Allow', Principal: { AWS: teamBArn }, Action: 's3:PutObject' }));
    await expectS3Error(teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 'x', Tagging: 'team=b' })), 'AccessDenied', 403);
    await teamB.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'x' }));
  });

  it('lets an explicit Deny beat the owner’s rights (not the admin’s), but never the owner’s policy operations', async () => {
    const bucket = await teamABucket({ 'keep/contract.pdf': 'signed', 'tmp/scratch': 'scratch' });
    const deny = policyOf(bucket, {
      Sid: 'NoDeletesOfKeep',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:DeleteObject', 's3:PutObject'],
      Resource: `arn:aws:s3:::${bucket}/keep/*`,
    });
    await putPolicy(teamA, bucket, deny);
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      await expectS3Error(teamA.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'keep/contract.pdf' })), 'AccessDenied', 403);
      await expectS3Error(teamA.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep/contract.pdf', Body: 'forged' })), 'AccessDenied', 403);
    });
    // DeleteObjects is judged per key: the denied key is an AccessDenied entry, the other is deleted.
    const result = await teamA.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'keep/contract.pdf' }, { Key: 'tmp/scratch' }] } }));
    expect(result.Deleted?.map((entry) => entry.Key)).toEqual(['tmp/scratch']);
    expect(result.Errors).toEqual([{ Key: 'keep/contract.pdf', Code: 'AccessDenied', Message: 'Access Denied' }]);
    await expectObjectBytes(teamA, bucket, 'keep/contract.pdf', 'signed');
    // The owner can always read, replace and remove the policy itself.
    expect((await teamA.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(deny);
    await putPolicy(teamA, bucket, deny);
    // Admins are the operator's: no policy refuses them.
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep/by-admin', Body: 'admin' }));
    await root.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'keep/by-admin' }));
    await teamA.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await teamA.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'keep/contract.pdf' }));
    expect((await teamA.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
  });

  it('applies conditions: aws:SourceIp (127.0.0.1/32 allows this client, 10.0.0.0/8 does not), aws:SecureTransport, s3:max-keys', async () => {
    const bucket = await teamABucket({ 'data.csv': '1,2,3' });
    const fromLocalhost = (cidr: string) =>
      policyOf(bucket, { Effect: 'Allow', Principal: { AWS: TEAM_B.accessKeyId }, Action: 's3:GetObject', Condition: { IpAddress: { 'aws:SourceIp': cidr } } });
    await putPolicy(teamA, bucket, fromLocalhost('127.0.0.1/32'));
    await expectObjectBytes(teamB, bucket, 'data.csv', '1,2,3');
    await putPolicy(teamA, bucket, fromLocalhost('10.0.0.0/8'));
    await expectS3Error(teamB.send(new GetObjectCommand({ Bucket: bucket, Key: 'data.csv' })), 'AccessDenied', 403);
    // A Deny of plain HTTP refuses everyone but admins here (the gateway in this test serves HTTP).
    await putPolicy(
      teamA,
      bucket,
      policyOf(bucket, {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    await expectS3Error(teamA.send(new GetObjectCommand({ Bucket: bucket, Key: 'data.csv' })), 'AccessDenied', 403);
    await teamA.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await putPolicy(
      teamA,
      bucket,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:ListBucket',
            Resource: `arn:aws:s3:::${bucket}`,
            Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } },
          },
        ],
      }),
    );
    const small = await anonymous('GET', `${bucket}?list-type=2&max-keys=10`);
    expect({ status: small.status, listsKey: small.body.includes('<Key>data.csv</Key>') }).toEqual({ status: 200, listsKey: true });
    expectS3ErrorResponse(await anonymous('GET', `${bucket}?list-type=2&max-keys=11`), 'AccessDenied', 403);
    expectS3ErrorResponse(await anonymous('GET', `${bucket}?list-type=2`), 'AccessDenied', 403);
  });

  it('refuses every malformed policy with 400 MalformedPolicy and S3’s message, keeping the policy it had', async () => {
    const bucket = await teamABucket({});
    const good = policyOf(bucket, { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' });
    await putPolicy(teamA, bucket, good);
    const statement = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` };
    const cases: Array<[string, string]> = [
      ['{"Version": "2012-10-17", "Statement": [', 'This policy contains invalid Json'],
      [JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
      [JSON.stringify({ Version: '1999-01-01', Statement: [statement] }), 'The policy must contain a valid version string'],
      [JSON.stringify({ Statement: [{ ...statement, Effect: 'Permit' }] }), 'Invalid effect: Permit'],
      [JSON.stringify({ Statement: [{ ...statement, Effect: undefined }] }), 'Missing required field Effect'],
      [JSON.stringify({ Statement: [{ ...statement, Principal: { AWS: 'arn:aws:iam::111122223333:role/x' } }] }), 'Invalid principal in policy'],
      [JSON.stringify({ Statement: [{ ...statement, Action: 's3:GetObjects' }] }), 'Policy has invalid action'],
      [JSON.stringify({ Statement: [{ ...statement, Resource: 'arn:aws:s3:::someone-else/*' }] }), 'Policy has invalid resource'],
      [JSON.stringify({ Statement: [{ ...statement, Resource: `arn:aws:s3:::${bucket}` }] }), 'Action does not apply to any resource(s) in statement'],
      [JSON.stringify({ Statement: [{ ...statement, Condition: { StringEquals: { 'aws:Nonsense': 'x' } } }] }), 'Policy has an invalid condition key'],
      [JSON.stringify({ Statement: [{ ...statement, Condition: { StringEqualz: { 's3:prefix': 'x' } } }] }), 'Invalid Condition type : StringEqualz'],
      [
        JSON.stringify({
          Statement: [
            { ...statement, Sid: 'x' },
            { ...statement, Sid: 'x' },
          ],
        }),
        'Statement IDs (SID) in a single policy must be unique.',
      ],
      [JSON.stringify({ Statement: [statement], Padding: 'x'.repeat(20 * 1024) }), 'Policy exceeds the maximum allowed document size.'],
    ];
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      for (const [document, message] of cases) {
        const error = await expectS3Error(putPolicy(teamA, bucket, document), 'MalformedPolicy', 400);
        expect({ document: document.slice(0, 200), message: error.message }).toEqual({ document: document.slice(0, 200), message });
      }
    });
    expect((await teamA.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(good);
  });

  it('keeps a public access block; BlockPublicPolicy refuses public policies, RestrictPublicBuckets shuts anonymous requests out', async () => {
    const bucket = await teamABucket({ 'page.html': 'hello' });
    const block = (config: Record<string, boolean>) => teamA.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: config }));
    await expectS3Error(teamA.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), 'NoSuchPublicAccessBlockConfiguration', 404);
    await expectS3Error(
      teamB.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } })),
      'AccessDenied',
      403,
    );
    await block({ BlockPublicPolicy: true });
    expect((await teamA.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    const publicRead = policyOf(bucket, { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' });
    await expectS3Error(putPolicy(teamA, bucket, publicRead), 'AccessDenied', 403);
    await expectS3Error(teamA.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'NoSuchBucketPolicy', 404);
    const teamBOnly = policyOf(bucket, { Effect: 'Allow', Principal: { AWS: TEAM_B.accessKeyId }, Action: 's3:GetObject' });
    await putPolicy(teamA, bucket, teamBOnly);
    await block({ RestrictPublicBuckets: true });
    await putPolicy(teamA, bucket, publicRead);
    expectS3ErrorResponse(await anonymous('GET', `${bucket}/page.html`), 'AccessDenied', 403);
    await expectObjectBytes(teamB, bucket, 'page.html', 'hello');
    await teamA.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    await expectS3Error(teamA.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), 'NoSuchPublicAccessBlockConfiguration', 404);
    const page = await anonymous('GET', `${bucket}/page.html`);
    expect({ status: page.status, body: page.body }).toEqual({ status: 200, body: 'hello' });
  });

  describe('through boto3', () => {
    let sandbox: ClientSandbox;
    beforeAll(() => {
      sandbox = clientSandbox({ AWS_ACCESS_KEY_ID: TEAM_A.accessKeyId, AWS_SECRET_ACCESS_KEY: TEAM_A.secretAccessKey });
      requireClient('python3', ['-c', 'import boto3'], sandbox.env, 'install boto3 with `python3 -m pip install boto3` (.ci/run does)');
    });
    afterAll(() => sandbox?.cleanup());

    it('puts, reads and deletes a two-team policy, and the reader gets exactly what it grants', async () => {
      const bucket = await teamABucket({ 'a/x': 'a only', 'b/y': 'b may read' });
      const policy = policyOf(bucket, {
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::111122223333:user/${TEAM_B.accessKeyId}`] },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/b/*`,
      });
      const result = await boto3Scenario(sandbox, gateway.endpoint, 'bucket_policy', {
        bucket,
        policy,
        bad_policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:Teleport', Resource: `arn:aws:s3:::${bucket}/*` }] }),
        reader: { key: TEAM_B.accessKeyId, secret: TEAM_B.secretAccessKey },
        keys: ['b/y', 'a/x'],
      });
      expect(result).toMatchObject({
        malformed: { code: 'MalformedPolicy', status: 400 },
        reader_put_policy: { code: 'AccessDenied', status: 403 },
        policy,
        is_public: false,
        reads: { 'b/y': 'b may read', 'a/x': 'AccessDenied' },
        reader_put: { code: 'AccessDenied', status: 403 },
        after_delete: { code: 'NoSuchBucketPolicy', status: 404 },
        reads_after_delete: { 'b/y': 'AccessDenied', 'a/x': 'AccessDenied' },
      });
      await expectObjectBytes(teamA, bucket, 'b/y', 'b may read');
    });
  });
});
