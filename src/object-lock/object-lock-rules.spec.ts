import { S3Error } from '../s3/errors';
import {
  blocksDelete,
  checkRetentionChange,
  defaultRetention,
  isProtected,
  lockConfigurationXml,
  lockOfHeaders,
  parseLegalHold,
  parseLockConfiguration,
  parseRetention,
  remainingRetentionDays,
  requestedLockOf,
} from './object-lock-rules';

const NOW = Date.parse('2026-12-03T16:00:00Z');
const LATER = Date.parse('2030-01-01T00:00:00Z');
const LATEST = Date.parse('2031-01-01T00:00:00Z');

function errorOf(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (err) {
    if (err instanceof S3Error) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no error thrown');
}

const config = (inner: string): string => `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${inner}</ObjectLockConfiguration>`;

describe('ObjectLockConfiguration', () => {
  it('reads Enabled alone and a default rule of days or years, and writes them back', () => {
    expect(parseLockConfiguration(config(''))).toEqual({});
    const days = parseLockConfiguration(config('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days></DefaultRetention></Rule>'));
    expect(days).toEqual({ rule: { mode: 'GOVERNANCE', days: 3 } });
    const years = parseLockConfiguration(config('<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>1</Years></DefaultRetention></Rule>'));
    expect(lockConfigurationXml(years)).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } } });
  });

  it.each([
    ['a status other than Enabled', '<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>'],
    ['a lowercase mode', config('<Rule><DefaultRetention><Mode>governance</Mode><Days>1</Days></DefaultRetention></Rule>')],
    ['both days and years', config('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule>')],
    ['neither days nor years', config('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule>')],
    ['a rule without DefaultRetention', config('<Rule></Rule>')],
    ['days that are not a number', config('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>x</Days></DefaultRetention></Rule>')],
  ])('refuses %s as MalformedXML', (_name, text) => {
    expect(errorOf(() => parseLockConfiguration(text)).code).toBe('MalformedXML');
  });

  it('refuses a period of zero, a negative one and one too long as InvalidRetentionPeriod', () => {
    for (const period of ['<Days>0</Days>', '<Years>-1</Years>', '<Days>36501</Days>', '<Years>101</Years>']) {
      const text = config(`<Rule><DefaultRetention><Mode>GOVERNANCE</Mode>${period}</DefaultRetention></Rule>`);
      expect(errorOf(() => parseLockConfiguration(text)).code).toBe('InvalidRetentionPeriod');
    }
  });

  it('gives a new version the default retention counted from now: days of 24 hours, calendar years', () => {
    expect(defaultRetention({ mode: 'GOVERNANCE', days: 2 }, NOW)).toEqual({ mode: 'GOVERNANCE', retainUntil: NOW + 2 * 86400000 });
    expect(defaultRetention({ mode: 'COMPLIANCE', years: 1 }, NOW)).toEqual({ mode: 'COMPLIANCE', retainUntil: Date.parse('2027-12-03T16:00:00Z') });
  });
});

describe('Retention and LegalHold documents', () => {
  it('reads a mode and a date, or neither (a removal)', () => {
    const text = '<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>';
    expect(parseRetention(text, NOW)).toEqual({ mode: 'COMPLIANCE', retainUntil: LATER });
    expect(parseRetention('<Retention/>', NOW)).toEqual({});
  });

  it('refuses a bad mode, a mode without a date and a bad date as MalformedXML, a date not in the future as InvalidArgument', () => {
    expect(errorOf(() => parseRetention('<Retention><Mode>abc</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>', NOW)).code).toBe(
      'MalformedXML',
    );
    expect(errorOf(() => parseRetention('<Retention><Mode>GOVERNANCE</Mode></Retention>', NOW)).code).toBe('MalformedXML');
    expect(errorOf(() => parseRetention('<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate></Retention>', NOW)).code).toBe(
      'MalformedXML',
    );
    expect(errorOf(() => parseRetention('<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2020-01-01T00:00:00Z</RetainUntilDate></Retention>', NOW))).toEqual(
      { code: 'InvalidArgument', message: 'The retain until date must be in the future!' },
    );
  });

  it('reads a legal hold ON or OFF, and nothing else', () => {
    expect(parseLegalHold('<LegalHold><Status>ON</Status></LegalHold>')).toBe(true);
    expect(parseLegalHold('<LegalHold><Status>OFF</Status></LegalHold>')).toBe(false);
    expect(errorOf(() => parseLegalHold('<LegalHold><Status>on</Status></LegalHold>')).code).toBe('MalformedXML');
  });
});

