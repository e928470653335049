import { S3Error } from '../s3/errors';
import { formSignatureOf, verifyFormSignature } from './form-signature';
import { signV2 } from './sigv2';

/** The worked example of the S3 API reference, "Example: Browser-Based Upload using HTTP POST (Using AWS Signature Version 4)". */
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EXAMPLE_POLICY =
  'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';
const EXAMPLE_FIELDS = new Map([
  ['x-amz-credential', 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request'],
  ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
  ['x-amz-date', '20151229T000000Z'],
  ['policy', EXAMPLE_POLICY],
  ['x-amz-signature', '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e'],
]);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof S3Error) return err.code;
    throw err;
  }
  return 'none';
}

describe('form signatures', () => {
  it("verifies the S3 API reference's SigV4 example, and refuses it under another secret", () => {
    const form = formSignatureOf(EXAMPLE_FIELDS)!;
    expect(form).toMatchObject({ version: 4, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', date: '20151229', region: 'us-east-1' });
    expect(() => verifyFormSignature(form, EXAMPLE_SECRET)).not.toThrow();
    expect(codeOf(() => verifyFormSignature(form, 'another secret'))).toBe('SignatureDoesNotMatch');
  });

  it('verifies SigV2 forms: base64 HMAC-SHA1 of the policy', () => {
    const fields = new Map([
      ['awsaccesskeyid', 'AKID'],
      ['policy', EXAMPLE_POLICY],
      ['signature', signV2('secret', EXAMPLE_POLICY)],
    ]);
    expect(() => verifyFormSignature(formSignatureOf(fields)!, 'secret')).not.toThrow();
    expect(codeOf(() => verifyFormSignature(formSignatureOf(fields)!, 'other'))).toBe('SignatureDoesNotMatch');
  });

  it('is anonymous without signature fields, and InvalidArgument when one the signature needs is missing', () => {
    expect(formSignatureOf(new Map([['key', 'k']]))).toBeUndefined();
    for (const missing of ['x-amz-date', 'x-amz-signature', 'policy', 'x-amz-credential']) {
      const fields = new Map(EXAMPLE_FIELDS);
      fields.delete(missing);
      expect(codeOf(() => formSignatureOf(fields))).toBe('InvalidArgument');
    }
    expect(codeOf(() => formSignatureOf(new Map([...EXAMPLE_FIELDS, ['x-amz-algorithm', 'AWS4-HMAC-SHA1']])))).toBe('InvalidArgument');
    expect(codeOf(() => formSignatureOf(new Map([...EXAMPLE_FIELDS, ['x-amz-date', '20151230T000000Z']])))).toBe('InvalidArgument');
  });
});
