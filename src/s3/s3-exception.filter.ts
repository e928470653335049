import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { S3Error, S3ErrorCode } from './errors';
import { errorResponse, send } from './response';
import { recordErrorCode, s3RequestOf } from './s3-request';

const STATUS_CODES: Record<number, S3ErrorCode> = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  411: 'MissingContentLength',
  413: 'EntityTooLarge',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
};

function asS3Error(exception: unknown): S3Error {
  if (exception instanceof S3Error) return exception;
  if (exception instanceof HttpException) return new S3Error(STATUS_CODES[exception.getStatus()] ?? 'InternalError');
  return new S3Error('InternalError');
}

/**
 * Every failure leaves as an S3 `<Error>` document. When a streamed answer already started, no error body
 * can follow: the connection is cut, so the client sees a short read instead of corrupt data.
 */
@Catch()
export class S3ExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('S3');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let error = asS3Error(exception);
    const routed = s3RequestOf(request.raw);
    if (routed !== undefined && 'hidesMissingKeys' in routed && routed.hidesMissingKeys === true && error.code === 'NoSuchKey')
      error = new S3Error('AccessDenied');
    // 304 Not Modified travels as an S3Error but is no error to count.
    if (error.status >= 400) recordErrorCode(request.raw, error.code);
    // A body that failed because its client went away (or was cut for idling) is the client's doing, not ours:
    // the access log has it (status 499 or 400 RequestTimeout), and an error line with a stack for each would
    // drown real faults when many clients disconnect.
    const clientGone = request.raw.socket?.destroyed === true;
    if (error.code === 'InternalError') {
      if (clientGone) this.logger.debug(`client connection gone: ${exception instanceof Error ? exception.message : String(exception)}`);
      else this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const resource = request.originalUrl.split('?')[0];
    send(reply, errorResponse(error, resource, String(request.id), request.method === 'HEAD'));
  }
}
