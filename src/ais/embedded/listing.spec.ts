import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { type Database, open, type RootDatabase } from 'lmdb';
import {
  compareUtf8,
  entriesOfPage,
  keyArbitrary,
  keySetArbitrary,
  type ListingQuery,
  modelEntries,
  modelPages,
  queryArbitrary,
} from '../../../test/support/listing-model';
import type { ListObjectsPage, ListObjectsRequest } from '../store';
import { EmbeddedStore } from './embedded-store';
import { listPage } from './listing';
import { bucketBase, indexKey } from './object-keys';
import type { ObjectRecord } from './records';

/**
 * Bucket listing (docs/architecture.md, "Listing order") against the reference model in test/support/listing-model.ts:
 * UTF-8 byte order, prefix, delimiter roll-up, and paging with IsTruncated and the next marker right at every
 * page edge; and a page reads a bounded stretch of the index, never the whole bucket.
 */

/** A record whose size is its key's UTF-8 length, so summaries can be checked against their keys. */
function recordFor(key: string): ObjectRecord {
  return {
    size: Buffer.byteLength(key),
    etag: 'e'.repeat(32),
    modified: 1_700_000_000_000,
    versionId: 'null',
    content: {},
    userMetadata: {},
    checksums: {},
  };
}

/** A page in the model's shape. */
function shapeOf(page: ListObjectsPage) {
  return { keys: page.objects.map((object) => object.key), commonPrefixes: page.commonPrefixes, isTruncated: page.isTruncated, lastEntry: page.lastEntry };
}

/** Pages through a listing the way a client does: each request starts after the previous page's last entry. */
async function allPages(list: (startAfter: string | undefined) => ListObjectsPage | Promise<ListObjectsPage>): Promise<ListObjectsPage[]> {
  const pages: ListObjectsPage[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await list(startAfter);
    pages.push(page);
    if (!page.isTruncated) return pages;
    if (pages.length > 10_000) throw new Error('the listing never ends');
    expect(page.lastEntry).toBeDefined();
    startAfter = page.lastEntry;
  }
}

/** Every page as the model has it, and what that implies said out loud. */
function expectPagesAsModel(pages: ListObjectsPage[], keys: readonly string[], query: ListingQuery): void {
  const model = modelPages(keys, query);
  expect(pages.map(shapeOf)).toEqual(model);

  // Implied by the above, stated for the reader: every page but the last is full and truncated, the last is
  // not; the pages concatenate to the whole listing; no entry (key or common prefix) shows up twice.
  pages.forEach((page, i) => {
    expect(page.isTruncated).toBe(i < pages.length - 1);
    expect(page.objects.length + page.commonPrefixes.length).toBe(i < pages.length - 1 ? query.maxKeys : model[i].keys.length + model[i].commonPrefixes.length);
  });
  const listed = pages.flatMap((page) =>
    entriesOfPage(
      page.objects.map((object) => object.key),
      page.commonPrefixes,
    ),
  );
  expect(listed).toEqual(modelEntries(keys, query.prefix, query.delimiter));
  expect(new Set(listed.map((entry) => entry.value)).size).toBe(listed.length);
  for (const object of pages.flatMap((page) => page.objects)) expect(object.size).toBe(Buffer.byteLength(object.key));
}

