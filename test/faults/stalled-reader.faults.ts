/**
 * A stalled reader: a real boto3 client that calls get_object and never reads the body (test/faults/support/
 * stalled_reader.py). The gateway cuts its connection after STALLED_READER_TIMEOUT_MS, which ends the store's
 * side of the read: on AIS the target's read lock on the object, which a DELETE or an overwrite waits for. So
 * those succeed (within AIS_TIMEOUT_MS, 5 s in this pass), and the reader sees its connection cut before the
 * Content-Length it was promised, never a complete body. On AIS, a write that waits longer than AIS_TIMEOUT_MS
 * behind a reader (one the gateway does not cut) is an honest 503 SlowDown with a Retry-After.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { itOn } from '../support/backend';
import { clientSandbox, type ClientSandbox } from '../support/clients';
import { eventually } from '../support/data-dir';
import { type RunningGateway, startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { s3ClientFor } from '../support/s3-client';
import { expectS3Error } from '../support/s3-errors';
import { linesWith } from './support/processes';

const READER = resolve(__dirname, 'support/stalled_reader.py');
/** Far more than the socket buffers between AIS, the gateway and the client hold: the reader really stalls the read. */
const OBJECT_BYTES = 64 * 1024 * 1024;
const STALL_MS = '2000';
const BUCKET = 'stalled';
const CUT_LINE = 'GET client took no data for STALLED_READER_TIMEOUT_MS';

interface ReadOutcome {
  received: number;
  error: string | null;
}

/** The python process: open() resolves once boto3 has the answer's headers and has stopped reading. */
class StalledReader {
  private readonly lines: string[] = [];
  private readonly waiting: Array<() => void> = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiting.splice(0).forEach((wake) => wake());
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('exit', () => this.waiting.splice(0).forEach((wake) => wake()));
  }

  static async open(sandbox: ClientSandbox, endpoint: string, key: string): Promise<{ reader: StalledReader; contentLength: number }> {
    const child = spawn('python3', [READER, endpoint, BUCKET, key], { env: sandbox.env, cwd: sandbox.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const reader = new StalledReader(child);
    readers.push(reader);
    const opened = JSON.parse(await reader.nextLine()) as { content_length: number };
    return { reader, contentLength: opened.content_length };
  }

  /** Lets the client read what is left of the body and says how that went. */
  async readRest(): Promise<ReadOutcome> {
    this.child.stdin.write('\n');
    return JSON.parse(await this.nextLine()) as ReadOutcome;
  }

  /** The client goes away without reading. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private async nextLine(): Promise<string> {
    const taken = this.taken;
    const deadline = Date.now() + 60_000;
    while (this.lines.length <= taken) {
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`the stalled reader printed nothing more (exit ${this.child.exitCode})`);
      await new Promise<void>((wake) => {
        this.waiting.push(wake);
        setTimeout(wake, 1000);
      });
    }
    this.taken += 1;
    return this.lines[taken];
  }

  private taken = 0;
}

const readers: StalledReader[] = [];
let gateway: RunningGateway | undefined;
let sandbox: ClientSandbox | undefined;

afterEach(async () => {
  readers.splice(0).forEach((reader) => reader.kill());
  await gateway?.stop();
  gateway = undefined;
  sandbox?.cleanup();
  sandbox = undefined;
});

async function startWith(env: Record<string, string>): Promise<{ s3: S3Client; running: RunningGateway; clients: ClientSandbox }> {
  gateway = await startGateway(env);
  sandbox = clientSandbox();
  const s3 = s3ClientFor(gateway.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return { s3, running: gateway, clients: sandbox };
}

const bigBody = randomBytes(OBJECT_BYTES);

it('cuts a boto3 client that stopped reading a GET: a DELETE and an overwrite of the object then succeed, and the client sees an incomplete body', async () => {
  const { s3, running, clients } = await startWith({ STALLED_READER_TIMEOUT_MS: STALL_MS });

  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'deleted', Body: bigBody }));
  const first = await StalledReader.open(clients, running.endpoint, 'deleted');
  expect(first.contentLength).toBe(OBJECT_BYTES);
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'deleted' }));
  await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'deleted' })), 'NotFound', 404);
  // On the embedded store the DELETE does not wait for the reader: the cut comes later.
  expect(await eventually(() => linesWith(running, CUT_LINE) >= 1, 30_000)).toBe(true);
  const firstOutcome = await first.reader.readRest();
  expect(firstOutcome.error).not.toBeNull();
  expect(firstOutcome.received).toBeLessThan(OBJECT_BYTES);

  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'overwritten', Body: bigBody }));
  const second = await StalledReader.open(clients, running.endpoint, 'overwritten');
  const replacement = randomBytes(1024 * 1024);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'overwritten', Body: replacement }));
  const read = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'overwritten' }));
  expect(md5Hex(Buffer.from(await read.Body!.transformToByteArray()))).toBe(md5Hex(replacement));
  expect(await eventually(() => linesWith(running, CUT_LINE) >= 2, 30_000)).toBe(true);
  const secondOutcome = await second.reader.readRest();
  expect(secondOutcome.error).not.toBeNull();
  expect(secondOutcome.received).toBeLessThan(OBJECT_BYTES);

  // A client that reads is never cut: the whole body, byte-exact.
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'read', Body: bigBody }));
  const whole = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'read' }));
  expect(md5Hex(Buffer.from(await whole.Body!.transformToByteArray()))).toBe(md5Hex(bigBody));
  expect(linesWith(running, CUT_LINE)).toBe(2);
});

itOn('ais')(
  'a DELETE that AIS holds behind a read for longer than AIS_TIMEOUT_MS is 503 SlowDown with Retry-After, not "unreachable", and works once the reader is gone',
  async () => {
    const { s3, running, clients } = await startWith({ STALLED_READER_TIMEOUT_MS: '0', AIS_TIMEOUT_MS: '2000' });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'busy', Body: bigBody }));
    const { reader } = await StalledReader.open(clients, running.endpoint, 'busy');

    const refused = await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'busy' })), 'SlowDown', 503);
    expect(refused.message).toMatch(/did not answer DELETE \S+ in time \(UND_ERR_HEADERS_TIMEOUT\): the object "busy" is busy/);
    expect(refused.$response?.headers['retry-after']).toBe('5');

    reader.kill();
    expect(
      await eventually(async () => {
        const deleted = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'busy' })).then(
          () => true,
          () => false,
        );
        return deleted;
      }, 20_000),
    ).toBe(true);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'busy' })), 'NotFound', 404);
    expect(linesWith(running, 'is not reachable')).toBe(0);
  },
);
