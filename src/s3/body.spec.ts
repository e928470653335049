import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { incomingBody, isAwsChunked, storedContentEncoding } from './body';

const BYTES = Buffer.from('the bytes of a small object');
const contentMd5Of = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');

async function verified(headers: Record<string, string>, md5FromStore: boolean) {
  const body = incomingBody({ raw: Readable.from([BYTES]), headers: { 'content-length': String(BYTES.length), ...headers } });
  if (md5FromStore) body.md5FromStore?.();
  await text(body.stream);
  return body.verify();
}

describe('incomingBody: the MD5 a store computes itself', () => {
  it('is hashed by default (the ETag)', async () => {
    expect((await verified({}, false)).md5Hex).toBe(createHash('md5').update(BYTES).digest('hex'));
  });

  it('is not hashed once the store says it has it: md5Hex is empty, the size still counted', async () => {
    const digest = await verified({}, true);
    expect(digest.md5Hex).toBe('');
    expect(digest.size).toBe(BYTES.length);
  });

  it('is still hashed and checked when the client sent Content-MD5', async () => {
    expect((await verified({ 'content-md5': contentMd5Of(BYTES) }, true)).md5Hex).toBe(createHash('md5').update(BYTES).digest('hex'));
    await expect(verified({ 'content-md5': contentMd5Of(Buffer.from('other bytes')) }, true)).rejects.toMatchObject({ code: 'BadDigest' });
  });
});

describe('isAwsChunked', () => {
  it.each([
    [{ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, true],
    [{ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked' }, true],
    [{ 'x-amz-decoded-content-length': '5' }, true],
    // boto3: a plain body with Content-Encoding naming aws-chunked; the payload hash says it is not framed.
    [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-encoding': 'gzip, aws-chunked' }, false],
    [{ 'content-encoding': 'aws-chunked' }, false],
    [{ 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, false],
    [{}, false],
  ])('%p: %p', (headers, expected) => {
    expect(isAwsChunked(headers)).toBe(expected);
  });
});

describe('storedContentEncoding', () => {
  it.each([
    ['gzip, aws-chunked', 'gzip'],
    ['aws-chunked', undefined],
    ['AWS-Chunked,gzip', 'gzip'],
    ['gzip,br', 'gzip,br'],
    ['', undefined],
    [undefined, undefined],
  ])('%p is stored as %p', (header, expected) => {
    expect(storedContentEncoding(header === undefined ? {} : { 'content-encoding': header })).toBe(expected);
  });
});
