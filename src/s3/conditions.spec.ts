import type { ObjectInfo } from '../ais/store';
import { checkCopySourceConditions, checkReadConditions } from './conditions';
import { thrownS3Error } from '../../test/support/rejections';

const info: ObjectInfo = {
  key: 'k',
  size: 1,
  etag: 'abc',
  lastModified: new Date('2026-01-10T12:00:00.500Z'),
  versionId: 'null',
  content: {},
  userMetadata: {},
  checksums: {},
};
const before = 'Fri, 09 Jan 2026 12:00:00 GMT';
const same = 'Sat, 10 Jan 2026 12:00:00 GMT';
const after = 'Sun, 11 Jan 2026 12:00:00 GMT';

const outcome = (headers: Record<string, string>): string => {
  try {
    checkReadConditions(info, headers);
    return 'proceed';
  } catch (err) {
    const { code, details } = err as { code: string; details: { Condition?: string } };
    return details.Condition ? `${code} (${details.Condition})` : code;
  }
};

describe('checkReadConditions', () => {
  it.each([
    [{ 'if-match': '"abc"' }, 'proceed'],
    [{ 'if-match': '"x", "abc"' }, 'proceed'],
    [{ 'if-match': '*' }, 'proceed'],
    [{ 'if-match': '"zzz"' }, 'PreconditionFailed (If-Match)'],
    [{ 'if-none-match': '"abc"' }, 'NotModified'],
    [{ 'if-none-match': 'W/"abc"' }, 'NotModified'],
    [{ 'if-none-match': '"zzz"' }, 'proceed'],
    [{ 'if-modified-since': same }, 'NotModified'],
    [{ 'if-modified-since': after }, 'NotModified'],
    [{ 'if-modified-since': before }, 'proceed'],
    [{ 'if-unmodified-since': before }, 'PreconditionFailed (If-Unmodified-Since)'],
    [{ 'if-unmodified-since': same }, 'proceed'],
    [{ 'if-unmodified-since': 'not a date' }, 'proceed'],
    // RFC 9110 precedence, which S3 follows: a matching If-Match overrides If-Unmodified-Since...
    [{ 'if-match': '"abc"', 'if-unmodified-since': before }, 'proceed'],
    // ...and If-None-Match overrides If-Modified-Since.
    [{ 'if-none-match': '"zzz"', 'if-modified-since': after }, 'proceed'],
  ])('with %p the read is %s', (headers, expected) => {
    expect(outcome(headers)).toBe(expected);
  });
});

describe('checkCopySourceConditions', () => {
  it('refuses a failed copy-source condition with 412, never 304', () => {
    expect(thrownS3Error(() => checkCopySourceConditions(info, { 'x-amz-copy-source-if-none-match': '"abc"' }))).toMatchObject({
      code: 'PreconditionFailed',
      status: 412,
    });
    expect(() => checkCopySourceConditions(info, { 'x-amz-copy-source-if-match': '"abc"' })).not.toThrow();
  });
});
