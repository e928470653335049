import type { ObjectInfo, ObjectStore } from '../ais/store';

// Nest 12 ships as ES modules, which this unit project does not load: its decorators do nothing here anyway.
jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined }));

import type { LifecycleRule } from './lifecycle-configuration';
import { EXPIRY_RULES_TRUSTED_MS, LifecycleExpiry } from './lifecycle-expiry';

const EXPIRE_AFTER_A_DAY: LifecycleRule = { id: 'old logs', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { days: 1 } };
const ABORT_UPLOADS: LifecycleRule = {
  id: 'uploads',
  enabled: true,
  filter: { tags: [], form: 'empty' },
  abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
};

/** A store whose lifecycle setting is `rules`, counting its reads. */
function storeWith(rules: () => LifecycleRule[] | undefined): { store: ObjectStore; reads: () => number } {
  let reads = 0;
  const store = {
    getBucketSetting: () => {
      reads += 1;
      return Promise.resolve(rules());
    },
  } as unknown as ObjectStore;
  return { store, reads: () => reads };
}

const info = { key: 'logs/a', size: 1, lastModified: new Date('2026-12-01T10:00:00Z'), tagCount: 0 } as ObjectInfo;

describe('LifecycleExpiry', () => {
  afterEach(() => jest.useRealTimers());

  it('answers the rule that expires an object, with its date and URL-encoded id', async () => {
    const expiry = new LifecycleExpiry(storeWith(() => [EXPIRE_AFTER_A_DAY]).store);
    expect(await expiry.headerFor('b', info)).toBe('expiry-date="Thu, 03 Dec 2026 00:00:00 GMT", rule-id="old%20logs"');
    expect(expiry.mayExpire('b')).toBe(true);
  });

  it('lets callers skip a bucket whose rules expire nothing, only while those rules are trusted', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-04T00:00:00Z') });
    let rules: LifecycleRule[] | undefined = [ABORT_UPLOADS];
    const { store, reads } = storeWith(() => rules);
    const expiry = new LifecycleExpiry(store);
    expect(expiry.mayExpire('b')).toBe(true);
    expect(await expiry.headerFor('b', info)).toBeUndefined();
    expect(expiry.mayExpire('b')).toBe(false);
    expect(expiry.mayExpire('other')).toBe(true);

    rules = [EXPIRE_AFTER_A_DAY];
    jest.setSystemTime(Date.now() + EXPIRY_RULES_TRUSTED_MS);
    expect(expiry.mayExpire('b')).toBe(true);
    expect(await expiry.headerFor('b', info)).toMatch(/^expiry-date=/);
    expect(reads()).toBe(2);
  });

  it('asks again at once after forget() (a lifecycle change through this process)', async () => {
    const expiry = new LifecycleExpiry(storeWith(() => undefined).store);
    await expiry.headerFor('b', info);
    expect(expiry.mayExpire('b')).toBe(false);
    expiry.forget('b');
    expect(expiry.mayExpire('b')).toBe(true);
  });
});
