import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BucketInfo, ObjectAccess, ObjectStore } from '../ais/store';
import { S3Error } from '../s3/errors';
import type { Grant } from './acl/grants';
import { CredentialStore, derivedCanonicalId } from '../auth/credentials';
import { OWNER } from '../s3/owner';
import type { S3Operation } from '../s3/routes';
import type { S3Request } from '../s3/s3-request';
import { Authorizer, type AuthorizerOptions } from './authorizer';
import { storedPolicy } from './policy/bucket-policies';
import type { PublicAccessBlock } from './policy/public-access-block';
import { ADMINS, type DenyReason } from './decision';
import { ANONYMOUS, type Principal } from './principal';

const ALICE_ID = derivedCanonicalId('ALICE');

/**
 * Buckets by name with their policies, public access blocks, ACL grants and objects; every name the access check
 * looked up, every setting it read (with `cached`), and every store call in order.
 */
function storeOf(
  buckets: Record<string, string | undefined>,
  policies: Record<string, string> = {},
  blocks: Record<string, PublicAccessBlock> = {},
  acls: Record<string, Grant[]> = {},
  objects: Record<string, ObjectAccess> = {},
): { store: ObjectStore; lookups: string[]; settingReads: string[]; calls: string[] } {
  const lookups: string[] = [];
  const settingReads: string[] = [];
  const calls: string[] = [];
  const store = {
    lookupBucket: (name: string): Promise<BucketInfo | undefined> => {
      lookups.push(name);
      calls.push(`lookupBucket ${name}`);
      return Promise.resolve(name in buckets ? { name, created: new Date(0), owner: buckets[name] } : undefined);
    },
    getBucketSetting: (name: string, setting: string, cached?: boolean) => {
      settingReads.push(`${name}:${setting}:${cached === true ? 'cached' : 'fresh'}`);
      calls.push(`getBucketSetting ${name} ${setting} ${cached}`);
      if (setting === 'publicAccessBlock') return Promise.resolve(blocks[name]);
      if (setting === 'acl') return Promise.resolve(acls[name]);
      return Promise.resolve(setting === 'policy' && name in policies ? storedPolicy(name, policies[name]) : undefined);
    },
    headObject: (name: string, key: string): Promise<unknown> => {
      calls.push(`headObject ${name}/${key}`);
      const access = objects[`${name}/${key}`];
      return access === undefined ? Promise.reject(new S3Error('NoSuchKey')) : Promise.resolve({ key, access });
    },
  } as unknown as ObjectStore;
  return { store, lookups, settingReads, calls };
}

function policyOf(bucket: string, statement: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], ...statement }] });
}

/** An Authorizer over `store` with the keys ALICE (display name alice) and BOB, and the refusals it reported. */
function accessControl(
  store: ObjectStore,
  options: Pick<AuthorizerOptions, 'defaultBucketOwner' | 'log'> = {},
  extraUsers = '',
): { access: Authorizer; denials: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'access-')), 'credentials');
  writeFileSync(file, `ALICE:a name=alice\nBOB:b\n${extraUsers}`);
  const denials: string[] = [];
  const denied = (operation: S3Operation, reason: DenyReason) => denials.push(`${operation}:${reason}`);
  return { access: new Authorizer(store, new CredentialStore(undefined, file), { ...options, denied }), denials };
}

function requestBy(principal: Principal, operation: S3Operation, bucket?: string, headers: Record<string, string> = {}): S3Request {
  return { id: 'r', operation, bucket, key: 'k', query: {}, method: 'GET', headers, originalUrl: '/', raw: {} as never, auth: { principal, payload: {} } };
}

function userOf(access: Authorizer, key: string): Principal {
  const user = access.credentials!.userOf(key)!;
  return { kind: 'user', accessKeyId: user.accessKeyId, canonicalId: user.canonicalId, displayName: user.displayName, admin: user.admin };
}

