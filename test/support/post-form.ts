import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import type { RawResponse } from './raw-http';
import type { AccessKey } from './sigv4-client';

/** The file part of a form: its bytes, and the file name and type a browser would send with it. */
export interface FormFile {
  content: string | Buffer;
  filename?: string;
  type?: string;
}

/**
 * POSTs a multipart/form-data form as a browser does (fetch + FormData, parts in the order given; the file last unless
 * `after` adds fields behind it) and answers the response as it is on the wire; redirects are not followed.
 */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  file: FormFile | undefined,
  after: Record<string, string> = {},
): Promise<RawResponse> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file !== undefined) {
    const blob = new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)], { type: file.type ?? '' });
    form.append('file', blob, file.filename ?? 'blob');
  }
  for (const [name, value] of Object.entries(after)) form.append(name, value);
  const response = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, body: await response.text() };
}

/** A policy document as JSON, base64-encoded as the `policy` field carries it. */
export function encodePolicy(document: unknown): string {
  return Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * The SigV4 fields of a form whose policy the test writes itself (S3 API reference, "Calculating a Signature" for
 * POST): the policy's conditions must name these fields, so the caller passes them in `conditions` via `v4Conditions`.
 */
export function signPolicyV4(policy: string, key: AccessKey, credential: string): string {
  const [, date, region, service] = credential.split('/');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(policy, 'utf8').digest('hex');
}

/** x-amz-algorithm, x-amz-credential and x-amz-date for `key`, now, in us-east-1. */
export function v4Fields(key: AccessKey, now = new Date()): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `${key.accessKeyId}/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
    'x-amz-date': amzDate,
  };
}

/** A SigV4-signed form for a policy the test wrote: the signature fields, the policy and the signature. */
export function signedV4Form(key: AccessKey, document: { expiration: string; conditions: unknown[] }, fields: Record<string, string>): Record<string, string> {
  const signing = v4Fields(key);
  const conditions = [...document.conditions, ...Object.entries(signing).map(([name, value]) => ({ [name]: value }))];
  const policy = encodePolicy({ ...document, conditions });
  return { ...fields, ...signing, policy, 'x-amz-signature': signPolicyV4(policy, key, signing['x-amz-credential']) };
}

/** A SigV2-signed form: AWSAccessKeyId, policy, and signature = base64(HMAC-SHA1(secret, policy)). */
export function signedV2Form(key: AccessKey, document: unknown, fields: Record<string, string>): Record<string, string> {
  const policy = encodePolicy(document);
  const signature = createHmac('sha1', key.secretAccessKey).update(policy, 'utf8').digest('base64');
  return { ...fields, AWSAccessKeyId: key.accessKeyId, policy, signature };
}

/**
 * Streams a form with a large file through node:http: the fields, then `file` as it is read, then the closing
 * boundary; `cut` stops after the file's bytes without closing the form and destroys the connection.
 */
export function streamForm(url: string, fields: Record<string, string>, file: Readable, options: { cut?: boolean } = {}): Promise<RawResponse> {
  const boundary = `----form${Date.now().toString(16)}`;
  const head = Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const fileHead = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="large.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (error) => (options.cut ? resolve({ status: 0, headers: {}, body: String(error) }) : reject(error)));
    req.write(head + fileHead);
    file.pipe(req, { end: false });
    file.on('end', () => {
      if (options.cut) setTimeout(() => req.destroy(), 200);
      else req.end(`\r\n--${boundary}--\r\n`);
    });
  });
}
