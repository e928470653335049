import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { S3Response } from './response';

/**
 * Bodies up to this size are not watched: they fit in the socket buffers between the store and the client, so
 * the store's side of the read ends with the last byte sent whether the client reads or not.
 */
const WATCHED_BODY_BYTES = 64 * 1024;

/**
 * Cuts the connection of a GET whose client has taken none of the body for `timeoutMs` (0: never). A client that
 * opens a GET and stops reading (boto3 does whenever code calls `get_object` and never reads the body) would
 * otherwise keep the store's read open for as long as it lives: on AIS the target holds the object's read lock
 * while it streams, and a DELETE or overwrite of the object waits behind it. Cutting the client's socket makes
 * Fastify destroy the body stream, which aborts the upstream read (AIS frees the lock, a blob file is closed);
 * the client sees its connection cut before the Content-Length it was promised, never a complete body.
 *
 * The socket's own idle timeout does the watching: Node refreshes it on every read and write the socket makes,
 * so a body that flows costs no timer work of ours, and a small body (the plain GET path) is not watched at all.
 * The timeout stays on the socket only while this response is sent: Node sets the keep-alive timeout (or none)
 * for the connection's next request.
 */
export function cutStalledReader(reply: FastifyReply, response: S3Response, timeoutMs: number): void {
  if (timeoutMs === 0 || !(response.body instanceof Readable)) return;
  const length = response.headers?.['content-length'];
  if (typeof length !== 'number' || length <= WATCHED_BODY_BYTES) return;
  reply.raw.setTimeout(timeoutMs, () => {
    if (reply.raw.writableFinished) return;
    reply.log.warn({ stalledMs: timeoutMs }, 'GET client took no data for STALLED_READER_TIMEOUT_MS: connection cut');
    reply.raw.destroy();
  });
}
