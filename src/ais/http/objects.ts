import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable, Transform, pipeline } from 'node:stream';
import { S3Error } from '../../s3/errors';
import {
  BodyDigest,
  CopyRequest,
  DeleteResult,
  IncomingBody,
  NULL_VERSION,
  ObjectAttributes,
  ObjectInfo,
  ObjectRead,
  ReadPlanner,
} from '../ais-client';
import type { AisHttp } from './ais-http';
import { attributesOfCustomMetadata, customMetadataLines } from './custom-metadata';
import { checkStorableKey, objectPath } from './object-names';
import { headerValue } from '../../s3/headers';

/** What a HEAD asks AIS for: with `last-modified` and `etag` AIS adds those S3-style headers. */
const HEAD_PROPS = 'name,size,checksum,atime,version,last-modified,etag,custom';
/** How often a GET starts over when the object changed between its HEAD and its read. */
const READ_ATTEMPTS = 3;

/** The object's content checksum as AIS reports it (MD5 in buckets the gateway creates). */
function contentChecksum(headers: IncomingHttpHeaders): { type?: string; value?: string } {
  return { type: headerValue(headers, 'ais-checksum-type'), value: headerValue(headers, 'ais-checksum-value') };
}

/** ObjectInfo from the headers of AIS's HEAD with HEAD_PROPS. */
export function objectInfoOfHead(key: string, headers: IncomingHttpHeaders): ObjectInfo {
  const checksum = contentChecksum(headers);
  const etagHeader = headerValue(headers, 'etag')?.replace(/^"|"$/g, '');
  const lastModified = headerValue(headers, 'last-modified');
  const atimeNs = headerValue(headers, 'ais-atime');
  const attributes = attributesOfCustomMetadata(headers['ais-custom-md']);
  return {
    key,
    size: Number(headerValue(headers, 'content-length') ?? 0),
    // S3 clients check the ETag against the MD5 of what they read: the md5 checksum is that.
    etag: checksum.type === 'md5' && checksum.value ? checksum.value : (etagHeader ?? checksum.value ?? ''),
    lastModified: lastModified ? new Date(lastModified) : new Date(atimeNs && /^\d+$/.test(atimeNs) ? Number(BigInt(atimeNs) / 1_000_000n) : 0),
    versionId: NULL_VERSION,
    content: attributes.content,
    userMetadata: attributes.userMetadata,
    checksums: {},
  };
}

/** AIS keeps one version per object: only the `null` version (or none) can be asked for. */
function checkVersion(key: string, versionId: string | undefined): void {
  if (versionId !== undefined && versionId !== NULL_VERSION) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
}

/** Object calls: each goes to the target that owns the object (AisHttp follows the proxy's redirect). */
export class AisObjects {
  constructor(private readonly http: AisHttp) {}

  /**
   * Streams the body to the owning target. The body's digest (Content-MD5, flexible checksums, length) is
   * verified when its last byte has been read but before the end of the upload is sent: a bad body aborts the
   * upload and AIS keeps whatever object was there. Should AIS's own MD5 then disagree with the gateway's
   * (the bytes changed on the way), the new object is deleted and the PUT fails; AIS cannot make that
   * replacement atomic, so in that case the previous object is gone too.
   */
  async put(bucket: string, key: string, attributes: ObjectAttributes, body: IncomingBody): Promise<ObjectInfo> {
    checkStorableKey(key);
    let digest: BodyDigest | undefined;
    let refused: unknown;
    const verified = new Transform({
      transform: (chunk, _encoding, done) => done(null, chunk),
      flush: (done) => {
        body.verify().then(
          (result) => {
            digest = result;
            done();
          },
          (err: unknown) => {
            refused = err;
            done(err as Error);
          },
        );
      },
    });
    pipeline(body.stream, verified, () => undefined);
    const path = objectPath(bucket, key);
    const context = { bucket, key };
    let answerHeaders: IncomingHttpHeaders;
    try {
      const answer = await this.http.objectCall({ method: 'PUT', path, headers: { 'ais-custom-md': customMetadataLines(attributes) }, body: verified, context });
      answerHeaders = answer.headers;
      await answer.body.dump();
    } catch (err) {
      verified.destroy();
      throw refused ?? err;
    }
    digest ??= await body.verify();
    const checksum = contentChecksum(answerHeaders);
    if (checksum.type === 'md5' && digest.md5Hex !== '' && checksum.value !== digest.md5Hex) {
      await this.http.objectCallUnlessMissing({ method: 'DELETE', path, context }).then((answer) => answer?.body.dump());
      throw new S3Error('InternalError', `AIS stored MD5 ${checksum.value}, the gateway received ${digest.md5Hex}: the object was removed`);
    }
    return {
      key,
      size: digest.size,
      etag: checksum.type === 'md5' && checksum.value ? checksum.value : digest.md5Hex,
      lastModified: new Date(),
      versionId: NULL_VERSION,
      content: attributes.content,
      userMetadata: attributes.userMetadata,
      checksums: digest.checksums,
    };
  }

