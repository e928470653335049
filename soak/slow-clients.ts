/**
 * Slow soak clients over plain HTTP, SigV4-signed: a writer that trickles a PUT body in small pieces, and a
 * reader that takes a GET at a few hundred KiB/s. Both are slow but moving, so the gateway must serve them to
 * the end (its timeouts are on idleness): each checks the ETag or the bytes it got.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { type AccessKey, objectPath, signedHeaders } from '../bench/sigv4';
import { PLAIN_BUCKET } from './mixed-client';
import type { Tally } from './tally';

const PIECE_BYTES = 16 * 1024;
const PIECE_EVERY_MS = 250;
const TRICKLED_BYTES = 256 * 1024;
const SLOW_READ_BYTES = 1024 * 1024;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface SlowEndpoint {
  origin: string;
  prefix: string;
  key: AccessKey;
}

function send(endpoint: SlowEndpoint, method: string, key: string, headers: Record<string, string> = {}) {
  const url = new URL(endpoint.origin);
  const path = objectPath(endpoint.prefix, PLAIN_BUCKET, key);
  const signed = signedHeaders(endpoint.key, { method, host: url.host, path, headers });
  return request({ host: url.hostname, port: url.port, method, path, headers: signed });
}

/** One PUT, its body sent at once or trickled (16 KiB every 250 ms); resolves with the ETag the gateway answered. */
function put(endpoint: SlowEndpoint, key: string, body: Buffer, trickle: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload = send(endpoint, 'PUT', key, { 'content-length': String(body.length) });
    upload.on('error', reject);
    upload.on('response', (answer) => {
      answer.resume();
      answer.on('end', () => (answer.statusCode === 200 ? resolve(String(answer.headers.etag)) : reject(new Error(`PUT ${key}: ${answer.statusCode}`))));
    });
    if (!trickle) {
      upload.end(body);
      return;
    }
    void (async () => {
      for (let at = 0; at < body.length; at += PIECE_BYTES) {
        upload.write(body.subarray(at, at + PIECE_BYTES));
        await pause(PIECE_EVERY_MS);
      }
      upload.end();
    })();
  });
}

/** One GET read 16 KiB at a time every 250 ms (the socket's flow control does the rest); resolves with the bytes. */
function slowGet(endpoint: SlowEndpoint, key: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const get = send(endpoint, 'GET', key);
    get.on('error', reject);
    get.on('response', (answer) => {
      if (answer.statusCode !== 200) {
        answer.resume();
        reject(new Error(`GET ${key}: ${answer.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let waiting = false;
      // One piece per turn: what the socket holds meanwhile stays there, and TCP slows the gateway down.
      const pull = (): void => {
        waiting = false;
        const chunk = answer.read(PIECE_BYTES) as Buffer | null;
        if (chunk === null) return;
        chunks.push(chunk);
        waiting = true;
        setTimeout(pull, PIECE_EVERY_MS);
      };
      answer.on('readable', () => {
        if (!waiting) pull();
      });
      answer.on('end', () => resolve(Buffer.concat(chunks)));
      answer.on('error', reject);
    });
    get.end();
  });
}

/** A writer that trickles PUTs until `until`, checking each ETag (the body's MD5). */
export async function runSlowWriter(endpoint: SlowEndpoint, id: number, until: number, tally: Tally): Promise<void> {
  while (Date.now() < until) {
    await tally.run('SlowPut', async () => {
      const body = randomBytes(TRICKLED_BYTES);
      const etag = await put(endpoint, `slow-writer-${id}`, body, true);
      const md5 = createHash('md5').update(body).digest('hex');
      if (etag !== `"${md5}"`) throw new Error(`ETag ${etag}, the body's MD5 is ${md5}`);
    });
  }
}

/** A reader that takes a 1 MiB object slowly, over and over until `until`, checking its bytes. */
export async function runSlowReader(endpoint: SlowEndpoint, id: number, until: number, tally: Tally): Promise<void> {
  const key = `slow-reader-${id}`;
  const body = randomBytes(SLOW_READ_BYTES);
  await tally.run('SlowGetSetup', async () => {
    await put(endpoint, key, body, false);
  });
  while (Date.now() < until) {
    await tally.run('SlowGet', async () => {
      const read = await slowGet(endpoint, key);
      if (!read.equals(body)) throw new Error(`GET ${key}: ${read.length} bytes, not the ${body.length} written`);
    });
  }
}
