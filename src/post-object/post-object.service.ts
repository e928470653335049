import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { OBJECT_STORE, type ObjectInfo, type ObjectStore } from '../ais/store';
import { writeResponseHeaders } from '../objects/objects.service';
import { assertValidKey } from '../objects/object-address';
import { AclService } from '../access/acl/acl.service';
import { parseTagging } from '../tagging/tag-set';
import { incomingBody, MAX_PUT_BYTES } from '../s3/body';
import { S3Error } from '../s3/errors';
import { attributesOf, quotedEtag } from '../s3/object-headers';
import { LOCK_HEADERS } from '../object-lock/object-lock-rules';
import { ObjectLocks } from '../object-lock/object-locks';
import { emptyResponse, type S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { readPostForm, type PostForm } from './post-form';
import { checkPostPolicy, parsePostPolicy, type PostPolicy } from './post-policy';

/**
 * Form fields that act as the same headers of a PutObject: the object's headers, `Content-MD5` (the file is checked
 * against it: BadDigest) and the Object Lock fields (read by ObjectLocks.lockForWrite, with PutObject's refusals).
 */
const CONTENT_FIELDS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'content-md5',
  ...LOCK_HEADERS,
];
const HEADER_PREFIXES = ['x-amz-meta-', 'x-amz-checksum-'];

/**
 * The form's object headers as a PutObject would carry them. Node hands header bytes over as latin1, so a UTF-8
 * value from the form is given the same shape: GET and HEAD then answer with the bytes the form sent.
 */
function objectHeadersOf(fields: ReadonlyMap<string, string>): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of fields) {
    if (CONTENT_FIELDS.includes(name) || HEADER_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      headers[name] = Buffer.from(value, 'utf8').toString('latin1');
    }
  }
  const acl = fields.get('acl');
  if (acl !== undefined) headers['x-amz-acl'] = acl;
  return headers;
}

/** The object's key: the `key` field, `${filename}` replaced by the file's name. */
function keyOf(fields: ReadonlyMap<string, string>, filename: string | undefined): string {
  const key = fields.get('key');
  if (key === undefined || key === '') {
    throw new S3Error('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", {
      ArgumentName: 'key',
      ArgumentValue: '',
    });
  }
  return key.replaceAll('${filename}', filename ?? '');
}

/** `success_action_redirect` (or the older `redirect`) when it is an absolute http(s) URL; S3 ignores anything else. */
function redirectOf(fields: ReadonlyMap<string, string>): URL | undefined {
  const value = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The uploaded object's URL, as S3 answers it in `Location`: this request's URL (the bucket) and the key. */
function objectLocation(request: S3Request, key: string): string {
  const path = request.originalUrl.split('?')[0].replace(/\/$/, '');
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  const scheme = (request.raw.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  return `${scheme}://${request.headers.host ?? 'localhost'}${path}/${encodedKey}`;
}

function successResponse(request: S3Request, fields: ReadonlyMap<string, string>, key: string, info: ObjectInfo): S3Response {
  const bucket = request.bucket as string;
  const location = objectLocation(request, key);
  const headers = { ...writeResponseHeaders(info), location };
  const redirect = redirectOf(fields);
  if (redirect !== undefined) {
    redirect.searchParams.append('bucket', bucket);
    redirect.searchParams.append('key', key);
    redirect.searchParams.append('etag', quotedEtag(info.etag));
    return emptyResponse(303, { ...headers, location: redirect.toString() });
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const response = xmlResponse('PostResponse', { Location: location, Bucket: bucket, Key: key, ETag: quotedEtag(info.etag) }, 201);
    return { ...response, headers: { ...headers, ...response.headers } };
  }
  return emptyResponse(status === '200' ? 200 : 204, headers);
}

/**
 * POST Object (S3 API reference, "PostObject"; "Browser-Based Uploads Using POST"): the form's fields are read, its
 * signature and the access check pass, its policy holds, and only then is the file streamed to the store, with the
 * policy's content-length-range enforced on the way. An upload that fails any check, or whose form is cut short,
 * stores nothing.
 */
@Injectable()
export class PostObjectService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly acl: AclService,
    private readonly locks: ObjectLocks,
  ) {}

  async postObject(request: S3Request): Promise<S3Response> {
    const form = await readPostForm(request.raw, request.headers);
    try {
      return await this.upload(request, form);
    } catch (err) {
      form.file.resume();
      form.abandon();
      throw err;
    }
  }

  private async upload(request: S3Request, form: PostForm): Promise<S3Response> {
    const bucket = request.bucket as string;
    // The bucket counts as a form field: the policy must name it (S3: "Extra input fields: bucket").
    const fields = new Map(form.fields).set('bucket', bucket);
    const key = keyOf(fields, form.filename);
    fields.set('key', key);
    await request.authorizeForm?.(fields, key);
    const policyField = fields.get('policy');
    const policy = policyField === undefined ? undefined : parsePostPolicy(policyField);
    if (policy !== undefined) checkPostPolicy(policy, fields, Date.now());
    assertValidKey(key);
    const headers = objectHeadersOf(fields);
    const attributes = attributesOf(headers);
    // The `tagging` field is a Tagging XML document (a PUT's x-amz-tagging header is URL-encoded instead).
    const tagging = fields.get('tagging');
    if (tagging !== undefined) attributes.tags = parseTagging(tagging, 'object');
    // The `acl` field is the form's x-amz-acl: the owner and ACL the object gets, as a PutObject's.
    attributes.access = await this.acl.objectAccessForWrite({ ...request, headers });
    // The form's x-amz-object-lock-* fields as PutObject's headers, else the bucket's default retention. A form is not
    // required to carry Content-MD5 or a checksum for them (`withBody` false): S3 documents no such rule for POST, and
    // a policy signed before the file exists could not name its digest (README, "Browser uploads").
    const lock = await this.locks.lockForWrite({ ...request, headers }, bucket, false);
    if (lock !== undefined) attributes.lock = lock;
    const guard = await this.locks.writeGuard(bucket);
    const info = await this.store.putObject(bucket, key, attributes, this.fileBody(form, headers, policy), undefined, guard).catch((err: unknown) => {
      const framing = form.framingError();
      if (framing !== undefined && !(err instanceof S3Error)) throw framing;
      // The form's own words for a file over the policy's limit (a PUT's EntityTooLarge names no limit).
      const range = policy?.lengthRange;
      if (err instanceof S3Error && err.code === 'EntityTooLarge' && range !== undefined) {
        throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(range.max) });
      }
      throw err;
    });
    return successResponse(request, fields, key, info);
  }

  /** The file as an IncomingBody: digests and checksums as a PUT's, within the policy's length range, kept only once the whole form is in. */
  private fileBody(form: PostForm, headers: IncomingHttpHeaders, policy: PostPolicy | undefined): ReturnType<typeof incomingBody> {
    const range = policy?.lengthRange;
    const max = Math.min(range?.max ?? MAX_PUT_BYTES, MAX_PUT_BYTES);
    const body = incomingBody({ raw: form.file, headers }, { maxBytes: max });
    return {
      ...body,
      verify: async () => {
        const digest = await body.verify();
        if (range !== undefined && digest.size < range.min) {
          throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
            ProposedSize: String(digest.size),
            MinSizeAllowed: String(range.min),
          });
        }
        await form.finished;
        return digest;
      },
    };
  }
}
