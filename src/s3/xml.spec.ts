import { childElement, childElements, parseXml, textOf, toXml } from './xml';
import { thrownS3Error } from '../../test/support/rejections';

describe('toXml', () => {
  it('escapes text so that a key containing a literal "&amp;" survives a round trip', () => {
    const xml = toXml('R', { Key: 'a&amp;b<c>&"d' });
    expect(textOf(childElement(parseXml(xml), 'R')?.Key)).toBe('a&amp;b<c>&"d');
  });

  it('writes repeated elements from arrays and omits undefined ones', () => {
    const xml = toXml('R', { Item: [{ K: '1' }, { K: '2' }], Missing: undefined });
    expect(xml).toContain('<Item><K>1</K></Item><Item><K>2</K></Item>');
    expect(xml).not.toContain('Missing');
  });
});

describe('parseXml', () => {
  it('returns arrays for repeated element names even when there is one', () => {
    const doc = parseXml('<Delete><Object><Key>a</Key></Object></Delete>', ['Object']);
    expect(childElement(doc, 'Delete')?.Object).toHaveLength(1);
  });

  it('gives every repeated child in document order, and none for an absent one', () => {
    const root = childElement(parseXml('<R><P><N>1</N></P><P><N>2</N></P></R>', ['P']), 'R');
    expect(root).toBeDefined();
    expect(childElements(root!, 'P').map((part) => textOf(part.N))).toEqual(['1', '2']);
    expect(childElements(root!, 'Q')).toEqual([]);
    expect(childElement(root!, 'Q')).toBeUndefined();
  });

  it.each(['', '   ', '<a></b>', 'not xml at all <'])('refuses %p with MalformedXML', (text) => {
    expect(thrownS3Error(() => parseXml(text))).toMatchObject({ code: 'MalformedXML' });
  });
});
