import { continuationTokenAfterBucket as tokenAfter, bucketOfContinuationToken, parseListBucketsParams } from './list-buckets-params';
import { continuationTokenAfter as objectsTokenAfter } from './list-params';
import { S3Error } from '../s3/errors';

function refusal(action: () => unknown): { code: string; message: string; details: Record<string, string> } | undefined {
  try {
    action();
    return undefined;
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
}

describe('ListBuckets parameters', () => {
  it('without any pagination parameter, asks for every bucket', () => {
    expect(parseListBucketsParams({})).toEqual({ prefix: undefined, region: undefined, startAfter: undefined, maxBuckets: undefined });
  });

  it('with prefix, bucket-region or a continuation token but no max-buckets, pages 10,000 at a time', () => {
    expect(parseListBucketsParams({ prefix: 'logs-' })).toMatchObject({ prefix: 'logs-', maxBuckets: 10000 });
    expect(parseListBucketsParams({ prefix: '' })).toMatchObject({ prefix: '', maxBuckets: 10000 });
    expect(parseListBucketsParams({ 'bucket-region': 'eu-west-1' })).toMatchObject({ region: 'eu-west-1', maxBuckets: 10000 });
    expect(parseListBucketsParams({ 'continuation-token': tokenAfter('b') })).toMatchObject({ startAfter: 'b', maxBuckets: 10000 });
    expect(parseListBucketsParams({ 'continuation-token': '' })).toMatchObject({ startAfter: undefined, maxBuckets: 10000 });
  });

  it('takes max-buckets 1..10000', () => {
    expect(parseListBucketsParams({ 'max-buckets': '1' }).maxBuckets).toBe(1);
    expect(parseListBucketsParams({ 'max-buckets': '10000' }).maxBuckets).toBe(10000);
    expect(parseListBucketsParams({ 'max-buckets': '0042' }).maxBuckets).toBe(42);
  });

  it.each(['0', '10001', '-1', '1.5', 'ten', '', ' 5', '99999999999999999999'])('refuses max-buckets=%p with InvalidArgument naming it', (raw) => {
    expect(refusal(() => parseListBucketsParams({ 'max-buckets': raw }))).toEqual({
      code: 'InvalidArgument',
      message: 'Argument max-buckets must be an integer between 1 and 10000',
      details: { ArgumentName: 'max-buckets', ArgumentValue: raw },
    });
  });
});

describe('ListBuckets continuation tokens', () => {
  it('are opaque and give back the bucket they continue after', () => {
    for (const name of ['a', 'my-bucket.1', 'UPPER_ais', 'x'.repeat(64)]) {
      const token = tokenAfter(name);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(token).not.toContain(name);
      expect(bucketOfContinuationToken(token)).toBe(name);
    }
  });

  it.each([
    ['not base64url', '!!!'],
    ['a ListObjectsV2 token', objectsTokenAfter('my-bucket')],
    ['a token with no bucket', Buffer.from('b1:').toString('base64url')],
    ['a token with padding', `${tokenAfter('abc')}=`],
    ['an altered token', tokenAfter('abc').slice(0, -1)],
  ])('refuses %s with InvalidArgument', (_what, token) => {
    expect(refusal(() => bucketOfContinuationToken(token))).toEqual({
      code: 'InvalidArgument',
      message: 'The continuation token provided is incorrect',
      details: { ArgumentName: 'continuation-token' },
    });
    expect(refusal(() => parseListBucketsParams({ 'continuation-token': token }))?.code).toBe('InvalidArgument');
  });
});
