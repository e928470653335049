import { S3Error } from '../s3/errors';
import type { Query } from '../s3/query';

/** The parts of a SigV4 `Authorization` header or presigned query (AWS "Authenticating Requests (SigV4)"). */
export interface SigV4Credentials {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const CREDENTIAL_SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

/** `AKID/yyyymmdd/region/service/aws4_request`, or undefined when the value is not of that form. */
export function parseCredentialScope(value: string): Omit<SigV4Credentials, 'signedHeaders' | 'signature'> | undefined {
  const match = CREDENTIAL_SCOPE.exec(value);
  if (match === null) return undefined;
  const [, accessKeyId, date, region, service] = match;
  return { accessKeyId, date, region, service };
}

function parseCredential(value: string, error: () => S3Error): Omit<SigV4Credentials, 'signedHeaders' | 'signature'> {
  const scope = parseCredentialScope(value);
  if (scope === undefined) throw error();
  return scope;
}

function headerError(detail: string): S3Error {
  return new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`);
}

/** Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export function parseAuthorizationHeader(header: string): SigV4Credentials {
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme !== 'AWS4-HMAC-SHA256') throw headerError(`the authorization mechanism ${scheme} is not supported.`);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw headerError(`the component "${part.trim()}" is not of the form key=value.`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw headerError('it must contain Credential, SignedHeaders and Signature.');
  }
  if (!SIGNATURE.test(signature)) throw headerError('the Signature is not 64 hexadecimal characters.');
  const scope = parseCredential(credential, () => headerError('the Credential is not ACCESSKEY/DATE/REGION/SERVICE/aws4_request.'));
  // Field by field, not `{ ...scope, more }`: see parsePresignedQuery.
  return { accessKeyId: scope.accessKeyId, date: scope.date, region: scope.region, service: scope.service, signedHeaders: signedHeaders.split(';'), signature };
}

function queryError(detail: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', detail);
}

/** Whether the query carries presigned-URL authentication. */
export function isPresigned(query: Query): boolean {
  return 'X-Amz-Algorithm' in query || 'X-Amz-Signature' in query || 'X-Amz-Credential' in query;
}

const PRESIGNED_PARAMETERS = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

/** Parses the `X-Amz-*` query parameters of a presigned URL. */
export function parsePresignedQuery(query: Query): SigV4Credentials & { expires: number; amzDate: string } {
  if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256".');
  for (const name of PRESIGNED_PARAMETERS) {
    if (!query[name]) throw queryError(`Query-string authentication version 4 requires the ${name} parameter.`);
  }
  // 0 or less is a well-formed URL that has already expired (verifyPresigned: 403 "Request has expired").
  const expires = Number(query['X-Amz-Expires']);
  if (!Number.isInteger(expires)) throw queryError('X-Amz-Expires should be a number');
  if (expires > 604800) throw queryError('X-Amz-Expires must be less than a week (in seconds) that is 604800');
  if (!SIGNATURE.test(query['X-Amz-Signature'])) throw queryError('X-Amz-Signature is not 64 hexadecimal characters.');
  const scope = parseCredential(query['X-Amz-Credential'], () => queryError('Error parsing the X-Amz-Credential parameter.'));
  // Field by field: on Node 20's V8 `{ ...scope, more }` costs microseconds, and this runs on every presigned request.
  return {
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    signedHeaders: query['X-Amz-SignedHeaders'].split(';'),
    signature: query['X-Amz-Signature'],
    expires,
    amzDate: query['X-Amz-Date'],
  };
}
