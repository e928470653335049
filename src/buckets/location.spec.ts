import { S3Error } from '../s3/errors';
import { locationConstraintOf, locationForNewBucket, regionOfBucket } from './location';

function refusal(constraint: string | undefined, region: string): { code: string; message: string; details: Record<string, string> } | undefined {
  try {
    locationForNewBucket(constraint, region);
    return undefined;
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
}

describe('the LocationConstraint of CreateBucket', () => {
  it('puts a bucket created without one in the gateway region, kept as GetBucketLocation answers it', () => {
    expect(locationForNewBucket(undefined, 'us-east-1')).toBe('');
    expect(locationForNewBucket('', 'us-east-1')).toBe('');
    expect(locationForNewBucket(undefined, 'eu-west-1')).toBe('eu-west-1');
    expect(locationForNewBucket(undefined, 'local')).toBe('local');
  });

  it("accepts the gateway's own region, and EU where the gateway is eu-west-1", () => {
    expect(locationForNewBucket('eu-west-1', 'eu-west-1')).toBe('eu-west-1');
    expect(locationForNewBucket('EU', 'eu-west-1')).toBe('EU');
    expect(locationForNewBucket('local', 'local')).toBe('local');
  });

  it('refuses an explicit us-east-1 with InvalidLocationConstraint, as S3 does', () => {
    expect(refusal('us-east-1', 'us-east-1')).toEqual({
      code: 'InvalidLocationConstraint',
      message: 'The specified location-constraint is not valid',
      details: { LocationConstraint: 'us-east-1' },
    });
    expect(refusal('us-east-1', 'eu-west-1')?.code).toBe('InvalidLocationConstraint');
  });

  it('refuses another region with IllegalLocationConstraintException, and what is no region with InvalidLocationConstraint', () => {
    expect(refusal('eu-west-1', 'us-east-1')).toEqual({
      code: 'IllegalLocationConstraintException',
      message: 'The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.',
      details: {},
    });
    expect(refusal('EU', 'us-east-1')?.code).toBe('IllegalLocationConstraintException');
    expect(refusal('us-gov-west-1', 'eu-west-1')?.code).toBe('IllegalLocationConstraintException');
    expect(refusal('ap-southeast-5', 'local')?.code).toBe('IllegalLocationConstraintException');
    for (const junk of ['nowhere', 'EU-WEST-1', ' eu-west-1', 'eu-west', 'eu-west-1;x'])
      expect(refusal(junk, 'us-east-1')?.code).toBe('InvalidLocationConstraint');
  });
});

describe('the location of a bucket', () => {
  it('answers the kept LocationConstraint, or the gateway region for buckets created without one kept', () => {
    expect(locationConstraintOf('', 'eu-west-1')).toBe('');
    expect(locationConstraintOf('EU', 'us-east-1')).toBe('EU');
    expect(locationConstraintOf(undefined, 'us-east-1')).toBe('');
    expect(locationConstraintOf(undefined, 'eu-west-1')).toBe('eu-west-1');
  });

  it('gives the region the bucket is in', () => {
    expect(regionOfBucket('', 'eu-west-1')).toBe('us-east-1');
    expect(regionOfBucket('EU', 'us-east-1')).toBe('eu-west-1');
    expect(regionOfBucket('eu-west-2', 'us-east-1')).toBe('eu-west-2');
    expect(regionOfBucket(undefined, 'eu-west-1')).toBe('eu-west-1');
  });
});
