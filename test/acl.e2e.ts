/**
 * ACLs and object ownership in `verify` mode (README, "Access control"), on the pass's backend: alice owns the
 * buckets, bob is another user, root the environment's admin key, and anonymous requests are plain unsigned HTTP.
 * A matrix of canned ACLs and grant headers on objects and buckets, each driven by bob and by anonymous requests,
 * asserting what is allowed and that what is refused reads nothing and changes nothing; S3's errors for bad ACLs;
 * Object Ownership (ObjectWriter, BucketOwnerPreferred, BucketOwnerEnforced).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ObjectCannedACL,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eBackend } from './support/backend';
import { type RunningGateway, startGateway } from './support/gateway';
import { expectObjectBytes, expectStoreUnchangedBy } from './support/objects';
import { rawRequest, type RawResponse } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import type { AccessKey } from './support/sigv4-client';

const ROOT: AccessKey = { accessKeyId: 'ROOTKEY', secretAccessKey: 'root-secret' };
const ALICE: AccessKey = { accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'alice/Secret+1' };
const BOB: AccessKey = { accessKeyId: 'AKIABOB00000000002', secretAccessKey: 'bob/Secret+2' };
const ALICE_ID = 'a1'.repeat(32);
const BOB_ID = 'b0'.repeat(32);
/** More configured users, so that an ACL can name enough of them to overflow AIS's custom metadata. */
const CROWD_IDS = Array.from({ length: 32 }, (_, index) => index.toString(16).padStart(2, '0').repeat(32));
const ALL_USERS = 'uri=http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const PART = Buffer.alloc(5 * 1024 * 1024, 'p');

