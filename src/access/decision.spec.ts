import { derivedCanonicalId } from '../auth/credentials';
import { OWNER } from '../s3/owner';
import { S3_OPERATIONS, type S3Operation } from '../s3/routes';
import { type AccessRequest, ADMINS, decide, ownerIdOf, owns } from './decision';
import { ANONYMOUS, type Principal } from './principal';
import type { Grant } from './acl/grants';

function user(accessKeyId: string, admin = false): Principal {
  return { kind: 'user', accessKeyId, canonicalId: derivedCanonicalId(accessKeyId), displayName: accessKeyId, admin };
}

const ALICE = user('alice');
const BOB = user('bob');
const ADMIN = user('root', true);
const ALICE_ID = derivedCanonicalId('alice');
const BUCKET_OPERATIONS = S3_OPERATIONS.filter((operation) => !['ListBuckets', 'CreateBucket', 'NotImplemented', 'MethodNotAllowed'].includes(operation));

function decideFor(principal: Principal, operation: S3Operation, extra: Partial<AccessRequest> = {}) {
  return decide({ principal, operation, bucketOwner: ALICE_ID, ...extra });
}

describe('decide', () => {
  it('lets the owner and admins do every operation on a bucket, and refuses everyone else', () => {
    for (const operation of BUCKET_OPERATIONS) {
      expect(decideFor(ALICE, operation)).toEqual({ allowed: true, reason: 'owner' });
      expect(decideFor(ADMIN, operation)).toEqual({ allowed: true, reason: 'admin' });
      expect(decideFor(BOB, operation)).toEqual({ allowed: false, reason: 'not_owner' });
      expect(decideFor(ANONYMOUS, operation)).toEqual({ allowed: false, reason: 'anonymous' });
    }
  });

  it('refuses anonymous requests everywhere, including ListBuckets and CreateBucket', () => {
    for (const operation of S3_OPERATIONS) expect(decide({ principal: ANONYMOUS, operation }).allowed).toBe(false);
  });

  it('lets any user list buckets and create one (the service decides about an existing name)', () => {
    expect(decide({ principal: BOB, operation: 'ListBuckets' })).toEqual({ allowed: true, reason: 'any_user' });
    expect(decide({ principal: BOB, operation: 'CreateBucket' })).toEqual({ allowed: true, reason: 'any_user' });
  });

  it("gives buckets nobody owns to the admins, shown as the gateway's account", () => {
    expect(decideFor(ADMIN, 'GetObject', { bucketOwner: ADMINS })).toEqual({ allowed: true, reason: 'owner' });
    expect(decideFor(ALICE, 'GetObject', { bucketOwner: ADMINS })).toEqual({ allowed: false, reason: 'not_owner' });
    expect(owns(ADMIN, ADMINS)).toBe(true);
    expect(owns(ADMIN, ALICE_ID)).toBe(false);
    expect(ownerIdOf(ADMINS)).toBe(OWNER.ID);
    expect(ownerIdOf(ALICE_ID)).toBe(ALICE_ID);
  });

  it('refuses a request whose x-amz-expected-bucket-owner is not the owner, admins included', () => {
    expect(decideFor(ALICE, 'PutObject', { expectedBucketOwner: ALICE_ID })).toEqual({ allowed: true, reason: 'owner' });
    expect(decideFor(ALICE, 'PutObject', { expectedBucketOwner: derivedCanonicalId('bob') })).toEqual({ allowed: false, reason: 'expected_owner' });
    expect(decideFor(ADMIN, 'GetObject', { expectedBucketOwner: '111122223333' })).toEqual({ allowed: false, reason: 'expected_owner' });
    expect(decideFor(ADMIN, 'GetObject', { bucketOwner: ADMINS, expectedBucketOwner: OWNER.ID }).allowed).toBe(true);
  });

  it('needs access to the source bucket of a copy too', () => {
    const bobs = derivedCanonicalId('bob');
    expect(decideFor(ALICE, 'CopyObject', { sourceBucketOwner: ALICE_ID })).toEqual({ allowed: true, reason: 'owner' });
    expect(decideFor(ALICE, 'CopyObject', { sourceBucketOwner: bobs })).toEqual({ allowed: false, reason: 'source_not_owner' });
    expect(decideFor(ALICE, 'UploadPartCopy', { sourceBucketOwner: bobs })).toEqual({ allowed: false, reason: 'source_not_owner' });
    expect(decideFor(ADMIN, 'CopyObject', { sourceBucketOwner: bobs })).toEqual({ allowed: true, reason: 'admin' });
    expect(decideFor(ALICE, 'CopyObject', { sourceBucketOwner: ALICE_ID, expectedSourceBucketOwner: bobs })).toEqual({
      allowed: false,
      reason: 'expected_source_owner',
    });
  });

  describe('ACL grants, for principals that neither own the bucket nor are admins', () => {
    const BOB_ID = derivedCanonicalId('bob');
    const everyoneReads: Grant[] = [{ grantee: { group: 'AllUsers' }, permission: 'READ' }];

    it('bucket READ lets anyone list, bucket WRITE write and delete objects; nothing else is granted by them', () => {
      expect(decideFor(ANONYMOUS, 'ListObjectsV2', { bucketGrants: everyoneReads })).toMatchObject({ allowed: true, reason: 'acl' });
      expect(decideFor(ANONYMOUS, 'PutObject', { bucketGrants: everyoneReads })).toEqual({ allowed: false, reason: 'anonymous' });
      const bobWrites: Grant[] = [{ grantee: { id: BOB_ID }, permission: 'WRITE' }];
      for (const operation of ['PutObject', 'DeleteObject', 'DeleteObjects', 'CreateMultipartUpload', 'CompleteMultipartUpload'] as const) {
        expect(decideFor(BOB, operation, { bucketGrants: bobWrites })).toMatchObject({ allowed: true, reason: 'acl' });
      }
      expect(decideFor(BOB, 'ListObjects', { bucketGrants: bobWrites })).toEqual({ allowed: false, reason: 'not_owner' });
      const full: Grant[] = [{ grantee: { group: 'AuthenticatedUsers' }, permission: 'FULL_CONTROL' }];
      for (const operation of ['DeleteBucket', 'PutBucketVersioning', 'PutBucketCors', 'GetBucketOwnershipControls'] as const) {
        expect(decideFor(BOB, operation, { bucketGrants: full }).allowed).toBe(false);
      }
      expect(decideFor(BOB, 'PutBucketAcl', { bucketGrants: full }).allowed).toBe(true);
      expect(decideFor(ANONYMOUS, 'PutBucketAcl', { bucketGrants: full }).allowed).toBe(false);
    });

    it("object operations follow the object's ACL: its owner may do all, a missing object is 404 only to who may list", () => {
      const object = { owner: BOB_ID, grants: [{ grantee: { group: 'AllUsers' }, permission: 'READ' }] as Grant[] };
      expect(decideFor(ANONYMOUS, 'GetObject', { object })).toMatchObject({ allowed: true, reason: 'acl' });
      expect(decideFor(ANONYMOUS, 'GetObjectAcl', { object })).toEqual({ allowed: false, reason: 'anonymous' });
      expect(decideFor(BOB, 'PutObjectAcl', { object })).toEqual({ allowed: true, reason: 'object_owner' });
      expect(decideFor(BOB, 'GetObject', { object: 'missing' })).toEqual({ allowed: false, reason: 'not_owner' });
      expect(decideFor(BOB, 'GetObject', { object: 'missing', bucketGrants: everyoneReads })).toMatchObject({ allowed: true });
      expect(decideFor(BOB, 'GetObject', {})).toEqual({ allowed: false, reason: 'not_owner' });
    });

    it("a copy from another's bucket needs READ on the source object", () => {
      const writes: Grant[] = [{ grantee: { id: BOB_ID }, permission: 'WRITE' }];
      const source = { owner: ALICE_ID, grants: [{ grantee: { id: BOB_ID }, permission: 'READ' }] as Grant[] };
      expect(decide({ principal: BOB, operation: 'CopyObject', bucketOwner: BOB_ID, sourceBucketOwner: ALICE_ID, sourceObject: source }).allowed).toBe(true);
      expect(decide({ principal: BOB, operation: 'CopyObject', bucketOwner: BOB_ID, sourceBucketOwner: ALICE_ID, sourceObject: 'missing' }).allowed).toBe(
        false,
      );
      expect(decideFor(BOB, 'CopyObject', { bucketGrants: writes, sourceBucketOwner: ALICE_ID, sourceObject: { owner: ALICE_ID, grants: [] } })).toEqual({
        allowed: false,
        reason: 'source_not_owner',
      });
    });

    it('an expected-owner mismatch refuses whatever the ACL grants', () => {
      expect(decideFor(ANONYMOUS, 'ListObjects', { bucketGrants: everyoneReads, expectedBucketOwner: BOB_ID })).toEqual({
        allowed: false,
        reason: 'expected_owner',
      });
    });
  });

  describe('with a bucket policy', () => {
    it('weighs it in this order: expected owner, admin, explicit Deny, owner, Allow, else refused', () => {
      expect(decideFor(ADMIN, 'GetObject', { policy: 'deny', expectedBucketOwner: '111122223333' }).reason).toBe('expected_owner');
      expect(decideFor(ADMIN, 'GetObject', { policy: 'deny' })).toEqual({ allowed: true, reason: 'admin' });
      expect(decideFor(ALICE, 'GetObject', { policy: 'deny' })).toEqual({ allowed: false, reason: 'policy_deny' });
      expect(decideFor(ALICE, 'GetObject', { policy: 'none' })).toEqual({ allowed: true, reason: 'owner' });
      expect(decideFor(BOB, 'GetObject', { policy: 'allow' })).toEqual({ allowed: true, reason: 'policy' });
      expect(decideFor(ANONYMOUS, 'GetObject', { policy: 'allow' })).toEqual({ allowed: true, reason: 'policy' });
      expect(decideFor(BOB, 'GetObject', { policy: 'none' })).toEqual({ allowed: false, reason: 'not_owner' });
      expect(decideFor(ANONYMOUS, 'GetObject', { policy: 'none' })).toEqual({ allowed: false, reason: 'anonymous' });
      expect(decideFor(BOB, 'GetObject', { policy: 'deny' })).toEqual({ allowed: false, reason: 'policy_deny' });
    });

    it('never refuses the owner Get/Put/DeleteBucketPolicy, whatever the policy denies', () => {
      for (const operation of ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'] as const) {
        expect(decideFor(ALICE, operation, { policy: 'deny' })).toEqual({ allowed: true, reason: 'owner' });
        expect(decideFor(BOB, operation, { policy: 'deny' })).toEqual({ allowed: false, reason: 'policy_deny' });
      }
      expect(decideFor(ALICE, 'GetBucketPolicyStatus', { policy: 'deny' }).allowed).toBe(false);
    });

    it("judges a copy's source by the source bucket's policy", () => {
      const bobs = derivedCanonicalId('bob');
      expect(decideFor(ALICE, 'CopyObject', { sourceBucketOwner: bobs, sourcePolicy: 'allow' })).toEqual({ allowed: true, reason: 'owner' });
      expect(decideFor(ALICE, 'CopyObject', { sourceBucketOwner: bobs, sourcePolicy: 'none' }).reason).toBe('source_not_owner');
      expect(decideFor(ALICE, 'CopyObject', { sourceBucketOwner: ALICE_ID, sourcePolicy: 'deny' }).reason).toBe('source_policy_deny');
      expect(decideFor(BOB, 'CopyObject', { policy: 'allow', sourceBucketOwner: bobs }).allowed).toBe(true);
    });

    it('still lets no anonymous request list or create buckets', () => {
      expect(decide({ principal: ANONYMOUS, operation: 'ListBuckets', policy: 'allow' }).allowed).toBe(false);
    });
  });
});
