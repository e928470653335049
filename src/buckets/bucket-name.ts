import { MAX_BUCKET_NAME_LENGTH } from '../s3/address';
import { S3Error } from '../s3/errors';

const NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why a name breaks S3's general-purpose bucket naming rules, or undefined if it follows them. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > MAX_BUCKET_NAME_LENGTH) return 'Bucket names must be between 3 and 63 characters long.';
  if (!NAME.test(name)) {
    return 'Bucket names may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit.';
  }
  if (name.includes('..')) return 'Bucket names must not contain two adjacent periods.';
  if (IP_ADDRESS.test(name)) return 'Bucket names must not be formatted as an IP address.';
  if (RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'Bucket names must not start with a reserved prefix.';
  if (RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'Bucket names must not end with a reserved suffix.';
  return undefined;
}

export function assertValidBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem !== undefined) throw new S3Error('InvalidBucketName', problem, { BucketName: name });
}
