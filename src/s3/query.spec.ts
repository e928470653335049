import { S3Error } from './errors';
import { parseQuery } from './query';

describe('parseQuery', () => {
  it('reads names and values, a bare name as the empty string', () => {
    expect({ ...parseQuery('uploads') }).toEqual({ uploads: '' });
    expect({ ...parseQuery('list-type=2&prefix=a%2Fb&delimiter=%2F') }).toEqual({ 'list-type': '2', prefix: 'a/b', delimiter: '/' });
    expect({ ...parseQuery('') }).toEqual({});
  });

  it('keeps the first value of a repeated name, as S3 does', () => {
    expect({ ...parseQuery('versionId=1&versionId=2') }).toEqual({ versionId: '1' });
    expect({ ...parseQuery('tagging&tagging=x') }).toEqual({ tagging: '' });
  });

  it('skips empty pairs and keeps everything after the first = in the value', () => {
    expect({ ...parseQuery('&&a=1&&b&') }).toEqual({ a: '1', b: '' });
    expect({ ...parseQuery('a=b=c') }).toEqual({ a: 'b=c' });
    expect({ ...parseQuery('=x&y=') }).toEqual({ '': 'x', y: '' });
  });

  it('decodes percent-encodings and + as a space, in names and values', () => {
    expect({ ...parseQuery('prefix=a+b%20c&x%2By=%E2%9C%93') }).toEqual({ prefix: 'a b c', 'x+y': '\u2713' });
  });

  it('does not confuse a parameter with an Object property', () => {
    const query = parseQuery('constructor=1&__proto__=2&toString');
    expect({ ...query }).toEqual({ constructor: '1', ['__proto__']: '2', toString: '' });
    expect(parseQuery('a=1').constructor).toBeUndefined();
  });

  it('answers InvalidURI for an encoding that is not UTF-8 or a stray %', () => {
    for (const raw of ['prefix=%FF', 'a=%', '%E2%9C=1', 'a=%zz']) {
      expect(() => parseQuery(raw)).toThrow(S3Error);
      try {
        parseQuery(raw);
      } catch (err) {
        expect((err as S3Error).code).toBe('InvalidURI');
      }
    }
  });
});
