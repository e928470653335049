import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PresignedPost } from './support/boto3-scenarios';
import { ACCESS_KEY, SECRET_KEY, boto3Scenario, type ClientSandbox, clientSandbox, requireClient } from './support/clients';
import { useGateway } from './support/fixture';
import { postForm, signedV2Form, signedV4Form, streamForm } from './support/post-form';
import { peakResidentBytes, residentBytes, resetPeakResident } from './support/process-memory';
import { rawRequest, xmlText } from './support/raw-http';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import { s3ClientFor } from './support/s3-client';
import { digestsOf, seededStream } from './support/seeded-stream';
import type { AccessKey } from './support/sigv4-client';

const MiB = 1024 * 1024;
/** The fixture's SDK key: the operator's key (S3_ACCESS_KEY_ID), owner of the buckets the tests make. */
const OWNER_KEY: AccessKey = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
/** Another user: owns nothing here. */
const OTHER_KEY: AccessKey = { accessKeyId: 'other-key', secretAccessKey: 'other-secret' };

function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function withoutField(fields: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([field]) => field !== name));
}

function inAnHour(): string {
  return new Date(Date.now() + 3600_000).toISOString();
}

const credentialsDir = mkdtempSync(join(tmpdir(), 'ais-s3-post-'));
const credentialsFile = join(credentialsDir, 'credentials');
writeFileSync(credentialsFile, `${ACCESS_KEY}:${SECRET_KEY} admin\n${OTHER_KEY.accessKeyId}:${OTHER_KEY.secretAccessKey} name=other\n`);

