/**
 * Access control in `verify` mode (README, "Access control"), on the pass's backend: two users (alice from the
 * credentials file with a derived canonical id, bob with a configured one), the environment's key (an admin), a
 * key made admin by S3_ADMIN_KEYS, and anonymous unsigned requests. Every route is driven by each principal: the
 * bucket owner and the admins may do everything, anyone else (no ACL granting them anything: acl.e2e.ts) gets 403 AccessDenied, and a refused request is
 * shown to have changed nothing (the admin's view of every bucket, the store's footprint, the owner's reads).
 */
import {
  DeleteBucketCorsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningGateway, startGateway } from './support/gateway';
import { expectObjectBytes, expectStoreUnchangedBy, getObject } from './support/objects';
import { labelKey, scrapeMetrics } from './support/prometheus';
import { rawRequest } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { bodylessErrorName, expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import { type AccessKey, objectPath, presignPath } from './support/sigv4-client';
import { S3_OPERATIONS } from '../src/s3/routes';

const ROOT: AccessKey = { accessKeyId: 'ROOTKEY', secretAccessKey: 'root-secret' };
const ALICE: AccessKey = { accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'alice/Secret+1' };
const BOB: AccessKey = { accessKeyId: 'AKIABOB00000000002', secretAccessKey: 'bob/Secret+2' };
const OPS: AccessKey = { accessKeyId: 'AKIAOPS00000000003', secretAccessKey: 'ops/Secret+3' };
const BOB_ID = 'b0'.repeat(32);
const PART = Buffer.alloc(5 * 1024 * 1024, 'p');
/** A policy that would let everyone read alice's bucket, were anyone but alice allowed to put it. */
const OPEN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::alice-data/*' }],
});
/**
 * Operations that are not in the table of routes refused to others: they address no bucket of alice's (ListBuckets,
 * CreateBucket), are not S3 operations (CorsPreflight needs no signature; NotImplemented, MethodNotAllowed), or are
 * judged on their form's signature (PostObject: post-object.e2e.ts refuses forms signed by no one, or for another
 * user's bucket).
 */
const NOT_IN_TABLE = ['ListBuckets', 'CreateBucket', 'CorsPreflight', 'NotImplemented', 'MethodNotAllowed', 'PostObject'];

/** An S3 operation driven two ways: by a signed SDK client, and as a plain unsigned HTTP request. */
interface Operation {
  name: string;
  sdk(s3: S3Client): Promise<unknown>;
  raw: { method: string; path: string; headers?: Record<string, string>; body?: string };
}

function credentialsFile(): string {
  return [
    '# access-control e2e',
    `${ALICE.accessKeyId}:${ALICE.secretAccessKey} name=alice`,
    `${BOB.accessKeyId}:${BOB.secretAccessKey} name=bob id=${BOB_ID.toUpperCase()}`,
    `${OPS.accessKeyId}:${OPS.secretAccessKey}`,
  ].join('\n');
}

describe('access control (S3_AUTH=verify): owners, admins and anonymous requests on every route', () => {
  const credentialsDir = mkdtempSync(join(tmpdir(), 'ais-s3-access-'));
  let gateway: RunningGateway;
  const clients: S3Client[] = [];
  let root: S3Client;
  let alice: S3Client;
  let bob: S3Client;
  let ops: S3Client;
  let aliceId: string;
  /** alice's multipart upload of `mp.bin` in her bucket, with one part, left open for the refusals to aim at. */
  let aliceUpload: string;
  /** bob's own upload in his bucket, for an UploadPartCopy out of alice's bucket. */
  let bobUpload: string;

  const clientOf = (key: AccessKey): S3Client => {
    const client = s3ClientFor(gateway.endpoint, { credentials: key });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    writeFileSync(join(credentialsDir, 'credentials'), credentialsFile());
    gateway = await startGateway({
      S3_ACCESS_KEY_ID: ROOT.accessKeyId,
      S3_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      S3_CREDENTIALS_FILE: join(credentialsDir, 'credentials'),
      S3_ADMIN_KEYS: OPS.accessKeyId,
    });
    [root, alice, bob, ops] = [ROOT, ALICE, BOB, OPS].map(clientOf);
    await alice.send(new CreateBucketCommand({ Bucket: 'alice-data' }));
    await alice.send(new PutObjectCommand({ Bucket: 'alice-data', Key: 'a.txt', Body: 'alice one' }));
    await alice.send(new PutObjectCommand({ Bucket: 'alice-data', Key: 'dir/b.txt', Body: 'alice two' }));
    aliceUpload = (await alice.send(new CreateMultipartUploadCommand({ Bucket: 'alice-data', Key: 'mp.bin' }))).UploadId!;
    await alice.send(new UploadPartCommand({ Bucket: 'alice-data', Key: 'mp.bin', UploadId: aliceUpload, PartNumber: 1, Body: PART }));
    await bob.send(new CreateBucketCommand({ Bucket: 'bob-data' }));
    await bob.send(new PutObjectCommand({ Bucket: 'bob-data', Key: 'b.txt', Body: 'bob one' }));
    bobUpload = (await bob.send(new CreateMultipartUploadCommand({ Bucket: 'bob-data', Key: 'bob-mp.bin' }))).UploadId!;
    aliceId = (await alice.send(new GetBucketAclCommand({ Bucket: 'alice-data' }))).Owner!.ID!;
  });

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await gateway?.stop();
    rmSync(credentialsDir, { recursive: true, force: true });
  });

  /** Every route on alice's bucket, aimed at her objects and her open upload; each would change or read something. */
  function aliceOperations(): Operation[] {
    const B = 'alice-data';
    const path = (rest: string) => `/s3/${B}${rest}`;
    const upload = { Bucket: B, Key: 'mp.bin', UploadId: aliceUpload };
    const deleteBody = '<Delete><Object><Key>a.txt</Key></Object></Delete>';
    return [
      { name: 'HeadBucket', sdk: (s3) => s3.send(new HeadBucketCommand({ Bucket: B })), raw: { method: 'HEAD', path: path('') } },
      { name: 'GetBucketLocation', sdk: (s3) => s3.send(new GetBucketLocationCommand({ Bucket: B })), raw: { method: 'GET', path: path('?location') } },
      { name: 'GetBucketVersioning', sdk: (s3) => s3.send(new GetBucketVersioningCommand({ Bucket: B })), raw: { method: 'GET', path: path('?versioning') } },
      {
        name: 'PutBucketVersioning',
        sdk: (s3) => s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } })),
        raw: { method: 'PUT', path: path('?versioning'), body: '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>' },
      },
      { name: 'GetBucketAcl', sdk: (s3) => s3.send(new GetBucketAclCommand({ Bucket: B })), raw: { method: 'GET', path: path('?acl') } },
      {
        name: 'PutBucketAcl',
        sdk: (s3) => s3.send(new PutBucketAclCommand({ Bucket: B, ACL: 'private' })),
        raw: { method: 'PUT', path: path('?acl'), headers: { 'x-amz-acl': 'private' } },
      },
      { name: 'ListObjects', sdk: (s3) => s3.send(new ListObjectsCommand({ Bucket: B })), raw: { method: 'GET', path: path('') } },
      { name: 'ListObjectsV2', sdk: (s3) => s3.send(new ListObjectsV2Command({ Bucket: B })), raw: { method: 'GET', path: path('?list-type=2') } },
      { name: 'ListObjectVersions', sdk: (s3) => s3.send(new ListObjectVersionsCommand({ Bucket: B })), raw: { method: 'GET', path: path('?versions') } },
      { name: 'ListMultipartUploads', sdk: (s3) => s3.send(new ListMultipartUploadsCommand({ Bucket: B })), raw: { method: 'GET', path: path('?uploads') } },
      {
        name: 'DeleteObjects',
        sdk: (s3) => s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'a.txt' }] } })),
        raw: { method: 'POST', path: path('?delete'), body: deleteBody },
      },
      { name: 'DeleteBucket', sdk: (s3) => s3.send(new DeleteBucketCommand({ Bucket: B })), raw: { method: 'DELETE', path: path('') } },
      {
        name: 'PutObject',
        sdk: (s3) => s3.send(new PutObjectCommand({ Bucket: B, Key: 'a.txt', Body: 'overwritten' })),
        raw: { method: 'PUT', path: path('/a.txt'), body: 'overwritten' },
      },
      {
        name: 'PutObject (new key)',
        sdk: (s3) => s3.send(new PutObjectCommand({ Bucket: B, Key: 'new.txt', Body: 'planted' })),
        raw: { method: 'PUT', path: path('/new.txt'), body: 'planted' },
      },
      {
        name: 'CopyObject',
        sdk: (s3) => s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy.txt', CopySource: `${B}/a.txt` })),
        raw: { method: 'PUT', path: path('/copy.txt'), headers: { 'x-amz-copy-source': `${B}/a.txt` } },
      },
      { name: 'GetObject', sdk: (s3) => s3.send(new GetObjectCommand({ Bucket: B, Key: 'a.txt' })), raw: { method: 'GET', path: path('/a.txt') } },
      { name: 'HeadObject', sdk: (s3) => s3.send(new HeadObjectCommand({ Bucket: B, Key: 'a.txt' })), raw: { method: 'HEAD', path: path('/a.txt') } },
      {
        name: 'GetObjectAttributes',
        sdk: (s3) => s3.send(new GetObjectAttributesCommand({ Bucket: B, Key: 'a.txt', ObjectAttributes: ['ETag', 'ObjectSize'] })),
        raw: { method: 'GET', path: path('/a.txt?attributes'), headers: { 'x-amz-object-attributes': 'ETag' } },
      },
      { name: 'DeleteObject', sdk: (s3) => s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'a.txt' })), raw: { method: 'DELETE', path: path('/a.txt') } },
      { name: 'GetObjectAcl', sdk: (s3) => s3.send(new GetObjectAclCommand({ Bucket: B, Key: 'a.txt' })), raw: { method: 'GET', path: path('/a.txt?acl') } },
      {
        name: 'PutObjectAcl',
        sdk: (s3) => s3.send(new PutObjectAclCommand({ Bucket: B, Key: 'a.txt', ACL: 'private' })),
        raw: { method: 'PUT', path: path('/a.txt?acl'), headers: { 'x-amz-acl': 'private' } },
      },
      {
        name: 'CreateMultipartUpload',
        sdk: (s3) => s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'other.bin' })),
        raw: { method: 'POST', path: path('/other.bin?uploads') },
      },
      {
        name: 'UploadPart',
        sdk: (s3) => s3.send(new UploadPartCommand({ ...upload, PartNumber: 2, Body: 'part two' })),
        raw: { method: 'PUT', path: path(`/mp.bin?partNumber=2&uploadId=${aliceUpload}`), body: 'part two' },
      },
      {
        name: 'UploadPartCopy',
        sdk: (s3) => s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 2, CopySource: `${B}/a.txt` })),
        raw: { method: 'PUT', path: path(`/mp.bin?partNumber=2&uploadId=${aliceUpload}`), headers: { 'x-amz-copy-source': `${B}/a.txt` } },
      },
      {
        name: 'CompleteMultipartUpload',
        sdk: (s3) => s3.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: 'x' }] } })),
        raw: {
          method: 'POST',
          path: path(`/mp.bin?uploadId=${aliceUpload}`),
          body: '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>',
        },
      },
      {
        name: 'AbortMultipartUpload',
        sdk: (s3) => s3.send(new AbortMultipartUploadCommand(upload)),
        raw: { method: 'DELETE', path: path(`/mp.bin?uploadId=${aliceUpload}`) },
      },
      { name: 'ListParts', sdk: (s3) => s3.send(new ListPartsCommand(upload)), raw: { method: 'GET', path: path(`/mp.bin?uploadId=${aliceUpload}`) } },
      // The bucket's configuration documents: each Get reads one, each Put or Delete would change one.
      { name: 'GetBucketCors', sdk: (s3) => s3.send(new GetBucketCorsCommand({ Bucket: B })), raw: { method: 'GET', path: path('?cors') } },
      {
        name: 'PutBucketCors',
        sdk: (s3) => s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] } })),
        raw: {
          method: 'PUT',
          path: path('?cors'),
          body: '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
        },
      },
      { name: 'DeleteBucketCors', sdk: (s3) => s3.send(new DeleteBucketCorsCommand({ Bucket: B })), raw: { method: 'DELETE', path: path('?cors') } },
      {
        name: 'GetBucketLifecycleConfiguration',
        sdk: (s3) => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })),
        raw: { method: 'GET', path: path('?lifecycle') },
      },
      {
        name: 'PutBucketLifecycleConfiguration',
        sdk: (s3) =>
          s3.send(
            new PutBucketLifecycleConfigurationCommand({
              Bucket: B,
              LifecycleConfiguration: { Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }] },
            }),
          ),
        raw: {
          method: 'PUT',
          path: path('?lifecycle'),
          body: '<LifecycleConfiguration><Rule><ID>x</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>',
        },
      },
      {
        name: 'DeleteBucketLifecycle',
        sdk: (s3) => s3.send(new DeleteBucketLifecycleCommand({ Bucket: B })),
        raw: { method: 'DELETE', path: path('?lifecycle') },
      },
      { name: 'GetBucketTagging', sdk: (s3) => s3.send(new GetBucketTaggingCommand({ Bucket: B })), raw: { method: 'GET', path: path('?tagging') } },
      {
        name: 'PutBucketTagging',
        sdk: (s3) => s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })),
        raw: { method: 'PUT', path: path('?tagging'), body: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>' },
      },
      { name: 'DeleteBucketTagging', sdk: (s3) => s3.send(new DeleteBucketTaggingCommand({ Bucket: B })), raw: { method: 'DELETE', path: path('?tagging') } },
      {
        name: 'GetObjectTagging',
        sdk: (s3) => s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'a.txt' })),
        raw: { method: 'GET', path: path('/a.txt?tagging') },
      },
      {
        name: 'PutObjectTagging',
        sdk: (s3) => s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'a.txt', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })),
        raw: { method: 'PUT', path: path('/a.txt?tagging'), body: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>' },
      },
      {
        name: 'DeleteObjectTagging',
        sdk: (s3) => s3.send(new DeleteObjectTaggingCommand({ Bucket: B, Key: 'a.txt' })),
        raw: { method: 'DELETE', path: path('/a.txt?tagging') },
      },
      // Object Lock: a bucket's configuration, a version's retention and legal hold.
      {
        name: 'GetObjectLockConfiguration',
        sdk: (s3) => s3.send(new GetObjectLockConfigurationCommand({ Bucket: B })),
        raw: { method: 'GET', path: path('?object-lock') },
      },
      {
        name: 'PutObjectLockConfiguration',
        sdk: (s3) => s3.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })),
        raw: {
          method: 'PUT',
          path: path('?object-lock'),
          body: '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
        },
      },
      {
        name: 'GetObjectRetention',
        sdk: (s3) => s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'a.txt' })),
        raw: { method: 'GET', path: path('/a.txt?retention') },
      },
      {
        name: 'PutObjectRetention',
        sdk: (s3) =>
          s3.send(
            new PutObjectRetentionCommand({ Bucket: B, Key: 'a.txt', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date('2099-01-01T00:00:00Z') } }),
          ),
        raw: {
          method: 'PUT',
          path: path('/a.txt?retention'),
          body: '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>',
        },
      },
      {
        name: 'GetObjectLegalHold',
        sdk: (s3) => s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'a.txt' })),
        raw: { method: 'GET', path: path('/a.txt?legal-hold') },
      },
      {
        name: 'PutObjectLegalHold',
        sdk: (s3) => s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'a.txt', LegalHold: { Status: 'ON' } })),
        raw: { method: 'PUT', path: path('/a.txt?legal-hold'), body: '<LegalHold><Status>ON</Status></LegalHold>' },
      },
      { name: 'GetBucketPolicy', sdk: (s3) => s3.send(new GetBucketPolicyCommand({ Bucket: B })), raw: { method: 'GET', path: path('?policy') } },
      {
        name: 'PutBucketPolicy',
        sdk: (s3) => s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: OPEN_POLICY })),
        raw: { method: 'PUT', path: path('?policy'), body: OPEN_POLICY },
      },
      { name: 'DeleteBucketPolicy', sdk: (s3) => s3.send(new DeleteBucketPolicyCommand({ Bucket: B })), raw: { method: 'DELETE', path: path('?policy') } },
      {
        name: 'GetBucketPolicyStatus',
        sdk: (s3) => s3.send(new GetBucketPolicyStatusCommand({ Bucket: B })),
        raw: { method: 'GET', path: path('?policyStatus') },
      },
      {
        name: 'GetPublicAccessBlock',
        sdk: (s3) => s3.send(new GetPublicAccessBlockCommand({ Bucket: B })),
        raw: { method: 'GET', path: path('?publicAccessBlock') },
      },
      {
        name: 'PutPublicAccessBlock',
        sdk: (s3) => s3.send(new PutPublicAccessBlockCommand({ Bucket: B, PublicAccessBlockConfiguration: { BlockPublicAcls: true } })),
        raw: {
          method: 'PUT',
          path: path('?publicAccessBlock'),
          body: '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>',
        },
      },
      {
        name: 'DeletePublicAccessBlock',
        sdk: (s3) => s3.send(new DeletePublicAccessBlockCommand({ Bucket: B })),
        raw: { method: 'DELETE', path: path('?publicAccessBlock') },
      },
      {
        name: 'GetBucketOwnershipControls',
        sdk: (s3) => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: B })),
        raw: { method: 'GET', path: path('?ownershipControls') },
      },
      {
        name: 'PutBucketOwnershipControls',
        sdk: (s3) => s3.send(new PutBucketOwnershipControlsCommand({ Bucket: B, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })),
        raw: {
          method: 'PUT',
          path: path('?ownershipControls'),
          body: '<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>',
        },
      },
      {
        name: 'DeleteBucketOwnershipControls',
        sdk: (s3) => s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: B })),
        raw: { method: 'DELETE', path: path('?ownershipControls') },
      },
    ];
  }

  /** What alice sees of her bucket, beyond the listing expectStoreUnchangedBy compares: bytes, upload, versioning, owner. */
  async function expectAliceUntouched(): Promise<void> {
    await expectObjectBytes(alice, 'alice-data', 'a.txt', 'alice one');
    await expectObjectBytes(alice, 'alice-data', 'dir/b.txt', 'alice two');
    const parts = await alice.send(new ListPartsCommand({ Bucket: 'alice-data', Key: 'mp.bin', UploadId: aliceUpload }));
    expect(parts.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([[1, PART.length]]);
    const uploads = await alice.send(new ListMultipartUploadsCommand({ Bucket: 'alice-data' }));
    expect(uploads.Uploads?.map((upload) => upload.Key)).toEqual(['mp.bin']);
    expect((await alice.send(new GetBucketVersioningCommand({ Bucket: 'alice-data' }))).Status).toBeUndefined();
    expect((await alice.send(new GetBucketAclCommand({ Bucket: 'alice-data' }))).Owner).toEqual({ ID: aliceId, DisplayName: 'alice' });
    const B = { Bucket: 'alice-data' };
    // No configuration document was put, and none removed: the bucket has none of them.
    await expectS3Error(alice.send(new GetBucketCorsCommand(B)), 'NoSuchCORSConfiguration', 404);
    await expectS3Error(alice.send(new GetBucketLifecycleConfigurationCommand(B)), 'NoSuchLifecycleConfiguration', 404);
    await expectS3Error(alice.send(new GetBucketTaggingCommand(B)), 'NoSuchTagSet', 404);
    await expectS3Error(alice.send(new GetBucketPolicyCommand(B)), 'NoSuchBucketPolicy', 404);
    await expectS3Error(alice.send(new GetPublicAccessBlockCommand(B)), 'NoSuchPublicAccessBlockConfiguration', 404);
    await expectS3Error(alice.send(new GetBucketOwnershipControlsCommand(B)), 'OwnershipControlsNotFoundError', 404);
    await expectS3Error(alice.send(new GetObjectLockConfigurationCommand(B)), 'ObjectLockConfigurationNotFoundError', 404);
    expect((await alice.send(new GetObjectTaggingCommand({ ...B, Key: 'a.txt' }))).TagSet).toEqual([]);
  }

  it('gives each user a canonical id: derived from the key when none is configured, the configured one (lowercased) otherwise', async () => {
    expect(aliceId).toMatch(/^[0-9a-f]{64}$/);
    expect((await bob.send(new GetBucketAclCommand({ Bucket: 'bob-data' }))).Owner).toEqual({ ID: BOB_ID, DisplayName: 'bob' });
  });

  it('has every S3 operation in its table of routes, so that a new route cannot go untested', () => {
    const tested = new Set(aliceOperations().map((operation) => operation.name.split(' ')[0]));
    expect(S3_OPERATIONS.filter((operation) => !tested.has(operation) && !NOT_IN_TABLE.includes(operation))).toEqual([]);
  });

  it("refuses every route on alice's bucket to bob with AccessDenied, and the refusals change and reveal nothing", async () => {
    const operations = aliceOperations();
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      for (const operation of operations) {
        const head = operation.raw.method === 'HEAD';
        const error = await expectS3Error(operation.sdk(bob), head ? bodylessErrorName(403) : 'AccessDenied', 403).catch((err: Error) => {
          throw new Error(`${operation.name}: ${err.message}`);
        });
        expect(JSON.stringify(error)).not.toContain('alice one');
      }
    });
    await expectAliceUntouched();
  });

  it('refuses every route to anonymous unsigned requests, ListBuckets and CreateBucket included, without reading the body', async () => {
    const operations = aliceOperations();
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      for (const operation of [
        ...operations,
        { name: 'ListBuckets', raw: { method: 'GET', path: '/s3/' } },
        { name: 'CreateBucket', raw: { method: 'PUT', path: '/s3/anonymous-bucket' } },
      ]) {
        const response = await rawRequest(gateway.origin, operation.raw);
        if (operation.raw.method === 'HEAD')
          expect({ name: operation.name, status: response.status, body: response.body }).toEqual({ name: operation.name, status: 403, body: '' });
        else expectS3ErrorResponse(response, 'AccessDenied', 403);
        expect(response.body).not.toMatch(/alice (one|two)|<Contents>|<Owner>/);
      }
    });
    await expectAliceUntouched();
    // As on S3, a bucket that does not exist is NoSuchBucket to anyone (an ACL could have let them in).
    expectS3ErrorResponse(await rawRequest(gateway.origin, { method: 'PUT', path: '/s3/no-such-bucket/k', body: 'x' }), 'NoSuchBucket', 404);
    expect((await root.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).toEqual(['alice-data', 'bob-data']);
  });

  it("refuses copies out of alice's bucket into bob's own bucket and upload, and leaves bob's bucket as it was", async () => {
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      await expectS3Error(bob.send(new CopyObjectCommand({ Bucket: 'bob-data', Key: 'stolen.txt', CopySource: 'alice-data/a.txt' })), 'AccessDenied', 403);
      await expectS3Error(
        bob.send(new UploadPartCopyCommand({ Bucket: 'bob-data', Key: 'bob-mp.bin', UploadId: bobUpload, PartNumber: 1, CopySource: 'alice-data/a.txt' })),
        'AccessDenied',
        403,
      );
      // And the other way round: alice may not copy into bob's bucket from her own.
      await expectS3Error(alice.send(new CopyObjectCommand({ Bucket: 'bob-data', Key: 'planted.txt', CopySource: 'alice-data/a.txt' })), 'AccessDenied', 403);
    });
    const parts = await bob.send(new ListPartsCommand({ Bucket: 'bob-data', Key: 'bob-mp.bin', UploadId: bobUpload }));
    expect(parts.Parts ?? []).toEqual([]);
  });

  it('answers CreateBucket of a name another user owns with BucketAlreadyExists, and of one the caller owns as before', async () => {
    await expectS3Error(bob.send(new CreateBucketCommand({ Bucket: 'alice-data' })), 'BucketAlreadyExists', 409);
    // us-east-1: S3's legacy 200 for the owner's own bucket.
    await alice.send(new CreateBucketCommand({ Bucket: 'alice-data' }));
    await expectAliceUntouched();
  });

  it("lists each user's own buckets, all of them for admins, with the caller as Owner", async () => {
    const names = async (s3: S3Client) => (await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name);
    expect(await names(alice)).toEqual(['alice-data']);
    expect(await names(bob)).toEqual(['bob-data']);
    expect(await names(root)).toEqual(['alice-data', 'bob-data']);
    expect(await names(ops)).toEqual(['alice-data', 'bob-data']);
    expect((await alice.send(new ListBucketsCommand({}))).Owner).toEqual({ ID: aliceId, DisplayName: 'alice' });
    expect((await bob.send(new ListBucketsCommand({ MaxBuckets: 1 }))).Buckets?.map((bucket) => bucket.Name)).toEqual(['bob-data']);
    const page = await alice.send(new ListBucketsCommand({ MaxBuckets: 1 }));
    expect({ names: page.Buckets?.map((bucket) => bucket.Name), token: page.ContinuationToken }).toEqual({ names: ['alice-data'], token: undefined });
  });

  it("shows the bucket owner in ACLs and in listings' Owner fields, to the owner and to admins", async () => {
    const owner = { ID: aliceId, DisplayName: 'alice' };
    for (const s3 of [alice, root]) {
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: 'alice-data', Key: 'a.txt' }));
      expect(acl.Owner).toEqual(owner);
      expect(acl.Grants).toEqual([{ Grantee: { ...owner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
      const listing = await s3.send(new ListObjectsV2Command({ Bucket: 'alice-data', FetchOwner: true }));
      expect(listing.Contents?.map((object) => object.Owner)).toEqual([owner, owner]);
      expect((await s3.send(new ListObjectsCommand({ Bucket: 'alice-data' }))).Contents?.[0].Owner).toEqual(owner);
      expect((await s3.send(new ListObjectVersionsCommand({ Bucket: 'alice-data' }))).Versions?.[0].Owner).toEqual(owner);
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'alice-data' }));
      expect(uploads.Uploads?.map((upload) => [upload.Owner, upload.Initiator])).toEqual([[owner, { ID: owner.ID, DisplayName: owner.DisplayName }]]);
    }
  });

  it('checks x-amz-expected-bucket-owner (the canonical id) on bucket and object operations, admins included', async () => {
    await alice.send(new HeadBucketCommand({ Bucket: 'alice-data', ExpectedBucketOwner: aliceId }));
    await getObject(alice, { Bucket: 'alice-data', Key: 'a.txt', ExpectedBucketOwner: aliceId });
    await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
      await expectS3Error(alice.send(new GetObjectCommand({ Bucket: 'alice-data', Key: 'a.txt', ExpectedBucketOwner: BOB_ID })), 'AccessDenied', 403);
      await expectS3Error(
        alice.send(new PutObjectCommand({ Bucket: 'alice-data', Key: 'a.txt', Body: 'no', ExpectedBucketOwner: '111122223333' })),
        'AccessDenied',
        403,
      );
      await expectS3Error(root.send(new DeleteObjectCommand({ Bucket: 'alice-data', Key: 'a.txt', ExpectedBucketOwner: BOB_ID })), 'AccessDenied', 403);
      await expectS3Error(alice.send(new ListObjectsV2Command({ Bucket: 'alice-data', ExpectedBucketOwner: BOB_ID })), 'AccessDenied', 403);
      await expectS3Error(
        root.send(new CopyObjectCommand({ Bucket: 'bob-data', Key: 'c.txt', CopySource: 'alice-data/a.txt', ExpectedSourceBucketOwner: BOB_ID })),
        'AccessDenied',
        403,
      );
    });
    await expectAliceUntouched();
  });

  it("judges presigned URLs by the key that signed them: bob's URL for alice's object is refused, alice's works", async () => {
    const url = async (key: AccessKey, method: string) =>
      presignPath(gateway.origin, key, { method, path: objectPath('/s3', 'alice-data', 'a.txt'), expiresIn: 300 });
    const byBob = await rawRequest(gateway.origin, { method: 'GET', path: await url(BOB, 'GET') });
    expectS3ErrorResponse(byBob, 'AccessDenied', 403);
    expect(byBob.body).not.toContain('alice one');
    expectS3ErrorResponse(await rawRequest(gateway.origin, { method: 'PUT', path: await url(BOB, 'PUT'), body: 'overwritten' }), 'AccessDenied', 403);
    const byAlice = await rawRequest(gateway.origin, { method: 'GET', path: await url(ALICE, 'GET') });
    expect({ status: byAlice.status, body: byAlice.body }).toEqual({ status: 200, body: 'alice one' });
  });

  it('answers NoSuchBucket to a user, and to an anonymous request, for a bucket that does not exist (as S3 does), creating nothing', async () => {
    await expectS3Error(bob.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })), 'NoSuchBucket', 404);
    await expectS3Error(bob.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
    expectS3ErrorResponse(await rawRequest(gateway.origin, { method: 'PUT', path: '/s3/no-such-bucket/k', body: 'x' }), 'NoSuchBucket', 404);
    expect((await root.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).not.toContain('no-such-bucket');
  });

  it('counts refusals in s3_access_denied_total by operation and reason', async () => {
    const before = await scrapeMetrics(gateway.origin);
    await expectS3Error(bob.send(new GetObjectCommand({ Bucket: 'alice-data', Key: 'a.txt' })), 'AccessDenied', 403);
    await rawRequest(gateway.origin, { method: 'GET', path: '/s3/alice-data/a.txt' });
    await expectS3Error(alice.send(new HeadObjectCommand({ Bucket: 'alice-data', Key: 'a.txt', ExpectedBucketOwner: BOB_ID })), bodylessErrorName(403), 403);
    const after = await scrapeMetrics(gateway.origin);
    expect(after.changes(before, 's3_access_denied_total')).toEqual({
      [labelKey({ operation: 'GetObject', reason: 'not_owner' })]: 1,
      [labelKey({ operation: 'GetObject', reason: 'anonymous' })]: 1,
      [labelKey({ operation: 'HeadObject', reason: 'expected_owner' })]: 1,
    });
  });

  /** Every route, by a principal allowed to use `bucket`; each answer is checked, and what it wrote read back. */
  async function everyRouteSucceeds(s3: S3Client, bucket: string, prefix: string): Promise<void> {
    const key = `${prefix}obj.txt`;
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
    await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'v1' }));
    await expectObjectBytes(s3, bucket, key, 'v1');
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength).toBe(2);
    expect((await s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: key, ObjectAttributes: ['ObjectSize'] }))).ObjectSize).toBe(2);
    await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }));
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: 'private' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: `${key}.copy`, CopySource: `${bucket}/${key}` }));
    await expectObjectBytes(s3, bucket, `${key}.copy`, 'v1');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([key, `${key}.copy`]);
    expect((await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix }))).Contents).toHaveLength(2);
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }))).Versions).toHaveLength(2);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}mp` }));
    const upload = { Bucket: bucket, Key: `${prefix}mp`, UploadId };
    const one = await s3.send(new UploadPartCommand({ ...upload, PartNumber: 1, Body: PART }));
    const two = await s3.send(new UploadPartCopyCommand({ ...upload, PartNumber: 2, CopySource: `${bucket}/${key}` }));
    expect((await s3.send(new ListPartsCommand(upload))).Parts).toHaveLength(2);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads).toHaveLength(1);
    await s3.send(
      new CompleteMultipartUploadCommand({
        ...upload,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: one.ETag },
            { PartNumber: 2, ETag: two.CopyPartResult!.ETag },
          ],
        },
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}mp` }))).ContentLength).toBe(PART.length + 2);
    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}gone` }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}gone`, UploadId: aborted.UploadId }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${key}.copy` }));
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }, { Key: `${prefix}mp` }] } }));
    expect(deleted.Errors ?? []).toEqual([]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).KeyCount).toBe(0);
  }

  it('lets the owner and both kinds of admin (environment key, S3_ADMIN_KEYS) use every route', async () => {
    await everyRouteSucceeds(alice, 'alice-data', 'by-alice/');
    await everyRouteSucceeds(root, 'alice-data', 'by-root/');
    await everyRouteSucceeds(ops, 'bob-data', 'by-ops/');
    await expectAliceUntouched();
  });

  it('lets the owner and admins switch versioning and delete the bucket, and anyone create the name again afterwards', async () => {
    await bob.send(new CreateBucketCommand({ Bucket: 'bob-scratch' }));
    await bob.send(new PutBucketVersioningCommand({ Bucket: 'bob-scratch', VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await ops.send(new GetBucketVersioningCommand({ Bucket: 'bob-scratch' }))).Status).toBe('Suspended');
    await expectS3Error(alice.send(new DeleteBucketCommand({ Bucket: 'bob-scratch' })), 'AccessDenied', 403);
    await ops.send(new DeleteBucketCommand({ Bucket: 'bob-scratch' }));
    await alice.send(new CreateBucketCommand({ Bucket: 'bob-scratch' }));
    expect((await alice.send(new GetBucketAclCommand({ Bucket: 'bob-scratch' }))).Owner?.ID).toBe(aliceId);
    await expectS3Error(bob.send(new HeadBucketCommand({ Bucket: 'bob-scratch' })), bodylessErrorName(403), 403);
    await alice.send(new DeleteBucketCommand({ Bucket: 'bob-scratch' }));
  });
});

describe('buckets that record no owner (made in parse mode, or with AIS tools)', () => {
  const credentialsDir = mkdtempSync(join(tmpdir(), 'ais-s3-access-legacy-'));
  const credentials = join(credentialsDir, 'credentials');
  const clients: S3Client[] = [];
  let dataDir: string;

  beforeAll(async () => {
    writeFileSync(credentials, credentialsFile());
    // A gateway in parse mode records no owner, as gateways before owners existed did (and AIS's own tools do).
    const open = await startGateway({});
    dataDir = open.dataDir;
    const s3 = s3ClientFor(open.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'legacy' }));
    await s3.send(new PutObjectCommand({ Bucket: 'legacy', Key: 'old.txt', Body: 'from before' }));
    s3.destroy();
    await stopKeepingData(open);
  });

  afterAll(() => {
    clients.forEach((client) => client.destroy());
    rmSync(credentialsDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function withVerifyGateway(env: Record<string, string>, check: (client: (key: AccessKey) => S3Client) => Promise<void>): Promise<void> {
    const gateway = await startGateway(
      { S3_ACCESS_KEY_ID: ROOT.accessKeyId, S3_SECRET_ACCESS_KEY: ROOT.secretAccessKey, S3_CREDENTIALS_FILE: credentials, ...env },
      { dataDir },
    );
    try {
      await check((key) => {
        const client = s3ClientFor(gateway.endpoint, { credentials: key });
        clients.push(client);
        return client;
      });
    } finally {
      await gateway.stop();
    }
  }

  it("belong to the admins, shown as the gateway's account; users neither see nor use them", async () => {
    await withVerifyGateway({}, async (client) => {
      const [root, alice] = [client(ROOT), client(ALICE)];
      await expectObjectBytes(root, 'legacy', 'old.txt', 'from before');
      expect((await root.send(new GetBucketAclCommand({ Bucket: 'legacy' }))).Owner?.DisplayName).toBe('ais-s3');
      await expectS3Error(alice.send(new GetObjectCommand({ Bucket: 'legacy', Key: 'old.txt' })), 'AccessDenied', 403);
      await expectS3Error(alice.send(new PutObjectCommand({ Bucket: 'legacy', Key: 'old.txt', Body: 'mine now' })), 'AccessDenied', 403);
      await expectS3Error(alice.send(new CreateBucketCommand({ Bucket: 'legacy' })), 'BucketAlreadyExists', 409);
      expect((await alice.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
      await expectObjectBytes(root, 'legacy', 'old.txt', 'from before');
    });
  });

  it('belong to S3_DEFAULT_BUCKET_OWNER when it names a key, and the admins keep their access', async () => {
    await withVerifyGateway({ S3_DEFAULT_BUCKET_OWNER: ALICE.accessKeyId }, async (client) => {
      const [root, alice, bob] = [client(ROOT), client(ALICE), client(BOB)];
      await alice.send(new PutObjectCommand({ Bucket: 'legacy', Key: 'alice.txt', Body: 'alice was here' }));
      await expectObjectBytes(root, 'legacy', 'alice.txt', 'alice was here');
      expect((await alice.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).toEqual(['legacy']);
      expect((await alice.send(new GetBucketAclCommand({ Bucket: 'legacy' }))).Owner?.DisplayName).toBe('alice');
      await expectS3Error(bob.send(new GetObjectCommand({ Bucket: 'legacy', Key: 'old.txt' })), 'AccessDenied', 403);
    });
  });
});

/** Stops a gateway started with its own data directory without removing it, so the next gateway reopens the store. */
async function stopKeepingData(gateway: RunningGateway): Promise<void> {
  const exited = new Promise((done) => gateway.process.once('exit', done));
  gateway.process.kill('SIGTERM');
  await exited;
}
