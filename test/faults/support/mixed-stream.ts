import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ABSENT, bodyOf, multipartDescriptor, type Piece, pieceBytes, putDescriptor, sha256Hex, sha256Of } from './bodies';
import type { KeyStates } from './key-states';
import type { Random } from './random';
import { s3ClientFor } from '../../support/s3-client';

const MIB = 1024 * 1024;
/** No request of these tests takes long: one unanswered this long on a live gateway is a hang, and a failure. */
const REQUEST_TIMEOUT_MS = 60_000;

/** Clients that give up on a request after a while instead of hanging a test on a lost connection. */
export function faultClients(endpoint: string, count: number): S3Client[] {
  return Array.from({ length: count }, () =>
    s3ClientFor(endpoint, { requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true, connectionTimeout: 5_000 } }),
  );
}

/** Status of an error answer from the gateway, or undefined when the request got no (complete) answer. */
function answeredStatus(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // A 2xx whose body was cut off (the gateway died while sending it) is no answer either.
  return status !== undefined && status >= 300 ? status : undefined;
}

function describe(err: unknown): string {
  const error = err as Error & { Code?: string };
  return `${error.name}${error.Code ? ` (${error.Code})` : ''}: ${error.message}`;
}

/** What happened to the requests of a stream: per operation, answered and unanswered. */
export class StreamCounts {
  readonly acknowledged: Record<string, number> = {};
  readonly unanswered: Record<string, number> = {};
  /** Error answers and wrong bodies: each is a test failure. */
  readonly failures: string[] = [];

  count(outcome: 'acknowledged' | 'unanswered', operation: string): void {
    this[outcome][operation] = (this[outcome][operation] ?? 0) + 1;
  }

  total(outcome: 'acknowledged' | 'unanswered'): number {
    return Object.values(this[outcome]).reduce((sum, n) => sum + n, 0);
  }
}

interface Operation {
  keys: string[];
  run(): Promise<void>;
}

/**
 * A mixed stream of S3 requests from several concurrent clients on the keys of a KeyStates: PUT (new keys and
 * overwrites), GET, DELETE, CopyObject, DeleteObjects, and multipart uploads (parts, a part uploaded twice,
 * Complete, Abort, or left unfinished). Every request's outcome updates the key states: an answer makes a
 * state definite, no answer (the gateway was killed) leaves the write possible. An error answer, or a read
 * whose body is not the key's state, is a failure.
 */
export class MixedStream {
  readonly counts = new StreamCounts();
  private nextId: number;

  constructor(
    private readonly bucket: string,
    private readonly states: KeyStates,
    firstId: number,
  ) {
    this.nextId = firstId;
  }

  /** Drives `clients` concurrently, each with its own seeded choices, until `stopped()` holds. */
  async run(clients: readonly S3Client[], random: Random, stopped: () => boolean): Promise<void> {
    await Promise.all(clients.map((client) => this.drive(client, random.fork(), stopped)));
  }

