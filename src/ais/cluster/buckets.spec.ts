import { bucketInfoOfProps, newBucketProps, noteOf, ownerNoteOf, ownerOfNote, versioningOfProps, withVersioningNote } from './buckets';

describe('S3 versioning status kept in AIS bucket props', () => {
  it('reads AIS versioning on as Enabled, off as Suspended once noted, and never configured otherwise', () => {
    expect(versioningOfProps({ versioning: { enabled: true } })).toBe('Enabled');
    expect(versioningOfProps({ versioning: { enabled: true }, extra: { custom: 's3-versioning=Suspended' } })).toBe('Enabled');
    expect(versioningOfProps({ versioning: { enabled: false }, extra: { custom: 'team=alpha;s3-versioning=Suspended' } })).toBe('Suspended');
    // Turned off behind the gateway's back after S3 enabled it: S3 never goes back to unversioned.
    expect(versioningOfProps({ versioning: { enabled: false }, extra: { custom: 's3-versioning=Enabled' } })).toBe('Suspended');
    expect(versioningOfProps({ versioning: { enabled: false }, extra: { custom: 'team=alpha' } })).toBeUndefined();
    expect(versioningOfProps({})).toBeUndefined();
  });

  it('notes the status as one entry of extra.custom, keeping the entries of other AIS users', () => {
    expect(withVersioningNote(undefined, 'Enabled')).toBe('s3-versioning=Enabled');
    expect(withVersioningNote('', 'Suspended')).toBe('s3-versioning=Suspended');
    expect(withVersioningNote('team=alpha;s3-versioning=Enabled;id=7', 'Suspended')).toBe('team=alpha;id=7;s3-versioning=Suspended');
  });

  it('gives a bucket its creation time from the nanoseconds AIS reports', () => {
    expect(bucketInfoOfProps('b1', { created: '1795699928150864301', versioning: { enabled: false } })).toEqual({
      name: 'b1',
      created: new Date(1795699928150),
      versioning: undefined,
      location: undefined,
      owner: undefined,
    });
  });
});

describe('the LocationConstraint kept in AIS bucket props', () => {
  it('is noted in extra.custom by the create call, empty for us-east-1', () => {
    expect(newBucketProps('eu-west-1')).toEqual({ checksum: { type: 'md5' }, versioning: { enabled: false }, extra: { custom: 's3-location=eu-west-1' } });
    expect(newBucketProps('').extra.custom).toBe('s3-location=');
  });

  it('reads back beside the versioning note and other entries, and is undefined where the gateway noted none', () => {
    const custom = withVersioningNote(newBucketProps('EU').extra.custom, 'Suspended');
    expect(custom).toBe('s3-location=EU;s3-versioning=Suspended');
    expect(bucketInfoOfProps('b1', { extra: { custom } })).toMatchObject({ location: 'EU', versioning: 'Suspended' });
    expect(bucketInfoOfProps('b1', { extra: { custom: 'team=alpha;s3-location=;id=7' } }).location).toBe('');
    expect(bucketInfoOfProps('b1', { extra: { custom: 'team=alpha' } }).location).toBeUndefined();
    expect(bucketInfoOfProps('b1', {}).location).toBeUndefined();
    expect(noteOf('s3-locations=x;s3-location=y', 's3-location')).toBe('y');
  });
});

describe('the owner kept in AIS bucket props', () => {
  const owner = '0123456789abcdef'.repeat(4);

  it('is noted by the create call as 43 base64url characters and reads back as the canonical id', () => {
    expect(ownerNoteOf(owner)).toHaveLength(43);
    expect(ownerOfNote(ownerNoteOf(owner))).toBe(owner);
    const custom = newBucketProps('eu-west-1', owner).extra.custom;
    expect(custom).toBe(`s3-location=eu-west-1;s3-owner=${ownerNoteOf(owner)}`);
    expect(bucketInfoOfProps('b1', { extra: { custom: withVersioningNote(custom, 'Suspended') } })).toMatchObject({ owner, location: 'eu-west-1' });
  });

  it('fits in the 128 characters of extra.custom beside the longest location and versioning notes', () => {
    const custom = withVersioningNote(newBucketProps('ap-southeast-2', owner).extra.custom, 'Suspended');
    expect(custom.length).toBeLessThanOrEqual(128);
  });

  it("is undefined without a note, or with a damaged one (the bucket is then the admins')", () => {
    expect(newBucketProps('').extra.custom).toBe('s3-location=');
    expect(bucketInfoOfProps('b1', { extra: { custom: 's3-location=' } }).owner).toBeUndefined();
    expect(bucketInfoOfProps('b1', { extra: { custom: 's3-owner=short' } }).owner).toBeUndefined();
    expect(ownerOfNote(undefined)).toBeUndefined();
  });
});
