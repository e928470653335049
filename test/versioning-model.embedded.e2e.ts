import {
  type BucketVersioningStatus,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { useGateway } from './support/fixture';
import { compareUtf8 } from './support/listing-model';
import { etagOf } from './support/objects';
import { rawRequest } from './support/raw-http';
import { listedVersions, s3PathOf } from './support/versions';
import { expectS3Error } from './support/s3-errors';

/**
 * A model test of S3 versioning: random sequences of writes, deletes and versioning changes go to the gateway and
 * to a small in-test model of S3's rules (the S3 User Guide, "Using versioning in S3 buckets"), and after every
 * step what a client can see must be what the model says: each key's latest read, every version by its id,
 * ListObjectVersions and ListObjectsV2 paged with a small MaxKeys. Version ids are the gateway's, learned from its
 * answers; the model checks each is fresh. VERSIONING_MODEL_RUNS and VERSIONING_MODEL_SEED replay a failure.
 */

const KEYS = ['a', 'a/x', 'c d'] as const;
type Key = (typeof KEYS)[number];
const VERSION_ID = /^[A-Za-z0-9_-]{32}$/;

type Operation =
  | { kind: 'put'; key: Key; body: number }
  | { kind: 'multipart'; key: Key; body: number }
  | { kind: 'copy'; from: Key; to: Key; version?: number }
  | { kind: 'delete'; key: Key }
  | { kind: 'deleteVersion'; key: Key; version: number }
  | { kind: 'deleteObjects'; entries: Array<{ key: Key; version?: number }> }
  | { kind: 'versioning'; status: BucketVersioningStatus };

const key = fc.constantFrom(...KEYS);
/** A version by its index in the key's history, newest first: mostly ones it has, sometimes one past the end. */
const versionIndex = fc.oneof(fc.constant(0), fc.constant(1), fc.nat(5));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), key, body: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('multipart' as const), key, body: fc.nat(999) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('copy' as const), from: key, to: key, version: fc.option(versionIndex, { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deleteVersion' as const), key, version: versionIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deleteObjects' as const),
      entries: fc.uniqueArray(fc.record({ key, version: fc.option(versionIndex, { nil: undefined }) }), {
        minLength: 1,
        maxLength: 3,
        selector: (entry) => entry.key,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('versioning' as const), status: fc.constantFrom<BucketVersioningStatus>('Enabled', 'Suspended') }) },
);

/** Most histories start with versioning configured, so that most steps exercise versions. */
const initialVersioning = fc.constantFrom<BucketVersioningStatus | undefined>(undefined, 'Enabled', 'Enabled', 'Suspended');

interface ModelVersion {
  id: string;
  marker: boolean;
  body?: string;
  /** The ETag the write answered with (a multipart object's is not its body's MD5). */
  etag?: string;
}

/** S3's rules for one bucket: each key's versions, newest first. */
class VersioningModel {
  versioning?: BucketVersioningStatus;
  readonly keys = new Map<string, ModelVersion[]>();
  private readonly seen = new Set<string>();

  versionsOf(key: string): ModelVersion[] {
    return this.keys.get(key) ?? [];
  }

  /** The version id a write or a delete without a version id must answer with (undefined: none). */
  checkNewVersionId(returned: string | undefined): string {
    if (this.versioning === undefined) {
      expect(returned).toBeUndefined();
      return 'null';
    }
    if (this.versioning === 'Suspended') {
      expect(returned ?? 'null').toBe('null');
      return 'null';
    }
    expect(returned).toMatch(VERSION_ID);
    expect(this.seen.has(returned!)).toBe(false);
    this.seen.add(returned!);
    return returned!;
  }

  /** A new latest version (an object or a delete marker). */
  add(key: string, version: ModelVersion): void {
    if (this.versioning === undefined) {
      this.keys.set(key, version.marker ? [] : [version]);
      return;
    }
    // Suspended: the new version is `null`, and replaces the key's old null version wherever it was.
    const kept = this.versionsOf(key).filter((old) => old.id !== version.id);
    this.keys.set(key, [version, ...kept]);
  }

