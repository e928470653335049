import { S3Error } from '../s3/errors';
import { checkTagSet, copyTags, parseTagging, parseTaggingHeader } from './tag-set';

function refusal(run: () => unknown): { code: string; message: string; details: Record<string, string> } {
  try {
    run();
  } catch (err) {
    if (err instanceof S3Error) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected an S3 error');
}

describe('tag sets', () => {
  it('counts lengths in UTF-16 code units, as S3 does: an astral letter takes two', () => {
    expect(() => checkTagSet([{ key: 'é'.repeat(128), value: '' }], 'object')).not.toThrow();
    // U+10400 (DESERET CAPITAL LONG I) is a letter of two UTF-16 units.
    expect(() => checkTagSet([{ key: '\u{10400}'.repeat(64), value: '' }], 'object')).not.toThrow();
    expect(refusal(() => checkTagSet([{ key: 'a' + '\u{10400}'.repeat(64), value: '' }], 'object')).message).toBe('The TagKey you have provided is invalid');
  });

  it('checks the count before the tags, and names the offending key', () => {
    expect(
      refusal(() =>
        checkTagSet(
          Array.from({ length: 11 }, () => ({ key: 'dup', value: '' })),
          'object',
        ),
      ).code,
    ).toBe('BadRequest');
    expect(
      refusal(() =>
        checkTagSet(
          [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
          'bucket',
        ),
      ).details,
    ).toEqual({ TagKey: 'a' });
  });

  it('takes letters, digits and white space of any script and _ . : / = + - @, nothing else', () => {
    expect(() => checkTagSet([{ key: 'Ünïcode 漢字 ٣ _.:/=+-@', value: 'tab\u00a0nbsp' }], 'object')).not.toThrow();
    for (const bad of ['€', 'a\tb', 'a\nb', 'a#b', 'a?b', 'a&b', '😀', 'a"b']) {
      expect(refusal(() => checkTagSet([{ key: 'k', value: bad }], 'object')).code).toBe('InvalidTag');
    }
  });

  it('parses a Tagging document with empty values and keeps the order', () => {
    const xml =
      '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>b</Key><Value></Value></Tag><Tag><Key>a</Key><Value>x y</Value></Tag></TagSet></Tagging>';
    expect(parseTagging(xml, 'object')).toEqual([
      { key: 'b', value: '' },
      { key: 'a', value: 'x y' },
    ]);
    expect(parseTagging('<Tagging><TagSet/></Tagging>', 'bucket')).toEqual([]);
    expect(refusal(() => parseTagging('<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>', 'object')).code).toBe('MalformedXML');
    expect(refusal(() => parseTagging('<TagSet/>', 'object')).code).toBe('MalformedXML');
  });

  it('parses x-amz-tagging as a form-encoded query: + is a space, %XX is UTF-8, a bare key has the empty value', () => {
    expect(parseTaggingHeader('a=1&b=two+words&c=%C3%A9&d&&e=')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'two words' },
      { key: 'c', value: 'é' },
      { key: 'd', value: '' },
      { key: 'e', value: '' },
    ]);
    expect(parseTaggingHeader('')).toEqual([]);
    for (const header of ['a=1&a=2', 'a=b=c', 'a=%E2%82']) {
      expect(refusal(() => parseTaggingHeader(header))).toMatchObject({
        code: 'InvalidArgument',
        details: { ArgumentName: 'x-amz-tagging', ArgumentValue: header },
      });
    }
  });

  it('reads the tagging directive: COPY keeps the source tags, REPLACE takes the header (none without it)', () => {
    expect(copyTags({ 'x-amz-tagging': 'a=1' })).toBeUndefined();
    expect(copyTags({ 'x-amz-tagging-directive': 'REPLACE', 'x-amz-tagging': 'a=1' })).toEqual([{ key: 'a', value: '1' }]);
    expect(copyTags({ 'x-amz-tagging-directive': 'REPLACE' })).toEqual([]);
    expect(refusal(() => copyTags({ 'x-amz-tagging-directive': 'copy' })).message).toBe('Unknown tagging directive.');
  });
});
