import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance, LogController } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { S3Error } from './s3/errors';
import { toXml } from './s3/xml';
import { AppModule } from './app.module';
import { registerCorsHeaders } from './cors/cors-hooks';
import { CorsPolicy } from './cors/cors-policy';
import { createLogger, NestPinoLogger } from './logger';
import { MetricsService } from './metrics/metrics.service';
import { registerRequestHooks } from './metrics/request-hooks';
import type { AppConfig } from './config/configuration';
import { newRequestId } from './s3/request-id';
import { s3RequestOf } from './s3/s3-request';
import { createS3UrlRewriter } from './s3/s3-router';
import { applyServerTimeouts, watchRequestBody } from './s3/slow-clients';
import { readTlsPair, type TlsFiles, type TlsPair, watchTlsFiles } from './tls/tls-files';

/** Large enough for a 1024-byte key fully percent-encoded (3 bytes per byte) plus the query. */
const MAX_URL_PARAM_LENGTH = 8 * 1024;

function requestIdOf(req: IncomingMessage): string {
  return s3RequestOf(req)?.id ?? newRequestId();
}

/** The S3 error for a request Node's HTTP parser gave up on, and the status line it goes out with. */
function clientErrorAnswer(code: string | undefined): { s3Error: S3Error; status: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return { s3Error: new S3Error('InvalidRequest', 'Your request headers are too large.'), status: '431 Request Header Fields Too Large' };
  // Headers not complete within HEADERS_TIMEOUT_MS (src/s3/slow-clients.ts).
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { s3Error: new S3Error('RequestTimeout'), status: '400 Bad Request' };
  return { s3Error: new S3Error('InvalidRequest', 'The request could not be parsed.'), status: '400 Bad Request' };
}

/**
 * A request Node's HTTP parser cannot read (bad request line, oversized headers, headers too slow) never
 * reaches routing; it still gets an S3 XML error rather than Fastify's JSON, and the connection is closed.
 */
function answerMalformedRequest(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const { s3Error, status } = clientErrorAnswer(error.code);
  const body = toXml('Error', { Code: s3Error.code, Message: s3Error.message }, false);
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Serves a rotated certificate (cert-manager renewing the Secret) to new connections, without a restart. */
function reloadTlsOnChange(fastify: FastifyInstance, files: TlsFiles, first: TlsPair, metrics: MetricsService): void {
  const server = fastify.server as unknown as TlsServer;
  metrics.tlsCertificateExpiry.set(first.notAfter.getTime() / 1000);
  const stop = watchTlsFiles(files, (options) => server.setSecureContext(options), {
    reloaded: (pair) => {
      metrics.tlsCertificateExpiry.set(pair.notAfter.getTime() / 1000);
      metrics.tlsReloads.inc({ outcome: 'ok' });
      fastify.log.info({ certFile: files.certFile, notAfter: pair.notAfter.toISOString() }, 'TLS certificate reloaded');
    },
    failed: (error) => {
      metrics.tlsReloads.inc({ outcome: 'failed' });
      fastify.log.warn({ err: error.message }, 'TLS files changed but are not usable; still serving the previous certificate');
    },
  });
  fastify.addHook('onClose', (_instance, done) => {
    stop();
    done();
  });
}

/** Builds the gateway: Fastify tuned for S3 (raw streamed bodies, no JSON parsing), routes, hooks. */
export async function createGateway(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel);
  // Read before anything listens: a missing or mismatched certificate stops start-up with its reason.
  const tls = config.tls !== undefined ? readTlsPair(config.tls) : undefined;
  const adapter = new FastifyAdapter({
    // HTTP/1.1 over TLS when TLS_CERT_FILE/TLS_KEY_FILE are set (S3 clients speak HTTP/1.1).
    ...(tls !== undefined ? { https: { cert: tls.cert, key: tls.key } } : {}),
    loggerInstance: logger,
    // Per-request logging belongs to the access log / metrics hooks, not Fastify's two lines per request.
    logController: new LogController({ disableRequestLogging: true }),
    rewriteUrl: createS3UrlRewriter(config),
    genReqId: requestIdOf,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: MAX_URL_PARAM_LENGTH },
    // Bodies are streamed to storage, never buffered by Fastify, so its body limit does not apply to them.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    clientErrorHandler: answerMalformedRequest,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.withConfig(config), adapter, {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Object bodies have any content type: hand every request body on untouched, as a stream.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  applyServerTimeouts(fastify.server, config);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amz-request-id', request.id);
    watchRequestBody(request, reply, config.bodyTimeoutMs);
    done();
  });
  registerRequestHooks(fastify, app.get(MetricsService), logger.isLevelEnabled('info'));
  registerCorsHeaders(fastify, app.get(CorsPolicy));
  if (config.tls !== undefined && tls !== undefined) reloadTlsOnChange(fastify, config.tls, tls, app.get(MetricsService));
  // useProcessExit: after a clean drain exit 0, instead of re-raising the signal (status 143).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}