  remove(key: string, id: string): ModelVersion | undefined {
    const versions = this.versionsOf(key);
    const removed = versions.find((version) => version.id === id);
    this.keys.set(
      key,
      versions.filter((version) => version !== removed),
    );
    return removed;
  }
}

describe('versioning against a model of S3 (fast-check, embedded store)', () => {
  const fixture = useGateway();
  let s3: S3Client;
  beforeAll(() => {
    s3 = fixture.s3;
  });
  const bodyOf = (n: number) => `body ${n}`;
  /** A version id to name: one the key has (by index), or one it never had. */
  const versionIdFor = (model: VersioningModel, key: string, index: number) => model.versionsOf(key)[index]?.id ?? 'A'.repeat(32);

  async function apply(bucket: string, model: VersioningModel, op: Operation): Promise<void> {
    switch (op.kind) {
      case 'put': {
        const answer = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: op.key, Body: bodyOf(op.body) }));
        expect(answer.ETag).toBe(etagOf(bodyOf(op.body)));
        model.add(op.key, { id: model.checkNewVersionId(answer.VersionId), marker: false, body: bodyOf(op.body), etag: answer.ETag });
        return;
      }
      case 'multipart': {
        const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: op.key }));
        const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: op.key, UploadId: upload.UploadId, PartNumber: 1, Body: bodyOf(op.body) }));
        const answer = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: op.key,
            UploadId: upload.UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        );
        model.add(op.key, { id: model.checkNewVersionId(answer.VersionId), marker: false, body: bodyOf(op.body), etag: answer.ETag });
        return;
      }
      case 'copy': {
        const versions = model.versionsOf(op.from);
        const source = op.version === undefined ? versions[0] : versions[op.version];
        const copySource = `${bucket}/${encodeURIComponent(op.from)}${op.version === undefined ? '' : `?versionId=${versionIdFor(model, op.from, op.version)}`}`;
        // Copying a key's latest onto itself needs a metadata change; naming a version does not (a restore).
        const directive = op.from === op.to && op.version === undefined ? 'REPLACE' : 'COPY';
        const copy = s3.send(new CopyObjectCommand({ Bucket: bucket, Key: op.to, CopySource: copySource, MetadataDirective: directive }));
        if (source === undefined) {
          await expectS3Error(copy, op.version === undefined ? 'NoSuchKey' : 'NoSuchVersion', 404);
          return;
        }
        if (source.marker) {
          await (op.version === undefined ? expectS3Error(copy, 'NoSuchKey', 404) : expectS3Error(copy, 'InvalidRequest', 400));
          return;
        }
        const answer = await copy;
        // The copy keeps its source's ETag, as the copy of a whole object does.
        expect(answer.CopyObjectResult?.ETag).toBe(source.etag);
        model.add(op.to, { id: model.checkNewVersionId(answer.VersionId), marker: false, body: source.body, etag: source.etag });
        return;
      }
      case 'delete': {
        const answer = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: op.key }));
        if (model.versioning === undefined) {
          expect({ marker: answer.DeleteMarker, version: answer.VersionId }).toEqual({ marker: undefined, version: undefined });
          model.keys.delete(op.key);
          return;
        }
        expect(answer.DeleteMarker).toBe(true);
        model.add(op.key, { id: model.checkNewVersionId(answer.VersionId), marker: true });
        return;
      }
      case 'deleteVersion': {
        const id = versionIdFor(model, op.key, op.version);
        const answer = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: op.key, VersionId: id }));
        const removed = model.remove(op.key, id);
        expect({ marker: answer.DeleteMarker, version: answer.VersionId }).toEqual({ marker: removed?.marker === true ? true : undefined, version: id });
        return;
      }
      case 'deleteObjects': {
        const named = op.entries.map((entry) => ({
          Key: entry.key,
          VersionId: entry.version === undefined ? undefined : versionIdFor(model, entry.key, entry.version),
        }));
        const answer = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: named } }));
        expect(answer.Errors ?? []).toEqual([]);
        const deleted = new Map(answer.Deleted?.map((entry) => [entry.Key, entry]));
        for (const { Key, VersionId } of named) {
          const entry = deleted.get(Key);
          if (VersionId !== undefined) {
            const removed = model.remove(Key, VersionId);
            expect(entry).toEqual(removed?.marker === true ? { Key, VersionId, DeleteMarker: true, DeleteMarkerVersionId: VersionId } : { Key, VersionId });
          } else if (model.versioning === undefined) {
            expect(entry).toEqual({ Key });
            model.keys.delete(Key);
          } else {
            expect(entry?.DeleteMarker).toBe(true);
            model.add(Key, { id: model.checkNewVersionId(entry?.DeleteMarkerVersionId), marker: true });
          }
        }
        return;
      }
      case 'versioning':
        await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: op.status } }));
        model.versioning = op.status;
    }
  }

  /** Everything a client can see of the bucket, compared with the model. */
  async function expectMatches(bucket: string, model: VersioningModel, maxKeys: number): Promise<void> {
    const expected = [...model.keys.keys()]
      .sort(compareUtf8)
      .flatMap((key) => model.versionsOf(key).map((version, index) => ({ key, versionId: version.id, latest: index === 0, marker: version.marker })));
    expect(await listedVersions(fixture.gateway, bucket, maxKeys)).toEqual(expected);

    const live = [...model.keys.entries()].filter(([, versions]) => versions[0]?.marker === false).sort(([a], [b]) => compareUtf8(a, b));
    expect(await listedObjects(bucket, maxKeys)).toEqual(live.map(([key, versions]) => [key, versions[0].etag]));

    for (const key of KEYS) {
      const latest = model.versionsOf(key)[0];
      const got = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `${s3PathOf(fixture.gateway)}/${bucket}/${encodeURIComponent(key)}` });
      if (latest?.marker === false) expect({ status: got.status, body: got.body }).toEqual({ status: 200, body: latest.body });
      else
        expect({ status: got.status, marker: got.headers['x-amz-delete-marker'] }).toEqual({ status: 404, marker: latest === undefined ? undefined : 'true' });
      for (const version of model.versionsOf(key)) {
        const path = `${s3PathOf(fixture.gateway)}/${bucket}/${encodeURIComponent(key)}?versionId=${version.id}`;
        const head = await rawRequest(fixture.gateway.origin, { method: 'HEAD', path });
        if (version.marker) expect({ status: head.status, marker: head.headers['x-amz-delete-marker'] }).toEqual({ status: 405, marker: 'true' });
        else expect({ status: head.status, etag: head.headers.etag }).toEqual({ status: 200, etag: version.etag });
      }
    }
  }

  async function listedObjects(bucket: string, maxKeys: number): Promise<Array<[string, string]>> {
    const listed: Array<[string, string]> = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: maxKeys, ContinuationToken: token }));
      for (const object of page.Contents ?? []) listed.push([object.Key!, object.ETag!]);
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return listed;
  }

  it('agrees with the model after every step of random histories', async () => {
    const runs = Number(process.env.VERSIONING_MODEL_RUNS ?? 60);
    const seed = process.env.VERSIONING_MODEL_SEED !== undefined ? Number(process.env.VERSIONING_MODEL_SEED) : undefined;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(
        initialVersioning,
        fc.array(operation, { minLength: 1, maxLength: 30, size: 'max' }),
        fc.integer({ min: 1, max: 4 }),
        async (initial, operations, maxKeys) => {
          const bucket = await fixture.newBucket();
          const model = new VersioningModel();
          for (const op of initial === undefined ? operations : [{ kind: 'versioning' as const, status: initial }, ...operations]) {
            await apply(bucket, model, op);
            await expectMatches(bucket, model, maxKeys);
            steps += 1;
          }
        },
      ),
      { numRuns: runs, seed, verbose: true },
    );
    process.stdout.write(`versioning model: ${runs} runs, ${steps} steps checked\n`);
    expect(steps).toBeGreaterThan(runs);
  }, 600_000);
});
