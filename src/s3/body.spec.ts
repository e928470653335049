import { isAwsChunked, storedContentEncoding } from './body';

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
