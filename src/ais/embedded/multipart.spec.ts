import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { COMPLETED_UPLOAD_MEMORY_MS } from '../multipart-retention';
import type { IncomingBody, ObjectAttributes } from '../store';
import { EmbeddedMetadata } from './metadata';
import { EmbeddedMultipart } from './multipart';
import type { UploadRecord } from './records';

/**
 * The embedded store's multipart clean-up on a real LMDB in a temporary directory: which upload records a pass
 * removes, that it does not hold the event loop for the whole scan, and how it races with a Complete.
 */

const NO_ATTRIBUTES: ObjectAttributes = { content: {}, userMetadata: {} };
const ABANDONED_MS = 7 * 24 * 3600 * 1000;
const NOW = Date.now();

function bodyOf(text: string): IncomingBody {
  const bytes = Buffer.from(text);
  return {
    stream: Readable.from([bytes]),
    verify: () => Promise.resolve({ size: bytes.length, md5Hex: createHash('md5').update(bytes).digest('hex'), checksums: {} }),
  };
}

/** The four kinds of record a pass decides on, with the ages (relative to NOW) that put them either side of the line. */
type Kind = 'stale-open' | 'fresh-open' | 'stale-completed' | 'fresh-completed';
const KINDS: Kind[] = ['stale-open', 'fresh-open', 'stale-completed', 'fresh-completed'];

function aged(record: UploadRecord, kind: Kind, i: number): UploadRecord {
  const completed = { etag: 'e', versionId: '', size: 1, checksums: {} };
  switch (kind) {
    case 'stale-open':
      return { ...record, initiated: NOW - ABANDONED_MS - 1 - i };
    case 'fresh-open':
      // The line itself is not stale: only older than it is.
      return { ...record, initiated: NOW - ABANDONED_MS + (i % 2 === 0 ? 0 : i) };
    case 'stale-completed':
      return { ...record, initiated: NOW - ABANDONED_MS - 1, completed: { ...completed, at: NOW - COMPLETED_UPLOAD_MEMORY_MS - 1 - i } };
    case 'fresh-completed':
      // Started long ago, completed lately: what counts is the completion.
      return { ...record, initiated: NOW - 2 * ABANDONED_MS, completed: { ...completed, at: NOW - COMPLETED_UPLOAD_MEMORY_MS + (i % 2 === 0 ? 0 : i) } };
  }
}

