/**
 * One soak client: a stream of S3 operations through the AWS SDK on keys of its own (`c<id>/...`), each checked
 * against what this client knows it stored: a GET returns the bytes last written, a listing names exactly the
 * keys it holds, a versioned key has exactly the versions it kept. Nobody else writes these keys, so any
 * difference is the gateway's.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Tally } from './tally';

export const PLAIN_BUCKET = 'soak';
export const VERSIONED_BUCKET = 'soak-versions';
const KEYS_PER_CLIENT = 32;
const VERSIONED_KEYS_PER_CLIENT = 8;
/** Versions kept per versioned key: older ones are deleted by version id, so the store does not only grow. */
const VERSIONS_KEPT = 3;
const MiB = 1024 * 1024;

interface Stored {
  sha256: string;
  size: number;
}

function digestOf(body: Buffer): Stored {
  return { sha256: createHash('sha256').update(body).digest('hex'), size: body.length };
}

/** Mostly small bodies (up to 64 KiB, some empty), one in twenty of 1 MiB. */
function randomBody(): Buffer {
  if (randomInt(20) === 0) return randomBytes(MiB);
  return randomBytes(randomInt(5) === 0 ? 0 : randomInt(64 * 1024));
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function isNotFound(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404;
}

export class MixedClient {
  private readonly objects = new Map<string, Stored>();
  /** Per versioned key, its versions oldest first. */
  private readonly versions = new Map<string, Array<{ id: string; stored: Stored }>>();
  private readonly operations: Array<[weight: number, name: string, run: () => Promise<void>]>;

  constructor(
    private readonly s3: S3Client,
    private readonly id: number,
    private readonly tally: Tally,
    versioned: boolean,
  ) {
    this.operations = [
      [20, 'PutObject', () => this.put()],
      [25, 'GetObject', () => this.get()],
      [10, 'HeadObject', () => this.head()],
      [8, 'DeleteObject', () => this.delete()],
      [6, 'CopyObject', () => this.copy()],
      [6, 'ListObjectsV2', () => this.list()],
      [4, 'DeleteObjects', () => this.deleteMany()],
      [2, 'MultipartUpload', () => this.multipart()],
      [1, 'AbortMultipartUpload', () => this.abandonedUpload()],
      [4, 'ObjectTagging', () => this.tagging()],
      ...(versioned
        ? ([
            [8, 'VersionedPut', () => this.versionedPut()],
            [2, 'ListObjectVersions', () => this.listVersions()],
          ] as Array<[number, string, () => Promise<void>]>)
        : []),
    ];
  }

  /** Runs operations one after another until `until` (epoch ms). */
  async runUntil(until: number): Promise<void> {
    const totalWeight = this.operations.reduce((sum, [weight]) => sum + weight, 0);
    while (Date.now() < until) {
      let pick = randomInt(totalWeight);
      const [, name, run] = this.operations.find(([weight]) => (pick -= weight) < 0)!;
      await this.tally.run(name, run);
    }
  }

  private randomKey(): string {
    return `c${this.id}/k${randomInt(KEYS_PER_CLIENT)}`;
  }

  /** A key this client holds, or undefined when it holds none. */
  private storedKey(): string | undefined {
    const keys = [...this.objects.keys()];
    return keys.length === 0 ? undefined : keys[randomInt(keys.length)];
  }

  private async put(): Promise<void> {
    const key = this.randomKey();
    const body = randomBody();
    await this.s3.send(new PutObjectCommand({ Bucket: PLAIN_BUCKET, Key: key, Body: body }));
    this.objects.set(key, digestOf(body));
  }

  private async get(): Promise<void> {
    const key = this.randomKey();
    const expected = this.objects.get(key);
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: PLAIN_BUCKET, Key: key }));
      const body = Buffer.from(await answer.Body!.transformToByteArray());
      expect(expected !== undefined, `GET ${key}: found an object this client deleted`);
      expect(digestOf(body).sha256 === expected!.sha256, `GET ${key}: ${body.length} bytes, not the ${expected!.size} last written`);
    } catch (err) {
      if (expected === undefined && isNotFound(err)) return;
      throw err;
    }
  }

  private async head(): Promise<void> {
    const key = this.storedKey();
    if (key === undefined) return;
    const answer = await this.s3.send(new HeadObjectCommand({ Bucket: PLAIN_BUCKET, Key: key }));
    expect(answer.ContentLength === this.objects.get(key)!.size, `HEAD ${key}: Content-Length ${answer.ContentLength}`);
  }

  private async delete(): Promise<void> {
    const key = this.randomKey();
    await this.s3.send(new DeleteObjectCommand({ Bucket: PLAIN_BUCKET, Key: key }));
    this.objects.delete(key);
  }

  private async copy(): Promise<void> {
    const source = this.storedKey();
    if (source === undefined) return;
    let target = this.randomKey();
    // S3 refuses a copy onto itself that changes nothing (InvalidRequest).
    while (target === source) target = this.randomKey();
    await this.s3.send(new CopyObjectCommand({ Bucket: PLAIN_BUCKET, Key: target, CopySource: `${PLAIN_BUCKET}/${source}` }));
    this.objects.set(target, this.objects.get(source)!);
  }

  private async list(): Promise<void> {
    const answer = await this.s3.send(new ListObjectsV2Command({ Bucket: PLAIN_BUCKET, Prefix: `c${this.id}/` }));
    const listed = (answer.Contents ?? []).map((entry) => `${entry.Key}:${entry.Size}`).sort();
    const held = [...this.objects].map(([key, stored]) => `${key}:${stored.size}`).sort();
    expect(listed.join(',') === held.join(','), `listing of c${this.id}/: [${listed.join(', ')}], expected [${held.join(', ')}]`);
  }

  private async deleteMany(): Promise<void> {
    const keys = [...new Set([this.randomKey(), this.randomKey(), this.randomKey()])];
    const answer = await this.s3.send(new DeleteObjectsCommand({ Bucket: PLAIN_BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect((answer.Errors ?? []).length === 0, `DeleteObjects: ${JSON.stringify(answer.Errors)}`);
    for (const key of keys) this.objects.delete(key);
  }

  private async multipart(): Promise<void> {
    const key = this.randomKey();
    const parts = [randomBytes(5 * MiB), randomBytes(randomInt(64 * 1024) + 1)];
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: PLAIN_BUCKET, Key: key }));
    const etags: string[] = [];
    for (const [index, part] of parts.entries()) {
      const answer = await this.s3.send(new UploadPartCommand({ Bucket: PLAIN_BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: part }));
      etags.push(answer.ETag!);
    }
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: PLAIN_BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    this.objects.set(key, digestOf(Buffer.concat(parts)));
  }

  private async abandonedUpload(): Promise<void> {
    const key = this.randomKey();
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: PLAIN_BUCKET, Key: key }));
    await this.s3.send(new UploadPartCommand({ Bucket: PLAIN_BUCKET, Key: key, UploadId, PartNumber: 1, Body: randomBytes(1024) }));
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: PLAIN_BUCKET, Key: key, UploadId }));
  }

  private async tagging(): Promise<void> {
    const key = this.storedKey();
    if (key === undefined) return;
    const value = String(randomInt(1_000_000));
    await this.s3.send(new PutObjectTaggingCommand({ Bucket: PLAIN_BUCKET, Key: key, Tagging: { TagSet: [{ Key: 'soak', Value: value }] } }));
    const answer = await this.s3.send(new GetObjectTaggingCommand({ Bucket: PLAIN_BUCKET, Key: key }));
    expect(answer.TagSet?.[0]?.Value === value, `tags of ${key}: ${JSON.stringify(answer.TagSet)}, expected soak=${value}`);
  }

  private async versionedPut(): Promise<void> {
    const key = `c${this.id}/v${randomInt(VERSIONED_KEYS_PER_CLIENT)}`;
    const body = randomBody();
    const answer = await this.s3.send(new PutObjectCommand({ Bucket: VERSIONED_BUCKET, Key: key, Body: body }));
    const kept = this.versions.get(key) ?? [];
    kept.push({ id: answer.VersionId!, stored: digestOf(body) });
    this.versions.set(key, kept);
    while (kept.length > VERSIONS_KEPT) {
      const oldest = kept[0];
      await this.s3.send(new DeleteObjectCommand({ Bucket: VERSIONED_BUCKET, Key: key, VersionId: oldest.id }));
      kept.shift();
    }
    const first = kept[0];
    const read = await this.s3.send(new GetObjectCommand({ Bucket: VERSIONED_BUCKET, Key: key, VersionId: first.id }));
    const bytes = Buffer.from(await read.Body!.transformToByteArray());
    expect(digestOf(bytes).sha256 === first.stored.sha256, `GET ${key} version ${first.id}: not the bytes written`);
  }

  private async listVersions(): Promise<void> {
    const answer = await this.s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED_BUCKET, Prefix: `c${this.id}/` }));
    const listed = (answer.Versions ?? []).map((version) => `${version.Key}@${version.VersionId}`).sort();
    const kept = [...this.versions].flatMap(([key, versions]) => versions.map((version) => `${key}@${version.id}`)).sort();
    expect(listed.join(',') === kept.join(','), `versions of c${this.id}/: ${listed.length} listed, ${kept.length} kept`);
  }
}
