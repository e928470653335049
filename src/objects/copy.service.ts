import { Inject, Injectable } from '@nestjs/common';
import { AclService } from '../access/acl/acl.service';
import { OBJECT_STORE, ObjectStore } from '../ais/store';
import { checkCopySourceConditions, writeConditionOf } from '../s3/conditions';
import { S3Error } from '../s3/errors';
import { attributesOf } from '../s3/object-headers';
import { S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { quotedEtag } from '../s3/object-headers';
import { copySourceFailure, parseCopySource } from './copy-source';
import { assertValidKey, bucketAndKey } from './object-address';
import { writeResponseHeaders } from './objects.service';
import { copyTags } from '../tagging/tag-set';
import { ObjectLocks } from '../object-lock/object-locks';

function metadataDirective(request: S3Request): 'COPY' | 'REPLACE' {
  const directive = (request.headers['x-amz-metadata-directive'] as string | undefined) ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  }
  return directive;
}

@Injectable()
export class CopyService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly acl: AclService,
    private readonly locks: ObjectLocks,
  ) {}

  /** CopyObject within or across buckets (S3 CopyObject); the source's bytes are not sent through the gateway. */
  async copyObject(request: S3Request): Promise<S3Response> {
    const target = bucketAndKey(request);
    assertValidKey(target.key);
    const source = parseCopySource(request.headers['x-amz-copy-source'] as string);
    const directive = metadataDirective(request);
    const tags = copyTags(request.headers);
    const condition = writeConditionOf(request.headers, 'write');
    // Copying an older version onto its own key (with ?versionId=) is how S3 users restore it: that is allowed.
    if (directive === 'COPY' && source.bucket === target.bucket && source.key === target.key && source.versionId === undefined) {
      throw new S3Error(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const access = await this.acl.objectAccessForWrite(request);
    // The copy's lock comes from this request's headers or the destination's default retention, never the source.
    const lock = await this.locks.lockForWrite(request, target.bucket, false);
    const guard = await this.locks.writeGuard(target.bucket);
    const info = await this.store
      .copyObject({
        access,
        source,
        target,
        check: (sourceInfo) => checkCopySourceConditions(sourceInfo, request.headers),
        replaceAttributes: directive === 'REPLACE' ? attributesOf(request.headers) : undefined,
        condition,
        tags,
        lock,
        guard,
      })
      .catch(copySourceFailure);
    const response = xmlResponse('CopyObjectResult', { LastModified: info.lastModified.toISOString(), ETag: quotedEtag(info.etag) });
    const headers = writeResponseHeaders(info);
    delete headers.etag;
    if (source.versionId !== undefined) headers['x-amz-copy-source-version-id'] = source.versionId;
    return { ...response, headers: { ...response.headers, ...headers } };
  }
}
