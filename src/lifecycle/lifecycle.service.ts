import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { OBJECT_STORE, type ObjectStore } from '../ais/store';
import { readConfigurationDocument } from '../s3/body';
import { S3Error } from '../s3/errors';
import { emptyResponse, type S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { LifecycleExpiry } from './lifecycle-expiry';
import { lifecycleConfigurationXml, MAX_LIFECYCLE_CONFIGURATION_BYTES, parseLifecycleConfiguration } from './lifecycle-configuration';

/** The ID S3 gives a rule put without one: a short random string. */
function generatedRuleId(): string {
  return randomBytes(12).toString('base64url');
}

/** GetBucketLifecycleConfiguration, PutBucketLifecycleConfiguration, DeleteBucketLifecycle: a bucket's lifecycle rules. */
@Injectable()
export class LifecycleService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly expiry: LifecycleExpiry,
  ) {}

  async getBucketLifecycle(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const rules = await this.store.getBucketSetting(bucket, 'lifecycle');
    if (rules === undefined) throw new S3Error('NoSuchLifecycleConfiguration', undefined, { BucketName: bucket });
    return xmlResponse('LifecycleConfiguration', lifecycleConfigurationXml(rules));
  }

  /** Replaces the rules whole; it needs Content-MD5 or a flexible checksum header, and a bad document changes nothing. */
  async putBucketLifecycle(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const document = await readConfigurationDocument(request, MAX_LIFECYCLE_CONFIGURATION_BYTES);
    await this.store.putBucketSetting(bucket, 'lifecycle', parseLifecycleConfiguration(document, generatedRuleId));
    this.expiry.forget(bucket);
    return emptyResponse(200);
  }

  async deleteBucketLifecycle(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucketSetting(request.bucket as string, 'lifecycle');
    this.expiry.forget(request.bucket as string);
    return emptyResponse(204);
  }
}
