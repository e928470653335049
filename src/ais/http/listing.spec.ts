import fc from 'fast-check';
import {
  compareUtf8,
  entriesOfPage,
  keyArbitrary,
  keySetArbitrary,
  ListingQuery,
  modelEntries,
  modelPages,
  queryArbitrary,
} from '../../../test/support/listing-model';
import { NULL_VERSION, ListObjectsPage, ListObjectsRequest } from '../ais-client';
import { AisListFetch, assemblePage } from './listing';

/**
 * AIS's recursive listing as the gateway sees it (docs/ais-native-api.md section 7): names under the prefix
 * in byte order, strictly after `start_after`, at most `pagesize` of them (and at most `cap`, to make AIS
 * pages that never align with max-keys).
 */
function aisListing(keys: readonly string[], prefix: string, cap = Infinity): AisListFetch & { calls: number } {
  const sorted = [...new Set(keys)].filter((key) => key.startsWith(prefix)).sort(compareUtf8);
  const fetch = async (startAfter: string | undefined, limit: number) => {
    fetch.calls += 1;
    const after = startAfter === undefined ? sorted : sorted.filter((key) => compareUtf8(key, startAfter) > 0);
    const names = after.slice(0, Math.min(limit, cap));
    return {
      entries: names.map((key) => ({ key, size: Buffer.byteLength(key), etag: 'e', lastModified: new Date(0), versionId: NULL_VERSION })),
      done: names.length === after.length,
    };
  };
  fetch.calls = 0;
  return fetch;
}

function list(keys: readonly string[], request: ListObjectsRequest, cap?: number): Promise<ListObjectsPage> {
  return assemblePage(request, aisListing(keys, request.prefix, cap));
}

function shapeOf(page: ListObjectsPage) {
  return { keys: page.objects.map((object) => object.key), commonPrefixes: page.commonPrefixes, isTruncated: page.isTruncated, lastEntry: page.lastEntry };
}

async function allPages(keys: readonly string[], query: ListingQuery, cap?: number): Promise<ListObjectsPage[]> {
  const pages: ListObjectsPage[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await list(keys, { ...query, startAfter }, cap);
    pages.push(page);
    if (!page.isTruncated) return pages;
    if (pages.length > 10_000) throw new Error('the listing never ends');
    startAfter = page.lastEntry;
  }
}

describe('assembling S3 listing pages from AIS listing pages', () => {
  it('pages through any key set, prefix, delimiter, page size and AIS page size exactly as the model', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(60).chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.integer({ min: 1, max: 70 }))),
        async ([keys, query, cap]) => {
          const pages = await allPages(keys, query, cap);
          expect(pages.map(shapeOf)).toEqual(modelPages(keys, query));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('resuming after any entry, a common prefix included, gives exactly the entries after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(40).chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.nat(), fc.integer({ min: 1, max: 10 }))),
        async ([keys, query, pick, cap]) => {
          const entries = modelEntries(keys, query.prefix, query.delimiter);
          fc.pre(entries.length > 0);
          const after = entries[pick % entries.length];
          const page = await list(keys, { prefix: query.prefix, delimiter: query.delimiter, maxKeys: 1000, startAfter: after.value }, cap);
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
        keySetArbitrary(40).chain((keys) => fc.tuple(fc.constant(keys), queryArbitrary(keys), fc.oneof(keyArbitrary, fc.constantFrom(...keys, '')))),
        async ([keys, query, startAfter]) => {
          const expected = modelEntries(keys, query.prefix, undefined).filter((entry) => compareUtf8(entry.value, startAfter) > 0);
          const page = await list(keys, { prefix: query.prefix, maxKeys: 1000, startAfter }, 7);
          expect(page.objects.map((object) => object.key)).toEqual(expected.map((entry) => entry.value));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is truncated when exactly max-keys entries are followed by one more, and not when the listing ends there', async () => {
    expect(shapeOf(await list(['a', 'b', 'c'], { prefix: '', maxKeys: 3 }))).toEqual({ keys: ['a', 'b', 'c'], commonPrefixes: [], isTruncated: false, lastEntry: 'c' });
    expect(shapeOf(await list(['a', 'b', 'c', 'd'], { prefix: '', maxKeys: 3 }))).toEqual({ keys: ['a', 'b', 'c'], commonPrefixes: [], isTruncated: true, lastEntry: 'c' });
    expect(shapeOf(await list([], { prefix: '', maxKeys: 3 }))).toEqual({ keys: [], commonPrefixes: [], isTruncated: false, lastEntry: undefined });
  });

  it('continues past a common prefix instead of reading every name under it', async () => {
    const keys = [...Array.from({ length: 5000 }, (_, i) => `big/${String(i).padStart(5, '0')}`), 'x', 'y/1'];
    const fetch = aisListing(keys, '');
    const page = await assemblePage({ prefix: '', delimiter: '/', maxKeys: 1000 }, fetch);
    expect(shapeOf(page)).toEqual({ keys: ['x'], commonPrefixes: ['big/', 'y/'], isTruncated: false, lastEntry: 'y/' });
    expect(fetch.calls).toBeLessThanOrEqual(2);
  });
});
