import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Crc32c as AwsCryptoCrc32c } from '@aws-crypto/crc32c';
import { Crc32 as SdkCrc32, Crc32c as SdkCrc32c } from '@aws-sdk/checksums/crc';
import { Crc64Nvme as SdkCrc64Nvme } from '@aws-sdk/crc64-nvme';
import { type ChecksumAlgorithm as SdkChecksumAlgorithm, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/protocols';
import fc from 'fast-check';
import {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  createChecksum,
  isValidChecksumValue,
  parseAlgorithm,
} from './checksum';

function digestOf(alg: ChecksumAlgorithm, ...chunks: Uint8Array[]): Buffer {
  const checksum = createChecksum(alg);
  for (const chunk of chunks) checksum.update(chunk);
  return checksum.digest();
}

/** Cuts data at the given (unsorted, possibly repeated or out of range) offsets. */
function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, data.length]) {
    parts.push(data.subarray(start, p));
    start = p;
  }
  return parts;
}

const NINE = Buffer.from('123456789');

describe('algorithm names', () => {
  it('lists the five flexible checksum algorithms', () => {
    expect(CHECKSUM_ALGORITHMS).toEqual(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256']);
  });

  it.each([
    ['CRC32', 'x-amz-checksum-crc32'],
    ['CRC32C', 'x-amz-checksum-crc32c'],
    ['CRC64NVME', 'x-amz-checksum-crc64nvme'],
    ['SHA1', 'x-amz-checksum-sha1'],
    ['SHA256', 'x-amz-checksum-sha256'],
  ] as const)('%s travels in %s', (alg, header) => {
    expect(checksumHeader(alg)).toBe(header);
    expect(algorithmOfHeader(header)).toBe(alg);
    expect(algorithmOfHeader(header.toUpperCase())).toBe(alg);
    expect(algorithmOfHeader('X-Amz-Checksum-' + header.slice('x-amz-checksum-'.length))).toBe(alg);
  });

  it.each(['x-amz-checksum-md5', 'x-amz-checksum-sha512', 'x-amz-checksum-type', 'x-amz-checksum-algorithm', 'content-md5', 'crc32', ''])(
    'knows no algorithm for header %j',
    (name) => {
      expect(algorithmOfHeader(name)).toBeUndefined();
    },
  );

  it('parses algorithm names in any case', () => {
    for (const alg of CHECKSUM_ALGORITHMS) {
      expect(parseAlgorithm(alg)).toBe(alg);
      expect(parseAlgorithm(alg.toLowerCase())).toBe(alg);
    }
    expect(parseAlgorithm('Crc64Nvme')).toBe('CRC64NVME');
  });

  it.each(['MD5', 'SHA512', 'XXHASH64', 'crc-32', ' CRC32', 'CRC32 ', '', 'x-amz-checksum-crc32'])('rejects algorithm %j', (value) => {
    expect(parseAlgorithm(value)).toBeUndefined();
  });

  it('does not take inherited object keys for algorithms', () => {
    expect(parseAlgorithm('constructor')).toBeUndefined();
    expect(algorithmOfHeader('__proto__')).toBeUndefined();
  });
});

describe('createChecksum', () => {
  it.each([
    // The CRC catalogue's check values ("123456789"); CRC-64/NVME per docs/pitfalls.md, "Flexible checksums from current SDKs".
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
    ['SHA1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['SHA256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
  ] as const)('%s of "123456789" is %s, big-endian', (alg, hex) => {
    expect(digestOf(alg, NINE).toString('hex')).toBe(hex);
  });

  it.each([
    // Values botocore 1.43 puts in its trailer for these bodies (AwsChunkedWrapper, see aws-chunked.spec).
    ['CRC32', 'hello world', 'DUoRhQ=='],
    ['CRC32', '', 'AAAAAA=='],
    ['SHA256', '123456789', 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU='],
  ] as const)('%s of %j is %s in base64, as botocore sends it', (alg, body, base64) => {
    expect(digestOf(alg, Buffer.from(body)).toString('base64')).toBe(base64);
  });

  it.each([
    ['CRC32', '00000000'],
    ['CRC32C', '00000000'],
    ['CRC64NVME', '0000000000000000'],
    ['SHA1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['SHA256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ] as const)('%s of nothing is %s', (alg, hex) => {
    expect(digestOf(alg).toString('hex')).toBe(hex);
    expect(digestOf(alg, new Uint8Array(0), new Uint8Array(0)).toString('hex')).toBe(hex);
  });

  it.each(CHECKSUM_ALGORITHMS)('%s gives the same digest for any split of the input', (alg) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 12 }), (data, cuts) => {
        expect(digestOf(alg, ...splitAt(data, cuts))).toEqual(digestOf(alg, data));
      }),
    );
  });

  it.each(CHECKSUM_ALGORITHMS)('%s reads views at any offset of a larger buffer', (alg) => {
    const backing = Buffer.alloc(1000, 0xa5);
    backing.write('123456789', 13, 'latin1');
    expect(digestOf(alg, backing.subarray(13, 22))).toEqual(digestOf(alg, NINE));
    expect(digestOf(alg, new Uint8Array(backing.buffer, backing.byteOffset + 13, 9))).toEqual(digestOf(alg, NINE));
  });

  it.each(CHECKSUM_ALGORITHMS)('%s digest() leaves the checksum open for more data', (alg) => {
    const checksum = createChecksum(alg);
    checksum.update(NINE.subarray(0, 4));
    const partial = checksum.digest();
    expect(checksum.digest()).toEqual(partial);
    expect(partial).toEqual(digestOf(alg, NINE.subarray(0, 4)));
    checksum.update(NINE.subarray(4));
    expect(checksum.digest()).toEqual(digestOf(alg, NINE));
  });

  it('hashes a few MiB in pieces the same as in one go', () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 5);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    for (const alg of CHECKSUM_ALGORITHMS) {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < data.length; i += 65536 + 3) pieces.push(data.subarray(i, i + 65536 + 3));
      expect(digestOf(alg, ...pieces)).toEqual(digestOf(alg, data));
    }
  });
});

