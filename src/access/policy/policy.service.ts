import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectStore } from '../../ais/store';
import { readSmallBody } from '../../s3/body';
import { isS3Error, S3Error } from '../../s3/errors';
import { emptyResponse, type S3Response, xmlResponse } from '../../s3/response';
import type { S3Request } from '../../s3/s3-request';
import { storedPolicy } from './bucket-policies';
import { malformedPolicy } from './policy-errors';
import { MAX_POLICY_BYTES, parsePolicy } from './policy-document';
import { isPublicPolicy } from './policy-status';
import { blocksPolicy } from './public-access-block';

/** How much of a body is read before it is known to be over S3's 20 KB: a little more, so the answer names the policy limit. */
const READ_LIMIT = 4 * MAX_POLICY_BYTES;

/** GetBucketPolicy, PutBucketPolicy, DeleteBucketPolicy, GetBucketPolicyStatus: a bucket's policy document. */
@Injectable()
export class PolicyService {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  /** The document exactly as it was put. */
  async getBucketPolicy(request: S3Request): Promise<S3Response> {
    const stored = await this.stored(request.bucket as string);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: stored.document };
  }

  /** A document S3 would refuse is 400 MalformedPolicy with S3's message, and changes nothing. */
  async putBucketPolicy(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const body = await readSmallBody(request, READ_LIMIT).catch((err: unknown) => {
      throw isS3Error(err) && err.code === 'MalformedXML' ? tooLarge() : err;
    });
    if (body.length > MAX_POLICY_BYTES) throw tooLarge();
    const document = body.toString('utf8');
    const policy = parsePolicy(document, bucket);
    // BlockPublicPolicy: S3 refuses a public policy with AccessDenied, and keeps the one it had.
    if (blocksPolicy(await this.store.getBucketSetting(bucket, 'publicAccessBlock'), isPublicPolicy(policy))) throw new S3Error('AccessDenied');
    await this.store.putBucketSetting(bucket, 'policy', storedPolicy(bucket, document));
    return emptyResponse(204);
  }

  async deleteBucketPolicy(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucketSetting(request.bucket as string, 'policy');
    return emptyResponse(204);
  }

  async getBucketPolicyStatus(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const stored = await this.stored(bucket);
    return xmlResponse('PolicyStatus', { IsPublic: isPublicPolicy(parsePolicy(stored.document, bucket)) });
  }

  private async stored(bucket: string) {
    const stored = await this.store.getBucketSetting(bucket, 'policy');
    if (stored === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket });
    return stored;
  }
}

function tooLarge(): S3Error {
  return malformedPolicy('Policy exceeds the maximum allowed document size.');
}
