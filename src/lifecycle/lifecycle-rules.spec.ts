import type { LifecycleFilter, LifecycleRule } from './lifecycle-configuration';
import { abortingRule, afterDays, currentExpiry, filterMatches, type KeyVersion, plannedActions } from './lifecycle-rules';

const day = (iso: string) => new Date(iso);

function version(versionId: string, lastModified: string, extra: Partial<KeyVersion> = {}): KeyVersion {
  return { key: 'logs/a', versionId, lastModified: day(lastModified), size: 100, deleteMarker: false, etag: `etag-${versionId}`, ...extra };
}

const everything: LifecycleFilter = { tags: [], form: 'empty' };

describe('afterDays', () => {
  it('adds the days and rounds up to the next midnight UTC, as S3 counts', () => {
    expect(afterDays(day('2014-01-15T10:30:00Z'), 3).toISOString()).toBe('2014-01-19T00:00:00.000Z');
    expect(afterDays(day('2014-01-15T00:00:00Z'), 1).toISOString()).toBe('2014-01-17T00:00:00.000Z');
    expect(afterDays(day('2014-01-15T23:59:59Z'), 1).toISOString()).toBe('2014-01-17T00:00:00.000Z');
  });
});

describe('filterMatches', () => {
  it('needs every condition: prefix, sizes (strictly), and tags known and equal', () => {
    const filter: LifecycleFilter = { prefix: 'logs/', tags: [{ key: 'tier', value: 'cold' }], sizeGreaterThan: 10, sizeLessThan: 1000, form: 'and' };
    const tags = { tier: 'cold', other: 'x' };
    expect(filterMatches(filter, { key: 'logs/a', size: 100, tags })).toBe(true);
    expect(filterMatches(filter, { key: 'data/a', size: 100, tags })).toBe(false);
    expect(filterMatches(filter, { key: 'logs/a', size: 10, tags })).toBe(false);
    expect(filterMatches(filter, { key: 'logs/a', size: 1000, tags })).toBe(false);
    expect(filterMatches(filter, { key: 'logs/a', size: 100, tags: { tier: 'hot' } })).toBe(false);
    expect(filterMatches(filter, { key: 'logs/a', size: 100 })).toBe(false); // tags not known: never proven to match
    expect(filterMatches(everything, { key: 'anything', size: 0 })).toBe(true);
  });
});

describe('currentExpiry', () => {
  it('is the earliest expiry among enabled matching rules, with its rule id', () => {
    const rules: LifecycleRule[] = [
      { id: 'slow', enabled: true, filter: everything, expiration: { days: 30 } },
      { id: 'fast', enabled: true, filter: { prefix: 'logs/', tags: [], form: 'prefix' }, expiration: { days: 2 } },
      { id: 'off', enabled: false, filter: everything, expiration: { days: 1 } },
      { id: 'other', enabled: true, filter: { prefix: 'data/', tags: [], form: 'prefix' }, expiration: { date: '2000-01-01T00:00:00.000Z' } },
    ];
    expect(currentExpiry(rules, { key: 'logs/x', size: 1, lastModified: day('2026-03-01T12:00:00Z') })).toEqual({
      at: day('2026-03-04T00:00:00Z'),
      ruleId: 'fast',
    });
    expect(currentExpiry(rules, { key: 'img/x', size: 1, lastModified: day('2026-03-01T12:00:00Z') })).toEqual({
      at: day('2026-04-01T00:00:00Z'),
      ruleId: 'slow',
    });
  });
});

