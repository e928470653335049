import { S3Error } from '../s3/errors';
import { toXml } from '../s3/xml';
import { lifecycleConfigurationXml, parseLifecycleConfiguration } from './lifecycle-configuration';

const ids = () => 'generated-id';
const parse = (rules: string) => parseLifecycleConfiguration(`<LifecycleConfiguration>${rules}</LifecycleConfiguration>`, ids);

function failure(rules: string): { code: string; message: string } {
  try {
    parse(rules);
  } catch (err) {
    if (err instanceof S3Error) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an S3 error');
}

const EXPIRE = '<Expiration><Days>30</Days></Expiration>';
const rule = (body: string, id = 'r') => `<Rule><ID>${id}</ID><Status>Enabled</Status>${body}</Rule>`;

describe('parseLifecycleConfiguration', () => {
  it('reads every filter form, every action, and gives a rule without ID a generated one', () => {
    const rules = parse(
      [
        rule(`<Filter><Prefix>logs/</Prefix></Filter>${EXPIRE}`, 'a'),
        rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>`, 'b'),
        rule(
          `<Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter>` +
            `<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>`,
          'c',
        ),
        `<Rule><Status>Disabled</Status><Prefix>old/</Prefix><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
        rule(`<Filter></Filter><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`, 'e'),
      ].join(''),
    );
    expect(rules).toEqual([
      { id: 'a', enabled: true, filter: { prefix: 'logs/', tags: [], form: 'prefix' }, expiration: { days: 30 } },
      { id: 'b', enabled: true, filter: { tags: [{ key: 'k', value: 'v' }], form: 'tag' }, expiration: { date: '2030-01-01T00:00:00.000Z' } },
      {
        id: 'c',
        enabled: true,
        filter: { prefix: 'p/', tags: [{ key: 'a', value: '1' }], sizeGreaterThan: 10, sizeLessThan: undefined, form: 'and' },
        noncurrentVersionExpiration: { noncurrentDays: 5, newerNoncurrentVersions: 2 },
      },
      {
        id: 'generated-id',
        enabled: false,
        filter: { prefix: 'old/', tags: [], form: 'legacy-prefix' },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
      { id: 'e', enabled: true, filter: { tags: [], form: 'empty' }, expiration: { expiredObjectDeleteMarker: true } },
    ]);
  });

  it('gives the rules back as they were put', () => {
    const rules = parse(
      rule(`<Prefix>legacy/</Prefix>${EXPIRE}`, 'x') +
        rule(`<Filter><Prefix>p</Prefix></Filter><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>`, 'y'),
    );
    const xml = toXml('LifecycleConfiguration', lifecycleConfigurationXml(rules));
    expect(xml).toContain('<Rule><ID>x</ID><Prefix>legacy/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>');
    expect(xml).toContain(
      '<Rule><ID>y</ID><Filter><Prefix>p</Prefix></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>',
    );
    expect(parseLifecycleConfiguration(xml, ids)).toEqual(rules);
  });

  it.each([
    ['no rule', '', 'MalformedXML', undefined],
    ['no Status', `<Rule><ID>r</ID><Filter/>${EXPIRE}</Rule>`, 'MalformedXML', undefined],
    ['a Status other than Enabled or Disabled', `<Rule><ID>r</ID><Status>On</Status><Filter/>${EXPIRE}</Rule>`, 'MalformedXML', undefined],
    ['neither Filter nor Prefix', rule(EXPIRE), 'MalformedXML', undefined],
    ['both Filter and Prefix', rule(`<Prefix>a</Prefix><Filter><Prefix>a</Prefix></Filter>${EXPIRE}`), 'MalformedXML', undefined],
    ['two predicates in a Filter', rule(`<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${EXPIRE}`), 'MalformedXML', undefined],
    ['an And with one condition', rule(`<Filter><And><Prefix>a</Prefix></And></Filter>${EXPIRE}`), 'MalformedXML', undefined],
    ['an empty Expiration', rule('<Filter/><Expiration></Expiration>'), 'MalformedXML', undefined],
    ['Days and Date together', rule('<Filter/><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>'), 'MalformedXML', undefined],
    ['Days of 0', rule('<Filter/><Expiration><Days>0</Days></Expiration>'), 'InvalidArgument', "'Days' for Expiration action must be a positive integer"],
    ['negative Days', rule('<Filter/><Expiration><Days>-1</Days></Expiration>'), 'InvalidArgument', "'Days' for Expiration action must be a positive integer"],
    ['Days beyond 32 bits', rule('<Filter/><Expiration><Days>2147483648</Days></Expiration>'), 'MalformedXML', undefined],
    [
      'a Date not at midnight',
      rule('<Filter/><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration>'),
      'InvalidArgument',
      "'Date' must be at midnight GMT",
    ],
    [
      'NoncurrentDays of 0',
      rule('<Filter/><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>'),
      'InvalidArgument',
      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      'NoncurrentVersionExpiration without NoncurrentDays',
      rule('<Filter/><NoncurrentVersionExpiration></NoncurrentVersionExpiration>'),
      'MalformedXML',
      undefined,
    ],
    [
      'DaysAfterInitiation of 0',
      rule('<Filter/><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>'),
      'InvalidArgument',
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    ],
    [
      'AbortIncompleteMultipartUpload with a Tag filter',
      rule(
        '<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
      ),
      'InvalidRequest',
      'AbortIncompleteMultipartUpload cannot be specified with Tags.',
    ],
    ['a rule without an action', rule('<Filter/>'), 'InvalidRequest', 'At least one action needs to be specified in a rule.'],
    [
      'a Transition (no other storage class here)',
      rule(`<Filter/><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>`),
      'InvalidStorageClass',
      undefined,
    ],
    ['an ID over 255 characters', rule(`<Filter/>${EXPIRE}`, 'i'.repeat(256)), 'InvalidArgument', 'ID length should not exceed allowed limit of 255'],
    [
      'two rules with one ID',
      rule(`<Filter/>${EXPIRE}`, 'same') + rule(`<Filter/>${EXPIRE}`, 'same'),
      'InvalidArgument',
      'Rule ID must be unique. Found same ID for more than one rule',
    ],
    ['a prefix over 1024 characters', rule(`<Filter><Prefix>${'p'.repeat(1025)}</Prefix></Filter>${EXPIRE}`), 'InvalidRequest', undefined],
    ['a tag key over 128 characters', rule(`<Filter><Tag><Key>${'k'.repeat(129)}</Key><Value>v</Value></Tag></Filter>${EXPIRE}`), 'InvalidRequest', undefined],
  ])('refuses %s', (_what, rules, code, message) => {
    const error = failure(rules);
    expect(error.code).toBe(code);
    if (message !== undefined) expect(error.message).toBe(message);
  });

  it('takes 1000 rules and refuses 1001', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => rule(`<Filter/>${EXPIRE}`, `r${i}`)).join('');
    expect(parse(many(1000))).toHaveLength(1000);
    expect(failure(many(1001)).code).toBe('MalformedXML');
  });
});
