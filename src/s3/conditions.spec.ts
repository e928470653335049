import type { ObjectInfo } from '../ais/store';
import { checkCopySourceConditions, checkReadConditions, checkWriteCondition, writeConditionOf } from './conditions';
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

describe('writeConditionOf', () => {
  it('is undefined without a condition header, so a plain write stays plain', () => {
    expect(writeConditionOf({}, 'write')).toBeUndefined();
    expect(writeConditionOf({ 'if-modified-since': same }, 'write')).toBeUndefined();
    // DeleteObject has no If-None-Match in S3: it is not a condition of a delete.
    expect(writeConditionOf({ 'if-none-match': '*' }, 'delete')).toBeUndefined();
  });

  it.each([
    [{ 'if-none-match': '*' }, { kind: 'absent' }],
    [{ 'if-none-match': ' * ' }, { kind: 'absent' }],
    [{ 'if-match': '"abc"' }, { kind: 'match', etags: ['abc'] }],
    [{ 'if-match': 'abc' }, { kind: 'match', etags: ['abc'] }],
    [{ 'if-match': '"a", "b"' }, { kind: 'match', etags: ['a', 'b'] }],
    [{ 'if-match': '*' }, { kind: 'match', etags: '*' }],
    [{ 'if-match': 'W/"abc"' }, { kind: 'match', etags: ['W/"abc"'] }],
  ])('reads %p as %p', (headers, expected) => {
    expect(writeConditionOf(headers, 'write')).toEqual(expected);
  });

  it('reads If-Match on a delete', () => {
    expect(writeConditionOf({ 'if-match': '"abc"' }, 'delete')).toEqual({ kind: 'match', etags: ['abc'] });
  });

  it.each([
    [{ 'if-none-match': '"abc"' }, 'NotImplemented', 501],
    [{ 'if-none-match': '' }, 'NotImplemented', 501],
    [{ 'if-none-match': '*', 'if-match': '"abc"' }, 'NotImplemented', 501],
    [{ 'if-match': '' }, 'InvalidArgument', 400],
    [{ 'if-match': '"a",,"b"' }, 'InvalidArgument', 400],
    [{ 'if-match': '""' }, 'InvalidArgument', 400],
  ])('refuses %p with %s', (headers, code, status) => {
    expect(thrownS3Error(() => writeConditionOf(headers, 'write'))).toMatchObject({ code, status });
  });
});

describe('checkWriteCondition', () => {
  const outcomeOf = (act: () => void): string => {
    try {
      act();
      return 'proceed';
    } catch (err) {
      const { code, details } = err as { code: string; details: { Condition?: string } };
      return details.Condition ? `${code} (${details.Condition})` : code;
    }
  };

  it.each([
    ['If-None-Match: * on a missing key', { kind: 'absent' } as const, undefined, 'proceed'],
    ['If-None-Match: * on an existing key', { kind: 'absent' } as const, 'abc', 'PreconditionFailed (If-None-Match)'],
    ['If-Match on the current ETag', { kind: 'match', etags: ['abc'] } as const, 'abc', 'proceed'],
    ['If-Match on one of a list', { kind: 'match', etags: ['x', 'abc'] } as const, 'abc', 'proceed'],
    ['If-Match on another ETag', { kind: 'match', etags: ['x'] } as const, 'abc', 'PreconditionFailed (If-Match)'],
    ['a weak If-Match', { kind: 'match', etags: ['W/"abc"'] } as const, 'abc', 'PreconditionFailed (If-Match)'],
    ['If-Match: * on an existing key', { kind: 'match', etags: '*' } as const, 'abc', 'proceed'],
    ['If-Match on a missing key', { kind: 'match', etags: ['abc'] } as const, undefined, 'NoSuchKey'],
    ['If-Match: * on a missing key', { kind: 'match', etags: '*' } as const, undefined, 'NoSuchKey'],
  ])('%s', (_name, condition, current, expected) => {
    expect(outcomeOf(() => checkWriteCondition(condition, current, 'k'))).toBe(expected);
  });
});
