import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../../s3/errors';
import { headerValue } from '../../s3/headers';
import { childElement, childElements, parseXml, textOf, type XmlElement } from '../../s3/xml';
import type { Owner } from '../principal';
import { cannedGrants, type Grant, type Grantee, GROUP_URIS, type Group, isCannedAcl, MAX_GRANTS, type Permission, PERMISSIONS } from './grants';

/** What reading an ACL from a request needs to know: whose resource it is, and which canonical ids exist. */
export interface AclContext {
  /** Canonical id of the resource's owner (the writer of a new object, the bucket's owner). */
  owner: string;
  /** Canonical id of the bucket's owner (bucket-owner-read / -full-control). */
  bucketOwner: string;
  /** Whether a canonical id names a user the gateway knows (an unknown one is InvalidArgument, as on S3). */
  knownId: (id: string) => boolean;
}

/** The grant headers, by the permission each grants. */
export const GRANT_HEADERS: ReadonlyArray<readonly [string, Permission]> = [
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
];

/** Whether the request carries `x-amz-acl` or any grant header. */
export function hasAclHeaders(headers: IncomingHttpHeaders): boolean {
  return headers['x-amz-acl'] !== undefined || GRANT_HEADERS.some(([name]) => headers[name] !== undefined);
}

function groupOfUri(uri: string): Group {
  const group = (Object.keys(GROUP_URIS) as Group[]).find((name) => GROUP_URIS[name] === uri);
  if (group === undefined) throw new S3Error('InvalidArgument', 'Invalid group uri', { ArgumentName: 'uri', ArgumentValue: uri });
  return group;
}

function userGrantee(id: string, context: AclContext): Grantee {
  const canonical = id.toLowerCase();
  if (!context.knownId(canonical)) throw new S3Error('InvalidArgument', 'Invalid id', { ArgumentName: 'CanonicalUser/ID', ArgumentValue: id });
  return { id: canonical };
}

function checkCount(grants: readonly Grant[]): Grant[] {
  if (grants.length > MAX_GRANTS) throw new S3Error('MalformedACLError', `An ACL may have at most ${MAX_GRANTS} grants.`);
  return [...grants];
}

/** One grant header's grantees: `id="..."`, `uri="..."` (or `emailAddress="..."`, which the gateway cannot resolve), comma-separated. */
function granteesOfHeader(name: string, value: string, context: AclContext): Grantee[] {
  return value.split(',').map((part) => {
    const match = /^\s*([A-Za-z]+)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
    if (match === null) throw new S3Error('InvalidArgument', `Invalid grant header value`, { ArgumentName: name, ArgumentValue: value });
    const [, type, grantee] = match;
    switch (type.toLowerCase()) {
      case 'id':
        return userGrantee(grantee, context);
      case 'uri':
        return { group: groupOfUri(grantee) };
      case 'emailaddress':
        throw new S3Error('UnresolvableGrantByEmailAddress', undefined, { EmailAddress: grantee });
      default:
        throw new S3Error('InvalidArgument', `Invalid grantee type ${type}`, { ArgumentName: name, ArgumentValue: value });
    }
  });
}

/**
 * The ACL a request's headers ask for: a canned ACL (`x-amz-acl`) or grant headers (exactly the grants named:
 * the owner gets nothing it is not granted), never both (InvalidRequest). Undefined when there are neither.
 */
export function grantsOfHeaders(headers: IncomingHttpHeaders, context: AclContext): Grant[] | undefined {
  const canned = headerValue(headers, 'x-amz-acl');
  const granted = GRANT_HEADERS.filter(([name]) => headers[name] !== undefined);
  if (canned !== undefined && granted.length > 0) {
    throw new S3Error('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (canned !== undefined) {
    if (!isCannedAcl(canned)) throw new S3Error('InvalidArgument', undefined, { ArgumentName: 'x-amz-acl', ArgumentValue: canned });
    return cannedGrants(canned, context.owner, context.bucketOwner);
  }
  if (granted.length === 0) return undefined;
  const grants: Grant[] = [];
  for (const [name, permission] of granted) {
    for (const grantee of granteesOfHeader(name, headerValue(headers, name) ?? '', context)) grants.push({ grantee, permission });
  }
  return checkCount(grants);
}

/**
 * The grants of an AccessControlPolicy document (PutBucketAcl / PutObjectAcl body). Not XML: MalformedXML;
 * XML that is not an ACL (no Owner, a grantee without ID or URI, an unknown permission): MalformedACLError; an
 * Owner other than the resource's owner: AccessDenied, as S3 answers.
 */
export function grantsOfBody(text: string, context: AclContext): Grant[] {
  const root = childElement(parseXml(text, ['Grant']), 'AccessControlPolicy');
  const malformed = (): S3Error => new S3Error('MalformedACLError');
  if (root === undefined) throw malformed();
  const ownerId = textOf(childElement(root, 'Owner')?.ID)?.trim();
  if (ownerId === undefined || ownerId === '') throw malformed();
  if (ownerId.toLowerCase() !== context.owner) throw new S3Error('AccessDenied');
  const list = childElement(root, 'AccessControlList');
  const grants = (list === undefined ? [] : childElements(list, 'Grant')).map((element): Grant => {
    const grantee = childElement(element, 'Grantee');
    const permission = textOf(element.Permission)?.trim() as Permission;
    if (grantee === undefined || !PERMISSIONS.includes(permission)) throw malformed();
    const id = textOf(grantee.ID)?.trim();
    const uri = textOf(grantee.URI)?.trim();
    const email = textOf(grantee.EmailAddress)?.trim();
    if (id !== undefined) return { grantee: userGrantee(id, context), permission };
    if (uri !== undefined) return { grantee: { group: groupOfUri(uri) }, permission };
    if (email !== undefined) throw new S3Error('UnresolvableGrantByEmailAddress', undefined, { EmailAddress: email });
    throw malformed();
  });
  return checkCount(grants);
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The AccessControlPolicy document GetBucketAcl / GetObjectAcl answer; `display` shows a canonical id as an owner. */
export function aclDocument(owner: Owner, grants: readonly Grant[], display: (id: string) => Owner): XmlElement {
  return {
    Owner: { ...owner },
    AccessControlList: {
      Grant: grants.map((grant) => ({
        Grantee:
          'id' in grant.grantee
            ? { _attributes: { 'xmlns:xsi': XSI, 'xsi:type': 'CanonicalUser' }, ...display(grant.grantee.id) }
            : { _attributes: { 'xmlns:xsi': XSI, 'xsi:type': 'Group' }, URI: GROUP_URIS[grant.grantee.group] },
        Permission: grant.permission,
      })),
    },
  };
}
