import fc from 'fast-check';
import {
  compareUtf8,
  entriesOfPage,
  keyArbitrary,
  keySetArbitrary,
  keysAisHoldsTogether,
  type ListingQuery,
  modelEntries,
  modelPages,
  queryArbitrary,
} from '../../../test/support/listing-model';
import { NULL_VERSION, type ListObjectsPage, type ListObjectsRequest } from '../store';
import { type AisListCall, type AisListed, type AisLister, assemblePage } from './listing';
import { aisNameOf } from './object-names';

/** How the fake AIS spreads objects: over targets (the proxy merges their pages) and mountpaths (each target merges their walks). */
interface Layout {
  targets: number;
  mountpaths: number;
  /** The most names one AIS page holds, whatever the gateway asks for (AIS pages never align with S3's). */
  cap: number;
  /** Directories left empty by deletes (AIS keeps them). */
  emptyDirectories?: readonly string[];
}

const ONE_DISK: Layout = { targets: 1, mountpaths: 1, cap: Infinity };

/**
 * AIS's walk order: path segment by path segment, each by bytes. Written out again here on purpose: the fake
 * AIS must not share the lister's idea of the order it is testing.
 */
function compareWalk(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let at = 0; at < Math.min(left.length, right.length); at += 1) {
    const order = compareUtf8(left[at], right[at]);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

function spread(name: string, ways: number, salt: string): number {
  let hash = 7;
  for (const char of salt + name) hash = (hash * 31 + char.codePointAt(0)!) % 1_000_003;
  return hash % ways;
}

/** Merges lists each in walk order by always taking the smallest head by bytes (a target merging its mountpaths' walks). */
function mergeByBytes(lists: string[][]): string[] {
  const heads = lists.map(() => 0);
  const out: string[] = [];
  for (;;) {
    let pick = -1;
    lists.forEach((list, at) => {
      if (heads[at] < list.length && (pick < 0 || compareUtf8(list[heads[at]], lists[pick][heads[pick]]) < 0)) pick = at;
    });
    if (pick < 0) return out;
    out.push(lists[pick][heads[pick]]);
    heads[pick] += 1;
  }
}

/**
 * AIS's list action as observed on v1.5.0 (docs/ais-native-api.md section 7): each mountpath walks its file
 * tree in walk order, a target merges its mountpaths by name and keeps the first `limit` names after
 * `start_after`, the proxy merges the targets' pages by name and keeps `limit`. Without recursion a
 * directory's children are listed the same way, subdirectories as `name/` (empty ones included, and all of
 * them: `start_after` does not apply to them).
 */
function fakeAis(keys: readonly string[], layout: Layout = ONE_DISK): AisLister & { calls: AisListCall[] } {
  const names = [...new Set(keys)].map(aisNameOf);
  const directories = new Set<string>();
  for (const name of [...names, ...(layout.emptyDirectories ?? []).map((directory) => `${directory}/x`)]) {
    for (let at = name.indexOf('/'); at >= 0; at = name.indexOf('/', at + 1)) directories.add(name.slice(0, at + 1));
  }
  const targetOf = (name: string) => spread(name, layout.targets, 't');
  const entryOf = (name: string): AisListed =>
    name.endsWith('/')
      ? { name }
      : { name, summary: (key) => ({ key, size: Buffer.byteLength(key), etag: 'e', lastModified: new Date(0), versionId: NULL_VERSION }) };

  // eslint-disable-next-line @typescript-eslint/require-await -- a stand-in for AIS's lister, which is async; this one answers at once
  const list = async (call: AisListCall) => {
    list.calls.push(call);
    if (list.calls.length > 20_000) throw new Error(`too many AIS calls: ${JSON.stringify(list.calls.slice(-6))}`);
    // AIS lists only the directory when the prefix names one, so the gateway must never ask for less than a directory.
    if (call.directory !== '' && !call.directory.endsWith('/')) throw new Error(`prefix ${call.directory} is not a directory`);
    // The gateway's walk sees AIS pages of any size; a probe or a directory's children get what they ask for.
    const limit = call.recursive ? Math.min(call.limit, layout.cap) : call.limit;
    const after = (name: string) => call.startAfter === undefined || compareUtf8(name, call.startAfter) > 0;
    const pages: string[][] = [];
    for (let target = 0; target < layout.targets; target += 1) {
      let walk: string[];
      if (call.recursive) {
        const mine = names.filter((name) => name.startsWith(call.directory) && targetOf(name) === target);
        const disks = Array.from({ length: layout.mountpaths }, (_, disk) =>
          mine.filter((name) => spread(name, layout.mountpaths, 'm') === disk).sort(compareWalk),
        );
        walk = mergeByBytes(disks);
      } else {
        const depth = call.directory.split('/').length;
        const files = names.filter((name) => name.startsWith(call.directory) && name.split('/').length === depth && targetOf(name) === target);
        // A directory is on every target that holds a name under it; an empty one on the first.
        const subdirectories = [...directories].filter(
          (directory) =>
            directory.startsWith(call.directory) &&
            directory.split('/').length === depth + 1 &&
            (names.some((name) => name.startsWith(directory) && targetOf(name) === target) ||
              (target === 0 && !names.some((name) => name.startsWith(directory)))),
        );
        walk = [...files, ...subdirectories].sort((a, b) => compareUtf8(a.replace(/\/$/, ''), b.replace(/\/$/, '')));
      }
      // Without recursion AIS gives every subdirectory whatever `start_after` says.
      pages.push(walk.filter((name) => after(name) || (!call.recursive && name.endsWith('/'))).slice(0, limit));
    }
    const page = [...new Set(pages.flat())].sort(compareUtf8).slice(0, limit);
    return { entries: page.map(entryOf), full: page.length >= limit };
  };
  list.calls = [] as AisListCall[];
  return list;
}

function shapeOf(page: ListObjectsPage) {
  return { keys: page.objects.map((object) => object.key), commonPrefixes: page.commonPrefixes, isTruncated: page.isTruncated, lastEntry: page.lastEntry };
}

async function allPages(keys: readonly string[], query: ListingQuery, layout?: Layout): Promise<ListObjectsPage[]> {
  const pages: ListObjectsPage[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await assemblePage({ ...query, startAfter }, fakeAis(keys, layout));
    pages.push(page);
    if (!page.isTruncated) return pages;
    if (pages.length > 10_000) throw new Error('the listing never ends');
    startAfter = page.lastEntry;
  }
}

function list(keys: readonly string[], request: ListObjectsRequest, layout?: Layout): Promise<ListObjectsPage> {
  return assemblePage(request, fakeAis(keys, layout));
}

/** Layouts with AIS pages from 1 name up. */
const layoutArbitrary = (base: Omit<Layout, 'cap'>) => fc.integer({ min: 1, max: 70 }).map((cap): Layout => ({ ...base, cap }));

describe('S3 listing pages from AIS listing pages', () => {
  it.each([
    ['one target with one mountpath', { targets: 1, mountpaths: 1 }],
    ['one target with three mountpaths', { targets: 1, mountpaths: 3 }],
    ['three targets with two mountpaths each', { targets: 3, mountpaths: 2 }],
  ])('pages through any key set, prefix, delimiter, page size and AIS page size exactly as the model, on %s', async (_label, base) => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(60)
          .map(keysAisHoldsTogether)
          .chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), layoutArbitrary(base))),
        async ([keys, query, layout]) => {
          const pages = await allPages(keys, query, layout);
          expect(pages.map(shapeOf)).toEqual(modelPages(keys, query));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lists a sibling that sorts before a directory before the names in it, however AIS pages its walk', async () => {
    const keys = ['d/1', 'd/2', 'd/3', 'd/4', 'd/5', 'd.csv', 'd-x/1', 'd-x.y', 'e'];
    for (const cap of [1, 2, 3, 100]) {
      const pages = await allPages(keys, { prefix: '', maxKeys: 2 }, { ...ONE_DISK, cap });
      expect(pages.flatMap((page) => page.objects.map((object) => object.key))).toEqual(['d-x.y', 'd-x/1', 'd.csv', 'd/1', 'd/2', 'd/3', 'd/4', 'd/5', 'e']);
    }
  });

  it('lists keys AIS holds under escaped names in S3 order: folder markers, empty and dot segments', async () => {
    const keys = ['a/', 'a//b', 'a/-', 'a/.', 'a/./x', 'a/..', 'a/.z', 'a/0', '/lead', '~/x', '~', '.', '..x'];
    for (const cap of [1, 4, 100]) {
      const pages = await allPages(keys, { prefix: '', maxKeys: 1 }, { ...ONE_DISK, cap });
      expect(pages.flatMap((page) => page.objects.map((object) => object.key))).toEqual([...keys].sort(compareUtf8));
    }
  });

  it('is not misled by empty directories that deletes left behind', async () => {
    const keys = ['d/1', 'd/2', 'd/3', 'e'];
    const layout = { ...ONE_DISK, cap: 1, emptyDirectories: ['d-gone', 'd.old/deeper', 'c'] };
    const pages = await allPages(keys, { prefix: '', maxKeys: 1 }, layout);
    expect(pages.flatMap((page) => page.objects.map((object) => object.key))).toEqual(keys);
    expect(shapeOf(await list(keys, { prefix: '', delimiter: '/', maxKeys: 10 }, layout)).commonPrefixes).toEqual(['d/']);
  });

  it('asks AIS only for whole directories, and only for the one holding the prefix', async () => {
    const fetch = fakeAis(['a/b/c', 'a/bc', 'a-b', 'x']);
    const page = await assemblePage({ prefix: 'a/b', maxKeys: 10 }, fetch);
    expect(shapeOf(page).keys).toEqual(['a/b/c', 'a/bc']);
    expect(fetch.calls.map((call) => call.directory)).toEqual(['a/']);
  });

  it('resuming after any entry, a common prefix included, gives exactly the entries after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(40)
          .map(keysAisHoldsTogether)
          .chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.nat(), layoutArbitrary({ targets: 1, mountpaths: 1 }))),
        async ([keys, query, pick, layout]) => {
          const entries = modelEntries(keys, query.prefix, query.delimiter);
          fc.pre(entries.length > 0);
          const after = entries[pick % entries.length];
          const page = await list(keys, { prefix: query.prefix, delimiter: query.delimiter, maxKeys: 1000, startAfter: after.value }, layout);
          expect(entriesOfPage(shapeOf(page).keys, page.commonPrefixes)).toEqual(entries.slice(entries.indexOf(after) + 1));
          expect(page.isTruncated).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('without a delimiter, start-after any string gives the keys after it in byte order', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(40)
          .map(keysAisHoldsTogether)
          .chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.oneof(keyArbitrary, fc.constantFrom(...keys, '')))),
        async ([keys, query, startAfter]) => {
          const expected = modelEntries(keys, query.prefix, undefined).filter((entry) => compareUtf8(entry.value, startAfter) > 0);
          const page = await list(keys, { prefix: query.prefix, maxKeys: 1000, startAfter }, { ...ONE_DISK, cap: 7 });
          expect(page.objects.map((object) => object.key)).toEqual(expected.map((entry) => entry.value));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is truncated when exactly max-keys entries are followed by one more, and not when the listing ends there', async () => {
    expect(shapeOf(await list(['a', 'b', 'c'], { prefix: '', maxKeys: 3 }))).toEqual({
      keys: ['a', 'b', 'c'],
      commonPrefixes: [],
      isTruncated: false,
      lastEntry: 'c',
    });
    expect(shapeOf(await list(['a', 'b', 'c', 'd'], { prefix: '', maxKeys: 3 }))).toEqual({
      keys: ['a', 'b', 'c'],
      commonPrefixes: [],
      isTruncated: true,
      lastEntry: 'c',
    });
    expect(shapeOf(await list([], { prefix: '', maxKeys: 3 }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false, lastEntry: undefined });
  });

  it('continues past a common prefix instead of reading every name under it', async () => {
    const keys = [...Array.from({ length: 5000 }, (_, i) => `big/${String(i).padStart(5, '0')}`), 'x', 'y/1'];
    const fetch = fakeAis(keys);
    const page = await assemblePage({ prefix: '', delimiter: '/', maxKeys: 1000 }, fetch);
    expect(shapeOf(page)).toEqual({ keys: ['x'], commonPrefixes: ['big/', 'y/'], isTruncated: false, lastEntry: 'y/' });
    // A full page of big/..., two probes (the root's subdirectories, an object between `big` and `big/`), the rest.
    expect(fetch.calls.length).toBeLessThanOrEqual(4);
  });

  it('pages through a large directory with one AIS call per page and two probes of its parent', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `k/${String(i).padStart(4, '0')}`);
    const fetch = fakeAis(keys);
    const page = await assemblePage({ prefix: '', maxKeys: 1000 }, fetch);
    expect(page.objects).toHaveLength(1000);
    expect(fetch.calls.filter((call) => call.recursive)).toHaveLength(1);
    expect(fetch.calls.filter((call) => !call.recursive)).toHaveLength(2);
  });

  it('lists directories and their siblings that sort before their `/` exactly as the model, on any layout', async () => {
    const piece = fc.constantFrom('a', 'b', '/', '//', '-', '.', ' ', 'a-', 'a.', 'a/');
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(
            fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join('')),
            { minLength: 20, maxLength: 150 },
          )
          .map(keysAisHoldsTogether)
          .chain((keys) =>
            fc.tuple(
              fc.constant(keys),
              queryArbitrary(keys),
              fc.record({ targets: fc.integer({ min: 1, max: 3 }), mountpaths: fc.integer({ min: 1, max: 3 }), cap: fc.integer({ min: 1, max: 30 }) }),
            ),
          ),
        async ([keys, query, layout]) => {
          expect((await allPages(keys, query, layout)).map(shapeOf)).toEqual(modelPages(keys, query));
        },
      ),
      { numRuns: 200 },
    );
  });
});
