import { CanActivate, ExecutionContext, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/configuration';
import type { S3Request } from '../s3/s3-request';
import { s3RequestOf } from '../s3/s3-request';
import { Authenticator } from './authenticator';
import { CredentialStore } from './credentials';
import { isPresigned, parseAuthorizationHeader, parsePresignedQuery } from './sigv4-parse';

/**
 * Authenticates every S3 request before its handler runs. Mode `verify`: a valid signature of a known key
 * is required. Mode `parse` (AIS-compatible): credentials, when present, must be well formed, but nothing is
 * verified and anonymous requests pass. Non-S3 routes (health, metrics) carry no S3 request and pass.
 */
@Injectable()
export class S3AuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly authenticator?: Authenticator;

  constructor(config: ConfigService<AppConfig, true>) {
    if (config.get('auth', { infer: true }) === 'verify') {
      const credentials = new CredentialStore(config.get('accessKey', { infer: true }), config.get('credentialsFile', { infer: true }));
      this.authenticator = new Authenticator(credentials, {
        s3Prefix: config.get('s3Prefix', { infer: true }),
        debug: config.get('authDebug', { infer: true }),
      });
    }
  }

  onModuleInit(): void {
    if (this.authenticator === undefined) {
      this.logger.warn('S3_AUTH=parse: request signatures are NOT verified; anyone who can reach this port can read and write.');
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const routed = s3RequestOf(context.switchToHttp().getRequest<FastifyRequest>().raw);
    if (routed === undefined || 'error' in routed) return true;
    // A browser sends preflights (OPTIONS) without credentials; they read nothing and change nothing.
    if (routed.operation === 'CorsPreflight') return true;
    if (this.authenticator !== undefined) routed.auth = this.authenticator.authenticate(routed);
    else checkForm(routed);
    return true;
  }
}

/** Parse mode: SigV4 credentials must be well formed; SigV2 (`AWS AKID:signature`) passes as it is. */
function checkForm(request: S3Request): void {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && !authorization.startsWith('AWS ')) parseAuthorizationHeader(authorization);
  else if (authorization === undefined && isPresigned(request.query)) parsePresignedQuery(request.query);
}
