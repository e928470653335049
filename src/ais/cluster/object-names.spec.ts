import fc from 'fast-check';
import { attributesOfCustomMetadata, customMetadataLines } from './custom-metadata';
import { aisNameOf, keyOfAisName, MAX_NAME_BYTES, namePrefixOf, objectPath, unstorableReason } from './object-names';

const utf8Order = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
const bytes = (text: string) => Buffer.byteLength(text);

/** Keys of at most 1024 bytes: any characters, or (more often) pieces that make awkward segments. */
const AWKWARD_PIECES = [
  '/',
  '//',
  '.',
  '..',
  '~',
  ' ',
  '^',
  '\x01',
  '\t',
  '\x7f',
  '\0',
  'a',
  'é',
  '😀',
  '\u{10FFFF}',
  '\u{10FFFE}',
  '.\u{10FFFF}',
  'x'.repeat(120),
];
const anyKey = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fc.constantFrom(...AWKWARD_PIECES), { maxLength: 40 }).map((pieces) => pieces.join('')),
  )
  .filter((key) => bytes(key) <= 1024);

/**
 * Keys whose names keep their S3 order: no control characters or `^` (escaped into other characters), no
 * U+10FFFF or U+10FFFE (the marks), segments short enough not to be cut.
 */
const ORDERED_PIECES = ['/', '//', '.', '..', '-', '~', ' ', '!', 'a', 'b', '0', 'é', '中', '😀', '\uE000', '\uFF21', 'a/', 'x-'];
const orderedKey = fc.array(fc.constantFrom(...ORDERED_PIECES), { maxLength: 8 }).map((pieces) => pieces.join(''));

describe('S3 keys as AIS object names', () => {
  it('keeps the name of every key AIS can hold as it is', () => {
    for (const key of ['a', 'a/b/c', 'x.', '..x', '.hidden/x', 'sp ace', 'q?mark#hash', 'unié/中', 'a%2Fb', '~', '~x/y', 'a/~/b', '^caret', 'k'.repeat(255)]) {
      expect(aisNameOf(key)).toBe(key);
      expect(keyOfAisName(key)).toBe(key);
    }
  });

  it.each([
    ['a folder marker', 'photos/', 'photos/ '],
    ['a leading slash', '/lead', '.\u{10FFFF}/lead'],
    ['a double slash', 'a//b', 'a/.\u{10FFFF}/b'],
    ['only slashes', '//', '.\u{10FFFF}/.\u{10FFFF}/ '],
    ['a current segment', 'a/./b', 'a/..\u{10FFFF}/b'],
    ['a parent segment last', 'up/..', 'up/.. '],
    ['a leading ~ directory', '~/x', '~.\u{10FFFF}/x'],
    ['a trailing space', 'a/b ', 'a/b  '],
    ['control characters and ^', 'tab\there^/x', 'tab^Ihere^^.\u{10FFFF}/x'],
    ['a segment of 300 bytes', 'd/' + 'L'.repeat(300), `d/${'L'.repeat(251)}\u{10FFFE}/${'L'.repeat(49)}`],
  ])('maps a key with %s reversibly', (_label, key, name) => {
    expect(aisNameOf(key)).toBe(name);
    expect(keyOfAisName(name)).toBe(key);
    expect(unstorableReason(name)).toBeUndefined();
  });

  it('maps every key of up to 1024 bytes to a name AIS holds as it is, and back', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const name = aisNameOf(key);
        expect(unstorableReason(name)).toBeUndefined();
        expect(keyOfAisName(name)).toBe(key);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['1024 slashes', '/'.repeat(1024)],
    ['512 current segments', './'.repeat(512)],
    ['341 parent segments', '../'.repeat(341) + '.'],
    ['1024 control characters', '\x01'.repeat(1024)],
    ['control characters between slashes', '\x01/'.repeat(512)],
    ['512 carets after a slash', '/' + '^'.repeat(511) + ' '],
    ['slashes after 2-byte characters', 'é/'.repeat(341)],
  ])('keeps the name of a key of %s within AIS limits', (_label, key) => {
    const name = aisNameOf(key);
    expect(bytes(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(unstorableReason(name)).toBeUndefined();
    expect(keyOfAisName(name)).toBe(key);
  });

  it('lists names in the order of their keys (UTF-8 bytes)', () => {
    fc.assert(
      fc.property(orderedKey, orderedKey, (a, b) => {
        expect(utf8Order(aisNameOf(a), aisNameOf(b))).toBe(utf8Order(a, b));
      }),
      { numRuns: 20000 },
    );
  });

  it('reads no key from a name the gateway would not write (native names that look escaped)', () => {
    for (const name of ['a ', 'x.\u{10FFFF}', 'a/\u{10FFFE}', 'bad^x ', 'short\u{10FFFE}/tail', 'a/ /b']) {
      expect(keyOfAisName(name)).toBeUndefined();
    }
  });

  it('maps a key prefix to the AIS directory to list and the start every matching name has', () => {
    fc.assert(
      fc.property(anyKey, fc.nat(), (key, cut) => {
        const chars = Array.from(key);
        const prefix = chars.slice(0, cut % (chars.length + 1)).join('');
        const { directory, start } = namePrefixOf(prefix);
        expect(directory === '' || directory.endsWith('/')).toBe(true);
        expect(start.startsWith(directory)).toBe(true);
        expect(aisNameOf(key).startsWith(start)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(namePrefixOf('a//b')).toEqual({ directory: 'a/.\u{10FFFF}/', start: 'a/.\u{10FFFF}/b' });
    expect(namePrefixOf('x^y')).toEqual({ directory: '', start: 'x' });
  });

  it('percent-encodes each segment of the name in the object path', () => {
    expect(objectPath('b1', 'dir/sp ace?#/%2F')).toBe('/v1/objects/b1/dir/sp%20ace%3F%23/%252F');
    expect(objectPath('b1', 'folder/')).toBe('/v1/objects/b1/folder/%20');
  });

  it('says why AIS cannot hold a name as it is', () => {
    expect(unstorableReason('dir/')).toMatch(/ends with "\/"/);
    expect(unstorableReason('/lead')).toMatch(/starts with "\/"/);
    expect(unstorableReason('a//b')).toMatch(/contains "\/\/"/);
    expect(unstorableReason('~/x')).toMatch(/starts with "~\/"/);
    expect(unstorableReason('a/./b')).toMatch(/"\." or "\.\." path segment/);
    expect(unstorableReason('a\x01')).toMatch(/control character/);
    expect(unstorableReason(`d/${'x'.repeat(256)}`)).toMatch(/longer than 255 bytes/);
  });
});

describe('S3 attributes in AIS custom metadata', () => {
  it('round-trip content headers and user metadata, non-ASCII and % included', () => {
    const attributes = {
      content: { contentType: 'text/plain; charset=utf-8', cacheControl: 'max-age=60', contentDisposition: 'attachment; filename="ünï.txt"' },
      userMetadata: { color: 'blue, or 50% green', k2: 'a=b:c' },
    };
    const lines = customMetadataLines(attributes);
    expect(lines).toEqual(expect.arrayContaining(['content-type=text/plain; charset=utf-8', 'x-amz-meta-color=blue, or 50%25 green']));
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(attributesOfCustomMetadata(lines)).toEqual(attributes);
  });

  it('pairs other AIS users set are not taken for S3 metadata', () => {
    expect(attributesOfCustomMetadata(['source=camera', 'x-amz-meta-k=v', 'novalue'])).toEqual({ content: {}, userMetadata: { k: 'v' } });
  });
});
