import fc from 'fast-check';
import { aisNameOf } from '../../src/ais/cluster/object-names';

/**
 * The reference model of an S3 bucket listing (docs/architecture.md, "Listing order"), shared by the listing unit test and the
 * listing e2e test: keys sorted by their UTF-8 bytes, filtered by prefix, keys with the delimiter after the
 * prefix rolled up into common prefixes (each in the place of its first key), and pages cut from that one
 * combined sequence.
 */

export interface ListingEntry {
  kind: 'key' | 'prefix';
  value: string;
}

export interface ListingQuery {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
}

export interface ModelPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last entry of the page: a v1 NextMarker (with a delimiter) and what a continuation token stands for. */
  lastEntry?: string;
}

/** S3 order: UTF-8 bytes, which is not JS string (UTF-16) order for astral characters vs U+E000..U+FFFF. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Every entry of the listing, in order, before paging. */
export function modelEntries(keys: readonly string[], prefix: string, delimiter: string | undefined): ListingEntry[] {
  const entries: ListingEntry[] = [];
  const rolledUp = new Set<string>();
  for (const key of [...new Set(keys)].sort(compareUtf8)) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at < 0) {
      entries.push({ kind: 'key', value: key });
      continue;
    }
    const commonPrefix = key.slice(0, at + delimiter!.length);
    if (!rolledUp.has(commonPrefix)) entries.push({ kind: 'prefix', value: commonPrefix });
    rolledUp.add(commonPrefix);
  }
  return entries;
}

/** The pages of the listing: maxKeys entries each, the last one (possibly empty) not truncated. */
export function modelPages(keys: readonly string[], query: ListingQuery): ModelPage[] {
  const entries = modelEntries(keys, query.prefix, query.delimiter);
  const pages: ModelPage[] = [];
  for (let at = 0; at === 0 || at < entries.length; at += query.maxKeys) {
    const slice = entries.slice(at, at + query.maxKeys);
    pages.push({
      keys: slice.filter((entry) => entry.kind === 'key').map((entry) => entry.value),
      commonPrefixes: slice.filter((entry) => entry.kind === 'prefix').map((entry) => entry.value),
      isTruncated: at + query.maxKeys < entries.length,
      lastEntry: slice.at(-1)?.value,
    });
  }
  return pages;
}

/** A page's keys and common prefixes merged back into listing order. */
export function entriesOfPage(keys: readonly string[], commonPrefixes: readonly string[]): ListingEntry[] {
  return [...keys.map((value): ListingEntry => ({ kind: 'key', value })), ...commonPrefixes.map((value): ListingEntry => ({ kind: 'prefix', value }))].sort(
    (a, b) => compareUtf8(a.value, b.value),
  );
}

/**
 * Pieces keys are made of: separators and multi-byte characters. U+E000 and U+FF21 (3 UTF-8 bytes, but above
 * the surrogates in UTF-16) against the emoji (4 bytes, a surrogate pair) is where byte and JS order disagree.
 */
export const KEY_PIECES = ['a', 'b', 'z', '/', '-', '.', 'é', '中', '😀', '\uE000', '\uFF21', 'a/', 'x-', '//'];

/** Single- and multi-character delimiters, some of several UTF-8 bytes. */
export const DELIMITERS = ['/', '-', '.', '/-', '--', 'a/', 'é', '中/', '😀', '\uE000'];

export const keyArbitrary = fc.array(fc.constantFrom(...KEY_PIECES), { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));

/** Up to `maxKeys` distinct keys: small sets as often as nearly full ones. */
export function keySetArbitrary(maxKeys: number): fc.Arbitrary<string[]> {
  return fc.oneof(
    fc.uniqueArray(keyArbitrary, { maxLength: maxKeys }),
    fc.uniqueArray(keyArbitrary, { minLength: Math.floor(maxKeys / 2), maxLength: maxKeys, size: 'max' }),
  );
}

/** A prefix: empty, the first characters (whole code points) of one of the keys, or something else. */
export function prefixArbitrary(keys: readonly string[]): fc.Arbitrary<string> {
  const choices: fc.WeightedArbitrary<string>[] = [
    { arbitrary: fc.constant(''), weight: 2 },
    { arbitrary: fc.array(fc.constantFrom(...KEY_PIECES), { maxLength: 2 }).map((pieces) => pieces.join('')), weight: 1 },
  ];
  if (keys.length > 0) {
    const ofAKey = fc.tuple(fc.constantFrom(...keys), fc.nat()).map(([key, length]) => {
      const codePoints = Array.from(key);
      return codePoints.slice(0, length % codePoints.length).join('');
    });
    choices.push({ arbitrary: ofAKey, weight: 2 });
  }
  return fc.oneof(...choices);
}

export const delimiterArbitrary: fc.Arbitrary<string | undefined> = fc.option(fc.constantFrom(...DELIMITERS), { nil: undefined, freq: 2 });

/** A query over `keys`: random prefix and delimiter, page size 1..(keys + 2), small sizes (many pages) often. */
export function queryArbitrary(keys: readonly string[]): fc.Arbitrary<ListingQuery> {
  return fc.record({
    prefix: prefixArbitrary(keys),
    delimiter: delimiterArbitrary,
    maxKeys: fc.oneof(fc.integer({ min: 1, max: Math.min(3, keys.length + 2) }), fc.integer({ min: 1, max: keys.length + 2 })),
  });
}

/**
 * The keys of `keys` that AIS can hold together, in order. AIS stores an object as a file named after it
 * (src/ais/cluster/object-names.ts), and a name cannot be an object and a directory at once: of `a` and `a/b`, or
 * `a` and `a/` (AIS name `a/ `), the later one is refused (docs/ais-native-api.md section 6).
 */
export function keysAisHoldsTogether(keys: readonly string[]): string[] {
  const names: string[] = [];
  const held: string[] = [];
  for (const key of keys) {
    const name = aisNameOf(key);
    if (names.some((other) => other.startsWith(`${name}/`) || name.startsWith(`${other}/`))) continue;
    names.push(name);
    held.push(key);
  }
  return held;
}
