import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectStore } from '../ais/store';
import { readConfigurationDocument } from '../s3/body';
import { S3Error } from '../s3/errors';
import { emptyResponse, type S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { corsConfigurationXml, MAX_CORS_CONFIGURATION_BYTES, parseCorsConfiguration } from './cors-configuration';

/** GetBucketCors, PutBucketCors, DeleteBucketCors: a bucket's CORS configuration. */
@Injectable()
export class CorsService {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  async getBucketCors(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const rules = await this.store.getBucketSetting(bucket, 'cors');
    if (rules === undefined) throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: bucket });
    return xmlResponse('CORSConfiguration', corsConfigurationXml(rules));
  }

  /** Like every bucket configuration PUT, it needs Content-MD5 or a flexible checksum header; a bad document changes nothing. */
  async putBucketCors(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    // A Content-Length over the limit is S3's MaxMessageLengthExceeded here.
    const document = await readConfigurationDocument(request, MAX_CORS_CONFIGURATION_BYTES, () => new S3Error('MaxMessageLengthExceeded'));
    await this.store.putBucketSetting(bucket, 'cors', parseCorsConfiguration(document));
    return emptyResponse(200);
  }

  async deleteBucketCors(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucketSetting(request.bucket as string, 'cors');
    return emptyResponse(204);
  }
}
