import type { IncomingMessage } from 'node:http';
import { type AddressingConfig, parseS3Address } from './address';
import { isS3Error, S3Error } from './errors';
import { newRequestId } from './request-id';
import { resolveOperation, type S3Scope } from './routes';
import { attachS3Request } from './s3-request';

/** S3 requests are rewritten onto `/__s3/<Operation>`; each module's controller serves its operations there. */
export const S3_MOUNT = '/__s3';
/** Route of requests whose address could not be parsed: its handler throws the stored S3 error. */
export const ROUTING_FAILURE = 'RoutingFailure';

/** Endpoints served by the gateway itself (probes, metrics), outside S3. */
const OWN_ENDPOINTS = /^\/(health\/live|health\/ready|metrics)(\?|$)/;
/** With S3 at the root these names would collide with the gateway's own endpoints (docs/pitfalls.md, "S3 at the root"). */
const RESERVED_BUCKETS = new Set(['health', 'metrics']);

function isOwnEndpoint(req: IncomingMessage, url: string): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && OWN_ENDPOINTS.test(url);
}

function scopeOf(bucket: string | undefined, key: string | undefined): S3Scope {
  if (bucket === undefined) return 'service';
  return key === undefined ? 'bucket' : 'object';
}

/**
 * Fastify `rewriteUrl`: decides, once per request and before any routing, which S3 operation a request is
 * (docs/architecture.md, "Request path") and rewrites the URL to that operation's route. The client's URL
 * stays in `req.originalUrl` for signature checks.
 */
export function createS3UrlRewriter(config: AddressingConfig): (req: IncomingMessage) => string {
  return (req) => {
    const url = req.url ?? '/';
    if (isOwnEndpoint(req, url)) return url;
    const id = newRequestId();
    try {
      const address = parseS3Address(url, req.headers.host, config);
      if (address === undefined) throw new S3Error('NotFound', `Nothing is served at this path; S3 is under ${config.s3Prefix || '/'}.`);
      const { bucket, key, query } = address;
      if (config.s3Prefix === '' && bucket !== undefined && RESERVED_BUCKETS.has(bucket)) {
        throw new S3Error('InvalidBucketName', `The bucket name "${bucket}" is reserved for the gateway's own endpoints when S3 is served at the root.`, {
          BucketName: bucket,
        });
      }
      const method = req.method ?? 'GET';
      const operation = resolveOperation(method, scopeOf(bucket, key), query, req.headers);
      attachS3Request(req, { id, operation, bucket, key, query, method, headers: req.headers, originalUrl: url, raw: req });
      return `${S3_MOUNT}/${operation}`;
    } catch (err) {
      const error = isS3Error(err) ? err : new S3Error('InvalidURI');
      attachS3Request(req, { id, error });
      return `${S3_MOUNT}/${ROUTING_FAILURE}`;
    }
  };
}