  async head(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return (await this.headWithChecksum(bucket, key, versionId)).info;
  }

  private async headWithChecksum(bucket: string, key: string, versionId?: string): Promise<{ info: ObjectInfo; checksum?: string; md5?: string }> {
    checkStorableKey(key);
    checkVersion(key, versionId);
    const answer = await this.http.objectCall({ method: 'HEAD', path: objectPath(bucket, key), query: { props: HEAD_PROPS }, context: { bucket, key } });
    await answer.body.dump();
    const checksum = contentChecksum(answer.headers);
    return { info: objectInfoOfHead(key, answer.headers), checksum: checksum.value, md5: checksum.type === 'md5' ? checksum.value : undefined };
  }

  /**
   * A HEAD gives the planner the object's metadata (AIS's GET has no ETag or Last-Modified), then the bytes
   * are read. AIS has no If-Match, so the GET's checksum is compared with the HEAD's: a mismatch means the
   * object was replaced in between, and the read starts over on the new object.
   */
  async get(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    for (let attempt = 1; ; attempt += 1) {
      const { info, checksum } = await this.headWithChecksum(bucket, key, versionId);
      const range = plan(info);
      if (info.size === 0) return { info, range, body: Buffer.alloc(0) };
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
      const answer = await this.http.objectCall({ method: 'GET', path: objectPath(bucket, key), headers, context: { bucket, key } });
      const served = contentChecksum(answer.headers).value;
      if (served !== undefined && checksum !== undefined && served !== checksum && attempt < READ_ATTEMPTS) {
        answer.body.destroy();
        continue;
      }
      return { info, range, body: answer.body };
    }
  }

  /** AIS answers a missing object with 404; S3 with 204. A missing bucket stays NoSuchBucket. */
  async delete(bucket: string, key: string, versionId?: string): Promise<DeleteResult> {
    checkStorableKey(key);
    const context = { bucket, key };
    if (versionId !== undefined && versionId !== NULL_VERSION) {
      // No such version can exist on AIS: deleting it changes nothing (but the bucket must exist).
      await this.http.proxyCall({ method: 'HEAD', path: `/v1/buckets/${encodeURIComponent(bucket)}`, context: { bucket } });
      return { versionId };
    }
    const answer = await this.http.objectCallUnlessMissing({ method: 'DELETE', path: objectPath(bucket, key), context });
    await answer?.body.dump();
    return { versionId };
  }

  /**
   * Metadata directive COPY: AIS copies the object itself, synchronously (`?object_to=`), custom metadata
   * included; no bytes pass through the gateway. REPLACE: AIS cannot replace an object's custom metadata on
   * copy, so the bytes are streamed from the source's target to the destination's with the new attributes.
   */
  async copy(request: CopyRequest, requireBucket: (bucket: string) => Promise<void>): Promise<ObjectInfo> {
    const { source, target } = request;
    checkStorableKey(target.key);
    const { info, md5 } = await this.headWithChecksum(source.bucket, source.key, source.versionId);
    request.check(info);
    await requireBucket(target.bucket);
    if (request.replaceAttributes === undefined) {
      const answer = await this.http.objectCall({
        method: 'PUT',
        path: objectPath(source.bucket, source.key),
        query: { object_to: `ais/@#/${target.bucket}/${target.key}` },
        context: { bucket: source.bucket, key: source.key },
      });
      await answer.body.dump();
      return this.head(target.bucket, target.key);
    }
    const read = await this.get(source.bucket, source.key, source.versionId, () => undefined);
    const stream = Buffer.isBuffer(read.body) ? Readable.from([read.body]) : read.body;
    const passed = new PassThrough();
    pipeline(stream, passed, () => undefined);
    const copied: IncomingBody = {
      stream: passed,
      // The bytes come from AIS itself; AIS's MD5 of the copy is checked against the source's in put().
      verify: async () => ({ size: info.size, md5Hex: md5 ?? '', checksums: {} }),
    };
    return this.put(target.bucket, target.key, request.replaceAttributes, copied);
  }
}
