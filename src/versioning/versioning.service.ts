import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, ObjectStore, VersioningStatus } from '../ais/store';
import { encodeForListing, parseListingParams } from '../buckets/list-params';
import { readConfigurationDocument } from '../s3/body';
import { S3Error } from '../s3/errors';
import { quotedEtag } from '../s3/object-headers';
import { AclService } from '../access/acl/acl.service';
import { emptyResponse, S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { childElement, MAX_REQUEST_XML_BYTES, parseXml, textOf, toXmlInOrder, type XmlElement } from '../s3/xml';

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
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly acl: AclService,
  ) {}

  async getBucketVersioning(request: S3Request): Promise<S3Response> {
    const bucket = await this.store.headBucket(request.bucket as string);
    // A bucket that never had versioning configured answers an empty configuration, as S3 does.
    return xmlResponse('VersioningConfiguration', bucket.versioning ? { Status: bucket.versioning } : {});
  }

  async putBucketVersioning(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const status = parseVersioningConfiguration(await readConfigurationDocument(request, MAX_REQUEST_XML_BYTES));
    // Object Lock needs versioning: it stays Enabled for good.
    if (status !== 'Enabled' && (await this.store.getBucketSetting(bucket, 'objectLock')) !== undefined) {
      throw new S3Error('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.', {
        BucketName: bucket,
      });
    }
    await this.store.putBucketVersioning(bucket, status);
    return emptyResponse(200);
  }

  /** ListObjectVersions: versions and delete markers in key order, newest first within a key. */
  async listObjectVersions(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const { query } = request;
    const params = parseListingParams(query);
    const keyMarker = query['key-marker'] ?? '';
    const versionIdMarker = query['version-id-marker'];
    if (versionIdMarker !== undefined && keyMarker === '') {
      throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { ArgumentName: 'version-id-marker' });
    }
    if (versionIdMarker === '') throw new S3Error('InvalidArgument', 'A version-id marker cannot be empty.', { ArgumentName: 'version-id-marker' });
    const page = await this.store.listObjectVersions(bucket, { ...params, keyMarker, versionIdMarker });
    const encode = (text: string): string => encodeForListing(text, params.urlEncoded);
    const entries = page.versions.map((entry): [string, XmlElement] => {
      const common = { Key: encode(entry.key), VersionId: entry.versionId, IsLatest: entry.isLatest, LastModified: entry.lastModified.toISOString() };
      if (entry.deleteMarker) return ['DeleteMarker', { ...common, Owner: this.acl.ownerOfListed(request, undefined) }];
      const owner = this.acl.ownerOfListed(request, entry.owner);
      return ['Version', { ...common, ETag: quotedEtag(entry.etag), Size: entry.size, StorageClass: 'STANDARD', Owner: owner }];
    });
    // Versions and delete markers are listed interleaved, in one key order, as S3 lists them.
    const body = toXmlInOrder('ListVersionsResult', [
      ['Name', bucket],
      ['Prefix', encode(params.prefix)],
      ['KeyMarker', encode(keyMarker)],
      ['VersionIdMarker', versionIdMarker ?? ''],
      ['NextKeyMarker', page.isTruncated && page.nextKeyMarker !== undefined ? encode(page.nextKeyMarker) : undefined],
      ['NextVersionIdMarker', page.isTruncated ? page.nextVersionIdMarker : undefined],
      ['MaxKeys', params.maxKeys],
      ['Delimiter', params.delimiter !== undefined ? encode(params.delimiter) : undefined],
      ['IsTruncated', page.isTruncated],
      ...entries,
      ...page.commonPrefixes.map((prefix): [string, XmlElement] => ['CommonPrefixes', { Prefix: encode(prefix) }]),
      ['EncodingType', params.urlEncoded ? 'url' : undefined],
    ]);
    return { status: 200, headers: { 'content-type': 'application/xml' }, body };
  }
}