describe('Authorizer', () => {
  it('refuses anonymous requests to a bucket without a policy or grants after cached policy and ACL reads, and counts the refusal', async () => {
    const { store, lookups, settingReads } = storeOf({ data: ALICE_ID });
    const { access, denials } = accessControl(store);
    await expect(access.authorize(requestBy(ANONYMOUS, 'GetObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(access.authorize(requestBy(ANONYMOUS, 'ListBuckets'))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(lookups).toEqual(['data']);
    expect(settingReads).toEqual(['data:policy:cached', 'data:acl:cached']);
    expect(denials).toEqual(['GetObject:anonymous', 'ListBuckets:anonymous']);
  });

  it('lets anonymous requests in where the bucket policy allows everyone, and answers NoSuchBucket for a missing bucket', async () => {
    const { store } = storeOf({ site: ALICE_ID, gone: undefined }, { site: policyOf('site', { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }) });
    const { access, denials } = accessControl(store);
    await access.authorize(requestBy(ANONYMOUS, 'GetObject', 'site'));
    await expect(access.authorize(requestBy(ANONYMOUS, 'PutObject', 'site'))).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(access.authorize(requestBy(ANONYMOUS, 'GetObject', 'missing'))).rejects.toMatchObject({ code: 'NoSuchBucket' });
    expect(denials).toEqual(['PutObject:anonymous']);
  });

  it('reads the public access block only for a public policy; RestrictPublicBuckets shuts anonymous requests out, not users', async () => {
    const block = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true };
    const everyone = policyOf('site', { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' });
    const named = policyOf('team', { Effect: 'Allow', Principal: { AWS: 'BOB' }, Action: 's3:GetObject' });
    const { store, settingReads } = storeOf({ site: ALICE_ID, team: ALICE_ID }, { site: everyone, team: named }, { site: block, team: block });
    const { access, denials } = accessControl(store);
    await expect(access.authorize(requestBy(ANONYMOUS, 'GetObject', 'site'))).rejects.toMatchObject({ code: 'AccessDenied' });
    await access.authorize(requestBy(userOf(access, 'BOB'), 'GetObject', 'site'));
    await access.authorize(requestBy(userOf(access, 'BOB'), 'GetObject', 'team'));
    expect(settingReads).toEqual([
      'site:policy:cached',
      'site:publicAccessBlock:cached',
      // the restricted public policy decides nothing for anonymous requests: the ACL is asked
      'site:acl:cached',
      'site:policy:cached',
      'site:publicAccessBlock:cached',
      'team:policy:cached',
    ]);
    expect(denials).toEqual(['GetObject:anonymous']);
  });

  it('names the policy statement that decided in the debug log (its Sid, else its position)', async () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
        { Sid: 'NoSecrets', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/secret/*' },
      ],
    });
    const { store } = storeOf({ data: ALICE_ID }, { data: policy });
    const logged: string[] = [];
    const { access } = accessControl(store, { log: (_request, _principal, decision, statement) => logged.push(`${decision.reason}:${statement}`) });
    await access.authorize({ ...requestBy(ANONYMOUS, 'GetObject', 'data'), key: 'public/x' });
    await expect(access.authorize({ ...requestBy(ANONYMOUS, 'GetObject', 'data'), key: 'secret/x' })).rejects.toMatchObject({ code: 'AccessDenied' });
    await access.authorize(requestBy(userOf(access, 'ALICE'), 'GetObject', 'data'));
    expect(logged).toEqual(['policy:#1', 'policy_deny:NoSecrets', 'owner:undefined']);
  });

  it("refuses the owner what the policy explicitly denies, but never the owner's own policy operations; admins pass", async () => {
    const { store } = storeOf({ data: ALICE_ID }, { data: policyOf('data', { Effect: 'Deny', Principal: '*', Action: 's3:*' }) });
    const { access, denials } = accessControl(store, {}, 'ROOT:r admin\n');
    await expect(access.authorize(requestBy(userOf(access, 'ALICE'), 'GetObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    for (const operation of ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'] as const) {
      await access.authorize(requestBy(userOf(access, 'ALICE'), operation, 'data'));
    }
    await expect(access.authorize(requestBy(userOf(access, 'ALICE'), 'GetBucketPolicyStatus', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    await access.authorize(requestBy(userOf(access, 'ROOT'), 'DeleteObject', 'data'));
    expect(denials).toEqual(['GetObject:policy_deny', 'GetBucketPolicyStatus:policy_deny']);
  });

  it('decides DeleteObjects per key when the bucket has a policy: the gate lets the caller in, each key is judged', async () => {
    const policy = policyOf('data', { Effect: 'Allow', Principal: { AWS: 'BOB' }, Action: 's3:DeleteObject' }).replace(
      '"arn:aws:s3:::data/*"',
      '"arn:aws:s3:::data/bob/*"',
    );
    const { store } = storeOf({ data: ALICE_ID }, { data: policy });
    const { access, denials } = accessControl(store);
    const request = requestBy(userOf(access, 'BOB'), 'DeleteObjects', 'data');
    await access.authorize(request);
    expect([request.mayDeleteKey!('bob/1'), request.mayDeleteKey!('alice/1'), request.mayDeleteKey!('bob/1', 'v1')]).toEqual([true, false, false]);
    expect(denials).toEqual(['DeleteObjects:not_owner', 'DeleteObjects:not_owner']);
  });

  it('decides the s3:object-lock-* keys from lock headers, and waits for the document of PutObjectRetention and PutObjectLegalHold', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'BOB' },
          Action: ['s3:PutObject', 's3:PutObjectRetention', 's3:PutObjectLegalHold'],
          Resource: 'arn:aws:s3:::data/*',
          Condition: { NumericLessThanEquals: { 's3:object-lock-remaining-retention-days': '30' } },
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:PutObject', 's3:PutObjectLegalHold'],
          Resource: 'arn:aws:s3:::data/*',
          Condition: { StringEquals: { 's3:object-lock-legal-hold': 'ON' } },
        },
      ],
    });
    const { store } = storeOf({ data: ALICE_ID }, { data: policy });
    const { access, denials } = accessControl(store);
    const bob = userOf(access, 'BOB');
    const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString();
    const put = (headers: Record<string, string>) => access.authorize(requestBy(bob, 'PutObject', 'data', headers));
    await put({ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': inDays(29.5) });
    // 30 days and an hour is 31 remaining days (a part of a day counts); no lock at all leaves the key absent.
    await expect(put({ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': inDays(30.05) })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    await expect(put({})).rejects.toMatchObject({ code: 'AccessDenied' });
    // The owner too is refused a legal hold by the Deny.
    const alice = userOf(access, 'ALICE');
    await expect(access.authorize(requestBy(alice, 'PutObject', 'data', { 'x-amz-object-lock-legal-hold': 'ON' }))).rejects.toMatchObject({
      code: 'AccessDenied',
    });

    // PutObjectRetention: nothing is decided at the gate; the handler's call with the document's lock decides.
    const retention = requestBy(bob, 'PutObjectRetention', 'data');
    await access.authorize(retention);
    expect(retention.authorizeLockDocument).toBeDefined();
    await retention.authorizeLockDocument!({ mode: 'COMPLIANCE', retainUntilDate: inDays(10) });
    const tooLong = requestBy(bob, 'PutObjectRetention', 'data');
    await access.authorize(tooLong);
    await expect(tooLong.authorizeLockDocument!({ mode: 'COMPLIANCE', retainUntilDate: inDays(400) })).rejects.toMatchObject({ code: 'AccessDenied' });
    const hold = requestBy(alice, 'PutObjectLegalHold', 'data');
    await access.authorize(hold);
    await expect(hold.authorizeLockDocument!({ legalHold: 'ON' })).rejects.toMatchObject({ code: 'AccessDenied' });
    const release = requestBy(alice, 'PutObjectLegalHold', 'data');
    await access.authorize(release);
    await release.authorizeLockDocument!({ legalHold: 'OFF' });
    // A policy without lock keys decides at the gate, as before.
    const { store: plainStore } = storeOf({ data: ALICE_ID });
    const plain = requestBy(alice, 'PutObjectRetention', 'data');
    await accessControl(plainStore).access.authorize(plain);
    expect(plain.authorizeLockDocument).toBeUndefined();
    expect(denials).toEqual([
      'PutObject:not_owner',
      'PutObject:not_owner',
      'PutObject:policy_deny',
      'PutObjectRetention:not_owner',
      'PutObjectLegalHold:policy_deny',
    ]);
  });

  it('lets the owner in and notes the owner for the handler; refuses another user, counting why', async () => {
    const { store } = storeOf({ data: ALICE_ID });
    const { access, denials } = accessControl(store);
    const allowed = requestBy(userOf(access, 'ALICE'), 'PutObject', 'data');
    await access.authorize(allowed);
    expect(allowed.bucketOwner).toEqual({ ID: ALICE_ID, DisplayName: 'alice' });
    await expect(access.authorize(requestBy(userOf(access, 'BOB'), 'PutObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(denials).toEqual(['PutObject:not_owner']);
  });

  it("looks up a copy's source bucket and refuses a source the caller may not use", async () => {
    const { store, lookups } = storeOf({ mine: derivedCanonicalId('BOB'), theirs: ALICE_ID });
    const { access, denials } = accessControl(store);
    const copy = requestBy(userOf(access, 'BOB'), 'CopyObject', 'mine', { 'x-amz-copy-source': '/theirs/k' });
    await expect(access.authorize(copy)).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(lookups).toEqual(['mine', 'theirs']);
    expect(denials).toEqual(['CopyObject:source_not_owner']);
  });

  it('answers NoSuchBucket to a user for a bucket that does not exist, and looks nothing up for CreateBucket', async () => {
    const { store, lookups } = storeOf({});
    const { access } = accessControl(store);
    await expect(access.authorize(requestBy(userOf(access, 'BOB'), 'GetObject', 'gone'))).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await access.authorize(requestBy(userOf(access, 'BOB'), 'CreateBucket', 'new'));
    expect(lookups).toEqual(['gone']);
  });

  it('gives ownerless buckets to S3_DEFAULT_BUCKET_OWNER (a key or a canonical id), else to the admins', () => {
    const { store } = storeOf({});
    const ownerless: BucketInfo = { name: 'old', created: new Date(0) };
    expect(accessControl(store).access.ownerOf(ownerless)).toBe(ADMINS);
    expect(accessControl(store).access.ownerOf({ ...ownerless, owner: ALICE_ID })).toBe(ALICE_ID);
    expect(accessControl(store, { defaultBucketOwner: 'ALICE' }).access.ownerOf(ownerless)).toBe(ALICE_ID);
    expect(accessControl(store, { defaultBucketOwner: ALICE_ID.toUpperCase() }).access.ownerOf(ownerless)).toBe(ALICE_ID);
    expect(accessControl(store, { defaultBucketOwner: 'NOBODY' }).access.ownerOf(ownerless)).toBe(ADMINS);
    expect(accessControl(store).access.display(ADMINS)).toEqual(OWNER);
  });
});

describe('Authorizer with ACLs', () => {
  it('refuses anonymous requests the bucket grants nothing to, reading only its (cached) policy and ACL, and counts the refusal', async () => {
    const { store, calls } = storeOf({ data: ALICE_ID });
    const { access, denials } = accessControl(store);
    await expect(access.authorize(requestBy(ANONYMOUS, 'ListObjectsV2', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(calls).toEqual(['lookupBucket data', 'getBucketSetting data policy true', 'getBucketSetting data acl true']);
    expect(denials).toEqual(['ListObjectsV2:anonymous']);
  });

  it('lets anonymous requests do what AllUsers is granted, reading the object ACL only for an object operation', async () => {
    const everyone: Grant[] = [{ grantee: { group: 'AllUsers' }, permission: 'READ' }];
    const { store, calls } = storeOf({ data: ALICE_ID }, {}, {}, { data: everyone }, { 'data/k': { owner: ALICE_ID, grants: everyone } });
    const { access } = accessControl(store);
    await access.authorize(requestBy(ANONYMOUS, 'ListObjectsV2', 'data'));
    await access.authorize(requestBy(ANONYMOUS, 'GetObject', 'data'));
    expect(calls.filter((call) => call.startsWith('headObject'))).toEqual(['headObject data/k']);
    await expect(access.authorize(requestBy(ANONYMOUS, 'PutObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('lets the owner in with nothing read but the bucket and its (cached) policy, no ACL; refuses another user, counting why', async () => {
    const { store, calls } = storeOf({ data: ALICE_ID });
    const { access, denials } = accessControl(store);
    const allowed = requestBy(userOf(access, 'ALICE'), 'GetObject', 'data');
    await access.authorize(allowed);
    expect(calls).toEqual(['lookupBucket data', 'getBucketSetting data policy true']);
    expect(allowed.bucketOwner).toEqual({ ID: ALICE_ID, DisplayName: 'alice' });
    await expect(access.authorize(requestBy(userOf(access, 'BOB'), 'PutObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(denials).toEqual(['PutObject:not_owner']);
  });

  it("looks up a copy's source bucket and object, and refuses a source the caller may not read", async () => {
    const { store, lookups, calls } = storeOf({ mine: derivedCanonicalId('BOB'), theirs: ALICE_ID }, {}, {}, {}, { 'theirs/k': { owner: ALICE_ID } });
    const { access, denials } = accessControl(store);
    const copy = requestBy(userOf(access, 'BOB'), 'CopyObject', 'mine', { 'x-amz-copy-source': '/theirs/k' });
    await expect(access.authorize(copy)).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(lookups).toEqual(['mine', 'theirs']);
    expect(calls).toContain('headObject theirs/k');
    expect(denials).toEqual(['CopyObject:source_not_owner']);
  });
});
