import fc from 'fast-check';
import { escapeKey, unescapeKey } from './version-history';
import { newVersionId, sequenceOf } from './version-ids';
import { thrownS3Error } from '../../../test/support/rejections';

describe('history keys of the embedded store', () => {
  const utf8 = (text: string) => Buffer.from(text, 'utf8');

  it('escapes keys so that they never contain 0x00 and come back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        const escaped = escapeKey(utf8(key));
        expect(escaped.includes(0)).toBe(false);
        expect(unescapeKey(escaped).toString('utf8')).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the UTF-8 byte order of keys, and a key before every longer key that starts with it', () => {
    const withEnd = (key: string) => Buffer.concat([escapeKey(utf8(key)), Buffer.from([0])]);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(Buffer.compare(withEnd(a), withEnd(b)))).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))));
      }),
      { numRuns: 2000 },
    );
    expect(Buffer.compare(withEnd('a'), withEnd('a\u0000'))).toBe(-1);
    expect(Buffer.compare(withEnd('a\u0000'), withEnd('a\u0001'))).toBe(-1);
  });
});

describe('embedded version ids', () => {
  it('are 32 URL-safe characters that carry their sequence number', () => {
    for (const sequence of [1, 2, 255, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const id = newVersionId(sequence);
      expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(sequenceOf(id)).toBe(BigInt(sequence));
    }
    expect(newVersionId(7)).not.toBe(newVersionId(7));
  });

  it('reads null as the null version and refuses ids the store never gives with InvalidArgument', () => {
    expect(sequenceOf('null')).toBeNull();
    for (const malformed of ['abc', 'A'.repeat(31), 'A'.repeat(33), `${'A'.repeat(31)}=`, 'Null']) {
      expect(thrownS3Error(() => sequenceOf(malformed))).toMatchObject({ code: 'InvalidArgument', message: 'Invalid version id specified' });
    }
  });
});
