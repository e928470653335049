import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { S3Error } from '../../s3/errors';
import type { IncomingBody, ObjectAttributes, ObjectRead } from '../store';
import { EmbeddedStore } from './embedded-store';
import { s3ErrorOf } from '../../../test/support/rejections';

/**
 * EmbeddedStore on a real temporary directory, no mocks: what docs/architecture.md ("The embedded backend") promises about where bytes
 * live, what an overwrite, a failed PUT, a copy and a restart leave behind.
 */

const INLINE_MAX = 16;
const NO_ATTRIBUTES: ObjectAttributes = { content: {}, userMetadata: {} };

function md5Hex(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

function bytesOf(text: string, size: number): Buffer {
  return Buffer.from(text.repeat(Math.ceil(size / text.length)).slice(0, size), 'latin1');
}

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** A well-behaved request body: its stream yields `bytes` in chunks, verify() reports its real digest. */
function bodyOf(data: Buffer | string, chunkSize = 7): IncomingBody {
  const bytes = Buffer.from(data);
  return {
    stream: Readable.from(chunksOf(bytes, chunkSize)),
    verify: () => Promise.resolve({ size: bytes.length, md5Hex: md5Hex(bytes), checksums: {} }),
  };
}

/** A body whose stream delivers `chunks` and then fails, as a client that disconnects mid-upload. */
function failingBody(chunks: Buffer[], options: { pauseBeforeFailing: boolean }): IncomingBody {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) yield chunk;
    if (options.pauseBeforeFailing) await new Promise((resolve) => setTimeout(resolve, 50));
    throw new Error('client went away');
  }
  return {
    stream: Readable.from(generate()),
    verify: () => Promise.reject(new Error('verify() must not be called for a body that failed')),
  };
}

/** A body read to the end whose verify() then refuses it, as a Content-MD5 mismatch does. */
function badDigestBody(data: Buffer | string): IncomingBody {
  return {
    stream: Readable.from(chunksOf(Buffer.from(data), 5)),
    verify: () => Promise.reject(new S3Error('BadDigest')),
  };
}

