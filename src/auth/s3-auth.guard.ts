import { CanActivate, ExecutionContext, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { s3RequestOf } from '../s3/s3-request';
import { isPresigned, parseAuthorizationHeader, parsePresignedQuery } from './sigv4-parse';

/**
 * Auth mode `parse` (AIS-compatible): SigV4 credentials, when present, must be well formed, but the
 * signature is not checked. Requests without any are let through as anonymous. Non-S3 routes (health,
 * metrics) carry no S3 request and are not S3-authenticated.
 */
@Injectable()
export class S3AuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');

  onModuleInit(): void {
    this.logger.warn('S3_AUTH=parse: request signatures are NOT verified; anyone who can reach this port can read and write.');
  }

  canActivate(context: ExecutionContext): boolean {
    const routed = s3RequestOf(context.switchToHttp().getRequest<FastifyRequest>().raw);
    if (routed === undefined || 'error' in routed) return true;
    const authorization = routed.headers.authorization;
    // SigV2 (`AWS AKID:signature`) is still sent by some older tools; in parse mode it is accepted as is.
    if (authorization !== undefined && !authorization.startsWith('AWS ')) parseAuthorizationHeader(authorization);
    else if (authorization === undefined && isPresigned(routed.query)) parsePresignedQuery(routed.query);
    return true;
  }
}
