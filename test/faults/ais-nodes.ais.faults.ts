/**
 * AIS nodes that die under the gateway, on an AIS cluster of the test's own with two targets (so that objects
 * really are placed on both). A target killed (kill -9) during a GET, a PUT and a CompleteMultipartUpload gives
 * the client an S3 error or a cut connection, never a short body presented as complete, and nothing half-written
 * becomes visible; while it is away its objects are 503 with Retry-After and readiness fails; once it is back
 * the gateway serves them again by itself. The proxy killed under load: 503 with Retry-After while it is away,
 * readiness false, and the same gateway serves again once the proxy is back, having lost no acknowledged write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { get, type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { eventually } from '../support/data-dir';
import { type RunningGateway, startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { s3ClientFor } from '../support/s3-client';
import { expectS3Error } from '../support/s3-errors';
import { type AisNode, TwoTargetCluster } from './support/ais-two-targets';

const BUCKET = 'nodes';
const MiB = 1024 * 1024;
/** A bound on one request, so that a hang fails the test instead of stalling it (not a speed goal). */
const HANG_MS = 60_000;

const cluster = new TwoTargetCluster();
let gateway: RunningGateway;
let s3: S3Client;

beforeAll(async () => {
  await cluster.start();
  // A slow Complete answers its real status, not a 200 kept alive with spaces (src/s3/keep-alive.ts).
  gateway = await startGateway({ AIS_ENDPOINT: cluster.endpoint, COMPLETE_KEEPALIVE_MS: '600000' });
  s3 = s3ClientFor(gateway.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 10 * 60_000);

afterAll(async () => {
  s3?.destroy();
  await gateway?.stop();
  await cluster.stop();
});

const send: S3Client['send'] = ((command: Parameters<S3Client['send']>[0]) =>
  s3.send(command, { abortSignal: AbortSignal.timeout(HANG_MS) })) as S3Client['send'];

async function readBytes(key: string): Promise<Buffer> {
  const answer = await send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

/** A key whose object AIS places on `target` (HRW over the bucket and name): found by writing small probes. */
async function keyOn(target: AisNode, prefix: string): Promise<string> {
  for (let i = 0; i < 64; i++) {
    const key = `${prefix}-${i}`;
    await send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'probe' }));
    if (cluster.holderOf(BUCKET, key) === target) return key;
  }
  throw new Error(`no key of ${prefix}-0..63 went to ${target}`);
}

async function ready(): Promise<number> {
  return (await fetch(`${gateway.origin}/health/ready`)).status;
}

/** The answer a client gets for `key` once the cluster is whole again: its bytes, or the S3 error code. */
async function settledRead(key: string): Promise<{ bytes?: Buffer; code?: string }> {
  let outcome: { bytes?: Buffer; code?: string } = {};
  const served = await eventually(async () => {
    try {
      outcome = { bytes: await readBytes(key) };
    } catch (err) {
      outcome = { code: (err as Error).name };
    }
    return outcome.code !== 'ServiceUnavailable';
  }, 30_000);
  expect(served).toBe(true);
  return outcome;
}

/** Runs `whileAway` (which kills a node), then starts the cluster's missing nodes again, whatever happened. */
async function thenRestart(whileAway: () => Promise<void>): Promise<void> {
  try {
    await whileAway();
  } finally {
    await cluster.start();
  }
}

it('places objects on both targets, and reads and writes reach both', async () => {
  const bodies = new Map<string, Buffer>();
  for (let i = 0; i < 16; i++) {
    const body = randomBytes(4096 + i);
    bodies.set(`spread-${i}`, body);
    await send(new PutObjectCommand({ Bucket: BUCKET, Key: `spread-${i}`, Body: body }));
  }
  const holders = new Set([...bodies.keys()].map((key) => cluster.holderOf(BUCKET, key)));
  expect([...holders].sort()).toEqual(['target', 'target2']);
  for (const [key, body] of bodies) expect(md5Hex(await readBytes(key))).toBe(md5Hex(body));
});

