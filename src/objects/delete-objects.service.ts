import { Inject, Injectable } from '@nestjs/common';
import { type DeleteResult, OBJECT_STORE, ObjectStore } from '../ais/store';
import { inParallel } from '../in-parallel';
import { hasIntegrityHeader, readSmallBody } from '../s3/body';
import { isS3Error, S3Error } from '../s3/errors';
import { unquotedEtag } from '../s3/object-headers';
import { S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { childElement, childElements, MAX_REQUEST_XML_BYTES, parseXml, textOf, type XmlElement } from '../s3/xml';
import { assertValidKey } from './object-address';
import { ObjectLocks } from '../object-lock/object-locks';

/** S3 DeleteObjects takes at most 1000 keys per request. */
const MAX_KEYS_PER_DELETE = 1000;
/** Keys of one DeleteObjects request deleted at the same time. */
const DELETE_CONCURRENCY = 16;

interface DeleteTarget {
  key: string;
  versionId?: string;
  /** The entry's `<ETag>`: delete only while the object has this ETag (S3's conditional delete). */
  etag?: string;
}

function parseDeleteRequest(text: string): { quiet: boolean; targets: DeleteTarget[] } {
  const root = childElement(parseXml(text, ['Object']), 'Delete');
  if (root === undefined) throw new S3Error('MalformedXML');
  const objects = childElements(root, 'Object');
  if (objects.length === 0 || objects.length > MAX_KEYS_PER_DELETE) throw new S3Error('MalformedXML');
  const targets = objects.map((object) => {
    const key = textOf(object.Key);
    if (key === undefined || key === '') throw new S3Error('MalformedXML');
    const versionId = textOf(object.VersionId);
    const etag = textOf(object.ETag);
    return { key, versionId: versionId === '' ? undefined : versionId, etag: etag === undefined || etag === '' ? undefined : etag };
  });
  const quiet = textOf(root.Quiet)?.trim().toLowerCase() === 'true';
  return { quiet, targets };
}

/**
 * A `<Deleted>` entry as S3 writes it: the VersionId that was asked for; DeleteMarker and DeleteMarkerVersionId when
 * a marker was written (a delete without a version id in a versioned bucket) or the version removed was one.
 */
function deletedEntry(target: DeleteTarget, result: DeleteResult): XmlElement {
  const entry: XmlElement = { Key: target.key, VersionId: target.versionId };
  if (result.deleteMarker === true) {
    entry.DeleteMarker = true;
    entry.DeleteMarkerVersionId = result.versionId;
  }
  return entry;
}

@Injectable()
export class DeleteObjectsService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly locks: ObjectLocks,
  ) {}

  /** DeleteObjects (`POST /bucket?delete`): per-key results; a missing key counts as deleted, as in S3. */
  async deleteObjects(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    // S3 requires Content-MD5 here; current SDKs send an x-amz-checksum-* header instead, which S3 accepts too.
    if (!hasIntegrityHeader(request.headers)) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
    }
    const body = await readSmallBody(request, MAX_REQUEST_XML_BYTES);
    const { quiet, targets } = parseDeleteRequest(body.toString('utf8'));
    await this.store.headBucket(bucket);
    // Object Lock decides per key, as S3 does: a protected version is that entry's AccessDenied.
    const guardFor = await this.locks.deleteGuards(request, bucket, false);
    // Each key's outcome, in request order; the keys are deleted DELETE_CONCURRENCY at a time (on AIS each is a
    // round trip through the proxy's redirect).
    const outcomes: Array<{ deleted: XmlElement } | { error: XmlElement }> = [];
    await inParallel(targets, DELETE_CONCURRENCY, async (target, index) => {
      try {
        assertValidKey(target.key);
        // A key the bucket policy does not let the caller delete is that entry's AccessDenied; the others proceed.
        if (request.mayDeleteKey?.(target.key, target.versionId) === false) throw new S3Error('AccessDenied');
        const condition = target.etag !== undefined ? ({ kind: 'match', etags: [unquotedEtag(target.etag)] } as const) : undefined;
        const result = await this.store.deleteObject(bucket, target.key, target.versionId, condition, guardFor(target.versionId));
        outcomes[index] = { deleted: deletedEntry(target, result) };
      } catch (err) {
        if (!isS3Error(err) || err.code === 'NoSuchBucket') throw err;
        outcomes[index] = { error: { Key: target.key, VersionId: target.versionId, Code: err.code, Message: err.message } };
      }
    });
    const deleted = quiet ? [] : outcomes.flatMap((outcome) => ('deleted' in outcome ? [outcome.deleted] : []));
    const errors = outcomes.flatMap((outcome) => ('error' in outcome ? [outcome.error] : []));
    return xmlResponse('DeleteResult', { Deleted: deleted, Error: errors });
  }
}