  private async drive(s3: S3Client, random: Random, stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      const operation = this.choose(s3, random);
      if (operation === undefined || !this.states.tryLock(operation.keys)) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      try {
        await operation.run();
      } finally {
        this.states.unlock(operation.keys);
      }
    }
  }

  private choose(s3: S3Client, random: Random): Operation | undefined {
    const keys = this.states.keys;
    const key = random.pick(keys);
    const roll = random.next();
    if (roll < 0.3) return { keys: [key], run: () => this.put(s3, random, key) };
    if (roll < 0.4) return { keys: [key], run: () => this.get(s3, key) };
    if (roll < 0.5)
      return { keys: [key], run: () => this.write('DeleteObject', key, ABSENT, () => s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))) };
    if (roll < 0.62) {
      const target = random.pick(keys);
      const source = this.states.definite(key);
      if (target === key || source === undefined || source === ABSENT) return undefined;
      const copy = new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: `${this.bucket}/${encodeURIComponent(key)}` });
      return { keys: [key, target], run: () => this.write('CopyObject', target, source, () => s3.send(copy)) };
    }
    if (roll < 0.7) {
      const chosen = [...new Set([key, random.pick(keys), random.pick(keys)])];
      return { keys: chosen, run: () => this.deleteObjects(s3, chosen) };
    }
    return { keys: [key], run: () => this.multipart(s3, random, key) };
  }

  private piece(size: number): Piece {
    return { id: this.nextId++, size };
  }

  /** Mostly small bodies, stored inline or in one blob depending on INLINE_MAX_BYTES; some empty. */
  private smallSize(random: Random): number {
    return random.chance(0.05) ? 0 : random.int(1, 96 * 1024);
  }

  private put(s3: S3Client, random: Random, key: string): Promise<void> {
    const descriptor = putDescriptor(this.piece(this.smallSize(random)));
    return this.write('PutObject', key, descriptor, () => s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bodyOf(descriptor) })));
  }

  /** Sends a request; returns whether it was answered with success (else see `unanswered`). */
  private async send(operation: string, request: () => Promise<unknown>, writes: Array<[string, string]>): Promise<boolean> {
    try {
      await request();
    } catch (err) {
      this.unanswered(operation, err, writes);
      return false;
    }
    this.counts.count('acknowledged', operation);
    return true;
  }

  /** A request that puts `key` in `state` when it succeeds. */
  private async write(operation: string, key: string, state: string, request: () => Promise<unknown>): Promise<void> {
    if (await this.send(operation, request, [[key, state]])) this.states.acknowledged(key, state);
  }

  /** A request that failed: no answer leaves its writes possible; an error answer is a failure. */
  private unanswered(operation: string, err: unknown, writes: Array<[string, string]>): void {
    const status = answeredStatus(err);
    if ((err as Error).name === 'TimeoutError')
      this.counts.failures.push(`${operation} ${writes.map(([key]) => key).join(',')}: no answer in ${REQUEST_TIMEOUT_MS} ms`);
    if (status !== undefined) {
      this.counts.failures.push(`${operation} ${writes.map(([key]) => key).join(',')}: ${status} ${describe(err)}`);
      if (status < 500) return;
    }
    this.counts.count('unanswered', operation);
    for (const [key, state] of writes) this.states.unacknowledged(key, state);
  }

  private async get(s3: S3Client, key: string): Promise<void> {
    const expected = this.states.definite(key);
    if (expected === undefined) return;
    let hash: string;
    try {
      const output = await s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      hash = sha256Hex(await (output.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (err) {
      const status = answeredStatus(err);
      if (status === 404 && expected === ABSENT) this.counts.count('acknowledged', 'GetObject');
      else if (status !== undefined || (err as Error).name === 'TimeoutError')
        this.counts.failures.push(`GetObject ${key} (expected ${expected}): ${status} ${describe(err)}`);
      else this.counts.count('unanswered', 'GetObject');
      return;
    }
    this.counts.count('acknowledged', 'GetObject');
    if (expected === ABSENT || hash !== sha256Of(expected)) this.counts.failures.push(`GetObject ${key}: a body with SHA-256 ${hash}, expected ${expected}`);
  }

  private async deleteObjects(s3: S3Client, keys: string[]): Promise<void> {
    const writes = keys.map((key): [string, string] => [key, ABSENT]);
    try {
      const output = await s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
      const deleted = (output.Deleted ?? []).map((entry) => entry.Key).sort();
      if ((output.Errors ?? []).length > 0 || deleted.join() !== [...keys].sort().join()) {
        this.counts.failures.push(`DeleteObjects ${keys.join(',')}: deleted ${deleted.join(',')}, errors ${JSON.stringify(output.Errors)}`);
        for (const [key, state] of writes) this.states.unacknowledged(key, state);
        return;
      }
    } catch (err) {
      this.unanswered('DeleteObjects', err, writes);
      return;
    }
    this.counts.count('acknowledged', 'DeleteObjects');
    for (const key of keys) this.states.acknowledged(key, ABSENT);
  }

  /**
   * One multipart upload: one small part, or a 5 MiB part and a small last one; sometimes part 1 is uploaded
   * twice (the second replaces the first); then Complete, or an Abort, or the upload is left unfinished.
   */
  private async multipart(s3: S3Client, random: Random, key: string): Promise<void> {
    let uploadId: string;
    try {
      uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }))).UploadId as string;
    } catch (err) {
      this.unanswered('CreateMultipartUpload', err, []);
      return;
    }
    this.counts.count('acknowledged', 'CreateMultipartUpload');
    const sizes = random.chance(0.15) ? [5 * MIB, this.smallSize(random)] : [this.smallSize(random)];
    const pieces: Piece[] = [];
    const etags: string[] = [];
    for (const [index, size] of sizes.entries()) {
      const attempts = index === 0 && random.chance(0.2) ? 2 : 1;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const piece = this.piece(size);
        try {
          const output = await s3.send(
            new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, Body: pieceBytes(piece) }),
          );
          pieces[index] = piece;
          etags[index] = output.ETag as string;
        } catch (err) {
          this.unanswered('UploadPart', err, []);
          return;
        }
        this.counts.count('acknowledged', 'UploadPart');
      }
    }
    const ending = random.next();
    if (ending < 0.08) return;
    if (ending < 0.14) {
      await this.send('AbortMultipartUpload', () => s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })), []);
      return;
    }
    const parts = etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 }));
    const complete = new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } });
    await this.write('CompleteMultipartUpload', key, multipartDescriptor(pieces), () => s3.send(complete));
  }
}
