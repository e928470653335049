import { signV2, stringToSignV2, verifyV2Header, verifyV2Presigned } from './sigv2';
import { thrownS3Error } from '../../test/support/rejections';

// The example key of the AWS S3 API reference, "Signing and authenticating REST requests" (SigV2).
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('SigV2', () => {
  it.each([['Tue, 27 Mar 2007 19:36:42 +0000', '/awsexamplebucket1/photos/puppy.jpg', 'qgk2+6Sv9/oM7G3qLEjTH1a1l1g=']])(
    'signs the documented GET object example dated %s',
    (date, resource, signature) => {
      const request = { method: 'GET', headers: { date }, resourcePaths: [resource], rawQuery: '' };
      expect(signV2(SECRET, stringToSignV2(request, resource, date))).toBe(signature);
    },
  );

  it('signs only subresources, sorted, and the x-amz-* headers', () => {
    const request = {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', 'x-amz-meta-b': 'two', 'x-amz-meta-a': ' one  ', 'x-amz-date': 'Tue, 27 Mar 2007 19:36:42 +0000' },
      resourcePaths: ['/b/k'],
      rawQuery: 'versionId=3&foo=bar&acl',
    };
    expect(stringToSignV2(request, '/b/k', '')).toBe(
      'PUT\n\ntext/plain\n\nx-amz-date:Tue, 27 Mar 2007 19:36:42 +0000\nx-amz-meta-a:one\nx-amz-meta-b:two\n/b/k?acl&versionId=3',
    );
  });

  it('accepts a header signature over the path with or without the gateway prefix, and refuses a wrong one', () => {
    const date = new Date(1_800_000_000_000).toUTCString();
    const request = { method: 'GET', headers: { date }, resourcePaths: ['/b/k', '/s3/b/k'], rawQuery: '' };
    const good = signV2(SECRET, stringToSignV2(request, '/b/k', date));
    expect(() => verifyV2Header(request, SECRET, good, 1_800_000_000_000, 900_000)).not.toThrow();
    expect(thrownS3Error(() => verifyV2Header(request, 'other', good, 1_800_000_000_000, 900_000))).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(thrownS3Error(() => verifyV2Header(request, SECRET, good, 1_800_000_000_000 + 901_000, 900_000))).toMatchObject({ code: 'RequestTimeTooSkewed' });
  });

  it('accepts a presigned URL until it expires, and never after', () => {
    const request = { method: 'GET', headers: {}, resourcePaths: ['/b/k'], rawQuery: 'AWSAccessKeyId=AK&Expires=1800000100&Signature=x' };
    const signature = signV2(SECRET, stringToSignV2(request, '/b/k', '1800000100'));
    const query = { AWSAccessKeyId: 'AK', Expires: '1800000100', Signature: signature };
    expect(() => verifyV2Presigned(request, SECRET, query, 1_800_000_000_000)).not.toThrow();
    expect(thrownS3Error(() => verifyV2Presigned(request, SECRET, query, 1_800_000_101_000))).toMatchObject({
      code: 'AccessDenied',
      message: 'Request has expired',
    });
  });
});
