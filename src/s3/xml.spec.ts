import { childElement, childElements, parseXml, textOf, toXml } from './xml';
import { thrownS3Error } from '../../test/support/rejections';

describe('toXml', () => {
  it('escapes text so that a key containing a literal "&amp;" survives a round trip', () => {
    const xml = toXml('R', { Key: 'a&amp;b<c>&"d' });
    expect(textOf(childElement(parseXml(xml), 'R')?.Key)).toBe('a&amp;b<c>&"d');
  });

  it('writes a carriage return as a character reference, so that it survives the client parser', () => {
    const xml = toXml('R', { Key: 'a\r\nb' });
    expect(xml).toContain('<Key>a&#13;\nb</Key>');
    expect(textOf(childElement(parseXml(xml), 'R')?.Key)).toBe('a\r\nb');
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

  it.each([' ', '\t', '\n', '  a  ', ' a & b\t', '\r\n', 'ü 😀 '])('keeps the text %p exactly as sent, whitespace included', (key) => {
    const escaped = key.replace(/&/g, '&amp;');
    const doc = parseXml(`<Delete>\n  <Object>\n    <Key>${escaped}</Key>\n  </Object>\n</Delete>`, ['Object']);
    const objects = childElements(childElement(doc, 'Delete')!, 'Object');
    expect(objects.map((object) => textOf(object.Key))).toEqual([key]);
  });

  it('keeps text written as character references and CDATA, in order', () => {
    const doc = parseXml('<R><K>&#x20;&#9;</K><C>a<![CDATA[ <b> ]]>c</C></R>');
    const root = childElement(doc, 'R')!;
    expect(textOf(root.K)).toBe(' \t');
    expect(textOf(root.C)).toBe('a <b> c');
  });

  it('ignores whitespace between elements, reads an empty element as empty text and a missing one as undefined', () => {
    const root = childElement(parseXml('<R>\n\t<A></A>\n\t<B/>\n</R>'), 'R')!;
    expect(textOf(root)).toBe('');
    expect(textOf(root.A)).toBe('');
    expect(textOf(root.B)).toBe('');
    expect(textOf(root.C)).toBeUndefined();
    expect(Object.keys(root)).toEqual(['A', 'B']);
  });

  it('treats element names such as __proto__ and _text as plain names', () => {
    const root = childElement(parseXml('<R><__proto__>x</__proto__><_text>y</_text></R>'), 'R')!;
    expect(textOf(root.__proto__)).toBe('x');
    expect(textOf(root._text)).toBe('y');
    expect(textOf(root)).toBe('');
  });

  it.each(['', '   ', '<a></b>', 'not xml at all <', '<Delete><Object><Key>a</Key></Object>'])('refuses %p with MalformedXML', (text) => {
    expect(thrownS3Error(() => parseXml(text))).toMatchObject({ code: 'MalformedXML' });
  });
});

describe('parseXml limits', () => {
  it('refuses a document nested deeper than any S3 request document as MalformedXML, never a stack overflow', () => {
    const deep = (depth: number) => `<Delete>${'<Object>'.repeat(depth)}${'</Object>'.repeat(depth)}</Delete>`;
    expect(() => parseXml(deep(5000))).toThrow(expect.objectContaining({ code: 'MalformedXML' }) as Error);
    expect(() => parseXml(deep(40))).toThrow(expect.objectContaining({ code: 'MalformedXML' }) as Error);
    expect(childElements(childElement(parseXml(deep(3)), 'Delete')!, 'Object')).toHaveLength(1);
  });
});
