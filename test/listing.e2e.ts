import { CreateBucketCommand, DeleteObjectCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { keysTheStoreHolds } from './support/backend';
import { type RunningGateway, startGateway } from './support/gateway';
import { entriesOfPage, keySetArbitrary, type ListingQuery, type ModelPage, modelPages, queryArbitrary } from './support/listing-model';
import { s3ClientFor } from './support/s3-client';

/**
 * ListObjectsV2 and ListObjects (v1) through an unmodified @aws-sdk/client-s3, paged the way clients page,
 * against the reference model (test/support/listing-model.ts): UTF-8 byte order, prefix, delimiter roll-up,
 * IsTruncated, KeyCount, NextContinuationToken and NextMarker right at every page edge.
 */

/** What one page looked like to the client, in the model's shape. */
function shapeOf(contents: { Key?: string }[] | undefined, prefixes: { Prefix?: string }[] | undefined, isTruncated: boolean | undefined): ModelPage {
  const keys = (contents ?? []).map((object) => object.Key!);
  const commonPrefixes = (prefixes ?? []).map((prefix) => prefix.Prefix!);
  return { keys, commonPrefixes, isTruncated: isTruncated === true, lastEntry: entriesOfPage(keys, commonPrefixes).at(-1)?.value };
}

const MAX_PAGES = 200;

describe('listing through @aws-sdk/client-s3 against the model', () => {
  let gateway: RunningGateway;
  let s3: S3Client;
  let buckets = 0;

  beforeAll(async () => {
    gateway = await startGateway();
    s3 = s3ClientFor(gateway.endpoint);
  });
  afterAll(async () => {
    s3?.destroy();
    await gateway?.stop();
  });

  /** A new bucket holding `keys` (tiny bodies), written a few at a time. */
  async function bucketWith(keys: readonly string[]): Promise<string> {
    buckets += 1;
    const bucket = `listing-${buckets}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (let at = 0; at < keys.length; at += 8) {
      await Promise.all(keys.slice(at, at + 8).map((key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))));
    }
    return bucket;
  }

  /** Pages through ListObjectsV2 with ContinuationToken, checking each page's own fields as it goes. */
  async function pagesV2(bucket: string, query: ListingQuery, startAfter?: string): Promise<ModelPage[]> {
    const pages: ModelPage[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: query.prefix,
          Delimiter: query.delimiter,
          MaxKeys: query.maxKeys,
          ContinuationToken: token,
          StartAfter: startAfter,
        }),
      );
      const shape = shapeOf(page.Contents, page.CommonPrefixes, page.IsTruncated);
      expect(page.KeyCount).toBe(shape.keys.length + shape.commonPrefixes.length);
      expect(page.MaxKeys).toBe(query.maxKeys);
      expect(page.Prefix ?? '').toBe(query.prefix);
      expect(page.Delimiter).toBe(query.delimiter);
      expect(page.ContinuationToken).toBe(token);
      expect(page.IsTruncated).toBe(page.NextContinuationToken !== undefined);
      pages.push(shape);
      token = page.NextContinuationToken;
    } while (token !== undefined && pages.length < MAX_PAGES);
    return pages;
  }

  /**
   * Pages through ListObjects (v1) with Marker: NextMarker when there is a delimiter (S3 sends it only then),
   * else the last key of the page, as S3's documentation tells clients to do.
   */
  async function pagesV1(bucket: string, query: ListingQuery): Promise<ModelPage[]> {
    const pages: ModelPage[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: query.prefix, Delimiter: query.delimiter, MaxKeys: query.maxKeys, Marker: marker }),
      );
      const shape = shapeOf(page.Contents, page.CommonPrefixes, page.IsTruncated);
      expect(page.Marker ?? '').toBe(marker ?? '');
      expect(page.MaxKeys).toBe(query.maxKeys);
      if (query.delimiter !== undefined && page.IsTruncated) {
        expect(page.NextMarker).toBe(shape.lastEntry);
      } else {
        expect(page.NextMarker).toBeUndefined();
      }
      pages.push(shape);
      if (!page.IsTruncated || pages.length >= MAX_PAGES) return pages;
      marker = query.delimiter !== undefined ? page.NextMarker : shape.keys.at(-1);
    }
  }

  function expectNoEntryTwice(pages: ModelPage[]): void {
    const entries = pages.flatMap((page) => [...page.keys, ...page.commonPrefixes]);
    expect(new Set(entries).size).toBe(entries.length);
  }

  it('lists in UTF-8 byte order and rolls up common prefixes, with v2 and v1 paging one entry at a time', async () => {
    const keys = ['😀/a', '\uE000', 'z', 'é/1', 'é/2', 'a-b', 'a/b/c', 'a/d', '\uFF21'];
    const bucket = await bucketWith(keys);
    const query = { prefix: '', delimiter: '/', maxKeys: 1 };
    const expected = ['a-b', 'a/', 'z', 'é/', '\uE000', '\uFF21', '😀/'];
    for (const pages of [await pagesV2(bucket, query), await pagesV1(bucket, query)]) {
      expect(pages.map((page) => page.lastEntry)).toEqual(expected);
      expect(pages.map((page) => page.isTruncated)).toEqual([true, true, true, true, true, true, false]);
    }
    const all = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(all.Contents?.map((object) => object.Key)).toEqual(['a-b', 'a/b/c', 'a/d', 'z', 'é/1', 'é/2', '\uE000', '\uFF21', '😀/a']);
    expect(all.IsTruncated).toBe(false);
    expect(all.KeyCount).toBe(keys.length);
  });

  it('ListObjectsV2 with StartAfter, then ContinuationToken, gives the entries after it', async () => {
    const bucket = await bucketWith(['a/1', 'a/2', 'b/1', 'c', 'd/1', 'e']);
    const pages = await pagesV2(bucket, { prefix: '', delimiter: '/', maxKeys: 2 }, 'a/');
    expect(pages).toEqual([
      { keys: ['c'], commonPrefixes: ['b/'], isTruncated: true, lastEntry: 'c' },
      { keys: ['e'], commonPrefixes: ['d/'], isTruncated: false, lastEntry: 'e' },
    ]);
  });

  it('a full page of 1000 (the default and the cap) is truncated when one more key follows', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `k/${String(i).padStart(4, '0')}`);
    const bucket = await bucketWith(keys);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(first.KeyCount).toBe(1000);
    expect(first.IsTruncated).toBe(true);
    const capped = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5000 }));
    expect(capped.KeyCount).toBe(1000);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: first.NextContinuationToken }));
    expect(rest.Contents?.map((object) => object.Key)).toEqual(['k/1000']);
    expect(rest.IsTruncated).toBe(false);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: 'k/0000' }));
    expect(v1.Contents).toHaveLength(1000);
    expect(v1.IsTruncated).toBe(false);
  });

  it('the pages after a write show it: a key written ahead of the listing is in it, a key deleted ahead is not', async () => {
    // On AIS the later pages go on with AIS's walk of the bucket; a write through the gateway must end that walk.
    const keys = Array.from({ length: 40 }, (_, i) => `k${String(2 * i).padStart(2, '0')}`);
    const bucket = await bucketWith(keys);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.NextContinuationToken;
      pages += 1;
      if (pages === 2) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k51', Body: 'new' }));
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k60' }));
      }
      if (pages === 5) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k71', Body: 'new' }));
    } while (token !== undefined && pages < MAX_PAGES);
    expect(seen).toEqual([...keys.filter((key) => key !== 'k60'), 'k51', 'k71'].sort());
  });

  it.each([
    ['ListObjectsV2 pages with ContinuationToken', pagesV2],
    ['ListObjects (v1) pages with Marker and NextMarker', pagesV1],
  ])('%s exactly as the model, for random keys, prefixes, delimiters and page sizes', async (_name, pagesOf) => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(60)
          // AIS refuses an object and keys under its name at once (`a` and `a/`): the model is of what it holds.
          .map(keysTheStoreHolds)
          .chain((keys) => fc.tuple(fc.constant(keys), fc.array(queryArbitrary(keys), { minLength: 1, maxLength: 3 }))),
        async ([keys, queries]) => {
          const bucket = await bucketWith(keys);
          for (const query of queries) {
            const pages = await pagesOf(bucket, query);
            expect(pages).toEqual(modelPages(keys, query));
            expectNoEntryTwice(pages);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