describe('listPage against the model', () => {
  let dir: string;
  let env: RootDatabase;
  let objects: Database<ObjectRecord, Buffer>;
  let buckets = 0;

  /** A bucket of its own in the shared index, with neighbours on both sides that must never leak in. */
  function bucketWith(keys: readonly string[]): string {
    buckets += 1;
    const bucket = `t${buckets}.m`;
    objects.transactionSync(() => {
      for (const key of keys) objects.putSync(indexKey(bucketBase(bucket), key), recordFor(key));
      for (const neighbour of [`t${buckets}.`, `t${buckets}.m0`, `t${buckets}.m-`]) {
        for (const key of ['', 'a', '/', '😀', '\uE000']) objects.putSync(indexKey(bucketBase(neighbour), `${key}neighbour`), recordFor('neighbour'));
      }
    });
    return bucket;
  }

  function list(bucket: string, request: ListObjectsRequest): ListObjectsPage {
    return listPage(objects, bucket, request);
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'listing-'));
    env = open({ path: dir, maxDbs: 2, compression: false, noSync: true });
    objects = env.openDB<ObjectRecord, Buffer>({ name: 'objects', keyEncoding: 'binary' });
  });

  afterAll(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists in UTF-8 byte order, not JS string order', () => {
    const keys = ['\uE000', '😀', 'z', 'é', '\uFF21', 'a'];
    expect([...keys].sort()).toEqual(['a', 'z', 'é', '😀', '\uE000', '\uFF21']);
    const bucket = bucketWith(keys);
    expect(shapeOf(list(bucket, { prefix: '', maxKeys: 1000 })).keys).toEqual(['a', 'z', 'é', '\uE000', '\uFF21', '😀']);
  });

  it('rolls keys up at the first delimiter after the prefix, one common prefix in the place of its first key', () => {
    const bucket = bucketWith(['a/1', 'a/2/x', 'a-b', 'b', 'c/d/e', 'c//f', 'photos--2024--jan', 'photos--2024--feb', 'photos-x']);
    expect(shapeOf(list(bucket, { prefix: '', delimiter: '/', maxKeys: 1000 }))).toEqual({
      keys: ['a-b', 'b', 'photos--2024--feb', 'photos--2024--jan', 'photos-x'],
      commonPrefixes: ['a/', 'c/'],
      isTruncated: false,
      lastEntry: 'photos-x',
    });
    expect(shapeOf(list(bucket, { prefix: 'c/', delimiter: '/', maxKeys: 1000 })).commonPrefixes).toEqual(['c//', 'c/d/']);
    expect(shapeOf(list(bucket, { prefix: 'photos', delimiter: '--', maxKeys: 1000 }))).toMatchObject({ keys: ['photos-x'], commonPrefixes: ['photos--'] });
    expect(shapeOf(list(bucket, { prefix: 'photos--', delimiter: '--', maxKeys: 1000 })).commonPrefixes).toEqual(['photos--2024--']);
  });

  it('a page that ends exactly at the last entry is not truncated; one with more to come is', () => {
    const bucket = bucketWith(['a/1', 'a/2', 'b', 'c']);
    expect(shapeOf(list(bucket, { prefix: '', delimiter: '/', maxKeys: 3 }))).toEqual({
      keys: ['b', 'c'],
      commonPrefixes: ['a/'],
      isTruncated: false,
      lastEntry: 'c',
    });
    expect(shapeOf(list(bucket, { prefix: '', delimiter: '/', maxKeys: 2 }))).toEqual({
      keys: ['b'],
      commonPrefixes: ['a/'],
      isTruncated: true,
      lastEntry: 'b',
    });
    expect(shapeOf(list(bucket, { prefix: '', delimiter: '/', maxKeys: 2, startAfter: 'b' }))).toEqual({
      keys: ['c'],
      commonPrefixes: [],
      isTruncated: false,
      lastEntry: 'c',
    });
    expect(shapeOf(list(bucket, { prefix: 'a/', maxKeys: 2 }))).toEqual({ keys: ['a/1', 'a/2'], commonPrefixes: [], isTruncated: false, lastEntry: 'a/2' });
  });

  it('a common prefix that ends a page is not repeated on the next', () => {
    const bucket = bucketWith(['a/1', 'a/2', 'a/3', 'b/1', 'c']);
    const first = list(bucket, { prefix: '', delimiter: '/', maxKeys: 1 });
    expect(shapeOf(first)).toEqual({ keys: [], commonPrefixes: ['a/'], isTruncated: true, lastEntry: 'a/' });
    const second = list(bucket, { prefix: '', delimiter: '/', maxKeys: 1, startAfter: 'a/' });
    expect(shapeOf(second)).toEqual({ keys: [], commonPrefixes: ['b/'], isTruncated: true, lastEntry: 'b/' });
    expect(shapeOf(list(bucket, { prefix: '', delimiter: '/', maxKeys: 1, startAfter: 'b/' }))).toEqual({
      keys: ['c'],
      commonPrefixes: [],
      isTruncated: false,
      lastEntry: 'c',
    });
  });

  it('an empty bucket, or a prefix nothing has, lists one empty page that is not truncated', () => {
    const bucket = bucketWith(['a', 'b']);
    expect(shapeOf(list(bucketWith([]), { prefix: '', maxKeys: 1 }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
    expect(shapeOf(list(bucket, { prefix: 'c', delimiter: '/', maxKeys: 1 }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
    expect(shapeOf(list(bucket, { prefix: '', maxKeys: 10, startAfter: 'b' }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false });
  });

  it('pages through any key set, prefix, delimiter and page size exactly as the model', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(60).chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys))),
        async ([keys, query]) => {
          const bucket = bucketWith(keys);
          const pages = await allPages((startAfter) => list(bucket, { ...query, startAfter }));
          expectPagesAsModel(pages, keys, query);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('resuming after any entry of a listing gives exactly the entries after it', () => {
    fc.assert(
      fc.property(
        keySetArbitrary(40).chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.nat())),
        ([keys, query, pick]) => {
          const entries = modelEntries(keys, query.prefix, query.delimiter);
          fc.pre(entries.length > 0);
          const after = entries[pick % entries.length];
          const bucket = bucketWith(keys);
          const page = list(bucket, { prefix: query.prefix, delimiter: query.delimiter, maxKeys: 1000, startAfter: after.value });
          expect(entriesOfPage(shapeOf(page).keys, page.commonPrefixes)).toEqual(entries.slice(entries.indexOf(after) + 1));
          expect(page.isTruncated).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('without a delimiter, start-after any string gives the keys after it in byte order, wherever it falls', () => {
    fc.assert(
      fc.property(
        keySetArbitrary(40).chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.oneof(keyArbitrary, fc.constantFrom(...keys, '')))),
        ([keys, query, startAfter]) => {
          const bucket = bucketWith(keys);
          const expected = modelEntries(keys, query.prefix, undefined).filter((entry) => compareUtf8(entry.value, startAfter) > 0);
          const pages: ListObjectsPage[] = [];
          let after: string | undefined = startAfter;
          for (;;) {
            const page = list(bucket, { prefix: query.prefix, maxKeys: query.maxKeys, startAfter: after });
            pages.push(page);
            if (!page.isTruncated) break;
            after = page.lastEntry;
          }
          expect(pages.flatMap((page) => shapeOf(page).keys)).toEqual(expected.map((entry) => entry.value));
          expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / query.maxKeys)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('listing cost: a page reads a bounded range of the index', () => {
  const FOLDERS = 20;
  const PER_FOLDER = 1000;
  let dir: string;
  let env: RootDatabase;
  let objects: Database<ObjectRecord, Buffer>;

  /** How many range scans a listing opened and how many index entries they yielded in all. */
  interface Work {
    ranges: number;
    entries: number;
  }

  /** Runs one listing through a view of the index that counts the range scans and entries it reads. */
  function listCounting(request: ListObjectsRequest): { page: ListObjectsPage; work: Work } {
    const work: Work = { ranges: 0, entries: 0 };
    const counted = new Proxy(objects, {
      get(target, property, receiver) {
        if (property !== 'getRange') return Reflect.get(target, property, receiver) as unknown;
        return (options: Parameters<typeof target.getRange>[0]) => {
          work.ranges += 1;
          const range = target.getRange(options);
          return {
            *[Symbol.iterator]() {
              for (const entry of range) {
                work.entries += 1;
                yield entry;
              }
            },
          };
        };
      },
    });
    return { page: listPage(counted, 'big-bucket', request), work };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'listing-cost-'));
    env = open({ path: dir, maxDbs: 2, compression: false, noSync: true });
    objects = env.openDB<ObjectRecord, Buffer>({ name: 'objects', keyEncoding: 'binary' });
    const base = bucketBase('big-bucket');
    objects.transactionSync(() => {
      for (const key of ['a', 'c', 'd/1']) objects.putSync(indexKey(base, key), recordFor(key));
      for (let folder = 0; folder < FOLDERS; folder += 1) {
        for (let i = 0; i < PER_FOLDER; i += 1) {
          const key = `big/${String(folder).padStart(2, '0')}/${String(i).padStart(5, '0')}`;
          objects.putSync(indexKey(base, key), recordFor(key));
        }
      }
    });
  });

  afterAll(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`a root listing with '/' returns 'big/' (${FOLDERS * PER_FOLDER} keys) as one common prefix, reading a handful of entries`, () => {
    const { page, work } = listCounting({ prefix: '', delimiter: '/', maxKeys: 1000 });
    expect(shapeOf(page)).toEqual({ keys: ['a', 'c'], commonPrefixes: ['big/', 'd/'], isTruncated: false, lastEntry: 'd/' });
    expect(work.entries).toBeLessThanOrEqual(8);
    expect(work.ranges).toBeLessThanOrEqual(4);
  });

  it('the next page after a common prefix skips its keys instead of reading them', () => {
    const first = listCounting({ prefix: '', delimiter: '/', maxKeys: 2 });
    expect(shapeOf(first.page)).toEqual({ keys: ['a'], commonPrefixes: ['big/'], isTruncated: true, lastEntry: 'big/' });
    const next = listCounting({ prefix: '', delimiter: '/', maxKeys: 2, startAfter: 'big/' });
    expect(shapeOf(next.page)).toEqual({ keys: ['c'], commonPrefixes: ['d/'], isTruncated: false, lastEntry: 'd/' });
    expect(first.work.entries + next.work.entries).toBeLessThanOrEqual(12);
  });

  it('a marker inside a common prefix skips the rest of it', () => {
    const { page, work } = listCounting({ prefix: '', delimiter: '/', maxKeys: 1000, startAfter: 'big/07/00500' });
    expect(shapeOf(page)).toEqual({ keys: ['c'], commonPrefixes: ['d/'], isTruncated: false, lastEntry: 'd/' });
    expect(work.entries).toBeLessThanOrEqual(6);
  });

  it(`folders under a prefix cost about one read each: 'big/' with '/' lists ${FOLDERS} common prefixes`, () => {
    const { page, work } = listCounting({ prefix: 'big/', delimiter: '/', maxKeys: 1000 });
    expect(page.commonPrefixes).toHaveLength(FOLDERS);
    expect(page.isTruncated).toBe(false);
    expect(work.entries).toBeLessThanOrEqual(2 * FOLDERS + 2);
  });

  it('a page of 1000 keys, from the start or from a marker in the middle, reads about 1000 entries', () => {
    const first = listCounting({ prefix: 'big/', maxKeys: 1000 });
    expect(first.page.objects).toHaveLength(1000);
    expect(first.page.isTruncated).toBe(true);
    expect(first.work.entries).toBeGreaterThanOrEqual(1000);
    expect(first.work.entries).toBeLessThanOrEqual(1002);

    const middle = listCounting({ prefix: 'big/', maxKeys: 1000, startAfter: 'big/11/00499' });
    expect(middle.page.objects[0].key).toBe('big/11/00500');
    expect(middle.page.objects.at(-1)!.key).toBe('big/12/00499');
    expect(middle.work.entries).toBeLessThanOrEqual(1002);

    const whole = listCounting({ prefix: 'big/05/', maxKeys: 1000 });
    expect(whole.page.objects).toHaveLength(PER_FOLDER);
    expect(whole.page.isTruncated).toBe(false);
    expect(whole.work.entries).toBeLessThanOrEqual(1002);
  });
});

describe('EmbeddedStore.listObjects against the model', () => {
  let dir: string;
  let store: EmbeddedStore;
  let buckets = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'listing-store-'));
    store = new EmbeddedStore({ dataDir: dir, inlineMaxBytes: 8, fsync: false });
    await store.open();
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages through objects stored with putObject (inline and blob) exactly as the model', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(40).chain((keys) => fc.tuple(fc.constant(keys), fc.array(queryArbitrary(keys), { minLength: 1, maxLength: 3 }))),
        async ([keys, queries]) => {
          buckets += 1;
          const bucket = `store-${buckets}`;
          await store.createBucket(bucket, '');
          await Promise.all(
            keys.map((key) => {
              const bytes = Buffer.from(key, 'utf8');
              return store.putObject(
                bucket,
                key,
                { content: {}, userMetadata: {} },
                {
                  stream: Readable.from([bytes]),
                  verify: () => Promise.resolve({ size: bytes.length, md5Hex: 'e'.repeat(32), checksums: {} }),
                },
              );
            }),
          );
          for (const query of queries) {
            const pages = await allPages((startAfter) => store.listObjects(bucket, { ...query, startAfter }));
            expectPagesAsModel(pages, keys, query);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