describe('EmbeddedMultipart clean-up', () => {
  let root: string;
  let meta: EmbeddedMetadata;
  let multipart: EmbeddedMultipart;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'embedded-multipart-'));
    meta = new EmbeddedMetadata(join(root, 'data'), false);
    await meta.open();
    await meta.transaction(() => {
      for (const bucket of ['alpha', 'beta']) void meta.buckets.put(bucket, { created: NOW, location: '' });
    });
    multipart = new EmbeddedMultipart(meta, ABANDONED_MS);
  });

  afterEach(async () => {
    await meta.close();
    rmSync(root, { recursive: true, force: true });
  });

  function blobFiles(): string[] {
    return readdirSync(join(root, 'data', 'blobs'), { recursive: true, encoding: 'utf8' }).filter((path) => path.includes('/'));
  }

  function uploadIds(): Set<string> {
    return new Set(Array.from(meta.uploads.getRange(), ({ value }) => value.uploadId));
  }

  function partCount(): number {
    return Array.from(meta.parts.getKeys()).length;
  }

  /**
   * `count` uploads made through create() in two buckets over a few hundred keys (so the kinds interleave in key
   * order, across every batch border), then aged as their kind says, the way complete() records a completion.
   * A few of the open ones also get a part with a blob of its own. Answers the upload ids by kind.
   */
  async function makeUploads(count: number): Promise<Map<Kind, string[]>> {
    const made = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const bucket = i % 3 === 0 ? 'beta' : 'alpha';
        const key = `dir/${String(i % 331).padStart(4, '0')}`;
        const upload = await multipart.create(bucket, key, NO_ATTRIBUTES);
        const kind = KINDS[(i * 7 + Math.floor(i / 5)) % KINDS.length];
        if (i % 50 < 4 && kind.endsWith('open')) {
          await multipart.uploadPart(bucket, key, upload.uploadId, 1, () => bodyOf(`part of upload ${i}`));
        }
        return { uploadId: upload.uploadId, kind, i };
      }),
    );
    const kinds = new Map<string, { kind: Kind; i: number }>(made.map(({ uploadId, kind, i }) => [uploadId, { kind, i }]));
    await meta.transaction(() => {
      for (const { key, value } of meta.uploads.getRange()) {
        const { kind, i } = kinds.get(value.uploadId) as { kind: Kind; i: number };
        void meta.uploads.put(key, aged(value, kind, i));
      }
    });
    const byKind = new Map<Kind, string[]>(KINDS.map((kind) => [kind, []]));
    for (const { uploadId, kind } of made) byKind.get(kind)?.push(uploadId);
    return byKind;
  }

  it('of 5,000 upload records removes exactly the stale ones, with their parts and blobs, and keeps every fresh one', async () => {
    const byKind = await makeUploads(5000);
    for (const kind of KINDS) expect(byKind.get(kind)?.length).toBeGreaterThanOrEqual(1000);
    const blobsBefore = blobFiles().length;
    const partsBefore = partCount();
    expect(blobsBefore).toBe(partsBefore);
    expect(partsBefore).toBeGreaterThan(5);

    await multipart.cleanup(NOW);

    const fresh = [...(byKind.get('fresh-open') ?? []), ...(byKind.get('fresh-completed') ?? [])];
    expect([...uploadIds()].sort()).toEqual(fresh.sort());
    // The parts of the aborted (stale open) uploads are gone with their blob files; those of fresh uploads stay.
    const freshOpen = new Set(byKind.get('fresh-open'));
    const keptParts = Array.from(meta.parts.getKeys(), (at) => at.slice(0, at.indexOf('/')));
    expect(keptParts.length).toBeGreaterThan(0);
    expect(keptParts.length).toBeLessThan(partsBefore);
    expect(keptParts.every((uploadId) => freshOpen.has(uploadId))).toBe(true);
    expect(blobFiles()).toHaveLength(keptParts.length);

    // A second pass at the same time finds nothing more to do.
    await multipart.cleanup(NOW);
    expect([...uploadIds()].sort()).toEqual(fresh.sort());
  });

  it('lets other callbacks run between its batches: one queued before the pass runs while it has read only part of the records', async () => {
    await makeUploads(5000);
    // The records the pass has read so far, counted on the real database's reads.
    let read = 0;
    const getRange = meta.uploads.getRange.bind(meta.uploads);
    jest.spyOn(meta.uploads, 'getRange').mockImplementation((options) => {
      const entries = Array.from(getRange(options));
      read += entries.length;
      return entries as unknown as ReturnType<typeof getRange>;
    });
    let finished = false;
    const seen: Array<{ read: number; finished: boolean }> = [];
    const tick = (): void => {
      seen.push({ read, finished });
      if (!finished) setImmediate(tick);
    };
    setImmediate(tick);
    await multipart.cleanup(NOW).then(() => (finished = true));

    expect(read).toBe(5000);
    // The first callback came after the first batch and long before the last.
    expect(seen[0].finished).toBe(false);
    expect(seen[0].read).toBeGreaterThan(0);
    expect(seen[0].read).toBeLessThan(1000);
    // And callbacks kept running all through the pass, each seeing more of it read.
    const during = new Set(seen.filter((each) => !each.finished).map((each) => each.read));
    expect(during.size).toBeGreaterThan(10);
  });

  it('keeps an upload completed after the pass read it as abandoned: the retried Complete still answers as the first did', async () => {
    const quick = new EmbeddedMultipart(meta, 1000);
    const upload = await quick.create('alpha', 'racing', NO_ATTRIBUTES);
    const part = await quick.uploadPart('alpha', 'racing', upload.uploadId, 1, () => bodyOf('the only part'));
    const request = { parts: [{ partNumber: 1, etag: part.etag, checksums: {} }] };
    // The Complete's transaction is queued first; the pass reads the upload as still open (and older than 1 s at
    // its `now`), then re-reads it in its own transaction, after the Complete's.
    const completing = quick.complete('alpha', 'racing', upload.uploadId, request);
    const cleaning = quick.cleanup(Date.now() + 10_000);
    const [first] = await Promise.all([completing, cleaning]);

    expect(uploadIds()).toEqual(new Set([upload.uploadId]));
    const retried = await quick.complete('alpha', 'racing', upload.uploadId, request);
    expect(retried.etag).toBe(first.etag);
    expect(retried.versionId).toBe(first.versionId);
    // The object keeps its part's blob.
    expect(blobFiles()).toHaveLength(1);
  });
});
