import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
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

/** Large enough for a 1024-byte key fully percent-encoded (3 bytes per byte) plus the query. */
const MAX_URL_PARAM_LENGTH = 8 * 1024;

function requestIdOf(req: IncomingMessage): string {
  return s3RequestOf(req)?.id ?? newRequestId();
}

/**
 * A request Node's HTTP parser cannot read (bad request line, oversized headers) never reaches routing; it
 * still gets an S3 XML error rather than Fastify's JSON, and the connection is closed.
 */
function answerMalformedRequest(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const s3Error = new S3Error('InvalidRequest', tooLarge ? 'Your request headers are too large.' : 'The request could not be parsed.');
  const body = toXml('Error', { Code: s3Error.code, Message: s3Error.message }, false);
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Builds the gateway: Fastify tuned for S3 (raw streamed bodies, no JSON parsing), routes, hooks. */
export async function createGateway(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
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
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amz-request-id', request.id);
    done();
  });
  registerRequestHooks(fastify, app.get(MetricsService), logger.isLevelEnabled('info'));
  registerCorsHeaders(fastify, app.get(CorsPolicy));
  // useProcessExit: after a clean drain exit 0, instead of re-raising the signal (status 143).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}
