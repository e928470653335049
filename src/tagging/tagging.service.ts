import { Inject, Injectable } from '@nestjs/common';
import { NULL_VERSION, OBJECT_STORE, type ObjectStore, type TagSet, type VersionId } from '../ais/store';
import { readConfigurationDocument } from '../s3/body';
import { S3Error } from '../s3/errors';
import { emptyResponse, type S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { bucketAndKey, requestedVersion } from '../objects/object-address';
import { MAX_TAGGING_BYTES, parseTagging, type TagSetKind, taggingXml } from './tag-set';

function versionHeaders(versionId: VersionId): Record<string, string> {
  return versionId === NULL_VERSION ? {} : { 'x-amz-version-id': versionId };
}

/**
 * The Tagging document of a Put...Tagging call. Like every configuration PUT it needs Content-MD5 or a flexible
 * checksum header (botocore marks both operations requestChecksumRequired); the body is verified against it.
 */
async function taggingOf(request: S3Request, kind: TagSetKind): Promise<TagSet> {
  return parseTagging(await readConfigurationDocument(request, MAX_TAGGING_BYTES, () => new S3Error('MalformedXML')), kind);
}

/** Get/Put/DeleteObjectTagging (an object version's tags) and Get/Put/DeleteBucketTagging (a bucket setting). */
@Injectable()
export class TaggingService {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  async getObjectTagging(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const { versionId, tags } = await this.store.getObjectTagging(bucket, key, requestedVersion(request));
    const response = xmlResponse('Tagging', taggingXml(tags));
    return { ...response, headers: { ...response.headers, ...versionHeaders(versionId) } };
  }

  /** The document is read and checked before the store is asked: a refused request changes nothing. */
  async putObjectTagging(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const versionId = requestedVersion(request);
    const tags = await taggingOf(request, 'object');
    return emptyResponse(200, versionHeaders(await this.store.putObjectTagging(bucket, key, versionId, tags)));
  }

  async deleteObjectTagging(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    return emptyResponse(204, versionHeaders(await this.store.putObjectTagging(bucket, key, requestedVersion(request), [])));
  }

  async getBucketTagging(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const tags = await this.store.getBucketSetting(bucket, 'tagging');
    if (tags === undefined || tags.length === 0) throw new S3Error('NoSuchTagSet', undefined, { BucketName: bucket });
    return xmlResponse('Tagging', taggingXml(tags));
  }

  /** Replaces the bucket's tags whole; an empty TagSet leaves it without tags. S3 answers 204. */
  async putBucketTagging(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const tags = await taggingOf(request, 'bucket');
    if (tags.length === 0) await this.store.deleteBucketSetting(bucket, 'tagging');
    else await this.store.putBucketSetting(bucket, 'tagging', tags);
    return emptyResponse(204);
  }

  async deleteBucketTagging(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucketSetting(request.bucket as string, 'tagging');
    return emptyResponse(204);
  }
}