describe('POST Object: browser form uploads (S3_AUTH=verify)', () => {
  const fixture = useGateway({
    S3_ACCESS_KEY_ID: OWNER_KEY.accessKeyId,
    S3_SECRET_ACCESS_KEY: OWNER_KEY.secretAccessKey,
    S3_CREDENTIALS_FILE: credentialsFile,
  });
  afterAll(() => rmSync(credentialsDir, { recursive: true, force: true }));

  function presign(bucket: string, options: Omit<PresignedPostOptions, 'Bucket'>, key: AccessKey = OWNER_KEY): ReturnType<typeof createPresignedPost> {
    const client = s3ClientFor(fixture.gateway.endpoint, { credentials: key });
    return createPresignedPost(client, { Bucket: bucket, Expires: 600, ...options }).finally(() => client.destroy());
  }

  async function keysIn(bucket: string): Promise<string[]> {
    const listed = await fixture.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map((object) => object.Key!);
  }

  /** A refusal as the browser sees it: status, code and message; and nothing was stored. */
  async function expectRefused(bucket: string, response: Awaited<ReturnType<typeof postForm>>, code: string, status: number, message?: string): Promise<void> {
    expectS3ErrorResponse(response, code, status);
    if (message !== undefined) expect(xmlText(response.body, 'Message')).toBe(message);
    expect(await keysIn(bucket)).toEqual([]);
  }

  describe('with @aws-sdk/s3-presigned-post', () => {
    it('stores the file under the signed key with its Content-Type and x-amz-meta-* fields and answers 204 with ETag and Location', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, {
        Key: 'uploads/photo.txt',
        Conditions: [['content-length-range', 1, 1024], ['starts-with', '$Content-Type', 'text/'], { 'x-amz-meta-album': 'summer' }],
        Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-album': 'summer' },
      });
      expect(url).toBe(`${fixture.gateway.endpoint}/${bucket}`);
      const response = await postForm(url, fields, { content: 'hello from a form', filename: 'photo.txt', type: 'text/plain' });
      expect(response.status).toBe(204);
      expect(response.body).toBe('');
      expect(response.headers.etag).toBe(`"${md5Hex('hello from a form')}"`);
      expect(response.headers.location).toBe(`${fixture.gateway.endpoint}/${bucket}/uploads/photo.txt`);
      const read = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/photo.txt' }));
      expect(await read.Body!.transformToString()).toBe('hello from a form');
      expect(read.ContentType).toBe('text/plain');
      expect(read.Metadata).toEqual({ album: 'summer' });
      expect(read.ETag).toBe(response.headers.etag);
    });

    it('answers success_action_status 201 with the PostResponse document, 200 with nothing, and 204 for any other value', async () => {
      const bucket = await fixture.newBucket();
      const upload = async (key: string, status: string) => {
        const { url, fields } = await presign(bucket, { Key: key, Conditions: [{ success_action_status: status }], Fields: { success_action_status: status } });
        return postForm(url, fields, { content: `body of ${key}` });
      };
      const created = await upload('created.txt', '201');
      expect(created.status).toBe(201);
      expect(created.headers['content-type']).toBe('application/xml');
      expect(xmlText(created.body, 'Bucket')).toBe(bucket);
      expect(xmlText(created.body, 'Key')).toBe('created.txt');
      expect(xmlText(created.body, 'ETag')).toBe(`"${md5Hex('body of created.txt')}"`);
      expect(xmlText(created.body, 'Location')).toBe(`${fixture.gateway.endpoint}/${bucket}/created.txt`);
      const ok = await upload('ok.txt', '200');
      expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: '' });
      const other = await upload('other.txt', '404');
      expect({ status: other.status, body: other.body }).toEqual({ status: 204, body: '' });
      expect((await keysIn(bucket)).sort()).toEqual(['created.txt', 'ok.txt', 'other.txt']);
    });

    it('replaces ${filename} in the key with the name of the uploaded file, and the policy judges the replaced key', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'user/eric/${filename}' });
      const response = await postForm(url, fields, { content: 'named by the browser', filename: 'holiday.jpg' });
      expect(response.status).toBe(204);
      expect(await keysIn(bucket)).toEqual(['user/eric/holiday.jpg']);
    });

    it('redirects (303) to success_action_redirect with bucket, key and the quoted ETag in its query', async () => {
      const bucket = await fixture.newBucket();
      const target = 'https://app.example.com/done?upload=1';
      const { url, fields } = await presign(bucket, {
        Key: 'r.txt',
        Conditions: [{ success_action_redirect: target }],
        Fields: { success_action_redirect: target },
      });
      const response = await postForm(url, fields, { content: 'redirected' });
      expect(response.status).toBe(303);
      const etag = `"${md5Hex('redirected')}"`;
      expect(response.headers.location).toBe(`${target}&bucket=${bucket}&key=r.txt&etag=${encodeURIComponent(etag)}`);
      expect(await keysIn(bucket)).toEqual(['r.txt']);
    });

    it('reads field names case-insensitively, in the form and in the policy', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, {
        Key: 'case.txt',
        Conditions: [['starts-with', '$CONTENT-TYPE', 'text/']],
        Fields: { 'Content-Type': 'text/csv' },
      });
      const shouted = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name.toUpperCase(), value]));
      const response = await postForm(url, shouted, { content: 'a,b' });
      expect(response.status).toBe(204);
      expect((await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'case.txt' }))).ContentType).toBe('text/csv');
    });

    it('keeps and verifies an x-amz-checksum-* field; a wrong one is BadDigest and stores nothing', async () => {
      const bucket = await fixture.newBucket();
      const body = 'checksummed';
      const sha256 = createHash('sha256').update(body).digest('base64');
      const good = await presign(bucket, { Key: 'sum.txt', Conditions: [{ 'x-amz-checksum-sha256': sha256 }], Fields: { 'x-amz-checksum-sha256': sha256 } });
      const stored = await postForm(good.url, good.fields, { content: body });
      expect(stored.status).toBe(204);
      expect(stored.headers['x-amz-checksum-sha256']).toBe(sha256);
      const head = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sum.txt', ChecksumMode: 'ENABLED' }));
      expect(head.ChecksumSHA256).toBe(sha256);

      const other = await fixture.newBucket();
      const bad = await presign(other, { Key: 'sum.txt', Conditions: [{ 'x-amz-checksum-sha256': sha256 }], Fields: { 'x-amz-checksum-sha256': sha256 } });
      await expectRefused(other, await postForm(bad.url, bad.fields, { content: 'other bytes' }), 'BadDigest', 400);
    });

    it("gives the object the form's acl: public-read is readable unsigned, private is not", async () => {
      const bucket = await fixture.newBucket();
      const priv = await presign(bucket, { Key: 'private.txt', Conditions: [{ acl: 'private' }], Fields: { acl: 'private' } });
      expect((await postForm(priv.url, priv.fields, { content: 'secret' })).status).toBe(204);
      const pub = await presign(bucket, { Key: 'public.txt', Conditions: [{ acl: 'public-read' }], Fields: { acl: 'public-read' } });
      expect((await postForm(pub.url, pub.fields, { content: 'for everyone' })).status).toBe(204);
      const unsigned = (key: string) => rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}/${key}` });
      expect(await unsigned('public.txt')).toMatchObject({ status: 200, body: 'for everyone' });
      expectS3ErrorResponse(await unsigned('private.txt'), 'AccessDenied', 403);
      const other = await fixture.newBucket();
      const bad = await presign(other, { Key: 'p.txt', Conditions: [{ acl: 'world-writable' }], Fields: { acl: 'world-writable' } });
      await expectRefused(other, await postForm(bad.url, bad.fields, { content: 'x' }), 'InvalidArgument', 400);
    });

    it("gives the object the form's tagging document; a bad one stores nothing", async () => {
      const bucket = await fixture.newBucket();
      const tagging = '<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>';
      const tagged = await presign(bucket, { Key: 't.txt', Conditions: [{ tagging }], Fields: { tagging } });
      expect((await postForm(tagged.url, tagged.fields, { content: 'x' })).status).toBe(204);
      const read = await fixture.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 't.txt' }));
      expect(read.TagSet).toEqual([{ Key: 'team', Value: 'web' }]);
      const other = await fixture.newBucket();
      const broken = '<Tagging><TagSet><Tag><Key>aws:reserved</Key><Value>x</Value></Tag></TagSet></Tagging>';
      const bad = await presign(other, { Key: 't.txt', Conditions: [{ tagging: broken }], Fields: { tagging: broken } });
      await expectRefused(other, await postForm(bad.url, bad.fields, { content: 'x' }), 'InvalidTag', 400);
    });
  });

  describe('Object Lock fields (x-amz-object-lock-mode, -retain-until-date, -legal-hold) act as PutObject headers', () => {
    const FUTURE = '2099-01-01T00:00:00.000Z';
    const lockFields = { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': FUTURE, 'x-amz-object-lock-legal-hold': 'ON' };
    let lockedBuckets = 0;

    async function lockedBucket(): Promise<string> {
      const bucket = `post-locked-${++lockedBuckets}`;
      await fixture.s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
      return bucket;
    }

    /** Every version and delete marker in the bucket: a refused form leaves none. */
    async function versionsIn(bucket: string): Promise<number> {
      const listed = await fixture.s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      return (listed.Versions?.length ?? 0) + (listed.DeleteMarkers?.length ?? 0);
    }

    async function expectLockRefused(bucket: string, fields: Record<string, string>, code: string, message: string): Promise<void> {
      const form = await presign(bucket, { Key: 'k.txt', Fields: fields });
      const response = await postForm(form.url, form.fields, { content: 'x' });
      expectS3ErrorResponse(response, code, 400);
      expect(xmlText(response.body, 'Message')).toBe(message);
      expect(await versionsIn(bucket)).toBe(0);
    }

    it('gives the object the retention and legal hold its fields name, over the default retention; the version then cannot be deleted', async () => {
      const bucket = await lockedBucket();
      await fixture.s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: bucket,
          ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
        }),
      );
      const { url, fields } = await presign(bucket, { Key: 'locked.txt', Fields: lockFields });
      const posted = await postForm(url, fields, { content: 'kept' });
      expect(posted.status).toBe(204);
      const version = posted.headers['x-amz-version-id'] as string;
      expect(version).toBeDefined();
      const retention = await fixture.s3.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: 'locked.txt' }));
      expect(retention.Retention).toEqual({ Mode: 'GOVERNANCE', RetainUntilDate: new Date(FUTURE) });
      expect((await fixture.s3.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'locked.txt' }))).LegalHold).toEqual({ Status: 'ON' });
      const head = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'locked.txt' }));
      expect([head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus]).toEqual(['GOVERNANCE', new Date(FUTURE), 'ON']);
      await expectS3Error(fixture.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'locked.txt', VersionId: version })), 'AccessDenied', 403);
      const body = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'locked.txt', VersionId: version }));
      expect(await body.Body?.transformToString()).toBe('kept');
      // A legal hold alone keeps the default retention, as on PutObject.
      const held = await presign(bucket, { Key: 'held.txt', Fields: { 'x-amz-object-lock-legal-hold': 'ON' } });
      expect((await postForm(held.url, held.fields, { content: 'h' })).status).toBe(204);
      const heldHead = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'held.txt' }));
      expect([heldHead.ObjectLockMode, heldHead.ObjectLockLegalHoldStatus]).toEqual(['COMPLIANCE', 'ON']);
    });

    it('needs no Content-MD5 field, but checks one it is given: a wrong one is BadDigest and stores nothing', async () => {
      const bucket = await lockedBucket();
      const right = createHash('md5').update('digested').digest('base64');
      const good = await presign(bucket, { Key: 'md5.txt', Fields: { ...lockFields, 'Content-MD5': right } });
      expect((await postForm(good.url, good.fields, { content: 'digested' })).status).toBe(204);
      const other = await lockedBucket();
      const bad = await presign(other, { Key: 'md5.txt', Fields: { ...lockFields, 'Content-MD5': right } });
      expectS3ErrorResponse(await postForm(bad.url, bad.fields, { content: 'other bytes' }), 'BadDigest', 400);
      expect(await versionsIn(other)).toBe(0);
    });

    it("refuses what PutObject's headers refuse, with S3's words, and stores nothing", async () => {
      const plain = await fixture.newBucket();
      const form = await presign(plain, { Key: 'k.txt', Fields: lockFields });
      const response = await postForm(form.url, form.fields, { content: 'x' });
      await expectRefused(plain, response, 'InvalidRequest', 400, 'Bucket is missing Object Lock Configuration');
      const bucket = await lockedBucket();
      const modeOnly = { 'x-amz-object-lock-mode': 'GOVERNANCE' };
      const both = 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied';
      await expectLockRefused(bucket, modeOnly, 'InvalidArgument', both);
      await expectLockRefused(bucket, { ...lockFields, 'x-amz-object-lock-mode': 'governance' }, 'InvalidArgument', 'Unknown wormMode directive.');
      await expectLockRefused(
        bucket,
        { ...lockFields, 'x-amz-object-lock-retain-until-date': 'next week' },
        'InvalidArgument',
        'The retain until date must be provided in ISO 8601 format',
      );
      await expectLockRefused(
        bucket,
        { ...lockFields, 'x-amz-object-lock-retain-until-date': '2001-01-01T00:00:00Z' },
        'InvalidArgument',
        'The retain until date must be in the future!',
      );
      await expectLockRefused(bucket, { 'x-amz-object-lock-legal-hold': 'on' }, 'InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'");
    });

    it('the POST policy covers the lock fields as any other: an unnamed one is Extra input fields, another value fails its condition', async () => {
      const bucket = await lockedBucket();
      const plain = await presign(bucket, { Key: 'k.txt' });
      const extra = await postForm(plain.url, { ...plain.fields, 'x-amz-object-lock-legal-hold': 'ON' }, { content: 'x' });
      expectS3ErrorResponse(extra, 'AccessDenied', 403);
      expect(xmlText(extra.body, 'Message')).toBe('Invalid according to Policy: Extra input fields: x-amz-object-lock-legal-hold');
      const governance = await presign(bucket, { Key: 'k.txt', Fields: lockFields });
      const changed = await postForm(governance.url, { ...governance.fields, 'x-amz-object-lock-mode': 'COMPLIANCE' }, { content: 'x' });
      expectS3ErrorResponse(changed, 'AccessDenied', 403);
      expect(xmlText(changed.body, 'Message')).toBe('Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-object-lock-mode", "GOVERNANCE"]');
      expect(await versionsIn(bucket)).toBe(0);
    });
  });

  describe('refusals: S3 error, and nothing stored', () => {
    it('a key outside the starts-with condition: AccessDenied, Policy Condition failed', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'uploads/a.txt', Conditions: [['starts-with', '$key', 'uploads/']] });
      const response = await postForm(url, { ...fields, key: 'elsewhere/a.txt' }, { content: 'x' });
      await expectRefused(bucket, response, 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]');
    });

    it('a field value other than the exact match: AccessDenied, Policy Condition failed', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, {
        Key: 'k.txt',
        Conditions: [['eq', '$Content-Type', 'image/png']],
        Fields: { 'Content-Type': 'image/png' },
      });
      const response = await postForm(url, { ...fields, 'Content-Type': 'text/html' }, { content: 'x' });
      await expectRefused(bucket, response, 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]');
    });

    it('a field no condition names: AccessDenied, Extra input fields; x-ignore-* fields are exempt', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'k.txt' });
      const response = await postForm(url, { ...fields, 'x-amz-meta-extra': 'sneaked in' }, { content: 'x' });
      await expectRefused(bucket, response, 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: x-amz-meta-extra');
      expect((await postForm(url, { ...fields, 'x-ignore-note': 'fine' }, { content: 'x' })).status).toBe(204);
    });

    it('a policy that does not name the bucket: AccessDenied, Extra input fields: bucket', async () => {
      const bucket = await fixture.newBucket();
      const form = signedV4Form(OWNER_KEY, { expiration: inAnHour(), conditions: [{ key: 'k.txt' }] }, { key: 'k.txt' });
      const response = await postForm(`${fixture.gateway.endpoint}/${bucket}`, form, { content: 'x' });
      await expectRefused(bucket, response, 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: bucket');
    });

    it('an expired policy: AccessDenied, Policy expired', async () => {
      const bucket = await fixture.newBucket();
      const form = signedV4Form(
        OWNER_KEY,
        { expiration: new Date(Date.now() - 60_000).toISOString(), conditions: [{ bucket }, { key: 'k.txt' }] },
        { key: 'k.txt' },
      );
      const response = await postForm(`${fixture.gateway.endpoint}/${bucket}`, form, { content: 'x' });
      await expectRefused(bucket, response, 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
    });

    it('a file over the content-length-range: EntityTooLarge; under it: EntityTooSmall', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'sized.bin', Conditions: [['content-length-range', 10, 1000]] });
      const large = await postForm(url, fields, { content: Buffer.alloc(1001, 'l') });
      await expectRefused(bucket, large, 'EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size');
      expect(xmlText(large.body, 'MaxSizeAllowed')).toBe('1000');
      const small = await postForm(url, fields, { content: 'tiny' });
      await expectRefused(bucket, small, 'EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size');
      expect({ proposed: xmlText(small.body, 'ProposedSize'), min: xmlText(small.body, 'MinSizeAllowed') }).toEqual({ proposed: '4', min: '10' });
      expect((await postForm(url, fields, { content: Buffer.alloc(1000, 'e') })).status).toBe(204);
    });

    it('a wrong signature: SignatureDoesNotMatch; an unknown key: InvalidAccessKeyId', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'k.txt' });
      const forged = await postForm(url, { ...fields, 'X-Amz-Signature': '0'.repeat(64) }, { content: 'x' });
      await expectRefused(bucket, forged, 'SignatureDoesNotMatch', 403);
      const unknown = await presign(bucket, { Key: 'k.txt' }, { accessKeyId: 'nobody', secretAccessKey: 'nothing' });
      await expectRefused(bucket, await postForm(unknown.url, unknown.fields, { content: 'x' }), 'InvalidAccessKeyId', 403);
    });

    it('a signed form without a policy, or without its signature: InvalidArgument naming the field', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'k.txt' });
      const noPolicy = withoutField(fields, 'Policy');
      const withoutPolicy = await postForm(url, noPolicy, { content: 'x' });
      await expectRefused(bucket, withoutPolicy, 'InvalidArgument', 400);
      expect(xmlText(withoutPolicy.body, 'ArgumentName')).toBe('policy');
      const unsigned = withoutField(fields, 'X-Amz-Signature');
      const withoutSignature = await postForm(url, unsigned, { content: 'x' });
      await expectRefused(bucket, withoutSignature, 'InvalidArgument', 400);
      expect(xmlText(withoutSignature.body, 'ArgumentName')).toBe('x-amz-signature');
    });

    it('no key field, or the key after the file: InvalidArgument, as S3 words it', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'k.txt' });
      const { key, ...keyless } = fields;
      const message = "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.";
      await expectRefused(bucket, await postForm(url, keyless, { content: 'x' }), 'InvalidArgument', 400, message);
      await expectRefused(bucket, await postForm(url, keyless, { content: 'x' }, { key }), 'InvalidArgument', 400, message);
    });

    it('no file: IncorrectNumberOfFilesInPostRequest; not multipart/form-data: 412 PreconditionFailed', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'k.txt' });
      await expectRefused(bucket, await postForm(url, fields, undefined), 'IncorrectNumberOfFilesInPostRequest', 400);
      const urlencoded = await rawRequest(fixture.gateway.origin, {
        method: 'POST',
        path: `/s3/${bucket}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      await expectRefused(bucket, urlencoded, 'PreconditionFailed', 412);
      expect(xmlText(urlencoded.body, 'Condition')).toBe('Bucket POST must be of the enclosure-type multipart/form-data');
    });

    it('more than 20 KB of fields before the file: MaxPostPreDataLengthExceeded', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'k.txt', Conditions: [['starts-with', '$x-amz-meta-big', '']] });
      const response = await postForm(url, { ...fields, 'x-amz-meta-big': 'b'.repeat(21 * 1024) }, { content: 'x' });
      await expectRefused(bucket, response, 'MaxPostPreDataLengthExceeded', 400);
    });

    it('a malformed policy document: InvalidPolicyDocument', async () => {
      const bucket = await fixture.newBucket();
      const form = signedV4Form(OWNER_KEY, { expiration: 'tomorrow', conditions: [{ bucket }, { key: 'k.txt' }] }, { key: 'k.txt' });
      const response = await postForm(`${fixture.gateway.endpoint}/${bucket}`, form, { content: 'x' });
      await expectRefused(bucket, response, 'InvalidPolicyDocument', 400, "Invalid Policy: Invalid 'expiration' value: 'tomorrow'");
    });

    it('an anonymous form (no signature): AccessDenied; another user signing for a bucket they do not own: AccessDenied', async () => {
      const bucket = await fixture.newBucket();
      await expectRefused(bucket, await postForm(`${fixture.gateway.endpoint}/${bucket}`, { key: 'anon.txt' }, { content: 'x' }), 'AccessDenied', 403);
      const { url, fields } = await presign(bucket, { Key: 'theirs.txt' }, OTHER_KEY);
      await expectRefused(bucket, await postForm(url, fields, { content: 'x' }), 'AccessDenied', 403, 'Access Denied');
    });

    it('where the bucket policy lets everyone PutObject under drop/: an anonymous form there is stored, elsewhere refused', async () => {
      const bucket = await fixture.newBucket();
      const policy = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/drop/*` }],
      };
      await fixture.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
      const url = `${fixture.gateway.endpoint}/${bucket}`;
      expect((await postForm(url, { key: 'drop/${filename}' }, { content: 'dropped', filename: 'note.txt' })).status).toBe(204);
      expectS3ErrorResponse(await postForm(url, { key: 'elsewhere.txt' }, { content: 'x' }), 'AccessDenied', 403);
      expect(await keysIn(bucket)).toEqual(['drop/note.txt']);
      // The bucket's owner owns what an anonymous form wrote, as for an anonymous PutObject.
      const read = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'drop/note.txt' }));
      expect(await read.Body!.transformToString()).toBe('dropped');
    });

    it('a bucket that does not exist: NoSuchBucket', async () => {
      const { url, fields } = await presign('no-such-bucket', { Key: 'k.txt' });
      expectS3ErrorResponse(await postForm(url, fields, { content: 'x' }), 'NoSuchBucket', 404);
    });

    it('a form cut short inside the file stores nothing', async () => {
      const bucket = await fixture.newBucket();
      const { url, fields } = await presign(bucket, { Key: 'cut.bin' });
      await streamForm(url, fields, seededStream(7, 2 * MiB), { cut: true });
      await expectS3Error(fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cut.bin' })), 'NotFound', 404);
      expect(await keysIn(bucket)).toEqual([]);
    });
  });

  it('SigV2 forms (AWSAccessKeyId, signature): stored when signed right, SignatureDoesNotMatch otherwise', async () => {
    const bucket = await fixture.newBucket();
    const document = { expiration: inAnHour(), conditions: [{ bucket }, ['starts-with', '$key', 'v2/'], ['starts-with', '$Content-Type', '']] };
    const form = signedV2Form(OWNER_KEY, document, { key: 'v2/file.txt', 'Content-Type': 'text/plain' });
    const url = `${fixture.gateway.endpoint}/${bucket}`;
    expect((await postForm(url, form, { content: 'signed v2' })).status).toBe(204);
    expect(await keysIn(bucket)).toEqual(['v2/file.txt']);
    const other = await fixture.newBucket();
    const forged = signedV2Form(
      { ...OWNER_KEY, secretAccessKey: 'wrong' },
      { ...document, conditions: [{ bucket: other }, ...document.conditions.slice(1)] },
      { key: 'v2/file.txt', 'Content-Type': 'text/plain' },
    );
    await expectRefused(other, await postForm(`${fixture.gateway.endpoint}/${other}`, forged, { content: 'x' }), 'SignatureDoesNotMatch', 403);
  });

  describe("boto3's generate_presigned_post", () => {
    let sandbox: ClientSandbox;
    beforeAll(() => {
      sandbox = clientSandbox();
      requireClient('python3', ['-c', 'import boto3'], sandbox.env, 'install boto3 with `python3 -m pip install boto3` (.ci/run does)');
    });
    afterAll(() => sandbox?.cleanup());

    it('uploads with its SigV4 and SigV2 forms; its conditions refuse a file over the range and a key outside the prefix', async () => {
      const bucket = await fixture.newBucket();
      const posts = await boto3Scenario(sandbox, fixture.gateway.endpoint, 'presigned_post', {
        bucket,
        key: 'boto/${filename}',
        conditions: [
          ['content-length-range', 1, 100],
          ['starts-with', '$key', 'boto/'],
        ],
      });
      const send = (post: PresignedPost, fields: Record<string, string>, content: string, filename: string) =>
        postForm(post.url, fields, { content, filename });
      for (const [label, post] of [
        ['s3v4', posts.s3v4],
        ['sigv2', posts.sigv2],
      ] as const) {
        expect(await send(post, post.fields, `via ${label}`, `${label}.txt`)).toMatchObject({ status: 204 });
        const over = await send(post, post.fields, 'x'.repeat(101), 'over.txt');
        expectS3ErrorResponse(over, 'EntityTooLarge', 400);
        const outside = await send(post, { ...post.fields, key: 'elsewhere/${filename}' }, 'x', 'out.txt');
        expectS3ErrorResponse(outside, 'AccessDenied', 403);
      }
      expect((await keysIn(bucket)).sort()).toEqual(['boto/s3v4.txt', 'boto/sigv2.txt']);
      const read = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'boto/sigv2.txt' }));
      expect(await read.Body!.transformToString()).toBe('via sigv2');
    });
  });

  it('streams a 256 MiB form upload to the store without holding it in memory', async () => {
    const bucket = await fixture.newBucket();
    const size = 256 * MiB;
    const expected = await digestsOf(seededStream(5, size));
    const { url, fields } = await presign(bucket, { Key: 'large.bin', Conditions: [['content-length-range', 0, size]] });
    const pid = fixture.gateway.process.pid!;
    const residentBefore = residentBytes(pid);
    resetPeakResident(pid);
    const response = await streamForm(url, fields, seededStream(5, size));
    expect(response.status).toBe(204);
    expect(response.headers.etag).toBe(`"${expected.md5}"`);
    // Buffering the file anywhere in the gateway would grow it by 256 MiB at least.
    expect(peakResidentBytes(pid) - residentBefore).toBeLessThan(128 * MiB);
    const read = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'large.bin' }));
    expect(await digestsOf(read.Body as AsyncIterable<Uint8Array>)).toEqual(expected);
  }, 180_000);
});

describe('POST Object with S3_AUTH=parse: signatures are not verified, policies still are', () => {
  const fixture = useGateway({ S3_AUTH: 'parse' });

  it('stores an anonymous form; honours redirect (the older name) and ignores a success_action_redirect that is no URL', async () => {
    const bucket = await fixture.newBucket();
    const url = `${fixture.gateway.endpoint}/${bucket}`;
    expect((await postForm(url, { key: 'anon.txt' }, { content: 'anyone' })).status).toBe(204);
    const redirected = await postForm(url, { key: 'r.txt', redirect: 'http://app.example.com/done' }, { content: 'x' });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.location).toBe(`http://app.example.com/done?bucket=${bucket}&key=r.txt&etag=${encodeURIComponent(`"${md5Hex('x')}"`)}`);
    expect((await postForm(url, { key: 'n.txt', success_action_redirect: 'not a url' }, { content: 'x' })).status).toBe(204);
    const read = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'anon.txt' }));
    expect(await read.Body!.transformToString()).toBe('anyone');
  });

  it('accepts a signature it cannot verify but refuses what the policy does not allow', async () => {
    const bucket = await fixture.newBucket();
    const url = `${fixture.gateway.endpoint}/${bucket}`;
    const document = { expiration: inAnHour(), conditions: [{ bucket }, ['starts-with', '$key', 'ok/']] };
    const wrongSecret = { accessKeyId: 'anyone', secretAccessKey: 'not checked' };
    expect((await postForm(url, signedV2Form(wrongSecret, document, { key: 'ok/a.txt' }), { content: 'x' })).status).toBe(204);
    const outside = await postForm(url, signedV2Form(wrongSecret, document, { key: 'no/a.txt' }), { content: 'x' });
    expectS3ErrorResponse(outside, 'AccessDenied', 403);
    expect((await fixture.s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((object) => object.Key)).toEqual(['ok/a.txt']);
  });
});