describe('plannedActions', () => {
  const expire30: LifecycleRule = { id: 'cur', enabled: true, filter: everything, expiration: { days: 30 } };

  it('expires a current object once its day has come, naming the exact version and ETag evaluated', () => {
    const versions = [version('v1', '2026-01-01T08:00:00Z')];
    expect(plannedActions([expire30], versions, day('2026-01-31T23:59:59Z'), false)).toEqual([]);
    expect(plannedActions([expire30], versions, day('2026-02-01T00:00:00Z'), false)).toEqual([
      { kind: 'expire-current', key: 'logs/a', versionId: 'v1', etag: 'etag-v1', ruleId: 'cur' },
    ]);
  });

  it('counts noncurrent days from when the next newer version was written, and keeps NewerNoncurrentVersions of them', () => {
    const rule: LifecycleRule = {
      id: 'nc',
      enabled: true,
      filter: everything,
      noncurrentVersionExpiration: { noncurrentDays: 10, newerNoncurrentVersions: 1 },
    };
    const versions = [
      version('v4', '2026-05-01T00:00:00Z'),
      version('v3', '2026-04-01T00:00:00Z'),
      version('v2', '2026-03-01T00:00:00Z'),
      version('v1', '2026-01-01T00:00:00Z'),
    ];
    // v3 noncurrent since 05-01 (kept: the one newest noncurrent), v2 since 04-01 (due 04-12), v1 since 03-01 (due 03-12)
    expect(plannedActions([rule], versions, day('2026-04-10T12:00:00Z'), true).map((a) => a.versionId)).toEqual(['v1']);
    expect(plannedActions([rule], versions, day('2026-04-11T23:59:59Z'), true).map((a) => a.versionId)).toEqual(['v1']);
    expect(plannedActions([rule], versions, day('2026-04-12T00:00:00Z'), true).map((a) => a.versionId)).toEqual(['v2', 'v1']);
    expect(plannedActions([rule], versions, day('2030-01-01T00:00:00Z'), true).map((a) => a.versionId)).toEqual(['v2', 'v1']);
    expect(plannedActions([rule], versions, day('2030-01-01T00:00:00Z'), false)).toEqual([]); // unversioned: no noncurrent versions
  });

  it('removes a delete marker left alone (also when this pass removes what was behind it), only with ExpiredObjectDeleteMarker', () => {
    const marker = version('m', '2026-06-01T00:00:00Z', { deleteMarker: true, etag: undefined, size: 0 });
    const cleanup: LifecycleRule = { id: 'dm', enabled: true, filter: everything, expiration: { expiredObjectDeleteMarker: true } };
    const noncurrent: LifecycleRule = { id: 'nc', enabled: true, filter: everything, noncurrentVersionExpiration: { noncurrentDays: 1 } };
    expect(plannedActions([cleanup], [marker], day('2026-06-02T00:00:00Z'), true)).toEqual([
      { kind: 'remove-expired-marker', key: 'logs/a', versionId: 'm', ruleId: 'dm' },
    ]);
    expect(plannedActions([noncurrent], [marker], day('2026-06-02T00:00:00Z'), true)).toEqual([]);
    const behind = [marker, version('v1', '2026-01-01T00:00:00Z')];
    expect(plannedActions([cleanup], behind, day('2030-01-01T00:00:00Z'), true)).toEqual([]);
    expect(plannedActions([cleanup, noncurrent], behind, day('2030-01-01T00:00:00Z'), true).map((a) => a.kind)).toEqual([
      'expire-noncurrent',
      'remove-expired-marker',
    ]);
  });
});

describe('abortingRule', () => {
  it('aborts an upload once DaysAfterInitiation have passed, for uploads the filter selects', () => {
    const rules: LifecycleRule[] = [
      { id: 'mpu', enabled: true, filter: { prefix: 'tmp/', tags: [], form: 'prefix' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } },
    ];
    expect(abortingRule(rules, 'tmp/x', day('2026-01-01T10:00:00Z'), day('2026-01-03T23:59:59Z'))).toBeUndefined();
    expect(abortingRule(rules, 'tmp/x', day('2026-01-01T10:00:00Z'), day('2026-01-04T00:00:00Z'))).toBe('mpu');
    expect(abortingRule(rules, 'keep/x', day('2026-01-01T10:00:00Z'), day('2030-01-01T00:00:00Z'))).toBeUndefined();
  });
});
