/**
 * Clients that go away mid-request: a PUT, an UploadPart and a POST Object form cut while their body is being
 * stored, and a GET cut while its body is being sent. Nothing of a cut upload is stored (the key is 404, the
 * part is not listed, the store holds what it held), the object a cut GET read is intact, and the gateway keeps
 * no file handle or socket of them (its /proc/<pid>/fd count comes back to where it was).
 */
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { storeFootprint } from '../support/backend';
import { eventually } from '../support/data-dir';
import { type RunningGateway, startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { scrapeMetrics } from '../support/prometheus';
import { s3ClientFor } from '../support/s3-client';
import { expectS3Error } from '../support/s3-errors';
import { openFds, openRaw } from './support/raw-client';

const BUCKET = 'disconnects';
const MiB = 1024 * 1024;
/** What a cut upload declares, and how much of it is sent before the cut: far more than socket buffers hold. */
const DECLARED = 32 * MiB;
const SENT = 8 * MiB;

let gateway: RunningGateway;
let s3: S3Client;
let fdsBefore: number;

beforeAll(async () => {
  gateway = await startGateway();
  s3 = s3ClientFor(gateway.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // A first upload and read, so that what the gateway opens once (store files, pools) is open already.
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'warm-up', Body: randomBytes(MiB) }));
  await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'warm-up' }))).Body!.transformToByteArray();
  s3 = freshClient();
  await new Promise((resolve) => setTimeout(resolve, 500));
  fdsBefore = openFds(gateway.process.pid!);
});

/** A new client, the old one's pooled connection closed: the gateway's count of descriptors leaves it out. */
function freshClient(): S3Client {
  s3.destroy();
  return s3ClientFor(gateway.endpoint);
}

afterAll(async () => {
  s3.destroy();
  await gateway.stop();
});

const inFlight = async () => (await scrapeMetrics(gateway.origin)).value('s3_requests_in_flight');

/**
 * Sends `head` and then `SENT` bytes of a `DECLARED`-byte body on a connection of its own, waits until the
 * gateway is handling it (in flight), and cuts the connection; resolves once the gateway has settled it.
 */
async function cutUpload(head: string, bodyPrefix = Buffer.alloc(0)): Promise<void> {
  const connection = await openRaw(gateway.origin);
  await connection.write(head);
  await connection.write(bodyPrefix);
  for (let sent = 0; sent < SENT; sent += MiB) await connection.write(randomBytes(MiB));
  expect(await eventually(async () => (await inFlight()) === 1, 10_000)).toBe(true);
  connection.cut();
  await connection.closed;
  expect(await eventually(async () => (await inFlight()) === 0, 10_000)).toBe(true);
}

/** The gateway holds no more descriptors than before the cuts (the client's pooled connection included). */
async function expectNoHandlesKept(): Promise<void> {
  s3 = freshClient();
  expect(await eventually(() => openFds(gateway.process.pid!) <= fdsBefore, 15_000)).toBe(true);
}

it('a PUT cut mid-body stores nothing: 404, the store holds what it held, no handle kept', async () => {
  const footprint = await storeFootprint(gateway);
  await cutUpload(`PUT /s3/${BUCKET}/cut-put HTTP/1.1\r\nHost: gateway\r\nContent-Length: ${DECLARED}\r\n\r\n`);
  await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cut-put' })), 'NotFound', 404);
  expect(await eventually(async () => (await storeFootprint(gateway)) === footprint, 15_000)).toBe(true);
  await expectNoHandlesKept();
});

it('an UploadPart cut mid-body leaves no part: ListParts is empty, no handle kept', async () => {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'cut-part' }));
  const footprint = await storeFootprint(gateway);
  await cutUpload(
    `PUT /s3/${BUCKET}/cut-part?partNumber=1&uploadId=${encodeURIComponent(UploadId!)} HTTP/1.1\r\nHost: gateway\r\nContent-Length: ${DECLARED}\r\n\r\n`,
  );
  expect((await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'cut-part', UploadId }))).Parts ?? []).toEqual([]);
  expect(await eventually(async () => (await storeFootprint(gateway)) === footprint, 15_000)).toBe(true);
  await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'cut-part', UploadId }));
  await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cut-part' })), 'NotFound', 404);
  await expectNoHandlesKept();
});

it('a POST Object form cut in its file stores nothing: 404, no handle kept', async () => {
  const boundary = 'cut-form-boundary';
  const fields = `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\ncut-post\r\n`;
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const footprint = await storeFootprint(gateway);
  await cutUpload(
    `POST /s3/${BUCKET} HTTP/1.1\r\nHost: gateway\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${DECLARED}\r\n\r\n`,
    Buffer.from(fields + fileHead),
  );
  await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cut-post' })), 'NotFound', 404);
  expect(await eventually(async () => (await storeFootprint(gateway)) === footprint, 15_000)).toBe(true);
  await expectNoHandlesKept();
});

it('a GET cut mid-body leaves the object intact and no handle kept', async () => {
  const body = randomBytes(64 * MiB);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'read', Body: body }));
  for (let cut = 0; cut < 3; cut++) {
    const connection = await openRaw(gateway.origin);
    await connection.write(`GET /s3/${BUCKET}/read HTTP/1.1\r\nHost: gateway\r\n\r\n`);
    expect(await eventually(() => connection.received().length > MiB, 10_000)).toBe(true);
    connection.cut();
    await connection.closed;
  }
  expect(await eventually(async () => (await inFlight()) === 0, 10_000)).toBe(true);
  const whole = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'read' }));
  expect(md5Hex(Buffer.from(await whole.Body!.transformToByteArray()))).toBe(md5Hex(body));
  await expectNoHandlesKept();
});
