import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectStore } from '../../ais/store';
import { readConfigurationDocument } from '../../s3/body';
import { S3Error } from '../../s3/errors';
import { emptyResponse, type S3Response, xmlResponse } from '../../s3/response';
import type { S3Request } from '../../s3/s3-request';
import { parsePublicAccessBlock, publicAccessBlockXml } from './public-access-block';

/** A PublicAccessBlockConfiguration is four booleans; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/** GetPublicAccessBlock, PutPublicAccessBlock, DeletePublicAccessBlock: a bucket's public access block. */
@Injectable()
export class PublicAccessBlockService {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  async getPublicAccessBlock(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const block = await this.store.getBucketSetting(bucket, 'publicAccessBlock');
    if (block === undefined) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: bucket });
    return xmlResponse('PublicAccessBlockConfiguration', publicAccessBlockXml(block));
  }

  /** Like every bucket configuration PUT, it needs Content-MD5 or a flexible checksum header; a bad document changes nothing. */
  async putPublicAccessBlock(request: S3Request): Promise<S3Response> {
    const document = await readConfigurationDocument(request, MAX_BODY_BYTES);
    await this.store.putBucketSetting(request.bucket as string, 'publicAccessBlock', parsePublicAccessBlock(document));
    return emptyResponse(200);
  }

  async deletePublicAccessBlock(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucketSetting(request.bucket as string, 'publicAccessBlock');
    return emptyResponse(204);
  }
}
