import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OBJECT_STORE, type ObjectStore } from '../ais/store';
import type { AppConfig } from '../config/configuration';
import { isS3Error, S3Error } from '../s3/errors';
import { headerValue } from '../s3/headers';
import type { S3Response } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { CORS_METHODS, type CorsRule, isCorsMethod } from './cors-configuration';
import { corsHeaders, findRule, requestedHeaders } from './cors-rules';

/** The response headers S3 clients read: what the gateway-wide default rule lets a page see. */
export const DEFAULT_EXPOSE_HEADERS = [
  'ETag',
  'x-amz-version-id',
  'x-amz-request-id',
  'x-amz-delete-marker',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
  'x-amz-checksum-type',
  'x-amz-mp-parts-count',
  'x-amz-bucket-region',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Cache-Control',
  'Expires',
  'Last-Modified',
  'Accept-Ranges',
];

/** How long a browser may keep a preflight answered by the default rule. */
const DEFAULT_MAX_AGE_SECONDS = 600;

/** The rule CORS_ALLOWED_ORIGINS stands for; undefined when it is empty. */
export function defaultRules(origins: readonly string[]): CorsRule[] | undefined {
  if (origins.length === 0) return undefined;
  return [
    {
      id: 'CORS_ALLOWED_ORIGINS',
      allowedOrigins: [...origins],
      allowedMethods: [...CORS_METHODS],
      allowedHeaders: ['*'],
      exposeHeaders: DEFAULT_EXPOSE_HEADERS,
      maxAgeSeconds: DEFAULT_MAX_AGE_SECONDS,
    },
  ];
}

/**
 * Which CORS rules apply to a request, and what they answer: a bucket's own configuration, else the gateway-wide
 * default (CORS_ALLOWED_ORIGINS), else none. Preflights (OPTIONS) are answered here; the headers of actual
 * requests come from cors-hooks.ts.
 */
@Injectable()
export class CorsPolicy {
  private readonly fallback?: CorsRule[];

  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.fallback = defaultRules(config.get('corsAllowedOrigins', { infer: true }));
  }

  /** The rules for requests to `bucket` (undefined: the service itself); a bucket that does not exist has only the default. */
  async rulesFor(bucket: string | undefined): Promise<CorsRule[] | undefined> {
    if (bucket === undefined) return this.fallback;
    try {
      return (await this.store.getBucketSetting(bucket, 'cors', true)) ?? this.fallback;
    } catch (err) {
      if (isS3Error(err) && err.code === 'NoSuchBucket') return this.fallback;
      throw err;
    }
  }

  /** The CORS headers of an actual request from `origin`; undefined when no rule admits it. */
  async actualRequestHeaders(bucket: string | undefined, origin: string, method: string): Promise<Record<string, string> | undefined> {
    if (!isCorsMethod(method)) return undefined;
    const rules = await this.rulesFor(bucket);
    const match = rules && findRule(rules, { origin, method });
    return match && corsHeaders(match);
  }

  /** OPTIONS: 200 with the first matching rule's headers, else the error S3 answers. No signature is needed. */
  async preflight(request: S3Request): Promise<S3Response> {
    const origin = headerValue(request.headers, 'origin');
    if (origin === undefined) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
    const method = headerValue(request.headers, 'access-control-request-method');
    if (method === undefined || !isCorsMethod(method)) throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
    const details = { Method: method, ResourceType: request.key !== undefined ? 'OBJECT' : 'BUCKET' };
    const rules = await this.rulesFor(request.bucket);
    if (rules === undefined) throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', details);
    const headers = requestedHeaders(headerValue(request.headers, 'access-control-request-headers'));
    const match = findRule(rules, { origin, method, headers });
    if (match === undefined) throw new S3Error('AccessForbidden', undefined, details);
    return { status: 200, headers: corsHeaders(match, headers) };
  }
}
