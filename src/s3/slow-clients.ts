import type { Server } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { S3Error } from './errors';
import { errorResponse, send } from './response';
import { recordErrorCode } from './s3-request';

export interface ClientTimeouts {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * The Node server's own limits on slow clients. Node cuts a request whose headers have not all arrived
 * `headersTimeoutMs` after it started (a slowloris trickling header lines, or a connection that never sends a
 * byte); it looks for such connections every `connectionsCheckingInterval`, by default 30 s, so that is made a
 * fraction of the timeout. Idle keep-alive connections close after `keepAliveTimeoutMs`. There is no limit on
 * a whole request's time (`requestTimeout`, Fastify's 0): a 5 GiB upload that keeps moving must not be cut;
 * a body that stops moving is watchRequestBody's.
 */
export function applyServerTimeouts(server: Server, timeouts: ClientTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  // A constructor option in @types/node, but read when the server starts listening (Node's setupConnectionsTracking).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.min(5_000, Math.floor(timeouts.headersTimeoutMs / 4)),
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.requestTimeout = 0;
}

function expectsBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * A request body that makes no progress for `timeoutMs` (no byte received on the connection) is answered 400
 * RequestTimeout, as S3 answers an idle upload, and its connection closed; the body stream then ends in an
 * error, so the store keeps nothing of it. Without this a client that sends headers and then a trickle (or
 * nothing) holds its request, a socket and the store's side of the write for as long as it likes.
 *
 * The socket's idle timeout does the watching (Node refreshes it on every read, so a flowing body costs no timer
 * work of ours), and only for a request that declares a body. Node emits the socket's
 * timeout on the request while its body is incomplete and on the response after; the response's listener only
 * switches the timer off, so a slow store behind a complete body is never taken for a slow client.
 */
export function watchRequestBody(request: FastifyRequest, reply: FastifyReply, timeoutMs: number): void {
  if (timeoutMs === 0 || request.raw.complete || !expectsBody(request)) return;
  const raw = request.raw;
  // Node emits the socket's timeout on both while the body is incomplete: the request's listener acts.
  const onBodyIdle = (): void => {
    request.log.warn({ idleMs: timeoutMs }, 'request body made no progress for BODY_TIMEOUT_MS: answered RequestTimeout, connection closed');
    recordErrorCode(raw, 'RequestTimeout');
    // Ending the body stream in an error destroys the socket: the answer goes first, when it still can.
    const abortBody = (): void => {
      raw.destroy();
    };
    if (reply.sent || reply.raw.headersSent) return abortBody();
    reply.raw.once('finish', abortBody);
    reply.raw.once('close', abortBody);
    reply.header('connection', 'close');
    send(reply, errorResponse(new S3Error('RequestTimeout'), request.originalUrl.split('?')[0], String(request.id), request.method === 'HEAD'));
  };
  const onAnswerIdle = (): void => {
    if (raw.complete) raw.socket?.setTimeout(0);
  };
  raw.setTimeout(timeoutMs, onBodyIdle);
  reply.raw.on('timeout', onAnswerIdle);
}
