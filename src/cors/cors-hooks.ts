import type { FastifyInstance } from 'fastify';
import { s3RequestOf } from '../s3/s3-request';
import type { CorsPolicy } from './cors-policy';

/**
 * Actual (non-OPTIONS) requests from an origin a rule admits get its CORS headers before any handler runs, so they
 * are on every answer: success, S3 error (the exception filter adds to them) or a failed signature. A request
 * without an Origin header costs one property read. Should the rules not be readable (the backend failing),
 * the request goes on without CORS headers; it meets the same failure where it needs the backend.
 */
export function registerCorsHeaders(fastify: FastifyInstance, policy: CorsPolicy): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) {
      done();
      return;
    }
    const routed = s3RequestOf(request.raw);
    if (routed === undefined || 'error' in routed || routed.operation === 'CorsPreflight') {
      done();
      return;
    }
    policy.actualRequestHeaders(routed.bucket, origin, routed.method).then(
      (headers) => {
        if (headers !== undefined) reply.headers(headers);
        done();
      },
      () => done(),
    );
  });
}
