import { e2eBackend } from './support/backend';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { type RunningGateway, startGateway } from './support/gateway';
import { s3ClientFor } from './support/s3-client';
import type { Boto3Scenarios, ChecksumAlgorithm } from './support/boto3-scenarios';
import { boto3Scenario, type ClientSandbox, clientSandbox, md5, patternBytes, requireClient, sha256 } from './support/clients';

/** Keys that need URL encoding on the wire and in listings (boto3 asks for encoding-type=url by default). */
const AWKWARD_KEYS = [
  'plain',
  'with space',
  'two  spaces',
  'plus+sign',
  'a+b c',
  'percent%20literal',
  'percent%',
  'amp&ersand',
  'a&amp;b',
  'less<than>greater',
  'quote"and\'apostrophe',
  'tilde~and=equals',
  'comma,semi;colon',
  'question?mark',
  'hash#tag',
  'dir/nested/key',
  'dir/',
  'dir-dash',
  'dir.dot',
  'ünïcødé',
  '日本語/ファイル',
  'emoji-😀',
  'z-last',
  'Z-upper',
  '0-digit',
];

function utf8Order(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

describe('boto3 against the gateway', () => {
  let gateway: RunningGateway;
  let sandbox: ClientSandbox;

  const scenario = <N extends keyof Boto3Scenarios>(name: N, params: Record<string, unknown>): Promise<Boto3Scenarios[N]> =>
    boto3Scenario(sandbox, gateway.endpoint, name, params);

  beforeAll(async () => {
    sandbox = clientSandbox();
    requireClient('python3', ['-c', 'import boto3'], sandbox.env, 'install boto3 with `python3 -m pip install boto3` (.ci/run does)');
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
    sandbox?.cleanup();
  });

  it('creates a bucket, puts an object with metadata and headers, and gets all of it back', async () => {
    const result = await scenario('put_get_metadata', { bucket: 'boto-meta' });
    expect(result.put_etag).toBe(`"${md5('hello boto3')}"`);
    expect(result.get).toMatchObject({
      body: 'hello boto3',
      ETag: result.put_etag,
      ContentLength: 11,
      ContentType: 'text/plain; charset=utf-8',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="hello.txt"',
      // S3 keeps user metadata names lower-cased (HTTP headers are case-insensitive).
      Metadata: { author: 'boto3', 'mixed-case': 'Value with spaces' },
    });
    expect(result.head_metadata).toEqual(result.get.Metadata);
    expect(Math.abs(Date.parse(result.get.LastModified) - Date.now())).toBeLessThan(60000);
  });

  it('pages list_objects_v2 with MaxKeys=7 over 25 awkward keys, in UTF-8 byte order, each key round-tripping through encoding-type=url', async () => {
    const result = await scenario('paginate', { bucket: 'boto-pages', keys: AWKWARD_KEYS });
    const pages = result.pages;
    expect(pages.map((page) => page.keys.length)).toEqual([7, 7, 7, 4]);
    expect(pages.map((page) => page.KeyCount)).toEqual([7, 7, 7, 4]);
    expect(pages.map((page) => page.IsTruncated)).toEqual([true, true, true, false]);
    expect(pages.flatMap((page) => page.keys)).toEqual(utf8Order(AWKWARD_KEYS));
    expect(result.bodies_match).toBe(true);
    // The round trip above only proves something if boto3 really asked for URL-encoded keys.
    expect(pages.every((page) => page.EncodingType === 'url')).toBe(true);
    expect(result.list_requests.every((path) => path.includes('encoding-type=url'))).toBe(true);
    expect(result.list_requests.filter((path) => path.includes('continuation-token='))).toHaveLength(3);
  });

  it('pages list_buckets with the paginator (Prefix, PageSize=2): every bucket once, in order, with its region', async () => {
    const buckets = ['boto-lb-c', 'boto-lb-a', 'boto-lb-e', 'boto-lb-b', 'boto-lb-d'];
    const result = await scenario('list_buckets_pages', { buckets, prefix: 'boto-lb-', page_size: 2 });
    expect(result.pages.map((page) => page.names)).toEqual([['boto-lb-a', 'boto-lb-b'], ['boto-lb-c', 'boto-lb-d'], ['boto-lb-e']]);
    expect(result.pages.flatMap((page) => page.regions).every((region) => region === 'us-east-1')).toBe(true);
    expect(result.pages.map((page) => [page.Prefix, page.has_token])).toEqual([
      ['boto-lb-', true],
      ['boto-lb-', true],
      ['boto-lb-', false],
    ]);
    expect(result.list_requests).toHaveLength(3);
    expect(result.list_requests.every((path) => path.includes('max-buckets=2') && path.includes('prefix=boto-lb-'))).toBe(true);
    expect(result.list_requests.filter((path) => path.includes('continuation-token='))).toHaveLength(2);
  });

  it('copy_object copies within a bucket keeping metadata, and across buckets replacing it, from a URL-encoded source key', async () => {
    const result = await scenario('copy', { bucket: 'boto-copy' });
    expect(result.same).toEqual({ ETag: result.source_etag, ContentType: 'text/x-source', Metadata: { a: '1' } });
    expect(result.other).toEqual({ ETag: result.source_etag, body: 'copy me', ContentType: 'text/x-replaced', Metadata: { b: '2' } });
    expect(result.copy_source_headers).toEqual(['boto-copy/source%20dir/%C3%BC%2B1.txt', 'boto-copy/source%20dir/%C3%BC%2B1.txt']);
  });

  it('delete_objects deletes the listed keys (a missing one included) and Quiet mode answers no Deleted entries', async () => {
    const result = await scenario('delete_objects', { bucket: 'boto-multi-delete' });
    expect(result.deleted).toEqual(['missing', 'x', 'y']);
    expect(result.errors).toEqual([]);
    expect(result.quiet_deleted).toEqual([]);
    expect(result.quiet_errors).toEqual([]);
    expect(result.remaining).toEqual(['z']);
    // The gateway must take whatever integrity header boto3 sends (boto3 >= 1.36: a CRC32, no Content-MD5).
    const headers = result.post_request.headers;
    expect(Object.keys(headers).some((name) => name === 'content-md5' || name.startsWith('x-amz-checksum-'))).toBe(true);
  });

  it('head_object of a missing key is a bare 404, get_object of it is NoSuchKey, head_bucket of a missing bucket is 404', async () => {
    const result = await scenario('head_missing', { bucket: 'boto-missing' });
    // HEAD responses have no body, so botocore can only report the status code.
    expect(result.head_object).toMatchObject({ code: '404', status: 404 });
    expect(result.head_object!.request_id).toEqual(expect.any(String));
    expect(result.get_object).toMatchObject({ code: 'NoSuchKey', status: 404 });
    expect(result.head_bucket).toMatchObject({ code: '404', status: 404 });
  });

  it('upload_fileobj and download_fileobj round-trip a small and a 300 KiB object byte for byte', async () => {
    const result = await scenario('fileobj', { bucket: 'boto-fileobj' });
    expect(result['small.bin']).toEqual({ sent: result['small.bin'].sent, received: result['small.bin'].sent, size: 1000 });
    expect(result['medium.bin']).toEqual({ sent: result['medium.bin'].sent, received: result['medium.bin'].sent, size: 300 * 1024 });
    expect(result.put_requests).toHaveLength(2);
  });

  it('put_object with ChecksumAlgorithm CRC32, SHA1 and SHA256 stores the checksum, and get_object with ChecksumMode=ENABLED returns it for botocore to validate', async () => {
    const result = await scenario('checksums', { bucket: 'boto-checksums' });
    const body = Buffer.from('checksummed body');
    const expected: Record<ChecksumAlgorithm, string> = {
      CRC32: Buffer.from(crc32(body).toString(16).padStart(8, '0'), 'hex').toString('base64'),
      SHA1: createHash('sha1').update(body).digest('base64'),
      SHA256: createHash('sha256').update(body).digest('base64'),
    };
    for (const [algorithm, checksum] of Object.entries(expected) as [ChecksumAlgorithm, string][]) {
      expect(result[algorithm]).toEqual({ put: checksum, get: checksum, body: 'checksummed body', sent: checksum });
    }
  });

  it('download_fileobj of a 10 MiB object (above the 8 MiB threshold) fetches it in ranged GETs that reassemble byte for byte', async () => {
    const bytes = patternBytes(10 * 1024 * 1024, 21);
    const sdk = s3ClientFor(gateway.endpoint);
    try {
      await sdk.send(new CreateBucketCommand({ Bucket: 'boto-ranged' }));
      await sdk.send(new PutObjectCommand({ Bucket: 'boto-ranged', Key: 'ten-mib.bin', Body: bytes }));
    } finally {
      sdk.destroy();
    }
    const result = await scenario('ranged_download', { bucket: 'boto-ranged', key: 'ten-mib.bin' });
    expect(result.size).toBe(bytes.length);
    expect(result.sha256).toBe(sha256(bytes));
    const ranges = result.ranges.map((range) => /^bytes=(\d+)-(\d*)$/.exec(range)!).map((m) => [Number(m[1]), m[2] === '' ? bytes.length - 1 : Number(m[2])]);
    expect(ranges.length).toBeGreaterThanOrEqual(2);
    ranges.sort((a, b) => a[0] - b[0]);
    expect(ranges[0][0]).toBe(0);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBe(ranges[i - 1][1] + 1);
    expect(ranges[ranges.length - 1][1]).toBe(bytes.length - 1);
  });

  it("presigned PUT and GET URLs from generate_presigned_url work, both with boto3's default (SigV2 query) and with s3v4", async () => {
    const result = await scenario('presigned', { bucket: 'boto-presigned' });
    expect(new URL(result.default.get_url).searchParams.has('AWSAccessKeyId')).toBe(true);
    expect(new URL(result.s3v4.get_url).searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(result.default).toMatchObject({ put_status: 200, body: 'via default url' });
    expect(result.s3v4).toMatchObject({ put_status: 200, body: 'via s3v4 url' });
  });

  it('get_object honours IfNoneMatch (304), IfMatch (412 PreconditionFailed) and a suffix Range', async () => {
    const result = await scenario('conditionals', { bucket: 'boto-conditionals' });
    expect(result.if_none_match).toMatchObject({ code: '304', status: 304 });
    expect(result.if_match_other).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(result.if_match_same).toBe('conditional');
    expect(result.range).toBe('onal');
  });

  it('empties a versioned bucket with the resource API idiom bucket.object_versions.delete() and then deletes it with bucket.delete()', async () => {
    const result = await scenario('empty_bucket', { bucket: 'boto-nuke' });
    const versions = result.versions;
    const shown = (entries: typeof versions) =>
      entries
        .map((version) => `${version.key}${version.marker ? ' marker' : ''}${version.latest ? ' latest' : ''}${version.id === 'null' ? ' null' : ''}`)
        .sort();
    if (e2eBackend() === 'embedded') {
      // Every version is kept: after/1 twice, and before/2 under the delete marker its DELETE wrote.
      expect(shown(versions)).toEqual(['after/1', 'after/1 latest', 'after/2 latest', 'before/1 latest null', 'before/2 marker latest', 'before/2 null']);
    } else {
      // AIS keeps the latest version only (README): the overwrite replaced after/1's first version, the DELETE removed before/2.
      expect(shown(versions)).toEqual(['after/1 latest', 'after/2 latest', 'before/1 latest null']);
    }
    expect(versions.filter((version) => version.key.startsWith('after/')).every((version) => version.id !== 'null')).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.deleted.map((entry) => `${entry.Key} ${entry.VersionId}`).sort()).toEqual(versions.map((version) => `${version.key} ${version.id}`).sort());
    expect(result.buckets_after).not.toContain('boto-nuke');
    const operations = result.requests.map((request) => `${request.method} ${request.path}`);
    expect(operations).toContainEqual(expect.stringMatching(/^GET \/s3\/boto-nuke\?versions/));
    expect(operations).toContainEqual(expect.stringMatching(/^POST \/s3\/boto-nuke\?delete/));
    expect(operations).toContainEqual('DELETE /s3/boto-nuke');
  });
});
