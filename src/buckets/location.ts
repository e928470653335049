import { S3Error } from '../s3/errors';

/**
 * Bucket locations. The gateway serves one region (S3_REGION) and answers CreateBucket the way an S3 endpoint
 * of that region does (S3 API reference, CreateBucket and CreateBucketConfiguration):
 *
 * - no LocationConstraint: the bucket is in the gateway's region. (S3's endpoints outside us-east-1 refuse this
 *   with IllegalLocationConstraintException, "The unspecified location constraint is incompatible ...";
 *   the gateway accepts it, so clients that never send a constraint keep working in any region.)
 * - the gateway's region: accepted; `EU` is S3's old name of eu-west-1 and is accepted there.
 * - `us-east-1` named explicitly: InvalidLocationConstraint. us-east-1 has no constraint; S3 refuses it there.
 * - another region: IllegalLocationConstraintException (the constraint does not match the endpoint's region).
 * - anything that is no region name: InvalidLocationConstraint.
 *
 * The LocationConstraint a bucket was created with is kept as GetBucketLocation answers it: `''` for
 * us-east-1 (S3 reports an empty LocationConstraint there), else the constraint as sent.
 */

const US_EAST_1 = 'us-east-1';
/** S3's legacy name of eu-west-1, still a valid LocationConstraint that GetBucketLocation answers as it is. */
const LEGACY_EU = 'EU';
/** What AWS region codes look like (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`, `cn-north-1`). */
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The region a LocationConstraint puts a bucket in. */
export function regionOfConstraint(constraint: string): string {
  if (constraint === '') return US_EAST_1;
  return constraint === LEGACY_EU ? 'eu-west-1' : constraint;
}

/** The location to keep for a new bucket, from the CreateBucketConfiguration's LocationConstraint; throws when S3 would refuse it. */
export function locationForNewBucket(constraint: string | undefined, gatewayRegion: string): string {
  if (constraint === undefined || constraint === '') return gatewayRegion === US_EAST_1 ? '' : gatewayRegion;
  if (constraint !== US_EAST_1 && regionOfConstraint(constraint) === gatewayRegion) return constraint;
  if (constraint === US_EAST_1 || !(constraint === LEGACY_EU || REGION_CODE.test(constraint))) {
    throw new S3Error('InvalidLocationConstraint', undefined, { LocationConstraint: constraint });
  }
  throw new S3Error(
    'IllegalLocationConstraintException',
    `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
  );
}

/** The LocationConstraint GetBucketLocation answers for a bucket; buckets without a kept location are in the gateway's region. */
export function locationConstraintOf(location: string | undefined, gatewayRegion: string): string {
  if (location !== undefined) return location;
  return gatewayRegion === US_EAST_1 ? '' : gatewayRegion;
}

/** The region of a bucket (ListBuckets' BucketRegion, HeadBucket's x-amz-bucket-region). */
export function regionOfBucket(location: string | undefined, gatewayRegion: string): string {
  return location === undefined ? gatewayRegion : regionOfConstraint(location);
}