async function contentOf(read: ObjectRead): Promise<Buffer> {
  if (Buffer.isBuffer(read.body)) return read.body;
  const chunks: Buffer[] = [];
  for await (const chunk of read.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file and directory under `dir`, as paths relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((entry) => entry.split('\\').join('/'));
}

/**
 * A child process that opens the store (TypeScript source, transpiled on load), starts overwriting 'k' in
 * bucket 'bkt' with a body that stops arriving midway, says "in flight" once the new blob file exists, and
 * waits to be killed. argv: typescript's path, embedded-store.ts's path, the data directory.
 */
const CRASHING_WRITER = `
const fs = require('node:fs');
const { PassThrough } = require('node:stream');
const [tsPath, storePath, dataDir] = process.argv.slice(1);
const ts = require(tsPath);
require.extensions['.ts'] = (module, filename) => {
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  module._compile(ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: options }).outputText, filename);
};
const { EmbeddedStore } = require(storePath);
const blobCount = () => fs.readdirSync(dataDir + '/blobs', { recursive: true }).filter((path) => String(path).includes('/')).length;
(async () => {
  const store = new EmbeddedStore({ dataDir, inlineMaxBytes: 16, fsync: true });
  await store.open();
  const before = blobCount();
  const body = new PassThrough();
  store.putObject('bkt', 'k', { content: {}, userMetadata: {} }, { stream: body, verify: () => Promise.resolve({ size: 0, md5Hex: '', checksums: {} }) });
  body.write(Buffer.alloc(1000, 0x61));
  while (blobCount() === before) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log('in flight');
  setInterval(() => undefined, 1000);
})();
`;

describe('EmbeddedStore', () => {
  let root: string;
  let dataDir: string;
  let store: EmbeddedStore;
  const opened: EmbeddedStore[] = [];

  async function openStore(): Promise<EmbeddedStore> {
    const next = new EmbeddedStore({ dataDir, inlineMaxBytes: INLINE_MAX, fsync: false });
    await next.open();
    opened.push(next);
    return next;
  }

  /** The blob files that exist now (one per stored name; a hard-linked copy is a second name). */
  function blobFiles(): string[] {
    return walk(join(dataDir, 'blobs')).filter((path) => path.includes('/'));
  }

  async function read(bucket: string, key: string): Promise<Buffer> {
    return contentOf(await store.getObject(bucket, key, undefined, () => undefined));
  }

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'embedded-store-'));
    dataDir = join(root, 'data');
    store = await openStore();
    await store.createBucket('bkt', '');
  });

  afterEach(async () => {
    for (const each of opened.splice(0)) await each.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('versions', () => {
    const listAll = async (target: EmbeddedStore) =>
      (await target.listObjectVersions('bkt', { prefix: '', maxKeys: 1000 })).versions.map((entry) => [entry.key, entry.deleteMarker, entry.isLatest]);

    it('keeps the blob of every version, and frees a version blob only when that version is deleted', async () => {
      await store.putBucketVersioning('bkt', 'Enabled');
      const first = await store.putObject('bkt', 'big', NO_ATTRIBUTES, bodyOf(bytesOf('first', 100)));
      const second = await store.putObject('bkt', 'big', NO_ATTRIBUTES, bodyOf(bytesOf('second', 100)));
      await store.deleteObject('bkt', 'big');
      expect(blobFiles()).toHaveLength(2);
      await store.deleteObject('bkt', 'big', second.versionId);
      expect(blobFiles()).toHaveLength(1);
      expect(await contentOf(await store.getObject('bkt', 'big', first.versionId, () => undefined))).toEqual(bytesOf('first', 100));
      await store.deleteObject('bkt', 'big', first.versionId);
      expect(blobFiles()).toEqual([]);
    });

    it('frees the blob of the null version a write replaces while versioning is suspended', async () => {
      await store.putObject('bkt', 'big', NO_ATTRIBUTES, bodyOf(bytesOf('null one', 100)));
      await store.putBucketVersioning('bkt', 'Enabled');
      await store.putObject('bkt', 'big', NO_ATTRIBUTES, bodyOf(bytesOf('kept', 100)));
      await store.putBucketVersioning('bkt', 'Suspended');
      await store.putObject('bkt', 'big', NO_ATTRIBUTES, bodyOf(bytesOf('null two', 100)));
      expect(blobFiles()).toHaveLength(2);
      expect(await read('bkt', 'big')).toEqual(bytesOf('null two', 100));
    });

    it('keeps versions and markers of keys containing 0x00 and 0x01 apart from their neighbours, across a restart', async () => {
      await store.putBucketVersioning('bkt', 'Enabled');
      for (const key of ['a\u0001', 'a', 'a\u0000b', 'a', 'ab']) await store.putObject('bkt', key, NO_ATTRIBUTES, bodyOf(key));
      await store.deleteObject('bkt', 'a\u0000b');
      const expected = [
        ['a', false, true],
        ['a', false, false],
        ['a\u0000b', true, true],
        ['a\u0000b', false, false],
        ['a\u0001', false, true],
        ['ab', false, true],
      ];
      expect(await listAll(store)).toEqual(expected);
      await store.close();
      store = await openStore();
      expect(await listAll(store)).toEqual(expected);
      expect((await store.listObjects('bkt', { prefix: '', maxKeys: 1000 })).objects.map((object) => object.key)).toEqual(['a', 'a\u0001', 'ab']);
    });
  });

  describe('put, get, head, delete', () => {
    it('stores an object with its attributes and reads it back', async () => {
      const attributes: ObjectAttributes = {
        content: { contentType: 'text/plain', cacheControl: 'no-cache' },
        userMetadata: { colour: 'blue' },
      };
      const info = await store.putObject('bkt', 'hello.txt', attributes, bodyOf('hello, world'));
      expect(info).toMatchObject({ key: 'hello.txt', size: 12, etag: md5Hex(Buffer.from('hello, world')), versionId: 'null' });

      const head = await store.headObject('bkt', 'hello.txt');
      expect(head).toMatchObject({ key: 'hello.txt', size: 12, etag: info.etag, content: attributes.content, userMetadata: { colour: 'blue' } });
      expect(head.lastModified).toBeInstanceOf(Date);
      expect((await read('bkt', 'hello.txt')).toString()).toBe('hello, world');
    });

    it('hands the read planner the object info and serves the range it returns', async () => {
      const bytes = bytesOf('0123456789', 100);
      await store.putObject('bkt', 'ranged', NO_ATTRIBUTES, bodyOf(bytes));
      const seen: number[] = [];
      const ranged = await store.getObject('bkt', 'ranged', undefined, (info) => {
        seen.push(info.size);
        return { start: 10, end: 24 };
      });
      expect(seen).toEqual([100]);
      expect(ranged.range).toEqual({ start: 10, end: 24 });
      expect(await contentOf(ranged)).toEqual(bytes.subarray(10, 25));
    });

    it('a failing read planner (precondition) fails the read', async () => {
      await store.putObject('bkt', 'k', NO_ATTRIBUTES, bodyOf('data'));
      const refused = store.getObject('bkt', 'k', undefined, () => {
        throw new S3Error('PreconditionFailed');
      });
      expect((await s3ErrorOf(refused)).code).toBe('PreconditionFailed');
    });

    it('deletes an object; deleting a missing key succeeds', async () => {
      await store.putObject('bkt', 'gone', NO_ATTRIBUTES, bodyOf('bytes beyond the inline limit'));
      await store.deleteObject('bkt', 'gone');
      expect((await s3ErrorOf(store.headObject('bkt', 'gone'))).code).toBe('NoSuchKey');
      expect((await s3ErrorOf(store.getObject('bkt', 'gone', undefined, () => undefined))).code).toBe('NoSuchKey');
      await expect(store.deleteObject('bkt', 'gone')).resolves.toEqual({ versionId: undefined });
      await expect(store.deleteObject('bkt', 'never-there')).resolves.toBeDefined();
      expect(blobFiles()).toEqual([]);
    });

    it('answers NoSuchBucket for object operations on a missing bucket', async () => {
      expect((await s3ErrorOf(store.putObject('nope', 'k', NO_ATTRIBUTES, bodyOf('x')))).code).toBe('NoSuchBucket');
      expect((await s3ErrorOf(store.headObject('nope', 'k'))).code).toBe('NoSuchBucket');
      expect((await s3ErrorOf(store.deleteObject('nope', 'k'))).code).toBe('NoSuchBucket');
      expect((await s3ErrorOf(store.listObjects('nope', { prefix: '', maxKeys: 10 }))).code).toBe('NoSuchBucket');
    });

    it('stores an empty object', async () => {
      const info = await store.putObject('bkt', 'empty', NO_ATTRIBUTES, bodyOf(''));
      expect(info.size).toBe(0);
      expect(info.etag).toBe(md5Hex(Buffer.alloc(0)));
      expect(await read('bkt', 'empty')).toEqual(Buffer.alloc(0));
      expect(blobFiles()).toEqual([]);
    });
  });

  describe('inline and blob objects around the inline limit', () => {
    it.each([
      [0, 0],
      [1, 0],
      [INLINE_MAX - 1, 0],
      [INLINE_MAX, 0],
      [INLINE_MAX + 1, 1],
      [5 * INLINE_MAX + 3, 1],
      [300_000, 1],
    ])('an object of %p bytes leaves %p blob files and reads back whole', async (size, files) => {
      const bytes = bytesOf('abcdefghijklmnopqrstuvwxyz', size);
      for (const chunkSize of size > 1000 ? [4096, 65536] : [1, 7, INLINE_MAX, 65536]) {
        const key = `sized-${chunkSize}`;
        const info = await store.putObject('bkt', key, NO_ATTRIBUTES, bodyOf(bytes, chunkSize));
        expect(info.size).toBe(size);
        expect(await read('bkt', key)).toEqual(bytes);
        await store.deleteObject('bkt', key);
      }
      await store.putObject('bkt', 'kept', NO_ATTRIBUTES, bodyOf(bytes));
      expect(blobFiles()).toHaveLength(files);
      expect(await read('bkt', 'kept')).toEqual(bytes);
    });

    it('serves an inline object as one buffer and a blob object as a stream', async () => {
      await store.putObject('bkt', 'small', NO_ATTRIBUTES, bodyOf('tiny'));
      await store.putObject('bkt', 'large', NO_ATTRIBUTES, bodyOf(bytesOf('xyz', 1000)));
      expect(Buffer.isBuffer((await store.getObject('bkt', 'small', undefined, () => undefined)).body)).toBe(true);
      const large = await store.getObject('bkt', 'large', undefined, () => undefined);
      expect(large.body).toBeInstanceOf(Readable);
      expect(await contentOf(large)).toEqual(bytesOf('xyz', 1000));
    });

    it('an overwrite frees the blob it replaced, whatever the sizes', async () => {
      await store.putObject('bkt', 'k', NO_ATTRIBUTES, bodyOf(bytesOf('first', 100)));
      const [first] = blobFiles();
      expect(blobFiles()).toHaveLength(1);

      await store.putObject('bkt', 'k', NO_ATTRIBUTES, bodyOf(bytesOf('second', 200)));
      expect(blobFiles()).toHaveLength(1);
      expect(blobFiles()).not.toContain(first);
      expect(await read('bkt', 'k')).toEqual(bytesOf('second', 200));

      await store.putObject('bkt', 'k', NO_ATTRIBUTES, bodyOf('inline now'));
      expect(blobFiles()).toEqual([]);
      expect((await read('bkt', 'k')).toString()).toBe('inline now');

      await store.putObject('bkt', 'k', NO_ATTRIBUTES, bodyOf(bytesOf('third', 50)));
      expect(blobFiles()).toHaveLength(1);
      await store.deleteObject('bkt', 'k');
      expect(blobFiles()).toEqual([]);
    });
  });

  describe('a failed PUT stores nothing', () => {
    const previous = bytesOf('previous', 40);

    it.each([
      ['before any byte', [], false],
      ['within the inline limit', [Buffer.from('12345')], false],
      ['after spilling to a blob file', [bytesOf('a', 10), bytesOf('b', 10), bytesOf('c', 30)], true],
      ['right after the chunk that spills to a blob file', [bytesOf('a', 10), bytesOf('b', 30)], false],
    ])('a body stream that fails %s leaves no record, no blob and the previous object intact', async (_, chunks, pause) => {
      await expect(store.putObject('bkt', 'fresh', NO_ATTRIBUTES, failingBody(chunks, { pauseBeforeFailing: pause }))).rejects.toThrow('client went away');
      expect((await s3ErrorOf(store.headObject('bkt', 'fresh'))).code).toBe('NoSuchKey');
      expect(blobFiles()).toEqual([]);

      await store.putObject('bkt', 'kept', NO_ATTRIBUTES, bodyOf(previous));
      const before = blobFiles();
      await expect(store.putObject('bkt', 'kept', NO_ATTRIBUTES, failingBody(chunks, { pauseBeforeFailing: pause }))).rejects.toThrow('client went away');
      expect(await read('bkt', 'kept')).toEqual(previous);
      expect(blobFiles()).toEqual(before);
    });

    it.each([
      ['an inline body', bytesOf('q', INLINE_MAX)],
      ['a blob body', bytesOf('q', 10 * INLINE_MAX)],
    ])('verify() refusing %s leaves nothing stored and the previous object intact', async (_, bytes) => {
      expect((await s3ErrorOf(store.putObject('bkt', 'fresh', NO_ATTRIBUTES, badDigestBody(bytes)))).code).toBe('BadDigest');
      expect((await s3ErrorOf(store.headObject('bkt', 'fresh'))).code).toBe('NoSuchKey');
      expect(blobFiles()).toEqual([]);

      for (const old of [Buffer.from('small'), previous]) {
        const info = await store.putObject('bkt', 'kept', NO_ATTRIBUTES, bodyOf(old));
        const before = blobFiles();
        expect((await s3ErrorOf(store.putObject('bkt', 'kept', NO_ATTRIBUTES, badDigestBody(bytes)))).code).toBe('BadDigest');
        expect(await read('bkt', 'kept')).toEqual(old);
        expect((await store.headObject('bkt', 'kept')).etag).toBe(info.etag);
        expect(blobFiles()).toEqual(before);
      }
    });
  });

  describe('concurrent PUTs of one key', () => {
    it('the last commit wins; a reader of the replaced body still gets all of it; one blob is left', async () => {
      const slowBytes = bytesOf('slow', 5000);
      const fastBytes = bytesOf('fast', 7000);
      const slow = new PassThrough();
      const slowPut = store.putObject('bkt', 'contended', NO_ATTRIBUTES, {
        stream: slow,
        verify: () => Promise.resolve({ size: slowBytes.length, md5Hex: md5Hex(slowBytes), checksums: {} }),
      });
      slow.write(slowBytes.subarray(0, 1000));

      // The fast PUT starts later and commits first.
      const fastInfo = await store.putObject('bkt', 'contended', NO_ATTRIBUTES, bodyOf(fastBytes, 512));
      const fastRead = await store.getObject('bkt', 'contended', undefined, () => undefined);
      expect(fastRead.info.etag).toBe(fastInfo.etag);

      slow.end(slowBytes.subarray(1000));
      const slowInfo = await slowPut;
      expect((await store.headObject('bkt', 'contended')).etag).toBe(slowInfo.etag);
      expect(await read('bkt', 'contended')).toEqual(slowBytes);
      // The fast body's blob is freed, but a reader that opened it before still reads every byte.
      expect(await contentOf(fastRead)).toEqual(fastBytes);
      expect(blobFiles()).toHaveLength(1);
    });

    it('many racing PUTs leave exactly one of the bodies, whole, and exactly one blob', async () => {
      const bodies = Array.from({ length: 12 }, (_, i) => bytesOf(`body-${i}-`, 40 + 97 * i));
      const infos = await Promise.all(bodies.map((bytes, i) => store.putObject('bkt', 'race', NO_ATTRIBUTES, bodyOf(bytes, 3 + i))));
      const final = await read('bkt', 'race');
      const winner = bodies.findIndex((bytes) => bytes.equals(final));
      expect(winner).toBeGreaterThanOrEqual(0);
      expect((await store.headObject('bkt', 'race')).etag).toBe(infos[winner].etag);
      expect(blobFiles()).toHaveLength(1);
    });
  });

  describe('copy', () => {
    it('a copy of a blob object is a hard link that shares no mutable state with its source', async () => {
      const original = bytesOf('original', 500);
      await store.putObject('bkt', 'src', { content: { contentType: 'a/b' }, userMetadata: { m: '1' } }, bodyOf(original));
      await store.createBucket('other', '');
      const copied = await store.copyObject({ source: { bucket: 'bkt', key: 'src' }, target: { bucket: 'other', key: 'dst' }, check: () => undefined });
      expect(copied).toMatchObject({ key: 'dst', size: 500, etag: md5Hex(original), content: { contentType: 'a/b' }, userMetadata: { m: '1' } });
      expect(blobFiles()).toHaveLength(2);

      await store.putObject('bkt', 'src', NO_ATTRIBUTES, bodyOf(bytesOf('replacement', 600)));
      expect(await read('other', 'dst')).toEqual(original);
      expect(await read('bkt', 'src')).toEqual(bytesOf('replacement', 600));
      expect(blobFiles()).toHaveLength(2);

      await store.deleteObject('bkt', 'src');
      expect(await read('other', 'dst')).toEqual(original);
      expect(blobFiles()).toHaveLength(1);
      await store.deleteObject('other', 'dst');
      expect(blobFiles()).toEqual([]);
    });

    it('copies an inline object, replacing attributes when asked', async () => {
      await store.putObject('bkt', 'small', { content: { contentType: 'text/plain' }, userMetadata: { a: '1' } }, bodyOf('tiny'));
      const copied = await store.copyObject({
        source: { bucket: 'bkt', key: 'small' },
        target: { bucket: 'bkt', key: 'small-copy' },
        check: () => undefined,
        replaceAttributes: { content: { contentType: 'application/json' }, userMetadata: { b: '2' } },
      });
      expect(copied).toMatchObject({ key: 'small-copy', content: { contentType: 'application/json' }, userMetadata: { b: '2' } });
      await store.putObject('bkt', 'small', NO_ATTRIBUTES, bodyOf('changed'));
      expect((await read('bkt', 'small-copy')).toString()).toBe('tiny');
      expect(blobFiles()).toEqual([]);
    });

    it('copies a blob object onto itself with new attributes and keeps exactly one blob', async () => {
      const bytes = bytesOf('self', 100);
      await store.putObject('bkt', 'self', NO_ATTRIBUTES, bodyOf(bytes));
      await store.copyObject({
        source: { bucket: 'bkt', key: 'self' },
        target: { bucket: 'bkt', key: 'self' },
        check: () => undefined,
        replaceAttributes: { content: {}, userMetadata: { new: 'yes' } },
      });
      expect(await read('bkt', 'self')).toEqual(bytes);
      expect((await store.headObject('bkt', 'self')).userMetadata).toEqual({ new: 'yes' });
      expect(blobFiles()).toHaveLength(1);
    });

    it('a refused copy (copy-source conditional) stores nothing', async () => {
      await store.putObject('bkt', 'src', NO_ATTRIBUTES, bodyOf(bytesOf('s', 100)));
      const refused = store.copyObject({
        source: { bucket: 'bkt', key: 'src' },
        target: { bucket: 'bkt', key: 'dst' },
        check: () => {
          throw new S3Error('PreconditionFailed');
        },
      });
      expect((await s3ErrorOf(refused)).code).toBe('PreconditionFailed');
      expect((await s3ErrorOf(store.headObject('bkt', 'dst'))).code).toBe('NoSuchKey');
      expect(blobFiles()).toHaveLength(1);
    });
  });

  describe('buckets', () => {
    it('keeps the owner with the bucket, and lookupBucket sees changes made through this store at once', async () => {
      const alice = 'a1'.repeat(32);
      const bob = 'b2'.repeat(32);
      await store.createBucket('owned', '', alice);
      expect((await store.lookupBucket('owned'))?.owner).toBe(alice);
      expect((await store.headBucket('owned')).owner).toBe(alice);
      expect(await store.createBucket('owned', '', bob)).toMatchObject({ created: false, existing: { owner: alice } });
      await store.deleteBucket('owned');
      expect(await store.lookupBucket('owned')).toBeUndefined();
      await store.createBucket('owned', '', bob);
      expect((await store.lookupBucket('owned'))?.owner).toBe(bob);
      await store.putBucketVersioning('owned', 'Enabled');
      expect(await store.lookupBucket('owned')).toMatchObject({ owner: bob, versioning: 'Enabled' });
      expect((await store.lookupBucket('bkt'))?.owner).toBeUndefined();
    });

    it("sees another process's change of a bucket within the trusted window", async () => {
      await store.createBucket('shared', '', 'a1'.repeat(32));
      expect((await store.lookupBucket('shared'))?.owner).toBe('a1'.repeat(32));
      const other = await openStore();
      await other.deleteBucket('shared');
      await other.createBucket('shared', '', 'b2'.repeat(32));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await store.lookupBucket('shared'))?.owner).toBe('b2'.repeat(32));
    });

    it('cached setting reads see changes made through this store at once, and a re-created bucket starts without settings', async () => {
      const rules = [{ id: 'r', enabled: true }] as never;
      expect(await store.getBucketSetting('bkt', 'lifecycle', true)).toBeUndefined();
      await store.putBucketSetting('bkt', 'lifecycle', rules);
      expect(await store.getBucketSetting('bkt', 'lifecycle', true)).toEqual(rules);
      await store.putBucketSetting('bkt', 'ownership', 'BucketOwnerEnforced');
      expect(await store.getBucketSetting('bkt', 'ownership', true)).toBe('BucketOwnerEnforced');
      await store.deleteBucketSetting('bkt', 'lifecycle');
      expect(await store.getBucketSetting('bkt', 'lifecycle', true)).toBeUndefined();
      await store.putBucketSetting('bkt', 'lifecycle', rules);
      expect(await store.getBucketSetting('bkt', 'lifecycle', true)).toEqual(rules);
      await store.deleteBucket('bkt');
      expect((await s3ErrorOf(store.getBucketSetting('bkt', 'lifecycle', true))).code).toBe('NoSuchBucket');
      await store.createBucket('bkt', '');
      expect(await store.getBucketSetting('bkt', 'lifecycle', true)).toBeUndefined();
      expect(await store.getBucketSetting('bkt', 'ownership', true)).toBeUndefined();
    });

    it("a cached setting read trusts what it read for the trusted window; another process's change shows after it; an uncached read sees it at once and refreshes it", async () => {
      const other = await openStore();
      expect(await store.getBucketSetting('bkt', 'ownership', true)).toBeUndefined();
      await other.putBucketSetting('bkt', 'ownership', 'BucketOwnerPreferred');
      expect(await store.getBucketSetting('bkt', 'ownership', true)).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.getBucketSetting('bkt', 'ownership', true)).toBe('BucketOwnerPreferred');
      await other.putBucketSetting('bkt', 'ownership', 'ObjectWriter');
      expect(await store.getBucketSetting('bkt', 'ownership')).toBe('ObjectWriter');
      expect(await store.getBucketSetting('bkt', 'ownership', true)).toBe('ObjectWriter');
    });

    it('deleteBucket refuses a bucket with objects (BucketNotEmpty) and keeps them; deletes it once empty', async () => {
      await store.putObject('bkt', 'a', NO_ATTRIBUTES, bodyOf('x'));
      expect((await s3ErrorOf(store.deleteBucket('bkt'))).code).toBe('BucketNotEmpty');
      expect((await read('bkt', 'a')).toString()).toBe('x');
      await store.deleteObject('bkt', 'a');
      await store.deleteBucket('bkt');
      expect((await s3ErrorOf(store.headBucket('bkt'))).code).toBe('NoSuchBucket');
      expect((await s3ErrorOf(store.deleteBucket('bkt'))).code).toBe('NoSuchBucket');
    });

    it('a bucket is empty whatever its neighbours hold', async () => {
      await store.createBucket('bkt0', '');
      await store.createBucket('bk', '');
      await store.putObject('bkt0', 'a', NO_ATTRIBUTES, bodyOf('x'));
      await store.putObject('bk', 'a', NO_ATTRIBUTES, bodyOf('x'));
      await store.putObject('bk', 't', NO_ATTRIBUTES, bodyOf('x'));
      await store.deleteBucket('bkt');
      expect((await store.listBuckets()).map((bucket) => bucket.name)).toEqual(['bk', 'bkt0']);
    });

    it('reports a bucket that exists instead of creating it again, and changes nothing of it', async () => {
      await store.createBucket('located', 'eu-west-1');
      await store.putBucketVersioning('located', 'Enabled');
      const before = await store.headBucket('located');
      expect(before).toMatchObject({ location: 'eu-west-1', versioning: 'Enabled' });
      expect(await store.createBucket('located', '')).toEqual({ created: false, existing: before });
      expect(await store.headBucket('located')).toEqual(before);
      expect(await store.createBucket('bkt', '')).toMatchObject({ created: false, existing: { name: 'bkt', location: '' } });
    });

    it('lists buckets by prefix, after a name and up to a limit, in name order', async () => {
      for (const name of ['b-2', 'a-1', 'b-1', 'b-3', 'c-1']) await store.createBucket(name, '');
      const names = async (request?: Parameters<typeof store.listBuckets>[0]) => (await store.listBuckets(request)).map((bucket) => bucket.name);
      expect(await names()).toEqual(['a-1', 'b-1', 'b-2', 'b-3', 'bkt', 'c-1']);
      expect(await names({ prefix: 'b-' })).toEqual(['b-1', 'b-2', 'b-3']);
      expect(await names({ prefix: 'b-', limit: 2 })).toEqual(['b-1', 'b-2']);
      expect(await names({ prefix: 'b-', startAfter: 'b-1' })).toEqual(['b-2', 'b-3']);
      expect(await names({ prefix: 'b-', startAfter: 'a' })).toEqual(['b-1', 'b-2', 'b-3']);
      expect(await names({ prefix: 'b-', startAfter: 'b-3' })).toEqual([]);
      expect(await names({ prefix: 'b-', startAfter: 'c' })).toEqual([]);
      expect(await names({ startAfter: 'b-2', limit: 2 })).toEqual(['b-3', 'bkt']);
      expect(await names({ prefix: 'x' })).toEqual([]);
    });
  });

  describe('a key is never a path', () => {
    const keys = [
      'a',
      'a/b',
      'a/b/',
      '../x',
      '../../../../../../../tmp/escaped',
      'a//b',
      '/leading',
      '.',
      '..',
      'meta',
      'blobs',
      'data.mdb',
      'é/中/😀/\uE000',
      'nul\u0000byte',
      'back\\slash',
      'k'.repeat(1024),
      '中'.repeat(341),
    ];

    it('stores keys that would clash or escape as paths side by side, and no file is named after any of them', async () => {
      for (const [i, key] of keys.entries()) {
        await store.putObject('bkt', key, NO_ATTRIBUTES, bodyOf(bytesOf(`${i}:`, i % 2 === 0 ? 100 : 5)));
      }
      for (const [i, key] of keys.entries()) {
        expect(await read('bkt', key)).toEqual(bytesOf(`${i}:`, i % 2 === 0 ? 100 : 5));
        expect((await store.headObject('bkt', key)).key).toBe(key);
      }

      // Nothing escaped the data directory, and inside it there is only the store's fixed layout: two-hex-digit
      // directories of blobs named by 32-hex-digit ids, and LMDB's two files. Keys named like that layout
      // ('meta', 'blobs', 'data.mdb') are records like any other.
      expect(readdirSync(root)).toEqual(['data']);
      const paths = walk(dataDir);
      const layout = [/^blobs$/, /^blobs\/[0-9a-f]{2}$/, /^blobs\/[0-9a-f]{2}\/[0-9a-f]{32}$/, /^meta$/, /^meta\/(data|lock)\.mdb$/];
      expect(paths.filter((path) => !layout.some((pattern) => pattern.test(path)))).toEqual([]);
      expect(blobFiles()).toHaveLength(Math.ceil(keys.length / 2));
      for (const key of keys.filter((key) => !['meta', 'blobs'].includes(key))) {
        expect(paths).not.toContain(key);
      }
    });
  });

  describe('restart', () => {
    it('a store reopened on the same directory keeps buckets, objects and their attributes', async () => {
      await store.createBucket('second', '');
      await store.putBucketVersioning('second', 'Suspended');
      await store.putObject('bkt', 'inline', { content: { contentType: 'text/plain' }, userMetadata: { k: 'v' } }, bodyOf('small'));
      await store.putObject('bkt', 'blob', NO_ATTRIBUTES, bodyOf(bytesOf('big', 1000)));
      await store.putObject('second', 'dir/file', NO_ATTRIBUTES, bodyOf(bytesOf('f', 50)));
      const files = blobFiles();
      await store.close();
      opened.splice(opened.indexOf(store), 1);

      store = await openStore();
      expect((await store.listBuckets()).map((bucket) => [bucket.name, bucket.versioning])).toEqual([
        ['bkt', undefined],
        ['second', 'Suspended'],
      ]);
      expect((await read('bkt', 'inline')).toString()).toBe('small');
      expect(await store.headObject('bkt', 'inline')).toMatchObject({ content: { contentType: 'text/plain' }, userMetadata: { k: 'v' } });
      expect(await read('bkt', 'blob')).toEqual(bytesOf('big', 1000));
      expect(await read('second', 'dir/file')).toEqual(bytesOf('f', 50));
      expect(blobFiles()).toEqual(files);
    });

    it('start-up frees the blob of a PUT killed (kill -9) mid-body and keeps the previous object', async () => {
      const previous = bytesOf('previous', 64);
      await store.putObject('bkt', 'k', NO_ATTRIBUTES, bodyOf(previous));
      const committed = blobFiles();
      await store.close();
      opened.splice(opened.indexOf(store), 1);

      // Another process overwrites 'k' and dies while the body is still arriving: its blob is on disk, uncommitted.
      const writer = spawn(process.execPath, ['-e', CRASHING_WRITER, require.resolve('typescript'), join(__dirname, 'embedded-store.ts'), dataDir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => writer.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        writer.once('exit', (code) => reject(new Error(`the writer exited early (${code})`)));
        writer.stdout.on('data', (data: Buffer) => data.toString().includes('in flight') && resolve());
      });
      expect(blobFiles()).toHaveLength(committed.length + 1);
      writer.kill('SIGKILL');
      await exited;

      store = await openStore();
      expect(blobFiles()).toEqual(committed);
      expect(await read('bkt', 'k')).toEqual(previous);
    });
  });
});
