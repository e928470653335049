import { S3Error } from '../s3/errors';
import { ALGORITHM, sign, signaturesEqual, signingKey } from './signing-key';
import { parseCredentialScope } from './sigv4-parse';
import { SERVICE } from './sigv4';
import { sameSignature, signV2 } from './sigv2';

/**
 * The signature of a POST Object form (S3 API reference, "Authenticating Requests in Browser-Based Uploads
 * Using POST"): the string to sign is the base64 `policy` field itself. SigV4 signs it with the signing key of
 * `x-amz-credential`'s scope (hex HMAC-SHA256), SigV2 with the secret (base64 HMAC-SHA1). Field names are
 * lower-cased by the caller: S3 reads form field names case-insensitively.
 */
export type FormSignature =
  | { version: 4; accessKeyId: string; date: string; region: string; signature: string; policy: string }
  | { version: 2; accessKeyId: string; signature: string; policy: string };

/** What S3 answers when a field the signature needs is missing. */
function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });
}

function required(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name.toLowerCase());
  if (value === undefined || value === '') throw missingField(name);
  return value;
}

/**
 * The form's signature fields, checked for form (not yet verified); undefined for a form that carries no
 * credentials at all (an anonymous upload).
 */
export function formSignatureOf(fields: ReadonlyMap<string, string>): FormSignature | undefined {
  if (fields.has('x-amz-algorithm') || fields.has('x-amz-credential') || fields.has('x-amz-signature')) {
    const algorithm = required(fields, 'x-amz-algorithm');
    if (algorithm !== ALGORITHM) {
      throw new S3Error('InvalidArgument', `The algorithm ${algorithm} is not supported; use ${ALGORITHM}.`, {
        ArgumentName: 'x-amz-algorithm',
        ArgumentValue: algorithm,
      });
    }
    const credential = required(fields, 'x-amz-credential');
    const scope = parseCredentialScope(credential);
    if (scope === undefined || scope.service !== SERVICE) {
      throw new S3Error('InvalidArgument', 'Invalid credential: expected ACCESSKEY/yyyymmdd/REGION/s3/aws4_request.', {
        ArgumentName: 'x-amz-credential',
        ArgumentValue: credential,
      });
    }
    const amzDate = required(fields, 'x-amz-date');
    if (amzDate.slice(0, 8) !== scope.date) {
      throw new S3Error('InvalidArgument', 'Invalid credential date. Date is not the same as x-amz-date.', {
        ArgumentName: 'x-amz-date',
        ArgumentValue: amzDate,
      });
    }
    const signature = required(fields, 'x-amz-signature');
    const policy = required(fields, 'policy');
    return { version: 4, accessKeyId: scope.accessKeyId, date: scope.date, region: scope.region, signature, policy };
  }
  if (fields.has('awsaccesskeyid') || fields.has('signature')) {
    const accessKeyId = required(fields, 'AWSAccessKeyId');
    const signature = required(fields, 'signature');
    const policy = required(fields, 'policy');
    return { version: 2, accessKeyId, signature, policy };
  }
  return undefined;
}

/** Throws SignatureDoesNotMatch unless the form's signature is the policy signed with `secret`. */
export function verifyFormSignature(form: FormSignature, secret: string): void {
  const matches =
    form.version === 4
      ? signaturesEqual(sign(signingKey(secret, form.date, form.region, SERVICE), form.policy), form.signature)
      : sameSignature(signV2(secret, form.policy), form.signature);
  if (!matches) {
    throw new S3Error('SignatureDoesNotMatch', undefined, { AWSAccessKeyId: form.accessKeyId, SignatureProvided: form.signature, StringToSign: form.policy });
  }
}
