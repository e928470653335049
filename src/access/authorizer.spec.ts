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
import { Authorizer } from './authorizer';
import { ADMINS, type DenyReason } from './decision';
import { ANONYMOUS, type Principal } from './principal';

const ALICE_ID = derivedCanonicalId('ALICE');

/** Buckets by name (with optional bucket ACL grants and objects), and every store call the access check made. */
function storeOf(
  buckets: Record<string, string | undefined>,
  acls: Record<string, Grant[]> = {},
  objects: Record<string, ObjectAccess> = {},
): { store: ObjectStore; lookups: string[]; calls: string[] } {
  const lookups: string[] = [];
  const calls: string[] = [];
  const store = {
    lookupBucket: (name: string): Promise<BucketInfo | undefined> => {
      lookups.push(name);
      calls.push(`lookupBucket ${name}`);
      return Promise.resolve(name in buckets ? { name, created: new Date(0), owner: buckets[name] } : undefined);
    },
    getBucketSetting: (name: string, setting: string, cached?: boolean): Promise<unknown> => {
      calls.push(`getBucketSetting ${name} ${setting} ${cached}`);
      return Promise.resolve(setting === 'acl' ? acls[name] : undefined);
    },
    headObject: (name: string, key: string): Promise<unknown> => {
      calls.push(`headObject ${name}/${key}`);
      const access = objects[`${name}/${key}`];
      return access === undefined ? Promise.reject(new S3Error('NoSuchKey')) : Promise.resolve({ key, access });
    },
  } as unknown as ObjectStore;
  return { store, lookups, calls };
}

/** An Authorizer over `store` with the keys ALICE (display name alice) and BOB, and the refusals it reported. */
function accessControl(store: ObjectStore, options: { defaultBucketOwner?: string } = {}): { access: Authorizer; denials: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'access-')), 'credentials');
  writeFileSync(file, 'ALICE:a name=alice\nBOB:b\n');
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
  it('refuses anonymous requests the bucket grants nothing to, reading only its ACL, and counts the refusal', async () => {
    const { store, calls } = storeOf({ data: ALICE_ID });
    const { access, denials } = accessControl(store);
    await expect(access.authorize(requestBy(ANONYMOUS, 'ListObjectsV2', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(calls).toEqual(['lookupBucket data', 'getBucketSetting data acl true']);
    expect(denials).toEqual(['ListObjectsV2:anonymous']);
  });

  it('lets anonymous requests do what AllUsers is granted, reading the object ACL only for an object operation', async () => {
    const everyone: Grant[] = [{ grantee: { group: 'AllUsers' }, permission: 'READ' }];
    const { store, calls } = storeOf({ data: ALICE_ID }, { data: everyone }, { 'data/k': { owner: ALICE_ID, grants: everyone } });
    const { access } = accessControl(store);
    await access.authorize(requestBy(ANONYMOUS, 'ListObjectsV2', 'data'));
    await access.authorize(requestBy(ANONYMOUS, 'GetObject', 'data'));
    expect(calls.filter((call) => call.startsWith('headObject'))).toEqual(['headObject data/k']);
    await expect(access.authorize(requestBy(ANONYMOUS, 'PutObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
  });

  it('lets the owner in with nothing read but the bucket, and notes the owner for the handler; refuses another user, counting why', async () => {
    const { store, calls } = storeOf({ data: ALICE_ID });
    const { access, denials } = accessControl(store);
    const allowed = requestBy(userOf(access, 'ALICE'), 'GetObject', 'data');
    await access.authorize(allowed);
    expect(calls).toEqual(['lookupBucket data']);
    expect(allowed.bucketOwner).toEqual({ ID: ALICE_ID, DisplayName: 'alice' });
    await expect(access.authorize(requestBy(userOf(access, 'BOB'), 'PutObject', 'data'))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(denials).toEqual(['PutObject:not_owner']);
  });

  it("looks up a copy's source bucket and object, and refuses a source the caller may not read", async () => {
    const { store, lookups, calls } = storeOf({ mine: derivedCanonicalId('BOB'), theirs: ALICE_ID }, {}, { 'theirs/k': { owner: ALICE_ID } });
    const { access, denials } = accessControl(store);
    const copy = requestBy(userOf(access, 'BOB'), 'CopyObject', 'mine', { 'x-amz-copy-source': '/theirs/k' });
    await expect(access.authorize(copy)).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(lookups).toEqual(['mine', 'theirs']);
    expect(calls).toContain('headObject theirs/k');
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