describe('lock headers of a write', () => {
  it('takes mode and date together, and a legal hold', () => {
    expect(lockOfHeaders({}, NOW)).toBeUndefined();
    const headers = {
      'x-amz-object-lock-mode': 'GOVERNANCE',
      'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z',
      'x-amz-object-lock-legal-hold': 'ON',
    };
    expect(lockOfHeaders(headers, NOW)).toEqual({ mode: 'GOVERNANCE', retainUntil: LATER, legalHold: true });
    expect(lockOfHeaders({ 'x-amz-object-lock-legal-hold': 'OFF' }, NOW)).toEqual({});
  });

  it.each([
    [{ 'x-amz-object-lock-mode': 'GOVERNANCE' }, 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied'],
    [{ 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' }, 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied'],
    [{ 'x-amz-object-lock-mode': 'SOMETIMES', 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' }, 'Unknown wormMode directive.'],
    [{ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': 'soon' }, 'The retain until date must be provided in ISO 8601 format'],
    [{ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2020-01-01T00:00:00Z' }, 'The retain until date must be in the future!'],
    [{ 'x-amz-object-lock-legal-hold': 'maybe' }, "Legal Hold must be either of 'ON' or 'OFF'"],
  ])('refuses %j as InvalidArgument', (headers, message) => {
    expect(errorOf(() => lockOfHeaders(headers, NOW))).toEqual({ code: 'InvalidArgument', message });
  });
});

describe('what a lock forbids', () => {
  const governance = { mode: 'GOVERNANCE' as const, retainUntil: LATER };
  const compliance = { mode: 'COMPLIANCE' as const, retainUntil: LATER };

  it('protects a version under legal hold, or under a retention until it ends', () => {
    expect(isProtected(undefined, NOW)).toBe(false);
    expect(isProtected({ legalHold: true }, NOW)).toBe(true);
    expect(isProtected({ legalHold: false }, NOW)).toBe(false);
    expect(isProtected(governance, NOW)).toBe(true);
    expect(isProtected(governance, LATER)).toBe(false);
  });

  it('lets the bypass through a GOVERNANCE retention only: never a COMPLIANCE one or a legal hold', () => {
    expect(blocksDelete(governance, NOW, false)).toBe(true);
    expect(blocksDelete(governance, NOW, true)).toBe(false);
    expect(blocksDelete(compliance, NOW, true)).toBe(true);
    expect(blocksDelete({ ...governance, legalHold: true }, NOW, true)).toBe(true);
    expect(blocksDelete(compliance, LATER + 1, false)).toBe(false);
  });

  it('lets a retention be extended, and shortened or removed only when GOVERNANCE and bypassed', () => {
    expect(() => checkRetentionChange(governance, { mode: 'GOVERNANCE', retainUntil: LATEST }, NOW, false)).not.toThrow();
    expect(() => checkRetentionChange(governance, { mode: 'COMPLIANCE', retainUntil: LATER }, NOW, false)).not.toThrow();
    expect(errorOf(() => checkRetentionChange(governance, { mode: 'GOVERNANCE', retainUntil: NOW + 1000 }, NOW, false))).toEqual({
      code: 'AccessDenied',
      message: 'Access Denied because object protected by object lock.',
    });
    expect(() => checkRetentionChange(governance, {}, NOW, true)).not.toThrow();
    expect(() => checkRetentionChange(compliance, { mode: 'COMPLIANCE', retainUntil: LATEST }, NOW, false)).not.toThrow();
    expect(errorOf(() => checkRetentionChange(compliance, { mode: 'GOVERNANCE', retainUntil: LATEST }, NOW, true)).code).toBe('AccessDenied');
    expect(errorOf(() => checkRetentionChange(compliance, {}, NOW, true)).code).toBe('AccessDenied');
    expect(errorOf(() => checkRetentionChange(compliance, { mode: 'COMPLIANCE', retainUntil: NOW + 1000 }, NOW, true)).code).toBe('AccessDenied');
    // A retention that has ended binds nothing.
    expect(() => checkRetentionChange(compliance, {}, LATER + 1, false)).not.toThrow();
  });
});

describe('the lock a request names, for the s3:object-lock-* condition keys', () => {
  it('takes the headers (or form fields) as sent, valid or not; none of them is no lock', () => {
    expect(requestedLockOf({})).toBeUndefined();
    expect(requestedLockOf({ 'x-amz-object-lock-legal-hold': 'ON' })).toEqual({ legalHold: 'ON' });
    const headers = { 'x-amz-object-lock-mode': 'governance', 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' };
    expect(requestedLockOf(headers)).toEqual({ mode: 'governance', retainUntilDate: '2030-01-01T00:00:00Z' });
  });

  it('counts the remaining retention in days, a part of a day as one; a date not ISO 8601 has none', () => {
    const day = 24 * 3600 * 1000;
    expect(remainingRetentionDays(new Date(NOW + 30 * day).toISOString(), NOW)).toBe(30);
    expect(remainingRetentionDays(new Date(NOW + 30 * day + 1000).toISOString(), NOW)).toBe(31);
    expect(remainingRetentionDays(new Date(NOW + 1000).toISOString(), NOW)).toBe(1);
    expect(remainingRetentionDays('next week', NOW)).toBeUndefined();
    expect(remainingRetentionDays(undefined, NOW)).toBeUndefined();
  });
});