it('a target killed during a GET cuts the body short (never presented as complete); its objects are 503 with Retry-After until it is back, then served again', async () => {
  const key = await keyOn('target2', 'read');
  const elsewhere = await keyOn('target', 'other');
  const body = randomBytes(64 * MiB);
  await send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  // A plain HTTP GET, so that what arrives is counted against the Content-Length exactly as it comes off the wire.
  const answer = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${gateway.endpoint}/${BUCKET}/${key}`, { agent: false }, resolve).on('error', reject),
  );
  expect(answer.statusCode).toBe(200);
  expect(Number(answer.headers['content-length'])).toBe(body.length);
  // Take the first MiB, then stop reading (far less than the buffers between AIS and here hold), pulling chunk by chunk.
  const chunks = answer[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let received = 0;
  while (received < MiB) {
    const next = await chunks.next();
    if (next.done === true) throw new Error('the body ended before its first MiB');
    received += next.value.length;
  }

  await thenRestart(async () => {
    await cluster.kill('target2');
    let ending: string;
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) received += next.value.length;
      ending = answer.complete ? 'end' : 'closed before the end';
    } catch (err) {
      ending = `error: ${(err as Error).message}`;
    }
    // The connection ends before the promised Content-Length: no client takes that for a whole body.
    expect(ending).not.toBe('end');
    expect(received).toBeLessThan(body.length);

    // While it is away: its object is 503 with Retry-After, the other target's is served, readiness fails.
    const refused = await expectS3Error(send(new GetObjectCommand({ Bucket: BUCKET, Key: key })), 'ServiceUnavailable', 503);
    expect(refused.$response?.headers['retry-after']).toBe('5');
    expect((await readBytes(elsewhere)).toString()).toBe('probe');
    expect(await eventually(async () => (await ready()) === 503, 10_000)).toBe(true);
  });

  expect(await eventually(async () => (await ready()) === 200, 30_000)).toBe(true);
  expect(md5Hex((await settledRead(key)).bytes!)).toBe(md5Hex(body));
});

/** A PUT of `total` bytes on a connection of its own, fed by the test; its outcome once the gateway answers or the connection fails. */
function startPut(key: string, total: number) {
  const req = request(`${gateway.endpoint}/${BUCKET}/${key}`, { method: 'PUT', headers: { 'content-length': String(total) }, agent: false });
  const outcome = new Promise<{ status?: number; code?: string; retryAfter?: string; error?: string }>((resolve) => {
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () =>
        resolve({
          status: response.statusCode,
          code: /<Code>(\w+)<\/Code>/.exec(text)?.[1],
          retryAfter: response.headers['retry-after'],
        }),
      );
      response.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('error', (err) => resolve({ error: err.message }));
  });
  const write = (bytes: Buffer) => new Promise<boolean>((resolve) => req.write(bytes, (err) => resolve(err == null)));
  return { req, outcome, write };
}

/** Bytes AIS holds in work files of PUTs of `key` in progress on `target` (`%wk/put.<key>.<suffix>`). */
function workFileBytes(target: AisNode, key: string): number {
  const dir = join(cluster.dir, target, 'mpaths', 'mp1', '@ais', BUCKET, '%wk');
  try {
    return readdirSync(dir)
      .filter((name) => name.startsWith(`put.${key}.`))
      .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}

it('a target killed during a PUT fails that PUT (an S3 error or a cut connection) and the object keeps its earlier bytes', async () => {
  const key = await keyOn('target2', 'write');
  const earlier = randomBytes(MiB);
  await send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: earlier }));
  const total = 64 * MiB;
  const put = startPut(key, total);
  let sent = 0;
  while (sent < 8 * MiB) {
    await put.write(randomBytes(MiB));
    sent += MiB;
  }
  expect(await eventually(() => workFileBytes('target2', key) > 0, 10_000)).toBe(true);

  await thenRestart(async () => {
    await cluster.kill('target2');
    // The client goes on sending until the gateway answers or the connection fails.
    let settled = false;
    void put.outcome.then(() => (settled = true));
    while (!settled && sent < total && (await put.write(randomBytes(MiB)))) sent += MiB;
    if (sent >= total) put.req.end();
    const outcome = await put.outcome;
    expect(outcome.status === undefined || outcome.status >= 500).toBe(true);
    if (outcome.status !== undefined) expect(outcome.code).toBeDefined();
    put.req.destroy();
  });

  const after = await settledRead(key);
  expect(md5Hex(after.bytes!)).toBe(md5Hex(earlier));
});

/** Bytes under a target's mountpath, all files counted. */
function mountpathBytes(target: AisNode): number {
  const root = join(cluster.dir, target, 'mpaths');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => {
      try {
        return sum + statSync(join(entry.parentPath, entry.name)).size;
      } catch {
        return sum;
      }
    }, 0);
}

it('a target killed during a CompleteMultipartUpload: an acknowledged Complete is whole after the restart, a failed one leaves no partial object and can be completed again', async () => {
  const key = await keyOn('target2', 'mpu');
  const partSize = 5 * MiB;
  const parts = Array.from({ length: 24 }, () => randomBytes(partSize));
  const whole = createHash('md5');
  parts.forEach((part) => whole.update(part));
  const { UploadId } = await send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const completed: Array<{ ETag?: string; PartNumber: number }> = [];
  for (const [index, part] of parts.entries()) {
    const { ETag } = await send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: part }));
    completed.push({ ETag, PartNumber: index + 1 });
  }
  const complete = () => send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: completed } }));

  const before = mountpathBytes('target2');
  let acknowledged = false;
  await thenRestart(async () => {
    const completing = complete().then(
      () => (acknowledged = true),
      (err: unknown) => {
        // An S3 error, 5xx: the Complete did not happen, as far as the client knows.
        expect(err).toBeInstanceOf(S3ServiceException);
        expect((err as S3ServiceException).$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
      },
    );
    // Kill the object's target once the assembly is writing on it (or once the Complete is done, if it was faster).
    let done = false;
    void completing.then(() => (done = true));
    await eventually(() => done || mountpathBytes('target2') > before + 16 * MiB, 60_000);
    await cluster.kill('target2');
    await completing;
  });

  const after = await settledRead(key);
  if (acknowledged) {
    expect(md5Hex(after.bytes!)).toBe(whole.copy().digest('hex'));
    return;
  }
  // Not acknowledged: all or nothing. The key has its probe still, or the whole new object (AIS finished writing it
  // and the gateway failed after), never a part of it; and the Complete can be sent again.
  expect(['probe', whole.copy().digest('hex')]).toContain(after.bytes?.toString() === 'probe' ? 'probe' : md5Hex(after.bytes!));
  await complete();
  expect(md5Hex(await readBytes(key))).toBe(whole.digest('hex'));
});

it('the proxy killed under load: 503 with Retry-After and readiness false while it is away; then the same gateway serves again, no acknowledged write lost', async () => {
  const acknowledged = new Map<string, string>();
  const failures: Record<string, number> = {};
  let successes = 0;
  let stopping = false;
  const record = (err: unknown) => {
    const failure =
      err instanceof S3ServiceException
        ? `${err.$metadata.httpStatusCode} ${err.name} retry-after=${err.$response?.headers['retry-after']}`
        : `no answer: ${(err as Error).message}`;
    failures[failure] = (failures[failure] ?? 0) + 1;
  };
  const worker = async (id: number) => {
    for (let i = 0; !stopping; i++) {
      const key = `load-${id}-${i}`;
      const body = randomBytes(16 * 1024);
      try {
        await send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
        acknowledged.set(key, md5Hex(body));
        expect(md5Hex(await readBytes(key))).toBe(md5Hex(body));
        await send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `load-${id}-`, MaxKeys: 5 }));
        successes += 1;
      } catch (err) {
        record(err);
        // An answer at once is not a reason to spin: back off a little, as a client honouring Retry-After would.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  try {
    expect(await eventually(() => successes >= 8, 30_000)).toBe(true);
    await cluster.kill('proxy');
    expect(await eventually(async () => (await ready()) === 503, 15_000)).toBe(true);
    expect(await eventually(() => Object.keys(failures).length > 0, 15_000)).toBe(true);
    await cluster.start();
    expect(await eventually(async () => (await ready()) === 200, 60_000)).toBe(true);
    const recovered = successes;
    expect(await eventually(() => successes >= recovered + 8, 30_000)).toBe(true);
  } finally {
    stopping = true;
    await Promise.all(workers);
  }

  expect(Object.keys(failures)).toEqual(['503 ServiceUnavailable retry-after=5']);
  for (const [key, md5] of acknowledged) expect(md5Hex(await readBytes(key))).toBe(md5);
});
