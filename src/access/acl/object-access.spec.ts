import { objectAccessForWrite } from './object-access';
import type { ObjectOwnership } from './ownership';

const ALICE = 'a1'.repeat(32);
const BOB = 'b0'.repeat(32);

/** objectAccessForWrite in a bucket alice owns whose Object Ownership is `ownership`, and how often it was read. */
async function write(writer: string, ownership: ObjectOwnership | undefined, headers: Record<string, string> = {}) {
  let reads = 0;
  const access = await objectAccessForWrite(
    headers,
    writer,
    ALICE,
    () => {
      reads += 1;
      return Promise.resolve(ownership);
    },
    (owner) => ({ owner, bucketOwner: ALICE, knownId: (id) => [ALICE, BOB].includes(id) }),
  );
  return { access, reads };
}

describe('objectAccessForWrite', () => {
  it("reads no setting for the bucket owner's plain write: the owner owns it, private", async () => {
    expect(await write(ALICE, 'BucketOwnerEnforced')).toEqual({ access: { owner: ALICE }, reads: 0 });
    expect(await write(ALICE, undefined)).toEqual({ access: { owner: ALICE }, reads: 0 });
  });

  it("gives another writer's object to the writer, or to the bucket owner as Object Ownership says", async () => {
    expect((await write(BOB, undefined)).access).toEqual({ owner: BOB, grants: undefined });
    expect((await write(BOB, 'ObjectWriter', { 'x-amz-acl': 'bucket-owner-full-control' })).access.owner).toBe(BOB);
    expect((await write(BOB, 'BucketOwnerPreferred', { 'x-amz-acl': 'bucket-owner-full-control' })).access.owner).toBe(ALICE);
    expect((await write(BOB, 'BucketOwnerPreferred')).access.owner).toBe(BOB);
    expect(await write(BOB, 'BucketOwnerEnforced')).toEqual({ access: { owner: ALICE }, reads: 1 });
    expect((await write(BOB, 'BucketOwnerEnforced', { 'x-amz-acl': 'bucket-owner-full-control' })).access).toEqual({ owner: ALICE });
  });

  it('refuses ACLs under BucketOwnerEnforced with AccessControlListNotSupported, the bucket owner too', async () => {
    await expect(write(BOB, 'BucketOwnerEnforced', { 'x-amz-acl': 'public-read' })).rejects.toMatchObject({ code: 'AccessControlListNotSupported' });
    await expect(write(ALICE, 'BucketOwnerEnforced', { 'x-amz-grant-read': `id=${BOB}` })).rejects.toMatchObject({ code: 'AccessControlListNotSupported' });
  });

  it('keeps the grants of a non-private ACL and nothing for a private one', async () => {
    expect((await write(ALICE, undefined, { 'x-amz-acl': 'private' })).access.grants).toBeUndefined();
    expect((await write(BOB, undefined, { 'x-amz-acl': 'bucket-owner-read' })).access.grants).toEqual([
      { grantee: { id: BOB }, permission: 'FULL_CONTROL' },
      { grantee: { id: ALICE }, permission: 'READ' },
    ]);
  });
});