describe('ACLs and object ownership (S3_AUTH=verify)', () => {
  const credentialsDir = mkdtempSync(join(tmpdir(), 'ais-s3-acl-'));
  let gateway: RunningGateway;
  let root: S3Client;
  let alice: S3Client;
  let bob: S3Client;
  const aliceOwner = { ID: ALICE_ID, DisplayName: 'alice' };
  const bobOwner = { ID: BOB_ID, DisplayName: 'bob' };

  beforeAll(async () => {
    const lines = [
      `${ALICE.accessKeyId}:${ALICE.secretAccessKey} name=alice id=${ALICE_ID}`,
      `${BOB.accessKeyId}:${BOB.secretAccessKey} name=bob id=${BOB_ID}`,
      ...CROWD_IDS.map((id, index) => `AKIACROWD${index}:secret${index} id=${id}`),
    ];
    writeFileSync(join(credentialsDir, 'credentials'), lines.join('\n'));
    gateway = await startGateway({
      S3_ACCESS_KEY_ID: ROOT.accessKeyId,
      S3_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      S3_CREDENTIALS_FILE: join(credentialsDir, 'credentials'),
    });
    [root, alice, bob] = [ROOT, ALICE, BOB].map((key) => s3ClientFor(gateway.endpoint, { credentials: key }));
  });

  afterAll(async () => {
    [root, alice, bob].forEach((client) => client?.destroy());
    await gateway?.stop();
    rmSync(credentialsDir, { recursive: true, force: true });
  });

  const anonymous = (method: string, path: string, extra: { headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> =>
    rawRequest(gateway.origin, { method, path: `/s3${path}`, ...extra });

  it('a public access block: BlockPublicAcls refuses public ACL writes (changing nothing), IgnorePublicAcls makes public grants count for nothing', async () => {
    const bucket = 'acl-blocked';
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'open.txt', Body: 'open', ACL: 'public-read' }));
    expect((await anonymous('GET', `/${bucket}/open.txt`)).status).toBe(200);
    const block = (config: Record<string, boolean>) => alice.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: config }));

    await block({ BlockPublicAcls: true });
    await expectS3Error(alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'new.txt', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'open.txt', GrantRead: AUTHENTICATED })), 'AccessDenied', 403);
    expect((await alice.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((o) => o.Key)).toEqual(['open.txt']);
    expect((await alice.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants).toEqual([
      { Grantee: { ...aliceOwner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' },
    ]);
    // ACLs already public stay in force under BlockPublicAcls alone, as on S3; a private write still works.
    expect((await anonymous('GET', `/${bucket}/open.txt`)).status).toBe(200);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'private.txt', Body: 'p', ACL: 'private' }));

    // Bob may copy the public object into a bucket of his own while its grant counts...
    await bob.send(new CreateBucketCommand({ Bucket: 'bob-copies' }));
    await bob.send(new CopyObjectCommand({ Bucket: 'bob-copies', Key: 'copied.txt', CopySource: `${bucket}/open.txt` }));

    await block({ IgnorePublicAcls: true });
    expectS3ErrorResponse(await anonymous('GET', `/${bucket}/open.txt`), 'AccessDenied', 403);
    await expectS3Error(bob.send(new GetObjectCommand({ Bucket: bucket, Key: 'open.txt' })), 'AccessDenied', 403);
    // ...and not once the source bucket ignores public grants.
    await expectS3Error(bob.send(new CopyObjectCommand({ Bucket: 'bob-copies', Key: 'again.txt', CopySource: `${bucket}/open.txt` })), 'AccessDenied', 403);
    expect((await bob.send(new ListObjectsV2Command({ Bucket: 'bob-copies' }))).Contents?.map((o) => o.Key)).toEqual(['copied.txt']);
    // The ACL itself is unchanged: with the block gone, the grant counts again.
    await alice.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    expect(await anonymous('GET', `/${bucket}/open.txt`)).toMatchObject({ status: 200, body: 'open' });
  });

  describe('object ACLs: canned ACLs and grant headers × bob and anonymous', () => {
    const BUCKET = 'acl-objects';
    beforeAll(async () => {
      await alice.send(new CreateBucketCommand({ Bucket: BUCKET }));
    });

    /** What each principal may do to an object written with `acl`: [GetObject, GetObjectAcl, PutObjectAcl]. */
    const matrix: Array<{ acl: ObjectCannedACL | Record<string, string>; bob: boolean[]; anonymous: boolean[] }> = [
      { acl: 'private', bob: [false, false, false], anonymous: [false, false, false] },
      { acl: 'public-read', bob: [true, false, false], anonymous: [true, false, false] },
      { acl: 'public-read-write', bob: [true, false, false], anonymous: [true, false, false] },
      { acl: 'authenticated-read', bob: [true, false, false], anonymous: [false, false, false] },
      { acl: 'bucket-owner-read', bob: [false, false, false], anonymous: [false, false, false] },
      { acl: 'bucket-owner-full-control', bob: [false, false, false], anonymous: [false, false, false] },
      { acl: { 'x-amz-grant-read': `id="${BOB_ID}"` }, bob: [true, false, false], anonymous: [false, false, false] },
      { acl: { 'x-amz-grant-read-acp': `id=${BOB_ID}`, 'x-amz-grant-read': AUTHENTICATED }, bob: [true, true, false], anonymous: [false, false, false] },
      { acl: { 'x-amz-grant-write-acp': `id=${BOB_ID}` }, bob: [false, false, true], anonymous: [false, false, false] },
      { acl: { 'x-amz-grant-full-control': ALL_USERS }, bob: [true, true, true], anonymous: [true, true, true] },
    ];

    it.each(matrix.map((row, index) => [typeof row.acl === 'string' ? row.acl : Object.keys(row.acl).join('+'), index]))(
      'an object written with %s',
      async (_name, index) => {
        const row = matrix[index];
        const key = `matrix-${index}.txt`;
        const body = `secret ${index}`;
        if (typeof row.acl === 'string') await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ACL: row.acl }));
        else await rawPutAs(alice, key, body, row.acl);
        const aclBefore = await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: key }));
        const check = async (who: string, allowed: boolean[], send: (op: 'get' | 'getAcl' | 'putAcl') => Promise<{ status: number; body: string }>) => {
          const outcome = [];
          for (const op of ['get', 'getAcl', 'putAcl'] as const) {
            const answer = await send(op);
            outcome.push(answer.status === 200);
            if (answer.status !== 200) {
              expect({ who, op, status: answer.status }).toEqual({ who, op, status: 403 });
              expect(answer.body).not.toContain(body);
            } else if (op === 'get') expect(answer.body).toBe(body);
          }
          expect({ who, outcome }).toEqual({ who, outcome: allowed });
        };
        await check('anonymous', row.anonymous, (op) =>
          op === 'get'
            ? anonymous('GET', `/${BUCKET}/${key}`)
            : op === 'getAcl'
              ? anonymous('GET', `/${BUCKET}/${key}?acl`)
              : anonymous('PUT', `/${BUCKET}/${key}?acl`, { headers: { 'x-amz-acl': 'public-read-write' } }),
        );
        // A refused PutObjectAcl changed nothing; an allowed one is put back by alice.
        if (!row.anonymous[2]) expect((await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: key }))).Grants).toEqual(aclBefore.Grants);
        else await rawPutAclAs(alice, key, row.acl);
        await check('bob', row.bob, async (op) => {
          try {
            if (op === 'get') {
              const got = await bob.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
              return { status: 200, body: await got.Body!.transformToString() };
            }
            if (op === 'getAcl') await bob.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: key }));
            else await bob.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: key, ACL: 'public-read-write' }));
            return { status: 200, body: '' };
          } catch (err) {
            return { status: (err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, body: String(err) };
          }
        });
        if (!row.bob[2]) expect((await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: key }))).Grants).toEqual(aclBefore.Grants);
        await expectObjectBytes(alice, BUCKET, key, body);
      },
    );

    async function rawPutAs(s3: S3Client, key: string, body: string, headers: Record<string, string>): Promise<void> {
      const command = new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body });
      command.middlewareStack.add(
        (next) => (args) => {
          Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
          return next(args);
        },
        { step: 'build' },
      );
      await s3.send(command);
    }

    async function rawPutAclAs(s3: S3Client, key: string, acl: ObjectCannedACL | Record<string, string>): Promise<void> {
      if (typeof acl === 'string') {
        await s3.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: key, ACL: acl }));
        return;
      }
      const command = new PutObjectAclCommand({ Bucket: BUCKET, Key: key });
      command.middlewareStack.add(
        (next) => (args) => {
          Object.assign((args.request as { headers: Record<string, string> }).headers, acl);
          return next(args);
        },
        { step: 'build' },
      );
      await s3.send(command);
    }

    it('shows the grants GetObjectAcl returns, with the owner; an overwrite replaces the ACL and a copy does not carry it', async () => {
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'shown.txt', Body: 'x', GrantRead: `id=${BOB_ID}`, GrantFullControl: `id=${ALICE_ID}` }));
      const acl = await bob.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'shown.txt' })).catch((err: Error) => err);
      expect(acl).toBeInstanceOf(Error);
      const shown = await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'shown.txt' }));
      expect(shown.Owner).toEqual(aliceOwner);
      expect(shown.Grants).toEqual([
        { Grantee: { ...bobOwner, Type: 'CanonicalUser' }, Permission: 'READ' },
        { Grantee: { ...aliceOwner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' },
      ]);
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public.txt', Body: 'public', ACL: 'public-read' }));
      expect((await anonymous('GET', `/${BUCKET}/public.txt`)).body).toBe('public');
      await alice.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'public-copy.txt', CopySource: `${BUCKET}/public.txt` }));
      expectS3ErrorResponse(await anonymous('GET', `/${BUCKET}/public-copy.txt`), 'AccessDenied', 403);
      await alice.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'public-copy2.txt', CopySource: `${BUCKET}/public.txt`, ACL: 'public-read' }));
      expect((await anonymous('GET', `/${BUCKET}/public-copy2.txt`)).body).toBe('public');
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public.txt', Body: 'now private' }));
      expectS3ErrorResponse(await anonymous('GET', `/${BUCKET}/public.txt`), 'AccessDenied', 403);
      const grants = (await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'public.txt' }))).Grants;
      expect(grants).toEqual([{ Grantee: { ...aliceOwner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
    });

    it('takes an AccessControlPolicy body on PutObjectAcl, and refuses one that names another owner', async () => {
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'xml.txt', Body: 'xml' }));
      await alice.send(
        new PutObjectAclCommand({
          Bucket: BUCKET,
          Key: 'xml.txt',
          AccessControlPolicy: {
            Owner: { ID: ALICE_ID },
            Grants: [
              { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
              { Grantee: { Type: 'CanonicalUser', ID: ALICE_ID }, Permission: 'FULL_CONTROL' },
            ],
          },
        }),
      );
      expect((await anonymous('GET', `/${BUCKET}/xml.txt`)).body).toBe('xml');
      await expectS3Error(
        alice.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: 'xml.txt', AccessControlPolicy: { Owner: { ID: BOB_ID }, Grants: [] } })),
        'AccessDenied',
        403,
      );
      expect((await anonymous('GET', `/${BUCKET}/xml.txt`)).body).toBe('xml');
    });

    it("answers S3's errors for bad ACLs and changes nothing", async () => {
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: 'kept' }));
      await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
        const put = (input: Partial<ConstructorParameters<typeof PutObjectCommand>[0]>) =>
          alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: 'changed', ...input }));
        await expectS3Error(put({ ACL: 'public-read', GrantRead: `id=${BOB_ID}` }), 'InvalidRequest', 400);
        await expectS3Error(put({ GrantRead: `id=${'9f'.repeat(32)}` }), 'InvalidArgument', 400);
        await expectS3Error(put({ GrantRead: 'emailAddress="bob@example.com"' }), 'UnresolvableGrantByEmailAddress', 400);
        await expectS3Error(put({ ACL: 'everyone' as ObjectCannedACL }), 'InvalidArgument', 400);
        await expectS3Error(put({ GrantRead: Array.from({ length: 101 }, () => `id=${BOB_ID}`).join(',') }), 'MalformedACLError', 400);
        const signedRaw = async (body: string) => {
          const command = new PutObjectAclCommand({ Bucket: BUCKET, Key: 'kept.txt' });
          command.middlewareStack.add(
            (next) => (args) => {
              (args.request as { body: string }).body = body;
              return next(args);
            },
            { step: 'build' },
          );
          return alice.send(command);
        };
        await expectS3Error(signedRaw('<AccessControlPolicy><Owner>'), 'MalformedXML', 400);
        await expectS3Error(signedRaw('<AccessControlPolicy><AccessControlList/></AccessControlPolicy>'), 'MalformedACLError', 400);
        await expectS3Error(alice.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: 'kept.txt' })), 'MissingSecurityHeader', 400);
      });
      await expectObjectBytes(alice, BUCKET, 'kept.txt', 'kept');
    });

    it('keeps a grant list that does not fit the backend as an error, never cut short (AIS: 2048 bytes of custom metadata)', async () => {
      await alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crowd.txt', Body: 'crowd' }));
      const many = CROWD_IDS.map((id) => `id=${id}`).join(',');
      const put = alice.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: 'crowd.txt', GrantRead: many }));
      if (e2eBackend() === 'ais') {
        await expectS3Error(put, 'MetadataTooLarge', 400);
        expect((await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'crowd.txt' }))).Grants).toHaveLength(1);
        await expectS3Error(alice.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crowd2.txt', Body: 'x', GrantRead: many })), 'MetadataTooLarge', 400);
      } else {
        await put;
        expect((await alice.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'crowd.txt' }))).Grants).toHaveLength(CROWD_IDS.length);
      }
    });
  });

  describe('bucket ACLs', () => {
    it('a public-read bucket: anyone lists it and reads its 404s; its private objects stay private; nobody else writes', async () => {
      await alice.send(new CreateBucketCommand({ Bucket: 'acl-public', ACL: 'public-read' }));
      await alice.send(new PutObjectCommand({ Bucket: 'acl-public', Key: 'private.txt', Body: 'hidden' }));
      await alice.send(new PutObjectCommand({ Bucket: 'acl-public', Key: 'open.txt', Body: 'open', ACL: 'public-read' }));
      const listing = await anonymous('GET', '/acl-public?list-type=2');
      expect(listing.status).toBe(200);
      expect(listing.body).toContain('<Key>open.txt</Key>');
      expect((await anonymous('GET', '/acl-public/open.txt')).body).toBe('open');
      expectS3ErrorResponse(await anonymous('GET', '/acl-public/private.txt'), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('GET', '/acl-public/missing.txt'), 'NoSuchKey', 404);
      expect((await bob.send(new ListObjectsV2Command({ Bucket: 'acl-public' }))).KeyCount).toBe(2);
      await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
        expectS3ErrorResponse(await anonymous('PUT', '/acl-public/open.txt', { body: 'defaced' }), 'AccessDenied', 403);
        expectS3ErrorResponse(await anonymous('DELETE', '/acl-public/open.txt'), 'AccessDenied', 403);
        expectS3ErrorResponse(await anonymous('GET', '/acl-public?acl'), 'AccessDenied', 403);
        await expectS3Error(bob.send(new PutObjectCommand({ Bucket: 'acl-public', Key: 'bob.txt', Body: 'b' })), 'AccessDenied', 403);
        await expectS3Error(bob.send(new DeleteBucketCommand({ Bucket: 'acl-public' })), 'AccessDenied', 403);
        await expectS3Error(bob.send(new PutBucketAclCommand({ Bucket: 'acl-public', ACL: 'public-read-write' })), 'AccessDenied', 403);
      });
      // A private bucket's missing key is AccessDenied to anonymous: nothing is revealed.
      await alice.send(new CreateBucketCommand({ Bucket: 'acl-closed' }));
      expectS3ErrorResponse(await anonymous('GET', '/acl-closed/missing.txt'), 'AccessDenied', 403);
      expectS3ErrorResponse(await anonymous('GET', '/acl-no-such-bucket/k'), 'NoSuchBucket', 404);
    });

    it('bucket WRITE lets another user write, delete and upload; what bob writes is his, shown in ACLs and listings', async () => {
      const B = 'acl-shared';
      await alice.send(new CreateBucketCommand({ Bucket: B, GrantWrite: `id=${BOB_ID}`, GrantFullControl: `id=${ALICE_ID}` }));
      await alice.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
      await expectS3Error(bob.send(new ListObjectsV2Command({ Bucket: B })), 'AccessDenied', 403);
      await bob.send(new PutObjectCommand({ Bucket: B, Key: 'bob.txt', Body: 'by bob' }));
      await bob.send(new CopyObjectCommand({ Bucket: B, Key: 'bob-copy.txt', CopySource: `${B}/bob.txt` }));
      const { UploadId } = await bob.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'bob-mp.bin' }));
      const part = await bob.send(new UploadPartCommand({ Bucket: B, Key: 'bob-mp.bin', UploadId, PartNumber: 1, Body: PART }));
      await bob.send(
        new CompleteMultipartUploadCommand({ Bucket: B, Key: 'bob-mp.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
      );
      await alice.send(new PutObjectCommand({ Bucket: B, Key: 'alice.txt', Body: 'by alice' }));
      for (const key of ['bob.txt', 'bob-copy.txt', 'bob-mp.bin']) {
        expect((await bob.send(new GetObjectAclCommand({ Bucket: B, Key: key }))).Owner).toEqual(bobOwner);
        expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: key }))).Owner).toEqual(bobOwner);
      }
      const listed = await alice.send(new ListObjectsV2Command({ Bucket: B, FetchOwner: true }));
      expect(listed.Contents?.map((object) => [object.Key, object.Owner?.ID])).toEqual([
        ['alice.txt', ALICE_ID],
        ['bob-copy.txt', BOB_ID],
        ['bob-mp.bin', BOB_ID],
        ['bob.txt', BOB_ID],
      ]);
      const versions = await alice.send(new ListObjectVersionsCommand({ Bucket: B }));
      expect(versions.Versions?.map((version) => version.Owner?.DisplayName)).toEqual(['alice', 'bob', 'bob', 'bob']);
      // bob owns his objects but not alice's: he may not read hers, and he may overwrite and delete (bucket WRITE).
      await expectS3Error(bob.send(new GetObjectAclCommand({ Bucket: B, Key: 'alice.txt' })), 'AccessDenied', 403);
      await bob.send(new PutObjectAclCommand({ Bucket: B, Key: 'bob.txt', ACL: 'public-read' }));
      expect((await anonymous('GET', `/${B}/bob.txt`)).body).toBe('by bob');
      const versionId = (await bob.send(new PutObjectCommand({ Bucket: B, Key: 'bob.txt', Body: 'v2' }))).VersionId!;
      await bob.send(new PutObjectAclCommand({ Bucket: B, Key: 'bob.txt', VersionId: versionId, GrantRead: AUTHENTICATED }));
      expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: 'bob.txt', VersionId: versionId }))).Grants).toEqual([
        { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, Permission: 'READ' },
      ]);
      // The bucket's ACL as alice set it.
      const bucketAcl = await alice.send(new GetBucketAclCommand({ Bucket: B }));
      expect(bucketAcl.Grants).toEqual([
        { Grantee: { ...bobOwner, Type: 'CanonicalUser' }, Permission: 'WRITE' },
        { Grantee: { ...aliceOwner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' },
      ]);
    });

    it('public-read-write: anonymous writes (owned by the bucket owner) and deletes; READ_ACP / WRITE_ACP grants on the bucket', async () => {
      const B = 'acl-open';
      await alice.send(new CreateBucketCommand({ Bucket: B, ACL: 'public-read-write' }));
      expect((await anonymous('PUT', `/${B}/drop.txt`, { body: 'dropped' })).status).toBe(200);
      expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: 'drop.txt' }))).Owner).toEqual(aliceOwner);
      expect((await anonymous('DELETE', `/${B}/drop.txt`)).status).toBe(204);
      await expectS3Error(bob.send(new GetBucketAclCommand({ Bucket: B })), 'AccessDenied', 403);
      await alice.send(new PutBucketAclCommand({ Bucket: B, GrantReadACP: `id=${BOB_ID}`, GrantFullControl: `id=${ALICE_ID}` }));
      expect((await bob.send(new GetBucketAclCommand({ Bucket: B }))).Owner).toEqual(aliceOwner);
      expectS3ErrorResponse(await anonymous('PUT', `/${B}/drop.txt`, { body: 'dropped' }), 'AccessDenied', 403);
      await expectS3Error(bob.send(new PutBucketAclCommand({ Bucket: B, ACL: 'public-read' })), 'AccessDenied', 403);
      await alice.send(new PutBucketAclCommand({ Bucket: B, GrantWriteACP: `id=${BOB_ID}`, GrantFullControl: `id=${ALICE_ID}` }));
      await bob.send(new PutBucketAclCommand({ Bucket: B, ACL: 'public-read' }));
      expect((await anonymous('GET', `/${B}?list-type=2`)).status).toBe(200);
    });
  });

  describe('Object Ownership', () => {
    it('answers OwnershipControlsNotFoundError until set; BucketOwnerEnforced turns ACLs off and gives every object to the bucket owner', async () => {
      const B = 'own-enforced';
      await alice.send(new CreateBucketCommand({ Bucket: B, GrantWrite: `id=${BOB_ID}`, GrantFullControl: `id=${ALICE_ID}` }));
      await expectS3Error(alice.send(new GetBucketOwnershipControlsCommand({ Bucket: B })), 'OwnershipControlsNotFoundError', 404);
      await alice.send(new PutBucketOwnershipControlsCommand({ Bucket: B, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
      expect((await alice.send(new GetBucketOwnershipControlsCommand({ Bucket: B }))).OwnershipControls?.Rules).toEqual([
        { ObjectOwnership: 'BucketOwnerEnforced' },
      ]);
      await expectS3Error(bob.send(new GetBucketOwnershipControlsCommand({ Bucket: B })), 'AccessDenied', 403);
      await expectStoreUnchangedBy(root, gateway.dataDir, async () => {
        await expectS3Error(bob.send(new PutObjectCommand({ Bucket: B, Key: 'x', Body: 'x', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
        await expectS3Error(alice.send(new PutBucketAclCommand({ Bucket: B, ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
      });
      await bob.send(new PutObjectCommand({ Bucket: B, Key: 'bob.txt', Body: 'b' }));
      await bob.send(new PutObjectCommand({ Bucket: B, Key: 'bob2.txt', Body: 'b', ACL: 'bucket-owner-full-control' }));
      expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: 'bob.txt' }))).Owner).toEqual(aliceOwner);
      expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: 'bob2.txt' }))).Owner).toEqual(aliceOwner);
      await alice.send(new DeleteBucketOwnershipControlsCommand({ Bucket: B }));
      await expectS3Error(alice.send(new GetBucketOwnershipControlsCommand({ Bucket: B })), 'OwnershipControlsNotFoundError', 404);
    });

    it('BucketOwnerPreferred gives the bucket owner objects written with bucket-owner-full-control; CreateBucket takes x-amz-object-ownership', async () => {
      const B = 'own-preferred';
      await alice.send(
        new CreateBucketCommand({ Bucket: B, ObjectOwnership: 'BucketOwnerPreferred', GrantWrite: `id=${BOB_ID}`, GrantFullControl: `id=${ALICE_ID}` }),
      );
      expect((await alice.send(new GetBucketOwnershipControlsCommand({ Bucket: B }))).OwnershipControls?.Rules).toEqual([
        { ObjectOwnership: 'BucketOwnerPreferred' },
      ]);
      await bob.send(new PutObjectCommand({ Bucket: B, Key: 'given.txt', Body: 'g', ACL: 'bucket-owner-full-control' }));
      await bob.send(new PutObjectCommand({ Bucket: B, Key: 'kept.txt', Body: 'k' }));
      expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: 'given.txt' }))).Owner).toEqual(aliceOwner);
      expect((await alice.send(new GetObjectAclCommand({ Bucket: B, Key: 'kept.txt' }))).Owner).toEqual(bobOwner);
      await expectS3Error(
        alice.send(new CreateBucketCommand({ Bucket: 'own-bad', ObjectOwnership: 'BucketOwnerEnforced', ACL: 'public-read' })),
        'InvalidBucketAclWithObjectOwnership',
        400,
      );
      await expectS3Error(alice.send(new GetBucketAclCommand({ Bucket: 'own-bad' })), 'NoSuchBucket', 404);
    });
  });
});
