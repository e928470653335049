import type { FastifyInstance } from 'fastify';
import { errorCodeOf, s3RequestOf } from '../s3/s3-request';
import type { MetricsService } from './metrics.service';

/** Requests whose address could not be parsed have no operation; they are counted under this name. */
const UNROUTED = 'RoutingFailure';

function declaredLength(value: unknown): number {
  const length = Number(value);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

/**
 * Counts, times and logs every S3 request once its last byte has left (Fastify's onResponse: an
 * interceptor would finish before a streamed body is sent, SPEC.md section 7). One access-log line per
 * request, with the request id the client saw in `x-amz-request-id`; never credentials or signatures.
 */
export function registerRequestHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (s3RequestOf(request.raw) !== undefined) metrics.inFlight.inc();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const routed = s3RequestOf(request.raw);
    if (routed === undefined) return done();
    metrics.inFlight.dec();
    const operation = 'error' in routed ? UNROUTED : routed.operation;
    const status = reply.statusCode;
    const received = declaredLength(request.headers['content-length']);
    const sent = declaredLength(reply.getHeader('content-length'));
    const code = errorCodeOf(request.raw);
    metrics.requests.inc({ operation, status });
    metrics.duration.observe({ operation }, reply.elapsedTime / 1000);
    if (received > 0) metrics.receivedBytes.inc({ operation }, received);
    if (sent > 0) metrics.sentBytes.inc({ operation }, sent);
    if (code !== undefined) metrics.errors.inc({ operation, code });
    request.log.info(
      { operation, bucket: 'error' in routed ? undefined : routed.bucket, status, code, received, sent, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
    done();
  });
}
