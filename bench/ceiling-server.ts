/**
 * The machine's ceiling for a Node HTTP server: a bare Fastify app with no S3 work at all. GET and HEAD
 * answer with bytes held in memory (as many as the last PUT of that path stored); PUT drains the body to a
 * file. Started by the benchmark as its own process: `node ceiling-server.js PORT DIR`.
 */
import Fastify from 'fastify';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { payload } from './payload';

const [port, dir] = [Number(process.argv[2]), process.argv[3]];
const sizes = new Map<string, number>();
const bodies = new Map<number, Buffer>();
let files = 0;

function bodyOf(size: number): Buffer {
  let body = bodies.get(size);
  if (body === undefined) bodies.set(size, (body = payload(size)));
  return body;
}

const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 * 1024, exposeHeadRoutes: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, body, done) => done(null, body));

app.get('/ready', () => 'ok');
app.put('/:bucket', () => '');
app.get('/:bucket/*', (request, reply) => {
  const size = sizes.get(request.url.split('?')[0]);
  if (size === undefined) return reply.code(404).send();
  return reply.header('content-type', 'application/octet-stream').send(bodyOf(size));
});
app.head('/:bucket/*', (request, reply) => {
  const size = sizes.get(request.url.split('?')[0]);
  if (size === undefined) return reply.code(404).send();
  return reply.header('content-length', size).send();
});
app.put('/:bucket/*', async (request, reply) => {
  const path = request.url.split('?')[0];
  let size = 0;
  const body = request.body as Readable;
  body.on('data', (chunk: Buffer) => (size += chunk.length));
  await pipeline(body, createWriteStream(join(dir, `body-${(files = (files + 1) % 4096)}`)));
  sizes.set(path, size);
  bodyOf(size);
  return reply.header('etag', '"ceiling"').send();
});

app.listen({ port, host: '127.0.0.1' }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
