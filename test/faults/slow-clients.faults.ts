/**
 * Slow clients cannot exhaust the gateway. 500 connections misbehave at once, and each is reopened as soon as
 * the gateway closes it, for as long as normal traffic runs beside them: connections that never send a byte,
 * slowlorises that trickle header lines (cut by HEADERS_TIMEOUT_MS), and uploads whose body stops (cut by
 * BODY_TIMEOUT_MS). Normal requests (PUT, GET, listings on a kept-alive SDK connection, probes on new
 * connections) are all answered; every slow connection is closed by the gateway with 400 RequestTimeout;
 * nothing of a cut upload is stored; a body that trickles but keeps moving is not cut; and once the attack
 * stops the gateway holds no more descriptors than before it.
 */
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { eventually } from '../support/data-dir';
import { type RunningGateway, startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { s3ClientFor } from '../support/s3-client';
import { openFds, openRaw, type RawConnection } from './support/raw-client';

const BUCKET = 'slow-clients';
const SILENT = 50;
const HEADER_TRICKLERS = 350;
const BODY_TRICKLERS = 100;
const NORMAL_ROUNDS = 30;
/** A bound on any single normal request, so a hang fails the test instead of stalling it (not a speed goal). */
const HANG_MS = 30_000;

type Kind = 'silent' | 'headers' | 'body';

interface Closed {
  kind: Kind;
  byServer: boolean;
  /** The S3 error code of the gateway's answer, 'none' when it sent none. */
  code: string;
}

let gateway: RunningGateway;
let s3: S3Client;

beforeAll(async () => {
  gateway = await startGateway({ HEADERS_TIMEOUT_MS: '2000', BODY_TIMEOUT_MS: '2000' });
  s3 = s3ClientFor(gateway.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.stop();
});

/** Starts misbehaving on a new connection; the returned timer is the trickle to stop when it closes. */
async function misbehave(kind: Kind, connection: RawConnection, key: string): Promise<NodeJS.Timeout | undefined> {
  if (kind === 'silent') return undefined;
  if (kind === 'headers') {
    await connection.write(`GET /s3/${BUCKET}/${key} HTTP/1.1\r\nHost: gateway\r\n`);
    // A header line a second: each one arrives well within any idle timeout, the whole never ends.
    return setInterval(() => connection.socket.writable && connection.socket.write(`X-Trickle: ${Date.now()}\r\n`), 1000);
  }
  // A body that starts and then stops: its next byte would come long after BODY_TIMEOUT_MS.
  await connection.write(`PUT /s3/${BUCKET}/${key} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 1048576\r\n\r\n${'x'.repeat(1000)}`);
  return setInterval(() => connection.socket.writable && connection.socket.write('x'), 10_000);
}

/** One slow client: reconnects each time the gateway closes it, until `attacking()` is false. */
async function attacker(kind: Kind, index: number, attacking: () => boolean, closed: Closed[]): Promise<void> {
  for (let round = 0; attacking(); round++) {
    const connection = await openRaw(gateway.origin);
    const trickle = await misbehave(kind, connection, `${kind}-${index}-${round}`).catch(() => undefined);
    const { byServer } = await connection.closed;
    clearInterval(trickle);
    closed.push({ kind, byServer, code: /<Code>(\w+)<\/Code>/.exec(connection.received().toString())?.[1] ?? 'none' });
  }
}

/** GET /health/ready on a connection of its own. */
function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(`${gateway.origin}/health/ready`, { agent: false, timeout: HANG_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('the probe was not answered')));
    request.on('error', reject);
  });
}

it(`answers normal requests while ${SILENT + HEADER_TRICKLERS + BODY_TRICKLERS} slow connections press on it, and cuts every slow one`, async () => {
  const pid = gateway.process.pid!;
  const fdsBefore = openFds(pid);
  let attacking = true;
  const closed: Closed[] = [];
  const kinds: Kind[] = [...Array<Kind>(SILENT).fill('silent'), ...Array<Kind>(HEADER_TRICKLERS).fill('headers'), ...Array<Kind>(BODY_TRICKLERS).fill('body')];
  const attackers = kinds.map((kind, index) => attacker(kind, index, () => attacking, closed));

  // A body that trickles slower than a client should, but keeps moving: never cut, stored whole.
  const trickled = (async () => {
    const connection = await openRaw(gateway.origin);
    await connection.write(`PUT /s3/${BUCKET}/moving HTTP/1.1\r\nHost: gateway\r\nContent-Length: 8\r\nConnection: close\r\n\r\n`);
    for (let byte = 0; byte < 8; byte++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await connection.write('m');
    }
    await connection.closed;
    return connection.received().toString().split('\r\n')[0];
  })();

  const answered: string[] = [];
  for (let round = 0; round < NORMAL_ROUNDS; round++) {
    const body = randomBytes(64 * 1024);
    const key = `normal-${round}`;
    const options = { abortSignal: AbortSignal.timeout(HANG_MS) };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }), options);
    const read = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }), options);
    expect(md5Hex(Buffer.from(await read.Body!.transformToByteArray()))).toBe(md5Hex(body));
    expect(await probe()).toBe(200);
    answered.push(key);
  }
  expect(await trickled).toBe('HTTP/1.1 200 OK');
  // Every kind of slow client has been cut at least once while the normal requests ran or just after.
  expect(await eventually(() => (['silent', 'headers', 'body'] as const).every((kind) => closed.some((entry) => entry.kind === kind)), 30_000)).toBe(true);

  // The attack stops: the connections still open are the gateway's to close.
  attacking = false;
  let bound: NodeJS.Timeout | undefined;
  const settled = await Promise.race([Promise.all(attackers).then(() => true), new Promise((resolve) => (bound = setTimeout(() => resolve(false), 30_000)))]);
  clearTimeout(bound);
  expect(settled).toBe(true);

  expect(closed.length).toBeGreaterThanOrEqual(kinds.length);
  const outcomes: Record<string, number> = {};
  for (const entry of closed) {
    const outcome = `${entry.kind}: ${entry.byServer ? 'closed by the gateway' : 'closed by the client'}, ${entry.code}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  expect(Object.keys(outcomes).sort()).toEqual([
    'body: closed by the gateway, RequestTimeout',
    'headers: closed by the gateway, RequestTimeout',
    'silent: closed by the gateway, RequestTimeout',
  ]);

  // Nothing of a cut upload was stored: the bucket holds the normal objects and the moving one.
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual([...answered, 'moving'].sort());
  const moving = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'moving' }));
  expect(await moving.Body!.transformToString()).toBe('mmmmmmmm');

  s3.destroy();
  s3 = s3ClientFor(gateway.endpoint);
  expect(await eventually(() => openFds(pid) <= fdsBefore, 15_000)).toBe(true);
});
