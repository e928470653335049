import { parseXml, textOf, toXml } from './xml';

describe('toXml', () => {
  it('escapes text so that a key containing a literal "&amp;" survives a round trip', () => {
    const xml = toXml('R', { Key: 'a&amp;b<c>&"d' });
    expect(textOf(parseXml(xml).R.Key)).toBe('a&amp;b<c>&"d');
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
    expect(doc.Delete.Object).toHaveLength(1);
  });

  it.each(['', '   ', '<a></b>', 'not xml at all <'])('refuses %p with MalformedXML', (text) => {
    expect(() => parseXml(text)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });
});
