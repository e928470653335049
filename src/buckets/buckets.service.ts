import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OBJECT_STORE, ObjectStore, ObjectSummary } from '../ais/store';
import type { AppConfig } from '../config/configuration';
import { readSmallBody } from '../s3/body';
import { S3Error } from '../s3/errors';
import { quotedEtag } from '../s3/object-headers';
import { OWNER } from '../s3/owner';
import { assertPrivateAcl, privateAclResponse } from '../s3/acl';
import { emptyResponse, S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { childElement, MAX_REQUEST_XML_BYTES, parseXml, XmlElement } from '../s3/xml';
import { assertValidBucketName } from './bucket-name';
import { continuationTokenAfter, encodeForListing, entryOfContinuationToken, ListingParams, parseListingParams } from './list-params';

function bucketOf(request: S3Request): string {
  return request.bucket as string;
}

function objectEntry(object: ObjectSummary, params: ListingParams, withOwner: boolean): XmlElement {
  return {
    Key: encodeForListing(object.key, params.urlEncoded),
    LastModified: object.lastModified.toISOString(),
    ETag: quotedEtag(object.etag),
    Size: object.size,
    StorageClass: 'STANDARD',
    Owner: withOwner ? { ...OWNER } : undefined,
  };
}

function prefixEntries(prefixes: string[], params: ListingParams): XmlElement[] {
  return prefixes.map((prefix) => ({ Prefix: encodeForListing(prefix, params.urlEncoded) }));
}

@Injectable()
export class BucketsService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  async listBuckets(): Promise<S3Response> {
    const buckets = await this.store.listBuckets();
    return xmlResponse('ListAllMyBucketsResult', {
      Owner: { ...OWNER },
      Buckets: { Bucket: buckets.map((bucket) => ({ Name: bucket.name, CreationDate: bucket.created.toISOString() })) },
    });
  }

  async createBucket(request: S3Request): Promise<S3Response> {
    const bucket = bucketOf(request);
    assertValidBucketName(bucket);
    assertPrivateAcl(request);
    await this.readLocationConstraint(request);
    await this.store.createBucket(bucket);
    return emptyResponse(200, { location: `/${bucket}` });
  }

  async deleteBucket(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucket(bucketOf(request));
    return emptyResponse(204);
  }

  async headBucket(request: S3Request): Promise<S3Response> {
    await this.store.headBucket(bucketOf(request));
    return emptyResponse(200, { 'x-amz-bucket-region': this.config.get('region', { infer: true }) });
  }

  async getBucketLocation(request: S3Request): Promise<S3Response> {
    await this.store.headBucket(bucketOf(request));
    const region = this.config.get('region', { infer: true });
    // S3 reports us-east-1 as an empty LocationConstraint.
    return xmlResponse('LocationConstraint', region === 'us-east-1' ? {} : { _text: region });
  }

  async getBucketAcl(request: S3Request): Promise<S3Response> {
    await this.store.headBucket(bucketOf(request));
    return privateAclResponse();
  }

  async putBucketAcl(request: S3Request): Promise<S3Response> {
    await this.store.headBucket(bucketOf(request));
    assertPrivateAcl(request);
    return emptyResponse(200);
  }

  async listObjectsV1(request: S3Request): Promise<S3Response> {
    const bucket = bucketOf(request);
    const params = parseListingParams(request.query);
    const marker = request.query.marker ?? '';
    const page = await this.store.listObjects(bucket, { ...params, startAfter: marker || undefined });
    const nextMarker = page.isTruncated && params.delimiter !== undefined ? page.lastEntry : undefined;
    return xmlResponse('ListBucketResult', {
      Name: bucket,
      // ListObjects (V1) encodes Delimiter, Marker, NextMarker, Key and CommonPrefixes but leaves Prefix as it was
      // sent: botocore decodes only those (handlers.decode_list_object), and ceph's s3-tests, which pass against AWS,
      // read a prefix of "\n" back unchanged from list_objects. ListObjectsV2 encodes Prefix.
      Prefix: params.prefix,
      Marker: encodeForListing(marker, params.urlEncoded),
      MaxKeys: params.maxKeys,
      Delimiter: params.delimiter !== undefined ? encodeForListing(params.delimiter, params.urlEncoded) : undefined,
      IsTruncated: page.isTruncated,
      NextMarker: nextMarker !== undefined ? encodeForListing(nextMarker, params.urlEncoded) : undefined,
      Contents: page.objects.map((object) => objectEntry(object, params, true)),
      CommonPrefixes: prefixEntries(page.commonPrefixes, params),
      EncodingType: params.urlEncoded ? 'url' : undefined,
    });
  }

  async listObjectsV2(request: S3Request): Promise<S3Response> {
    const bucket = bucketOf(request);
    const { query } = request;
    if (query['list-type'] !== '2') {
      throw new S3Error('InvalidArgument', 'Invalid List Type specified in Request', { ArgumentName: 'list-type' });
    }
    const params = parseListingParams(query);
    const token = query['continuation-token'];
    const startAfter = query['start-after'];
    // An empty continuation-token= is no token (S3 lists from the start, or from start-after, and echoes it back).
    const after = token ? entryOfContinuationToken(token) : startAfter || undefined;
    const page = await this.store.listObjects(bucket, { ...params, startAfter: after });
    const withOwner = query['fetch-owner'] === 'true';
    return xmlResponse('ListBucketResult', {
      Name: bucket,
      Prefix: encodeForListing(params.prefix, params.urlEncoded),
      MaxKeys: params.maxKeys,
      KeyCount: page.objects.length + page.commonPrefixes.length,
      Delimiter: params.delimiter !== undefined ? encodeForListing(params.delimiter, params.urlEncoded) : undefined,
      IsTruncated: page.isTruncated,
      ContinuationToken: token,
      NextContinuationToken: page.isTruncated && page.lastEntry !== undefined ? continuationTokenAfter(page.lastEntry) : undefined,
      StartAfter: startAfter !== undefined ? encodeForListing(startAfter, params.urlEncoded) : undefined,
      Contents: page.objects.map((object) => objectEntry(object, params, withOwner)),
      CommonPrefixes: prefixEntries(page.commonPrefixes, params),
      EncodingType: params.urlEncoded ? 'url' : undefined,
    });
  }

  /** CreateBucket may carry a CreateBucketConfiguration; any LocationConstraint is accepted (one region here). */
  private async readLocationConstraint(request: S3Request): Promise<void> {
    const length = request.headers['content-length'];
    if (length === undefined || length === '0') return;
    const text = (await readSmallBody(request, MAX_REQUEST_XML_BYTES)).toString('utf8');
    if (text.trim() === '') return;
    if (childElement(parseXml(text), 'CreateBucketConfiguration') === undefined) throw new S3Error('MalformedXML');
  }
}