describe('agreement with the AWS libraries', () => {
  /** The checksum classes @aws-sdk/client-s3 itself uses, and the packages named in the brief. */
  const references: Array<[ChecksumAlgorithm, string, (data: Uint8Array) => Promise<Uint8Array>]> = [
    ['CRC32', '@aws-sdk/checksums Crc32', (d) => sdkDigest(new SdkCrc32(), d)],
    ['CRC32C', '@aws-sdk/checksums Crc32c', (d) => sdkDigest(new SdkCrc32c(), d)],
    ['CRC32C', '@aws-crypto/crc32c', (d) => Promise.resolve(uint32be(new AwsCryptoCrc32c().update(d).digest()))],
    ['CRC64NVME', '@aws-sdk/crc64-nvme', (d) => sdkDigest(new SdkCrc64Nvme(), d)],
    ['SHA1', 'node crypto', (d) => Promise.resolve(createHash('sha1').update(d).digest())],
    ['SHA256', 'node crypto', (d) => Promise.resolve(createHash('sha256').update(d).digest())],
  ];

  async function sdkDigest(checksum: { update(d: Uint8Array): void; digest(): Promise<Uint8Array> }, data: Uint8Array) {
    checksum.update(data);
    return checksum.digest();
  }

  function uint32be(value: number): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value);
    return out;
  }

  it.each(references)('%s matches %s on random data', async (alg, _name, reference) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (data) => {
        expect(digestOf(alg, data).toString('base64')).toBe(Buffer.from(await reference(data)).toString('base64'));
      }),
    );
  });

  /** Runs PutObject through the real client middleware stack and returns the request it would send. */
  async function sentHeaders(input: { Body: Buffer; ChecksumAlgorithm?: SdkChecksumAlgorithm }) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    let headers: Record<string, string> = {};
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: (request: { headers: Record<string, string> }) => {
          headers = request.headers;
          return Promise.resolve({ response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([]) }) });
        },
      },
    });
    await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'key', ...input }));
    return headers;
  }

  it('CRC32 is what @aws-sdk/client-s3 sends by default', async () => {
    const headers = await sentHeaders({ Body: NINE });
    expect(headers['x-amz-checksum-crc32']).toBe(digestOf('CRC32', NINE).toString('base64'));
    expect(headers['x-amz-checksum-crc32']).toBe('y/Q5Jg==');
  });

  it.each(CHECKSUM_ALGORITHMS)('%s header value is what @aws-sdk/client-s3 sends', async (alg) => {
    const body = Buffer.from('The quick brown fox jumps over the lazy dog, 0123456789 times.');
    const headers = await sentHeaders({ Body: body, ChecksumAlgorithm: alg });
    const sent = headers[checksumHeader(alg)];
    expect(sent).toBe(digestOf(alg, body).toString('base64'));
    expect(isValidChecksumValue(alg, sent)).toBe(true);
  });
});

describe('isValidChecksumValue', () => {
  it.each(CHECKSUM_ALGORITHMS)('accepts any %s digest in base64', (alg) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        expect(isValidChecksumValue(alg, digestOf(alg, data).toString('base64'))).toBe(true);
      }),
    );
  });

  it('accepts the documented example values', () => {
    expect(isValidChecksumValue('CRC32', 'sOO8/Q==')).toBe(true);
    expect(isValidChecksumValue('CRC32C', 'sOO8/Q==')).toBe(true);
    expect(isValidChecksumValue('CRC64NVME', 'rosUhgp5mIg=')).toBe(true);
  });

  it('rejects a digest of another algorithm’s size', () => {
    const sizes: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };
    for (const alg of CHECKSUM_ALGORITHMS) {
      for (const other of CHECKSUM_ALGORITHMS) {
        const value = digestOf(other, NINE).toString('base64');
        expect(isValidChecksumValue(alg, value)).toBe(sizes[alg] === sizes[other]);
      }
    }
  });

  it.each([
    ['empty', ''],
    ['unpadded', 'sOO8/Q'],
    ['half padded', 'sOO8/Q='],
    ['non-zero pad bits', 'sOO8/R=='],
    ['base64url alphabet', 'sOO8_Q=='],
    ['surrounding space', ' sOO8/Q=='],
    ['inner space', 'sOO8 /Q=='],
    ['hex', 'e3069283'],
    ['too long', 'sOO8/Q==sOO8/Q=='],
    ['not base64', '!!!!!!!!'],
  ])('rejects a CRC32 value that is %s', (_what, value) => {
    expect(isValidChecksumValue('CRC32', value)).toBe(false);
  });
});
