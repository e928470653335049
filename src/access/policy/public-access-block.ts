import { S3Error } from '../../s3/errors';
import { childElement, parseXml, textOf, type XmlElement } from '../../s3/xml';

/** A bucket's PublicAccessBlockConfiguration (PutPublicAccessBlock); an element left out is false, as in S3. */
export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

const FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

/** PutPublicAccessBlock's body; anything but `true`/`false` in a field, or another root, is MalformedXML. */
export function parsePublicAccessBlock(text: string): PublicAccessBlock {
  const root = childElement(parseXml(text), 'PublicAccessBlockConfiguration');
  if (root === undefined) throw new S3Error('MalformedXML');
  const block = {} as PublicAccessBlock;
  for (const field of FIELDS) {
    const value = textOf(root[field])?.trim().toLowerCase();
    if (value !== undefined && value !== 'true' && value !== 'false') throw new S3Error('MalformedXML');
    block[field] = value === 'true';
  }
  return block;
}

/** GetPublicAccessBlock's PublicAccessBlockConfiguration content: every field. */
export function publicAccessBlockXml(block: PublicAccessBlock): XmlElement {
  return Object.fromEntries(FIELDS.map((field) => [field, block[field]]));
}

/** BlockPublicPolicy: a PutBucketPolicy of a public policy is refused (403 AccessDenied), as S3 refuses it. */
export function blocksPolicy(block: PublicAccessBlock | undefined, isPublic: boolean): boolean {
  return isPublic && block?.BlockPublicPolicy === true;
}

/**
 * RestrictPublicBuckets: a bucket whose policy is public grants nothing through it to anonymous requests (S3:
 * only AWS services and users of the owner's account keep that access; every gateway user is of the one
 * account, anonymous requests are not).
 */
export function restrictsPublicPolicy(block: PublicAccessBlock | undefined, isPublic: boolean): boolean {
  return isPublic && block?.RestrictPublicBuckets === true;
}

/**
 * For ACLs: BlockPublicAcls refuses a write of a public ACL (S3: 403 AccessDenied; AclService), IgnorePublicAcls
 * makes grants to AllUsers / AuthenticatedUsers count for nothing in the access check (Authorizer).
 */
export function publicAclEffects(block: PublicAccessBlock | undefined): { refusePublicAclWrites: boolean; ignorePublicGrants: boolean } {
  return { refusePublicAclWrites: block?.BlockPublicAcls === true, ignorePublicGrants: block?.IgnorePublicAcls === true };
}
