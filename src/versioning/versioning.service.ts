import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, ObjectStore, VersioningStatus } from '../ais/store';
import { encodeForListing, parseListingParams } from '../buckets/list-params';
import { hasIntegrityHeader, readSmallBody } from '../s3/body';
import { S3Error } from '../s3/errors';
import { quotedEtag } from '../s3/object-headers';
import { OWNER } from '../s3/owner';
import { emptyResponse, S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { childElement, MAX_REQUEST_XML_BYTES, parseXml, textOf } from '../s3/xml';

function parseVersioningConfiguration(text: string): VersioningStatus {
  const root = childElement(parseXml(text), 'VersioningConfiguration');
  if (root === undefined) throw new S3Error('MalformedXML');
  const status = textOf(root.Status);
  if (status !== 'Enabled' && status !== 'Suspended') throw new S3Error('MalformedXML');
  const mfaDelete = textOf(root.MfaDelete);
  if (mfaDelete === 'Enabled') throw new S3Error('NotImplemented', 'MFA Delete is not supported.');
  return status;
}

@Injectable()
export class VersioningService {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  async getBucketVersioning(request: S3Request): Promise<S3Response> {
    const bucket = await this.store.headBucket(request.bucket as string);
    // A bucket that never had versioning configured answers an empty configuration, as S3 does.
    return xmlResponse('VersioningConfiguration', bucket.versioning ? { Status: bucket.versioning } : {});
  }

  async putBucketVersioning(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    if (!hasIntegrityHeader(request.headers)) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
    }
    const body = await readSmallBody(request, MAX_REQUEST_XML_BYTES);
    const status = parseVersioningConfiguration(body.toString('utf8'));
    await this.store.putBucketVersioning(bucket, status);
    return emptyResponse(200);
  }

  /**
   * ListObjectVersions. This store keeps one version per key, so each key lists as its latest version
   * (`null` when written unversioned); key-marker / version-id-marker page over keys.
   */
  async listObjectVersions(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const { query } = request;
    const params = parseListingParams(query);
    const keyMarker = query['key-marker'] ?? '';
    const versionIdMarker = query['version-id-marker'];
    if (versionIdMarker !== undefined && keyMarker === '') {
      throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { ArgumentName: 'version-id-marker' });
    }
    const page = await this.store.listObjects(bucket, { ...params, startAfter: keyMarker || undefined });
    const nextKeyMarker = page.isTruncated ? page.lastEntry : undefined;
    const lastObject = page.objects.at(-1);
    return xmlResponse('ListVersionsResult', {
      Name: bucket,
      Prefix: encodeForListing(params.prefix, params.urlEncoded),
      KeyMarker: encodeForListing(keyMarker, params.urlEncoded),
      VersionIdMarker: versionIdMarker ?? '',
      NextKeyMarker: nextKeyMarker !== undefined ? encodeForListing(nextKeyMarker, params.urlEncoded) : undefined,
      NextVersionIdMarker: nextKeyMarker !== undefined && lastObject?.key === nextKeyMarker ? lastObject.versionId : undefined,
      MaxKeys: params.maxKeys,
      Delimiter: params.delimiter !== undefined ? encodeForListing(params.delimiter, params.urlEncoded) : undefined,
      IsTruncated: page.isTruncated,
      Version: page.objects.map((object) => ({
        Key: encodeForListing(object.key, params.urlEncoded),
        VersionId: object.versionId,
        IsLatest: true,
        LastModified: object.lastModified.toISOString(),
        ETag: quotedEtag(object.etag),
        Size: object.size,
        StorageClass: 'STANDARD',
        Owner: { ...OWNER },
      })),
      CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encodeForListing(prefix, params.urlEncoded) })),
      EncodingType: params.urlEncoded ? 'url' : undefined,
    });
  }
}
