import fc from 'fast-check';
import { childElement, childElements, parseXml, textOf, toXml, type XmlElement } from '../s3/xml';
import { escapeXmlText, type LeafValue, type ListedEntry, listBucketResultXml } from './listing-xml';

/** Text with the characters escaping is about, and any other Unicode. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('&', '<', '>', '\r', '\n', '"', "'", ' ', 'a', '&amp;', '/', 'é', '😀') }),
  fc.string({ unit: 'grapheme' }),
);
const leafValue: fc.Arbitrary<LeafValue> = fc.oneof(text, fc.nat(), fc.boolean(), fc.constant(undefined), fc.constant(''));
const owner = fc.record({ ID: text, DisplayName: text });
const entry: fc.Arbitrary<ListedEntry> = fc.record(
  { Key: text, LastModified: text, ETag: text, Size: fc.nat(), StorageClass: fc.constant('STANDARD'), Owner: owner },
  { requiredKeys: ['Key', 'LastModified', 'ETag', 'Size', 'StorageClass'] },
);
const fields = fc.uniqueArray(fc.tuple(fc.constantFrom('Name', 'Prefix', 'Marker', 'MaxKeys', 'IsTruncated', 'NextMarker', 'StartAfter'), leafValue), {
  selector: ([name]) => name,
  maxLength: 7,
});

/** The same document through xml-js, the way the listings were written before. */
function throughXmlJs(
  leading: ReadonlyArray<readonly [string, LeafValue]>,
  contents: ListedEntry[],
  prefixes: string[],
  trailing: ReadonlyArray<readonly [string, LeafValue]>,
): string {
  const content: XmlElement = Object.fromEntries(leading);
  content.Contents = contents.map((e) => ({ ...e }));
  content.CommonPrefixes = prefixes.map((Prefix) => ({ Prefix }));
  Object.assign(content, Object.fromEntries(trailing));
  return toXml('ListBucketResult', content);
}

describe('listBucketResultXml', () => {
  it('writes byte for byte the document toXml (xml-js) writes for the same fields', () => {
    fc.assert(
      fc.property(
        fields,
        fc.array(entry, { maxLength: 5 }),
        fc.array(text, { maxLength: 4 }),
        fc.option(text, { nil: undefined }),
        (leading, contents, prefixes, encoding) => {
          const trailing = [['EncodingType', encoding]] as const;
          expect(listBucketResultXml(leading, contents, prefixes, trailing)).toBe(throughXmlJs(leading, contents, prefixes, trailing));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives a client back every key exactly, whatever characters it holds', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (keys) => {
        const contents = keys.map((Key) => ({ Key, LastModified: '2026-01-01T00:00:00.000Z', ETag: '"e"', Size: 1, StorageClass: 'STANDARD' }));
        const result = childElement(parseXml(listBucketResultXml([['Name', 'b']], contents, ['p&<\r>']), ['Contents']), 'ListBucketResult')!;
        expect(childElements(result, 'Contents').map((c) => textOf(c.Key))).toEqual(keys);
        expect(textOf(childElement(childElement(result, 'CommonPrefixes')!, 'Prefix'))).toBe('p&<\r>');
      }),
    );
  });

  it('writes an empty field as an empty element and leaves an undefined one out', () => {
    expect(
      listBucketResultXml(
        [
          ['Prefix', ''],
          ['Delimiter', undefined],
          ['IsTruncated', false],
        ],
        [],
        [],
      ),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Prefix/><IsTruncated>false</IsTruncated></ListBucketResult>',
    );
  });
});

describe('escapeXmlText', () => {
  it('escapes the markup characters and a carriage return, and nothing else', () => {
    expect(escapeXmlText('a&amp;b<c>"d\'\r\n\t')).toBe('a&amp;amp;b&lt;c&gt;"d\'&#13;\n\t');
  });
});
