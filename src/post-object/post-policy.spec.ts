import { S3Error } from '../s3/errors';
import { checkPostPolicy, parsePostPolicy } from './post-policy';

const encode = (document: unknown): string => Buffer.from(JSON.stringify(document)).toString('base64');
const NOW = Date.parse('2026-12-03T12:00:00Z');
const LATER = '2026-12-03T13:00:00.000Z';

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof S3Error) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an S3Error');
}

describe('parsePostPolicy', () => {
  it('reads expiration, exact matches in both forms, starts-with and content-length-range, names case-insensitively', () => {
    const policy = parsePostPolicy(
      encode({
        expiration: LATER,
        conditions: [{ Bucket: 'b' }, ['EQ', '$ACL', 'private'], ['Starts-With', '$Key', 'user/'], ['content-length-range', 1, '100']],
      }),
    );
    expect(policy.expiration).toBe(Date.parse(LATER));
    expect(policy.conditions.map(({ operator, field, value }) => [operator, field, value])).toEqual([
      ['eq', 'bucket', 'b'],
      ['eq', 'acl', 'private'],
      ['starts-with', 'key', 'user/'],
    ]);
    expect(policy.lengthRange).toEqual({ min: 1, max: 100 });
  });

  it.each([
    ['not base64 JSON', 'not json', 'Invalid Policy: Invalid JSON.'],
    ['no expiration', encode({ conditions: [] }), 'Invalid Policy: Policy missing expiration.'],
    [
      'an expiration that is no ISO 8601 time',
      encode({ expiration: '2026-12-03 13:00', conditions: [] }),
      "Invalid Policy: Invalid 'expiration' value: '2026-12-03 13:00'",
    ],
    ['no conditions', encode({ expiration: LATER }), 'Invalid Policy: Policy missing conditions.'],
    ['conditions that are no list', encode({ expiration: LATER, conditions: {} }), "Invalid Policy: Invalid 'conditions' value: must be a List."],
    [
      'an empty simple condition',
      encode({ expiration: LATER, conditions: [{}] }),
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    ['an unknown operator', encode({ expiration: LATER, conditions: [['in', '$key', 'a']] }), 'Invalid Policy: Invalid condition: ["in", "$key", "a"]'],
    ['a field without $', encode({ expiration: LATER, conditions: [['eq', 'key', 'a']] }), 'Invalid Policy: Invalid condition: ["eq", "key", "a"]'],
    [
      'a negative length',
      encode({ expiration: LATER, conditions: [['content-length-range', -1, 0]] }),
      'Invalid Policy: Invalid content-length-range condition: ["content-length-range", -1, 0]',
    ],
    [
      'a range missing its maximum',
      encode({ expiration: LATER, conditions: [['content-length-range', 0]] }),
      'Invalid Policy: Invalid content-length-range condition: ["content-length-range", 0]',
    ],
  ])('refuses %s with InvalidPolicyDocument', (_label, policy, message) => {
    expect(errorOf(() => parsePostPolicy(policy))).toEqual({ code: 'InvalidPolicyDocument', message });
  });
});

describe('checkPostPolicy', () => {
  const policy = parsePostPolicy(
    encode({ expiration: LATER, conditions: [{ bucket: 'b' }, ['starts-with', '$key', 'user/'], ['starts-with', '$Content-Type', '']] }),
  );
  const fields = (extra: Record<string, string> = {}): Map<string, string> =>
    new Map(Object.entries({ bucket: 'b', key: 'user/a', 'content-type': 'text/plain', policy: 'p', 'x-amz-signature': 's', ...extra }));

  it('passes a form whose every field is named and holds', () => {
    expect(() => checkPostPolicy(policy, fields(), NOW)).not.toThrow();
  });

  it('lets starts-with "" admit any value, and exempts policy, signatures, the file and x-ignore- fields', () => {
    expect(() =>
      checkPostPolicy(policy, fields({ 'content-type': 'anything/at-all', file: '', 'x-ignore-me': '1', awsaccesskeyid: 'k', signature: 's' }), NOW),
    ).not.toThrow();
  });

  it('refuses an expired policy, a failed condition (a missing field counts as empty) and extra fields, as S3 words them', () => {
    expect(errorOf(() => checkPostPolicy(policy, fields(), Date.parse(LATER) + 1))).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
    expect(errorOf(() => checkPostPolicy(policy, fields({ key: 'other/a' }), NOW)).message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]',
    );
    const strict = parsePostPolicy(encode({ expiration: LATER, conditions: [{ bucket: 'b' }, { key: 'k' }, ['eq', '$x-amz-meta-a', 'v']] }));
    expect(
      errorOf(() =>
        checkPostPolicy(
          strict,
          new Map([
            ['bucket', 'b'],
            ['key', 'k'],
          ]),
          NOW,
        ),
      ).message,
    ).toBe('Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-a", "v"]');
    expect(errorOf(() => checkPostPolicy(policy, fields({ 'x-amz-meta-a': '1', acl: 'private' }), NOW)).message).toBe(
      'Invalid according to Policy: Extra input fields: x-amz-meta-a, acl',
    );
  });
});
