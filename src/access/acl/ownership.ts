import { S3Error } from '../../s3/errors';
import { childElement, childElements, parseXml, textOf } from '../../s3/xml';

/**
 * S3 Object Ownership (S3 user guide, "Controlling ownership of objects"): ObjectWriter (the writer owns what it
 * writes; the default here, as the gateway's issue asks: AWS makes new buckets BucketOwnerEnforced),
 * BucketOwnerPreferred (an object written with bucket-owner-full-control becomes the bucket owner's) and
 * BucketOwnerEnforced (ACLs are off: the bucket owner owns every object).
 */
export const OBJECT_OWNERSHIPS = ['ObjectWriter', 'BucketOwnerPreferred', 'BucketOwnerEnforced'] as const;
export type ObjectOwnership = (typeof OBJECT_OWNERSHIPS)[number];

export function isObjectOwnership(value: string): value is ObjectOwnership {
  return (OBJECT_OWNERSHIPS as readonly string[]).includes(value);
}

/** `x-amz-object-ownership` on CreateBucket: one of the three, else InvalidArgument. */
export function ownershipOfHeader(value: string | undefined): ObjectOwnership | undefined {
  if (value === undefined) return undefined;
  if (!isObjectOwnership(value)) {
    throw new S3Error('InvalidArgument', 'Invalid x-amz-object-ownership header', { ArgumentName: 'x-amz-object-ownership', ArgumentValue: value });
  }
  return value;
}

/** PutBucketOwnershipControls' body: exactly one Rule with an ObjectOwnership, else MalformedXML. */
export function parseOwnershipControls(text: string): ObjectOwnership {
  const root = childElement(parseXml(text, ['Rule']), 'OwnershipControls');
  const rules = root === undefined ? [] : childElements(root, 'Rule');
  const value = rules.length === 1 ? textOf(rules[0].ObjectOwnership)?.trim() : undefined;
  if (value === undefined || !isObjectOwnership(value)) throw new S3Error('MalformedXML');
  return value;
}

/** Who owns an object a principal writes: the writer, or the bucket owner where the bucket's ownership setting says so. */
export function objectOwnerFor(ownership: ObjectOwnership | undefined, writer: string, bucketOwner: string, bucketOwnerFullControl: boolean): string {
  if (ownership === 'BucketOwnerEnforced') return bucketOwner;
  if (ownership === 'BucketOwnerPreferred' && bucketOwnerFullControl) return bucketOwner;
  return writer;
}
