import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type BucketInfo, OBJECT_STORE, ObjectStore, ObjectSummary } from '../ais/store';
import type { AppConfig } from '../config/configuration';
import { readSmallBody } from '../s3/body';
import { S3Error } from '../s3/errors';
import { headerValue } from '../s3/headers';
import { ObjectLocks } from '../object-lock/object-locks';
import { quotedEtag } from '../s3/object-headers';
import { AccessControl } from '../access/access-control';
import type { Owner } from '../access/principal';
import { OWNER } from '../s3/owner';
import { AclService } from '../access/acl/acl.service';
import { emptyResponse, S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { childElement, MAX_REQUEST_XML_BYTES, parseXml, textOf } from '../s3/xml';
import { assertValidBucketName } from './bucket-name';
import { continuationTokenAfterBucket, type ListBucketsParams, parseListBucketsParams } from './list-buckets-params';
import { locationConstraintOf, locationForNewBucket, regionOfBucket } from './location';
import { continuationTokenAfter, encodeForListing, entryOfContinuationToken, ListingParams, parseListingParams } from './list-params';
import { type ListedEntry, listBucketResultXml } from './listing-xml';

function bucketOf(request: S3Request): string {
  return request.bucket as string;
}

function objectEntry(object: ObjectSummary, params: ListingParams, owner: ((owner: string | undefined) => Owner) | undefined): ListedEntry {
  return {
    Key: encodeForListing(object.key, params.urlEncoded),
    LastModified: object.lastModified.toISOString(),
    ETag: quotedEtag(object.etag),
    Size: object.size,
    StorageClass: 'STANDARD',
    Owner: owner?.(object.owner),
  };
}

function prefixEntries(prefixes: string[], params: ListingParams): string[] {
  return params.urlEncoded ? prefixes.map((prefix) => encodeForListing(prefix, true)) : prefixes;
}

/** A listing page's answer: its document is written by listBucketResultXml, not xml-js (listing-xml.ts says why). */
function listingResponse(xml: string): S3Response {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
}

@Injectable()
export class BucketsService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly config: ConfigService<AppConfig, true>,
    private readonly access: AccessControl,
    private readonly acl: AclService,
    private readonly locks: ObjectLocks,
  ) {}

  /**
   * Every bucket, or with `max-buckets`, `continuation-token`, `prefix` or `bucket-region` one page of them in
   * name order, with the token of the next page as ContinuationToken (S3 API reference, ListBuckets). In `verify`
   * mode only the caller's own buckets, except for admins, who see all; Owner is the caller.
   */
  async listBuckets(request: S3Request): Promise<S3Response> {
    const params = parseListBucketsParams(request.query);
    const principal = request.auth?.principal;
    const { buckets, nextAfter } = await this.bucketsPage(params, (bucket) => {
      if (principal === undefined || (principal.kind === 'user' && principal.admin)) return true;
      return this.access.owns(principal, bucket);
    });
    return xmlResponse('ListAllMyBucketsResult', {
      Buckets: {
        Bucket: buckets.map((bucket) => ({
          Name: bucket.name,
          CreationDate: bucket.created.toISOString(),
          BucketRegion: regionOfBucket(bucket.location, this.region()),
        })),
      },
      Owner: principal?.kind === 'user' ? { ID: principal.canonicalId, DisplayName: principal.displayName } : { ...OWNER },
      ContinuationToken: nextAfter !== undefined ? continuationTokenAfterBucket(nextAfter) : undefined,
      Prefix: params.prefix,
    });
  }

  /**
   * The page `params` select, and the last bucket of it when more follow. The region of a bucket is known only
   * once the store has read it, so the store is asked for one bucket more than the page holds, again from where
   * it stopped until the page is full of buckets in the region or the store has no more.
   */
  private async bucketsPage(params: ListBucketsParams, visible: (bucket: BucketInfo) => boolean): Promise<{ buckets: BucketInfo[]; nextAfter?: string }> {
    const inRegion = (bucket: BucketInfo) =>
      visible(bucket) && (params.region === undefined || regionOfBucket(bucket.location, this.region()) === params.region);
    const { prefix, maxBuckets } = params;
    if (maxBuckets === undefined) return { buckets: (await this.store.listBuckets({ prefix })).filter(inRegion) };
    const found: BucketInfo[] = [];
    for (let startAfter = params.startAfter; ;) {
      const limit = maxBuckets + 1 - found.length;
      const read = await this.store.listBuckets({ prefix, startAfter, limit });
      found.push(...read.filter(inRegion));
      if (read.length < limit || found.length > maxBuckets) break;
      startAfter = read[read.length - 1].name;
    }
    const buckets = found.slice(0, maxBuckets);
    return { buckets, nextAfter: found.length > maxBuckets ? buckets[buckets.length - 1].name : undefined };
  }

  /**
   * A bucket that already exists is S3's legacy 200 in us-east-1 and BucketAlreadyOwnedByYou in every other
   * region (S3 API reference, CreateBucket errors) when the caller owns it, and BucketAlreadyExists in every
   * region when someone else does. In `verify` mode the caller becomes the new bucket's owner; in `parse` mode
   * there is no caller to trust, and every bucket is everyone's.
   */
  async createBucket(request: S3Request): Promise<S3Response> {
    const bucket = bucketOf(request);
    assertValidBucketName(bucket);
    const settings = this.acl.bucketSettingsForCreate(request);
    const objectLock = headerValue(request.headers, 'x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true';
    const location = locationForNewBucket(await this.readLocationConstraint(request), this.region());
    const principal = request.auth?.principal;
    const outcome = await this.store.createBucket(bucket, location, principal?.kind === 'user' ? principal.canonicalId : undefined);
    if (!outcome.created && principal !== undefined && !this.access.owns(principal, outcome.existing)) {
      throw new S3Error('BucketAlreadyExists', undefined, { BucketName: bucket });
    }
    if (!outcome.created && this.region() !== 'us-east-1') throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
    if (outcome.created) await this.acl.applyCreateSettings(bucket, settings);
    if (outcome.created && objectLock) await this.enableObjectLock(bucket);
    return emptyResponse(200, { location: `/${bucket}` });
  }

  /** CreateBucket's `x-amz-bucket-object-lock-enabled: true`: versioning Enabled, as S3 turns it on, and Object Lock without a default rule. */
  private async enableObjectLock(bucket: string): Promise<void> {
    await this.store.putBucketVersioning(bucket, 'Enabled');
    await this.store.putBucketSetting(bucket, 'objectLock', {});
    this.locks.forget(bucket);
  }

  async deleteBucket(request: S3Request): Promise<S3Response> {
    await this.store.deleteBucket(bucketOf(request));
    this.locks.forget(bucketOf(request));
    return emptyResponse(204);
  }

  async headBucket(request: S3Request): Promise<S3Response> {
    const info = await this.store.headBucket(bucketOf(request));
    return emptyResponse(200, { 'x-amz-bucket-region': regionOfBucket(info.location, this.region()) });
  }

  /** The LocationConstraint the bucket was created with; S3 reports us-east-1 as an empty one. */
  async getBucketLocation(request: S3Request): Promise<S3Response> {
    const info = await this.store.headBucket(bucketOf(request));
    const constraint = locationConstraintOf(info.location, this.region());
    return xmlResponse('LocationConstraint', constraint === '' ? {} : { _text: constraint });
  }

  getBucketAcl(request: S3Request): Promise<S3Response> {
    return this.acl.getBucketAcl(request);
  }

  putBucketAcl(request: S3Request): Promise<S3Response> {
    return this.acl.putBucketAcl(request);
  }

  async listObjectsV1(request: S3Request): Promise<S3Response> {
    const bucket = bucketOf(request);
    const params = parseListingParams(request.query);
    const marker = request.query.marker ?? '';
    const page = await this.store.listObjects(bucket, { ...params, startAfter: marker || undefined });
    const nextMarker = page.isTruncated && params.delimiter !== undefined ? page.lastEntry : undefined;
    return listingResponse(
      listBucketResultXml(
        [
          ['Name', bucket],
          // ListObjects (V1) encodes Delimiter, Marker, NextMarker, Key and CommonPrefixes but leaves Prefix as it was
          // sent: botocore decodes only those (handlers.decode_list_object), and ceph's s3-tests, which pass against AWS,
          // read a prefix of "\n" back unchanged from list_objects. ListObjectsV2 encodes Prefix.
          ['Prefix', params.prefix],
          ['Marker', encodeForListing(marker, params.urlEncoded)],
          ['MaxKeys', params.maxKeys],
          ['Delimiter', params.delimiter !== undefined ? encodeForListing(params.delimiter, params.urlEncoded) : undefined],
          ['IsTruncated', page.isTruncated],
          ['NextMarker', nextMarker !== undefined ? encodeForListing(nextMarker, params.urlEncoded) : undefined],
        ],
        page.objects.map((object) => objectEntry(object, params, (owner) => this.acl.ownerOfListed(request, owner))),
        prefixEntries(page.commonPrefixes, params),
        [['EncodingType', params.urlEncoded ? 'url' : undefined]],
      ),
    );
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
    const owner = query['fetch-owner'] === 'true' ? (id: string | undefined) => this.acl.ownerOfListed(request, id) : undefined;
    return listingResponse(
      listBucketResultXml(
        [
          ['Name', bucket],
          ['Prefix', encodeForListing(params.prefix, params.urlEncoded)],
          ['MaxKeys', params.maxKeys],
          ['KeyCount', page.objects.length + page.commonPrefixes.length],
          ['Delimiter', params.delimiter !== undefined ? encodeForListing(params.delimiter, params.urlEncoded) : undefined],
          ['IsTruncated', page.isTruncated],
          ['ContinuationToken', token],
          ['NextContinuationToken', page.isTruncated && page.lastEntry !== undefined ? continuationTokenAfter(page.lastEntry) : undefined],
          ['StartAfter', startAfter !== undefined ? encodeForListing(startAfter, params.urlEncoded) : undefined],
        ],
        page.objects.map((object) => objectEntry(object, params, owner)),
        prefixEntries(page.commonPrefixes, params),
        [['EncodingType', params.urlEncoded ? 'url' : undefined]],
      ),
    );
  }

  /** The gateway's region (S3_REGION): the region whose S3 endpoint it answers as. */
  private region(): string {
    return this.config.get('region', { infer: true });
  }

  /** The LocationConstraint of the CreateBucketConfiguration CreateBucket may carry; undefined without one. */
  private async readLocationConstraint(request: S3Request): Promise<string | undefined> {
    const length = request.headers['content-length'];
    if (length === undefined || length === '0') return undefined;
    const text = (await readSmallBody(request, MAX_REQUEST_XML_BYTES)).toString('utf8');
    if (text.trim() === '') return undefined;
    const configuration = childElement(parseXml(text), 'CreateBucketConfiguration');
    if (configuration === undefined) throw new S3Error('MalformedXML');
    return textOf(configuration.LocationConstraint);
  }
}
