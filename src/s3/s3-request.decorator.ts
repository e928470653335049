import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { S3Error } from './errors';
import { type S3Request, s3RequestOf } from './s3-request';

/** Injects the S3Request that routing attached to this request. */
export const S3Req = createParamDecorator((_: unknown, ctx: ExecutionContext): S3Request => {
  const request = s3RequestOf(ctx.switchToHttp().getRequest<FastifyRequest>().raw);
  if (request === undefined || 'error' in request) throw request?.error ?? new S3Error('InternalError');
  return request;
});
