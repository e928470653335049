import { type S3Error } from '../../s3/errors';
import { aclDocument, grantsOfBody, grantsOfHeaders } from './acl-request';
import { decodeGrants, encodeGrants } from './compact';
import { aclAllows, cannedGrants, CANNED_ACLS, type Grant, isPrivate, MAX_GRANTS, privateGrants } from './grants';
import { objectOwnerFor, parseOwnershipControls } from './ownership';

const OWNER = 'a1'.repeat(32);
const BUCKET_OWNER = 'b2'.repeat(32);
const OTHER = 'c3'.repeat(32);
const KNOWN = new Set([OWNER, BUCKET_OWNER, OTHER]);
const context = { owner: OWNER, bucketOwner: BUCKET_OWNER, knownId: (id: string) => KNOWN.has(id) };
const user = (canonicalId: string) => ({ kind: 'user' as const, canonicalId });
const ANON = { kind: 'anonymous' as const };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as S3Error).code;
  }
  return 'no error';
}

describe('aclAllows', () => {
  it('matches users by id, AllUsers for anyone, AuthenticatedUsers for signed users only; FULL_CONTROL gives every permission', () => {
    const grants: Grant[] = [
      { grantee: { id: OTHER }, permission: 'WRITE' },
      { grantee: { group: 'AuthenticatedUsers' }, permission: 'READ' },
      { grantee: { group: 'AllUsers' }, permission: 'READ_ACP' },
      { grantee: { id: BUCKET_OWNER }, permission: 'FULL_CONTROL' },
    ];
    expect(aclAllows(grants, user(OTHER), 'WRITE')).toBe(grants[0]);
    expect(aclAllows(grants, user(OWNER), 'WRITE')).toBeUndefined();
    expect(aclAllows(grants, user(OWNER), 'READ')).toBe(grants[1]);
    expect(aclAllows(grants, ANON, 'READ')).toBeUndefined();
    expect(aclAllows(grants, ANON, 'READ_ACP')).toBe(grants[2]);
    expect(aclAllows(grants, user(BUCKET_OWNER), 'WRITE_ACP')).toBe(grants[3]);
    expect(aclAllows([], user(OWNER), 'READ')).toBeUndefined();
  });
});

describe('canned ACLs', () => {
  it('always give the owner FULL_CONTROL and add what S3 documents', () => {
    const extra = (name: (typeof CANNED_ACLS)[number]) => cannedGrants(name, OWNER, BUCKET_OWNER).slice(1);
    for (const name of CANNED_ACLS) expect(cannedGrants(name, OWNER, BUCKET_OWNER)[0]).toEqual(privateGrants(OWNER)[0]);
    expect(extra('private')).toEqual([]);
    expect(extra('aws-exec-read')).toEqual([]);
    expect(extra('public-read')).toEqual([{ grantee: { group: 'AllUsers' }, permission: 'READ' }]);
    expect(extra('public-read-write')).toEqual([
      { grantee: { group: 'AllUsers' }, permission: 'READ' },
      { grantee: { group: 'AllUsers' }, permission: 'WRITE' },
    ]);
    expect(extra('authenticated-read')).toEqual([{ grantee: { group: 'AuthenticatedUsers' }, permission: 'READ' }]);
    expect(extra('bucket-owner-read')).toEqual([{ grantee: { id: BUCKET_OWNER }, permission: 'READ' }]);
    expect(extra('bucket-owner-full-control')).toEqual([{ grantee: { id: BUCKET_OWNER }, permission: 'FULL_CONTROL' }]);
    expect(cannedGrants('bucket-owner-full-control', OWNER, OWNER)).toEqual(privateGrants(OWNER));
    expect(isPrivate(cannedGrants('private', OWNER, BUCKET_OWNER), OWNER)).toBe(true);
    expect(isPrivate(cannedGrants('public-read', OWNER, BUCKET_OWNER), OWNER)).toBe(false);
  });
});

describe('grantsOfHeaders', () => {
  it('reads x-amz-acl and grant headers (id=, uri=, quoted or not, several per header); neither: undefined', () => {
    expect(grantsOfHeaders({}, context)).toBeUndefined();
    expect(grantsOfHeaders({ 'x-amz-acl': 'public-read' }, context)).toEqual(cannedGrants('public-read', OWNER, BUCKET_OWNER));
    expect(
      grantsOfHeaders(
        {
          'x-amz-grant-read': `uri="http://acs.amazonaws.com/groups/global/AllUsers", id=${OTHER.toUpperCase()}`,
          'x-amz-grant-full-control': `id="${OWNER}"`,
          'x-amz-grant-write-acp': 'uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
        },
        context,
      ),
    ).toEqual([
      { grantee: { group: 'AllUsers' }, permission: 'READ' },
      { grantee: { id: OTHER }, permission: 'READ' },
      { grantee: { group: 'AuthenticatedUsers' }, permission: 'WRITE_ACP' },
      { grantee: { id: OWNER }, permission: 'FULL_CONTROL' },
    ]);
  });

  it("answers S3's errors: both kinds, an unknown canned ACL, id, group or grantee type, an email address, too many grants", () => {
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-acl': 'private', 'x-amz-grant-read': `id=${OTHER}` }, context))).toBe('InvalidRequest');
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-acl': 'everyone' }, context))).toBe('InvalidArgument');
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-grant-read': `id=${'d4'.repeat(32)}` }, context))).toBe('InvalidArgument');
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-grant-read': 'uri=http://acs.amazonaws.com/groups/s3/LogDelivery' }, context))).toBe('InvalidArgument');
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-grant-read': 'name=x' }, context))).toBe('InvalidArgument');
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-grant-read': 'emailAddress="a@b.c"' }, context))).toBe('UnresolvableGrantByEmailAddress');
    const many = Array.from({ length: MAX_GRANTS + 1 }, () => `id=${OTHER}`).join(',');
    expect(codeOf(() => grantsOfHeaders({ 'x-amz-grant-read': many }, context))).toBe('MalformedACLError');
  });
});

