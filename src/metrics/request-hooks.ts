import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodeOf, s3RequestOf } from '../s3/s3-request';
import type { MetricsService } from './metrics.service';

/** Requests whose address could not be parsed have no operation; they are counted under this name. */
const UNROUTED = 'RoutingFailure';

function declaredLength(value: unknown): number {
  const length = Number(value);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

/**
 * Status label and access-log status of a request whose client went away before its answer was complete
 * (nginx's convention): it never reaches onResponse, but it is counted, logged and leaves the in-flight gauge.
 */
const CLIENT_CLOSED = 499;

const SETTLED = Symbol('metrics.settled');

/** HEAD answers, 204 and 304 announce a length (or none) but carry no body. */
function sendsBody(method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304;
}

/** Counts, times and logs one S3 request, exactly once (onResponse, or the response's close when aborted). */
function settle(request: FastifyRequest, reply: FastifyReply, metrics: MetricsService, accessLog: boolean, aborted: boolean): void {
  const routed = s3RequestOf(request.raw);
  const marks = request.raw as unknown as Record<symbol, boolean | undefined>;
  if (routed === undefined || marks[SETTLED]) return;
  marks[SETTLED] = true;
  metrics.inFlight.dec();
  const operation = 'error' in routed ? UNROUTED : routed.operation;
  const status = aborted ? CLIENT_CLOSED : reply.statusCode;
  // Declared lengths only count when the exchange completed.
  const received = aborted ? 0 : declaredLength(request.headers['content-length']);
  const sent = aborted || !sendsBody(request.method, status) ? 0 : declaredLength(reply.getHeader('content-length'));
  const code = errorCodeOf(request.raw);
  metrics.requests.inc({ operation, status });
  metrics.duration.observe({ operation }, reply.elapsedTime / 1000);
  if (received > 0) metrics.receivedBytes.inc({ operation }, received);
  if (sent > 0) metrics.sentBytes.inc({ operation }, sent);
  if (code !== undefined) metrics.errors.inc({ operation, code });
  // Built only when it is written: at LOG_LEVEL=warn and above it would be made for nothing on every request.
  if (!accessLog) return;
  const line: Record<string, unknown> = {
    operation,
    bucket: 'error' in routed ? undefined : routed.bucket,
    status,
    code,
    received,
    sent,
    ms: Math.round(reply.elapsedTime * 10) / 10,
  };
  if (aborted) line.aborted = true;
  request.log.info(line, 'request');
}

/**
 * Counts, times and logs every S3 request once its last byte has left (Fastify's onResponse: an
 * interceptor would finish before a streamed body is sent, docs/pitfalls.md "Fastify and NestJS"). One access-log line per
 * request, with the request id the client saw in `x-amz-request-id`; never credentials or signatures.
 * onResponse only runs for a response that finished: a request whose client went away first is settled
 * when its response closes unfinished. `accessLog`: whether the logger writes info lines (LOG_LEVEL=info or
 * more), fixed at start.
 */
export function registerRequestHooks(fastify: FastifyInstance, metrics: MetricsService, accessLog: boolean): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (s3RequestOf(request.raw) !== undefined) {
      metrics.inFlight.inc();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) settle(request, reply, metrics, accessLog, true);
      });
    }
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    settle(request, reply, metrics, accessLog, false);
    done();
  });
}
