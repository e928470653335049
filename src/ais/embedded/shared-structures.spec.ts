import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ABORT, type Database, open } from 'lmdb';
import type { IncomingBody, ObjectAttributes, ObjectRead } from '../store';
import { EmbeddedStore } from './embedded-store';
import type { EmbeddedMetadata } from './metadata';
import { bucketBase, indexKey } from './object-keys';
import { SHARED_STRUCTURES, STRUCTURES_KEY } from './shared-structures';

/**
 * The embedded store's records with msgpackr shared structures (shared-structures.ts), on a real temporary
 * directory: data written before them stays readable, the structures' entry never shows in what the store reads,
 * a structure that a rolled-back transaction left in memory is never named by a stored record, and two processes
 * adding structures at once both stay readable.
 */

const INLINE_MAX = 16;

function bodyOf(data: string): IncomingBody {
  const bytes = Buffer.from(data);
  return {
    stream: Readable.from([bytes]),
    verify: () => Promise.resolve({ size: bytes.length, md5Hex: createHash('md5').update(bytes).digest('hex'), checksums: {} }),
  };
}

async function contentOf(read: ObjectRead): Promise<string> {
  if (Buffer.isBuffer(read.body)) return read.body.toString();
  const chunks: Buffer[] = [];
  for await (const chunk of read.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Everything a client could read of the buckets: every version's info and bytes, and both listings. */
async function everything(store: EmbeddedStore): Promise<unknown> {
  const seen: Record<string, unknown> = {};
  for (const bucket of ['plain', 'kept']) {
    const objects = await store.listObjects(bucket, { prefix: '', maxKeys: 1000 });
    const versions = await store.listObjectVersions(bucket, { prefix: '', maxKeys: 1000 });
    const reads: unknown[] = [];
    for (const version of versions.versions.filter((entry) => !entry.deleteMarker)) {
      const read = await store.getObject(bucket, version.key, version.versionId, () => undefined);
      const bytes = await contentOf(read);
      reads.push({ ...read, body: bytes, tags: await store.getObjectTagging(bucket, version.key, version.versionId) });
    }
    seen[bucket] = { objects, versions, reads };
  }
  return seen;
}

/** The raw bytes of a record in `objects`, read with the store closed. */
async function rawRecord(dataDir: string, bucket: string, key: string): Promise<Buffer> {
  const env = open({ path: join(dataDir, 'meta'), maxDbs: 16, compression: false });
  try {
    const objects = env.openDB<Buffer, Buffer>({ name: 'objects', keyEncoding: 'binary', encoding: 'binary' });
    return Buffer.from(objects.getBinary(indexKey(bucketBase(bucket), key))!);
  } finally {
    await env.close();
  }
}

/** The structures stored in `objects`, read with the store closed. */
async function storedStructures(dataDir: string): Promise<unknown[]> {
  const env = open({ path: join(dataDir, 'meta'), maxDbs: 16, compression: false });
  try {
    return env.openDB<unknown[], Buffer>({ name: 'objects', keyEncoding: 'binary' }).get(STRUCTURES_KEY) ?? [];
  } finally {
    await env.close();
  }
}

/** A msgpackr record that carries its own structure starts with the record-definition extension (fixext 1, 'r'). */
function carriesItsStructure(record: Buffer): boolean {
  return record[0] === 0xd4 && record[1] === 0x72;
}

describe('shared structures of the embedded records', () => {
  let root: string;
  let dataDir: string;
  const opened: EmbeddedStore[] = [];

  async function openStore(Store: typeof EmbeddedStore = EmbeddedStore): Promise<EmbeddedStore> {
    const store = new Store({ dataDir, inlineMaxBytes: INLINE_MAX, fsync: false });
    await store.open();
    opened.push(store);
    return store;
  }

  async function closeAll(): Promise<void> {
    for (const each of opened.splice(0)) await each.close();
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shared-structures-'));
    dataDir = join(root, 'data');
  });

  afterEach(async () => {
    await closeAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads, lists and overwrites what a store without shared structures wrote', async () => {
    // The store as it was before: the same code with lmdb's default (every record carries its structure).
    let OldStore: typeof EmbeddedStore | undefined;
    jest.isolateModules(() => {
      jest.doMock('./shared-structures', () => ({ ...jest.requireActual<object>('./shared-structures'), SHARED_STRUCTURES: {} }));
      OldStore = jest.requireActual<{ EmbeddedStore: typeof EmbeddedStore }>('./embedded-store').EmbeddedStore;
    });
    expect(OldStore).not.toBe(EmbeddedStore);
    const old = await openStore(OldStore);
    await old.createBucket('plain', '');
    await old.createBucket('kept', '');
    await old.putBucketVersioning('kept', 'Enabled');
    const typed: ObjectAttributes = { content: { contentType: 'text/plain', cacheControl: 'no-cache' }, userMetadata: { colour: 'blue' } };
    await old.putObject('plain', 'inline', typed, bodyOf('small'));
    await old.putObject('plain', 'blob', { content: {}, userMetadata: {} }, bodyOf('x'.repeat(100)));
    await old.putObject('plain', 'tagged', { content: {}, userMetadata: { a: '1', b: '2' } }, bodyOf('tags'));
    await old.putObjectTagging('plain', 'tagged', undefined, [{ key: 'k', value: 'v' }]);
    await old.putObjectAcl('plain', 'inline', undefined, { owner: 'owner-id', grants: [{ grantee: { group: 'AllUsers' }, permission: 'READ' }] });
    await old.putObject('kept', 'v', typed, bodyOf('first'));
    await old.putObject('kept', 'v', { content: {}, userMetadata: {} }, bodyOf('second'));
    await old.putObject('kept', 'gone', { content: {}, userMetadata: {} }, bodyOf('gone'));
    await old.deleteObject('kept', 'gone');
    const before = await everything(old);
    await closeAll();
    expect(carriesItsStructure(await rawRecord(dataDir, 'plain', 'inline'))).toBe(true);

    const store = await openStore();
    expect(await everything(store)).toEqual(before);
    await store.putObject('plain', 'inline', typed, bodyOf('overwritten'));
    await store.putObject('plain', 'fresh', typed, bodyOf('fresh'));
    await store.putObject('kept', 'v', typed, bodyOf('third'));
    await store.deleteObject('kept', 'gone');
    const after = await everything(store);
    expect((after as { plain: { objects: { objects: { key: string }[] } } }).plain.objects.objects.map((object) => object.key)).toEqual([
      'blob',
      'fresh',
      'inline',
      'tagged',
    ]);
    await closeAll();

    // Old and new records side by side, each read back as written, after a restart.
    expect(carriesItsStructure(await rawRecord(dataDir, 'plain', 'blob'))).toBe(true);
    expect(carriesItsStructure(await rawRecord(dataDir, 'plain', 'fresh'))).toBe(false);
    expect(await everything(await openStore())).toEqual(after);
  });

  it('keeps the structures entry out of listings, counts and bucket removal, for the highest bucket names and keys', async () => {
    const store = await openStore();
    const highest = '\u{10FFFF}\u{10FFFF}';
    await store.createBucket('zzz', '');
    await store.putBucketVersioning('zzz', 'Enabled');
    await store.putObject('zzz', highest, { content: { contentType: 'a/b' }, userMetadata: {} }, bodyOf('top'));
    await store.putObject('zzz', 'ÿ', { content: {}, userMetadata: { m: 'n' } }, bodyOf('y'));
    await store.deleteObject('zzz', 'ÿ');
    expect((await store.status()).objects).toBe(1);
    const listed = await store.listObjects('zzz', { prefix: '', maxKeys: 1000 });
    expect(listed.objects.map((object) => object.key)).toEqual([highest]);
    const versions = await store.listObjectVersions('zzz', { prefix: '', maxKeys: 1000 });
    expect(versions.versions.map((entry) => [entry.key, entry.deleteMarker])).toEqual([
      ['ÿ', true],
      ['ÿ', false],
      [highest, false],
    ]);
    for (const entry of versions.versions) await store.deleteObject('zzz', entry.key, entry.versionId);
    await store.deleteBucket('zzz');
    expect(await store.listBuckets()).toEqual([]);
    expect((await store.status()).objects).toBe(0);
  });

  it('never stores a record naming a structure that a rolled-back transaction left in memory only', async () => {
    const store = await openStore();
    await store.createBucket('b', '');
    await store.putObject('b', 'first', { content: {}, userMetadata: {} }, bodyOf('1'));
    // A transaction that adds a structure and is rolled back: msgpackr keeps the structure, the database does not.
    const objects = (store as unknown as { meta: EmbeddedMetadata }).meta.objects as Database<unknown, Buffer>;
    objects.transactionSync(() => {
      void objects.put(Buffer.from('b\0rolled back'), { 'shape-only-in-memory': 'x' });
      return ABORT;
    });
    expect(objects.get(Buffer.from('b\0rolled back'))).toBeUndefined();

    const attributes: ObjectAttributes = { content: {}, userMetadata: { 'shape-only-in-memory': 'y' } };
    await store.putObject('b', 'second', attributes, bodyOf('2'));
    await closeAll();

    const reopened = await openStore();
    expect(await reopened.headObject('b', 'second')).toMatchObject(attributes);
    expect(await contentOf(await reopened.getObject('b', 'second', undefined, () => undefined))).toBe('2');
  });

  it('keeps the records of two processes that add structures at the same time readable by both and after a restart', async () => {
    const store = await openStore();
    await store.createBucket('b', '');
    const writer = spawn(process.execPath, ['-e', SHAPE_WRITER, require.resolve('typescript'), join(__dirname, 'embedded-store.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    await new Promise<void>((resolve) => writer.stdout.on('data', (data: Buffer) => data.toString().includes('open') && resolve()));
    for (let index = 0; index < SHAPES; index += 1) {
      await store.putObject('b', `parent-${index}`, { content: {}, userMetadata: { [`parent-${index}`]: String(index) } }, bodyOf(`parent ${index}`));
    }
    expect(await exited).toBe(0);

    const expectAll = async (reader: EmbeddedStore): Promise<void> => {
      for (const who of ['parent', 'child']) {
        for (let index = 0; index < SHAPES; index += 1) {
          const key = `${who}-${index}`;
          expect(await reader.headObject('b', key)).toMatchObject({ userMetadata: { [key]: String(index) } });
          expect(await contentOf(await reader.getObject('b', key, undefined, () => undefined))).toBe(`${who} ${index}`);
        }
      }
    };
    await expectAll(store);
    await closeAll();
    expect(await storedStructures(dataDir)).toHaveLength(SHARED_STRUCTURES.maxSharedStructures);
    await expectAll(await openStore());
  });
});

/** Per process: together more than SHARED_STRUCTURES.maxSharedStructures, so later shapes carry their own definitions. */
const SHAPES = 60;

/**
 * A second process on the same data directory: writes SHAPES objects, each with user metadata of a shape of its
 * own (a new msgpackr structure each), while the test's process does the same. argv: typescript's path,
 * embedded-store.ts's path, the data directory.
 */
const SHAPE_WRITER = `
const fs = require('node:fs');
const { Readable } = require('node:stream');
const [tsPath, storePath, dataDir] = process.argv.slice(1);
const ts = require(tsPath);
require.extensions['.ts'] = (module, filename) => {
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  module._compile(ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: options }).outputText, filename);
};
const { EmbeddedStore } = require(storePath);
(async () => {
  const store = new EmbeddedStore({ dataDir, inlineMaxBytes: 16, fsync: false });
  await store.open();
  console.log('open');
  for (let index = 0; index < ${SHAPES}; index += 1) {
    const key = 'child-' + index;
    const bytes = Buffer.from('child ' + index);
    const body = { stream: Readable.from([bytes]), verify: () => Promise.resolve({ size: bytes.length, md5Hex: '', checksums: {} }) };
    await store.putObject('b', key, { content: {}, userMetadata: { [key]: String(index) } }, body);
  }
  await store.close();
})().catch((err) => { console.error(err); process.exit(1); });
`;
