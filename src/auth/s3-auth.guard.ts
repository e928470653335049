import { CanActivate, ExecutionContext, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { AccessControl } from '../access/access-control';
import type { AppConfig } from '../config/configuration';
import type { S3Request } from '../s3/s3-request';
import { s3RequestOf } from '../s3/s3-request';
import { Authenticator } from './authenticator';
import { requestedLockOf } from '../object-lock/object-lock-rules';
import { formSignatureOf } from './form-signature';
import { isPresigned, parseAuthorizationHeader, parsePresignedQuery } from './sigv4-parse';

/**
 * Authenticates and authorizes every S3 request before its handler runs (before any body is read). Mode `verify`:
 * a request with a signature needs a valid one of a known key, and then the access check (AccessControl) decides
 * what the user, or the anonymous principal of an unsigned request, may do. Mode `parse` (AIS-compatible):
 * credentials, when present, must be well formed, but nothing is verified or enforced. Non-S3 routes (health,
 * metrics) carry no S3 request and pass.
 */
@Injectable()
export class S3AuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly authenticator?: Authenticator;

  constructor(
    config: ConfigService<AppConfig, true>,
    private readonly access: AccessControl,
  ) {
    if (access.credentials !== undefined) {
      this.authenticator = new Authenticator(access.credentials, {
        s3Prefix: config.get('s3Prefix', { infer: true }),
        debug: config.get('authDebug', { infer: true }),
      });
    }
  }

  onModuleInit(): void {
    if (this.authenticator === undefined) {
      this.logger.warn('S3_AUTH=parse: request signatures are NOT verified and access is NOT controlled; anyone who can reach this port can read and write.');
    }
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const routed = s3RequestOf(context.switchToHttp().getRequest<FastifyRequest>().raw);
    if (routed === undefined || 'error' in routed) return true;
    // A browser sends preflights (OPTIONS) without credentials; they read nothing and change nothing.
    if (routed.operation === 'CorsPreflight') return true;
    // POST Object is signed inside its body (the form's policy): the handler runs this check once it has read the
    // fields before the file, and before it stores a byte.
    if (routed.operation === 'PostObject') {
      routed.authorizeForm = (fields, key) => this.authorizeForm(routed, fields, key);
      return true;
    }
    if (this.authenticator === undefined) {
      checkForm(routed);
      return true;
    }
    routed.auth = this.authenticator.authenticate(routed);
    return this.access.authorize(routed).then(() => true);
  }

  /** `key`: the object the form writes (its `key` field, `${filename}` filled in), which a bucket policy judges. */
  private async authorizeForm(request: S3Request, fields: ReadonlyMap<string, string>, key: string): Promise<void> {
    if (this.authenticator === undefined) {
      formSignatureOf(fields);
      return;
    }
    request.auth = this.authenticator.authenticateForm(fields);
    // The URL names only the bucket: the check sees the form's key, and what it notes (the bucket's owner) goes back.
    // Its x-amz-object-lock-* fields are the lock a bucket policy's s3:object-lock-* keys see.
    const target: S3Request = { ...request, key, requestedLock: requestedLockOf(Object.fromEntries(fields)) };
    await this.access.authorize(target);
    request.bucketOwner = target.bucketOwner;
  }
}

/** Parse mode: SigV4 credentials must be well formed; SigV2 (`AWS AKID:signature`) passes as it is. */
function checkForm(request: S3Request): void {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && !authorization.startsWith('AWS ')) parseAuthorizationHeader(authorization);
  else if (authorization === undefined && isPresigned(request.query)) parsePresignedQuery(request.query);
}