function policy(owner: string, grants: string): string {
  return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${owner}</ID></Owner><AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
}
const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

describe('grantsOfBody', () => {
  it('reads an AccessControlPolicy: users by ID, groups by URI, in order', () => {
    const body = policy(
      OWNER,
      `<Grant><Grantee ${xsi} xsi:type="CanonicalUser"><ID>${OTHER}</ID><DisplayName>x</DisplayName></Grantee><Permission>WRITE</Permission></Grant>` +
        `<Grant><Grantee ${xsi} xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>`,
    );
    expect(grantsOfBody(body, context)).toEqual([
      { grantee: { id: OTHER }, permission: 'WRITE' },
      { grantee: { group: 'AllUsers' }, permission: 'READ' },
    ]);
    expect(grantsOfBody(policy(OWNER, ''), context)).toEqual([]);
  });

  it('answers MalformedXML, MalformedACLError, AccessDenied (another owner), InvalidArgument (unknown id) as S3 does', () => {
    expect(codeOf(() => grantsOfBody('<AccessControlPolicy><Owner>', context))).toBe('MalformedXML');
    expect(codeOf(() => grantsOfBody('<Other/>', context))).toBe('MalformedACLError');
    expect(codeOf(() => grantsOfBody('<AccessControlPolicy><AccessControlList/></AccessControlPolicy>', context))).toBe('MalformedACLError');
    expect(codeOf(() => grantsOfBody(policy(OWNER, `<Grant><Grantee><ID>${OTHER}</ID></Grantee><Permission>ALL</Permission></Grant>`), context))).toBe(
      'MalformedACLError',
    );
    expect(codeOf(() => grantsOfBody(policy(OWNER, '<Grant><Grantee></Grantee><Permission>READ</Permission></Grant>'), context))).toBe('MalformedACLError');
    expect(codeOf(() => grantsOfBody(policy(OTHER, ''), context))).toBe('AccessDenied');
    expect(
      codeOf(() => grantsOfBody(policy(OWNER, `<Grant><Grantee><ID>${'e5'.repeat(32)}</ID></Grantee><Permission>READ</Permission></Grant>`), context)),
    ).toBe('InvalidArgument');
  });

  it('round-trips what GetObjectAcl answers', () => {
    const grants: Grant[] = [...privateGrants(OWNER), { grantee: { group: 'AuthenticatedUsers' }, permission: 'READ' }];
    const document = aclDocument({ ID: OWNER, DisplayName: 'o' }, grants, (id) => ({ ID: id, DisplayName: 'n' }));
    expect(document.Owner).toEqual({ ID: OWNER, DisplayName: 'o' });
    expect((document.AccessControlList as { Grant: unknown[] }).Grant).toHaveLength(2);
  });
});

describe('compact grants (AIS custom metadata)', () => {
  it('encode and decode every permission and grantee, in few bytes', () => {
    const grants: Grant[] = [
      { grantee: { id: OWNER }, permission: 'FULL_CONTROL' },
      { grantee: { group: 'AllUsers' }, permission: 'READ' },
      { grantee: { group: 'AuthenticatedUsers' }, permission: 'WRITE' },
      { grantee: { id: OTHER }, permission: 'READ_ACP' },
      { grantee: { id: OTHER }, permission: 'WRITE_ACP' },
    ];
    const text = encodeGrants(grants);
    expect(text).toBe(`F${OWNER},R*,Wa,r${OTHER},w${OTHER}`);
    expect(decodeGrants(text)).toEqual(grants);
    expect(decodeGrants('X1,Rzz')).toEqual([]);
  });
});

describe('Object Ownership', () => {
  it('parses OwnershipControls and picks the owner of a write', () => {
    const body = (value: string) => `<OwnershipControls><Rule><ObjectOwnership>${value}</ObjectOwnership></Rule></OwnershipControls>`;
    expect(parseOwnershipControls(body('BucketOwnerEnforced'))).toBe('BucketOwnerEnforced');
    expect(codeOf(() => parseOwnershipControls(body('Nobody')))).toBe('MalformedXML');
    expect(codeOf(() => parseOwnershipControls('<OwnershipControls/>'))).toBe('MalformedXML');
    expect(objectOwnerFor(undefined, OTHER, OWNER, true)).toBe(OTHER);
    expect(objectOwnerFor('ObjectWriter', OTHER, OWNER, true)).toBe(OTHER);
    expect(objectOwnerFor('BucketOwnerPreferred', OTHER, OWNER, false)).toBe(OTHER);
    expect(objectOwnerFor('BucketOwnerPreferred', OTHER, OWNER, true)).toBe(OWNER);
    expect(objectOwnerFor('BucketOwnerEnforced', OTHER, OWNER, false)).toBe(OWNER);
  });
});
