import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ChecksumAlgorithm as SdkChecksumAlgorithm, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/protocols';
import { calculateBodyLength, getAwsChunkedEncodingStream } from '@smithy/core/serde';
import fc from 'fast-check';
import { AwsChunkedDecoder, type AwsChunkedOptions, type ChunkSignatureVerifier, MAX_SIZE_LINE, MAX_TRAILER_SECTION } from './aws-chunked';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeader, createChecksum } from './checksum';
import { S3Error } from './errors';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function digestBase64(alg: ChecksumAlgorithm, pieces: Buffer[]): string {
  const checksum = createChecksum(alg);
  for (const piece of pieces) checksum.update(piece);
  return checksum.digest().toString('base64');
}

interface Decoded {
  data: Buffer;
  trailers: Record<string, string>;
}

/** Feeds the pieces, as separate writes, through a decoder; resolves to what came out. */
async function decode(pieces: Uint8Array[], opts: AwsChunkedOptions = {}): Promise<Decoded> {
  const decoder = new AwsChunkedDecoder(opts);
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length))), decoder, sink);
  return { data: Buffer.concat(out), trailers: Object.fromEntries(decoder.trailers) };
}

const decodeString = (body: string, opts?: AwsChunkedOptions) => decode([Buffer.from(body, 'latin1')], opts);

type Outcome = Decoded | { code: string; message: string };

/** The result of decoding, or the S3 error code and message it failed with. */
async function outcome(pieces: Uint8Array[], opts: AwsChunkedOptions = {}): Promise<Outcome> {
  try {
    return await decode(pieces, opts);
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    return { code: err.code, message: err.message };
  }
}

/** Cuts data at the given offsets (taken modulo length + 1; repeats give empty pieces). */
function splitAt(data: Buffer, cuts: number[]): Buffer[] {
  const points = cuts.map((c) => c % (data.length + 1)).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of [...points, data.length]) {
    pieces.push(data.subarray(start, p));
    start = p;
  }
  return pieces;
}

function recordingVerifier(): ChunkSignatureVerifier & { calls: Array<[string | undefined, string]> } {
  const calls: Array<[string | undefined, string]> = [];
  return { calls, verifyChunk: (signature, hash) => void calls.push([signature, hash]) };
}

interface Framing {
  payload: Buffer;
  /** Data chunk sizes, used in turn and repeated. */
  chunkSizes: number[];
  signed: boolean;
  /** Undefined: no trailer section at all, the body ends "0\r\n\r\n". */
  trailers?: Array<[string, string]>;
}

interface Framed {
  body: Buffer;
  /** What a verifier must be called with, chunk by chunk. */
  calls: Array<[string | undefined, string]>;
  /** Offset just past the final chunk's size line, where the trailer section starts. */
  trailerStart: number;
}

/** An independent test encoder: the framing as AWS documents it. */
function frame({ payload, chunkSizes, signed, trailers }: Framing): Framed {
  const parts: Buffer[] = [];
  const calls: Array<[string | undefined, string]> = [];
  const chunk = (data: Buffer) => {
    const signature = signed ? sha256(Buffer.from(`signature ${calls.length}`)) : undefined;
    const extension = signature === undefined ? '' : `;chunk-signature=${signature}`;
    parts.push(Buffer.from(`${data.length.toString(16)}${extension}\r\n`), data);
    if (data.length > 0) parts.push(Buffer.from('\r\n'));
    calls.push([signature, sha256(data)]);
  };
  for (let pos = 0, i = 0; pos < payload.length; i++) {
    const size = chunkSizes[i % chunkSizes.length];
    chunk(payload.subarray(pos, pos + size));
    pos += size;
  }
  chunk(Buffer.alloc(0));
  const trailerStart = parts.reduce((sum, part) => sum + part.length, 0);
  for (const [name, value] of trailers ?? []) parts.push(Buffer.from(`${name}:${value}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return { body: Buffer.concat(parts), calls, trailerStart };
}

const framingArb = fc.record({
  payload: fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 1100 }), { minLength: 1, maxLength: 4 }),
  signed: fc.boolean(),
  trailers: fc.option(
    fc.uniqueArray(
      fc.tuple(
        fc.oneof(fc.constantFrom(...CHECKSUM_ALGORITHMS.map(checksumHeader), 'x-amz-trailer-signature'), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)),
        fc.base64String({ maxLength: 88 }),
      ),
      { selector: ([name]) => name, maxLength: 3 },
    ),
    { nil: undefined },
  ),
});

describe('AwsChunkedDecoder', () => {
  describe('decoding', () => {
    it('decodes unsigned chunks without trailers', async () => {
      expect(await decodeString('4\r\nhell\r\n7\r\no world\r\n0\r\n\r\n')).toEqual({ data: Buffer.from('hello world'), trailers: {} });
    });

    it('decodes an empty body', async () => {
      expect(await decodeString('0\r\n\r\n', { decodedLength: 0 })).toEqual({ data: Buffer.alloc(0), trailers: {} });
    });

    it('accepts upper-case hex and leading zeros in sizes', async () => {
      expect((await decodeString('0000B\r\nhello world\r\n00\r\n\r\n')).data.toString()).toBe('hello world');
    });

    it('passes binary data through untouched, CR and LF included', async () => {
      const data = Buffer.from('\r\n0\r\n\r\n\r\r\n\n\x00\xff', 'latin1');
      const { body } = frame({ payload: data, chunkSizes: [3], signed: false });
      expect((await decode([body])).data).toEqual(data);
    });

    it('collects trailers with lower-cased names, in order', async () => {
      const decoded = await decodeString('b\r\nhello world\r\n0\r\nX-Amz-Checksum-CRC32:DUoRhQ==\r\nx-amz-trailer-signature:abc\r\n\r\n');
      expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-trailer-signature': 'abc' });
      const decoder = new AwsChunkedDecoder();
      decoder.end(Buffer.from('0\r\nb:2\r\na:1\r\n\r\n'));
      decoder.resume();
      await new Promise((resolve) => decoder.on('end', resolve));
      expect([...decoder.trailers.keys()]).toEqual(['b', 'a']);
    });

    it('tolerates whitespace around the trailer colon, as S3 does', async () => {
      const { trailers } = await decodeString('0\r\nx-amz-checksum-crc32 :\t AAAAAA== \r\n\r\n');
      expect(trailers).toEqual({ 'x-amz-checksum-crc32': 'AAAAAA==' });
    });

    it('ignores chunk extensions other than chunk-signature', async () => {
      const verifier = recordingVerifier();
      await decodeString('1;foo=bar;chunk-signature=abc;baz\r\nx\r\n0;x=y\r\n\r\n', { verifier });
      expect(verifier.calls).toEqual([
        ['abc', sha256(Buffer.from('x'))],
        [undefined, EMPTY_SHA256],
      ]);
    });

    it('accepts a body that ends right after "0\\r\\n", as @smithy/util-stream sends without a checksum', async () => {
      expect(await decodeString('b\r\nhello world\r\n0\r\n', { decodedLength: 11 })).toEqual({ data: Buffer.from('hello world'), trailers: {} });
    });

    it('emits data as it arrives, without waiting for the end of a chunk', async () => {
      const decoder = new AwsChunkedDecoder();
      let received = 0;
      decoder.on('data', (chunk: Buffer) => (received += chunk.length));
      decoder.write(Buffer.from('100000\r\n'));
      for (let sent = 1024; sent <= 64 * 1024; sent += 1024) {
        decoder.write(Buffer.alloc(1024, 7));
        await new Promise(setImmediate);
        expect(received).toBe(sent);
      }
      decoder.destroy();
    });
  });

  describe('random framing, random input splits', () => {
    it('gives the payload, trailers and chunk hashes whatever the split', async () => {
      await fc.assert(
        fc.asyncProperty(framingArb, fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), async (framing, cuts, declareLength) => {
          const { body, calls } = frame(framing);
          const verifier = recordingVerifier();
          const decoded = await decode(splitAt(body, cuts), {
            verifier,
            decodedLength: declareLength ? framing.payload.length : undefined,
          });
          expect(decoded.data).toEqual(framing.payload);
          expect(decoded.trailers).toEqual(Object.fromEntries(framing.trailers ?? []));
          expect(verifier.calls).toEqual(calls);
        }),
        { numRuns: 300 },
      );
    });

    it('decodes byte by byte', async () => {
      await fc.assert(
        fc.asyncProperty(framingArb, async (framing) => {
          const { body } = frame(framing);
          const bytes = [...body].map((b) => Buffer.of(b));
          expect((await decode(bytes)).data).toEqual(framing.payload);
        }),
        { numRuns: 20 },
      );
    });

    it('fails or succeeds the same way whatever the split, on corrupted bodies too', async () => {
      const mutation = fc.record({
        at: fc.nat(),
        byte: fc.constantFrom(0x0d, 0x0a, 0x3b, 0x3a, 0x30, 0x7a, 0x20),
        kind: fc.constantFrom('replace', 'insert', 'delete'),
      });
      await fc.assert(
        fc.asyncProperty(framingArb, mutation, fc.array(fc.nat(), { maxLength: 20 }), async (framing, m, cuts) => {
          const { body: clean } = frame(framing);
          const at = m.at % clean.length;
          const body = Buffer.concat([
            clean.subarray(0, at),
            m.kind === 'delete' ? Buffer.alloc(0) : Buffer.of(m.byte),
            clean.subarray(m.kind === 'insert' ? at : at + 1),
          ]);
          const opts = { decodedLength: framing.payload.length };
          expect(await outcome(splitAt(body, cuts), opts)).toEqual(await outcome([body], opts));
        }),
        { numRuns: 300 },
      );
    });

    it('reports IncompleteBody for a body cut anywhere before its end', async () => {
      await fc.assert(
        fc.asyncProperty(framingArb, fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), async (framing, at, cuts) => {
          const { body, trailerStart } = frame(framing);
          const end = at % body.length;
          const result = await outcome(splitAt(body.subarray(0, end), cuts));
          // Ending right after the final chunk's line is allowed (see above): the caller has to
          // check that the trailers announced in x-amz-trailer came.
          if (end === trailerStart) {
            expect(result).toEqual({ data: Buffer.from(framing.payload), trailers: {} });
          } else {
            expect(result).toMatchObject({ code: 'IncompleteBody' });
          }
        }),
        { numRuns: 300 },
      );
    });

    it('rejects anything after the terminating CRLF', async () => {
      await fc.assert(
        fc.asyncProperty(framingArb, fc.uint8Array({ minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 5 }), async (framing, extra, cuts) => {
          const body = Buffer.concat([frame(framing).body, extra]);
          expect(await outcome(splitAt(body, cuts))).toEqual({
            code: 'InvalidRequest',
            message: 'aws-chunked body has data after its final CRLF.',
          });
        }),
      );
    });
  });

  describe('malformed framing', () => {
    it.each([
      ['a size that is not hex', 'zz\r\n', 'aws-chunked chunk size is not valid hex: "zz".'],
      ['an empty size line', '\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk size is not valid hex: "".'],
      ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk size is not valid hex: "0x5".'],
      ['a negative size', '-5\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk size is not valid hex: "-5".'],
      ['space before the CRLF', '5 \r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk size is not valid hex: "5 ".'],
      ['a size of 17 hex digits', '00000000000000005\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk size is not valid hex: "00000000000000005".'],
      ['a size beyond 2^53', 'ffffffffffffffff\r\n', 'aws-chunked chunk size ffffffffffffffff is too large.'],
      ['a bare LF after the size', '5\nhello\r\n0\r\n\r\n', 'aws-chunked chunk size line does not end with CRLF.'],
      ['a bare LF after the final size', '0\n\r\n', 'aws-chunked chunk size line does not end with CRLF.'],
      ['data longer than its size', '4\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk data is not followed by CRLF (chunk longer than its declared size?).'],
      ['no CRLF after the data', '5\r\nhello0\r\n\r\n', 'aws-chunked chunk data is not followed by CRLF (chunk longer than its declared size?).'],
      ['a bare LF after the data', '5\r\nhello\n0\r\n\r\n', 'aws-chunked chunk data is not followed by CRLF (chunk longer than its declared size?).'],
      ['an empty extension', '5;\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk extension is malformed: "".'],
      ['an extension without a name', '5;=x\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk extension is malformed: "=x".'],
      ['chunk-signature without a value', '5;chunk-signature\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk-signature is malformed or repeated.'],
      ['chunk-signature twice', '5;chunk-signature=a;chunk-signature=b\r\nhello\r\n0\r\n\r\n', 'aws-chunked chunk-signature is malformed or repeated.'],
      ['a trailer without a colon', '0\r\nx-amz-checksum-crc32\r\n\r\n', 'aws-chunked trailer line is malformed: "x-amz-checksum-crc32".'],
      ['a trailer without a name', '0\r\n:AAAAAA==\r\n\r\n', 'aws-chunked trailer line is malformed: ":AAAAAA==".'],
      ['a trailer name with a space', '0\r\nx amz:1\r\n\r\n', 'aws-chunked trailer line is malformed: "x amz:1".'],
      ['a control character in a trailer value', '0\r\nx:a\x00b\r\n\r\n', 'aws-chunked trailer line is malformed: "x:a\\u0000b".'],
      ['a CR inside a trailer line', '0\r\nx:a\rb\r\n\r\n', 'aws-chunked trailer line is malformed: "x:a\\rb".'],
      [
        'a repeated trailer',
        '0\r\nx-amz-checksum-crc32:AAAAAA==\r\nX-Amz-Checksum-Crc32:AAAAAA==\r\n\r\n',
        'aws-chunked trailer x-amz-checksum-crc32 appears twice.',
      ],
      ['a bare LF ending a trailer', '0\r\nx:1\n\r\n', 'aws-chunked trailer line does not end with CRLF.'],
      ['a bare LF ending the trailer section', '0\r\nx:1\r\n\n', 'aws-chunked trailer line does not end with CRLF.'],
      ['a data chunk after the final one', '0\r\n5\r\nhello\r\n\r\n', 'aws-chunked trailer line is malformed: "5".'],
      ['an extra CRLF at the end', '0\r\n\r\n\r\n', 'aws-chunked body has data after its final CRLF.'],
    ])('rejects %s with InvalidRequest', async (_what, body, message) => {
      const error = await decodeString(body).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(S3Error);
      expect(error).toMatchObject({ code: 'InvalidRequest', status: 400, message });
    });

    it.each([
      ['nothing at all', ''],
      ['a partial size line', '1'],
      ['a size line without data', 'b\r\n'],
      ['part of the data', 'b\r\nhello'],
      ['the data without its CRLF', 'b\r\nhello world'],
      ['the data with half its CRLF', 'b\r\nhello world\r'],
      ['no final chunk', 'b\r\nhello world\r\n'],
      ['a partial final chunk line', 'b\r\nhello world\r\n0'],
      ['a final chunk line without LF', 'b\r\nhello world\r\n0\r'],
      ['a partial trailer line', '0\r\nx-amz-checksum-crc32:AAA'],
      ['trailer lines but no closing CRLF', '0\r\nx-amz-checksum-crc32:AAAAAA==\r\n'],
      ['half the closing CRLF', '0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r'],
    ])('rejects a body with %s with IncompleteBody', async (_what, body) => {
      await expect(decodeString(body)).rejects.toMatchObject({ code: 'IncompleteBody' });
    });

    it('accepts a size line of exactly the limit and rejects one byte more', async () => {
      const line = (length: number) => `5;x=${'a'.repeat(length - 6)}\r\n`;
      expect(line(MAX_SIZE_LINE)).toHaveLength(MAX_SIZE_LINE);
      expect((await decodeString(`${line(MAX_SIZE_LINE)}hello\r\n0\r\n\r\n`)).data.toString()).toBe('hello');
      await expect(decodeString(`${line(MAX_SIZE_LINE + 1)}hello\r\n0\r\n\r\n`)).rejects.toMatchObject({
        code: 'InvalidRequest',
        message: 'aws-chunked chunk size line is longer than 4096 bytes.',
      });
    });

    it('rejects an endless size line as soon as it passes the limit', async () => {
      const decoder = new AwsChunkedDecoder();
      const failed = new Promise((resolve) => decoder.on('error', resolve));
      for (let i = 0; i < 5; i++) decoder.write(Buffer.alloc(1000, '1'));
      expect(await failed).toMatchObject({ code: 'InvalidRequest', message: 'aws-chunked chunk size line is longer than 4096 bytes.' });
    });

    it('accepts a trailer section of exactly the limit and rejects one byte more', async () => {
      // Trailer lines of 100 bytes with CRLF, then one line to fill the section up, then the closing CRLF.
      const section = (length: number) => {
        const lines = Array.from({ length: Math.floor((length - 2) / 100) - 1 }, (_, i) => `t${String(i).padStart(4, '0')}:${'v'.repeat(92)}\r\n`);
        const rest = length - 2 - lines.length * 100;
        return `${lines.join('')}last:${'w'.repeat(rest - 7)}\r\n\r\n`;
      };
      expect(section(MAX_TRAILER_SECTION)).toHaveLength(MAX_TRAILER_SECTION);
      const { trailers } = await decodeString(`0\r\n${section(MAX_TRAILER_SECTION)}`);
      expect(Object.keys(trailers)).toHaveLength(Math.floor((MAX_TRAILER_SECTION - 2) / 100));
      await expect(decodeString(`0\r\n${section(MAX_TRAILER_SECTION + 1)}`)).rejects.toMatchObject({
        code: 'InvalidRequest',
        message: 'aws-chunked trailer section is longer than 16384 bytes.',
      });
    });
  });

  describe('x-amz-decoded-content-length', () => {
    const body = 'b\r\nhello world\r\n0\r\n\r\n';

    it('accepts a body of exactly that length', async () => {
      expect((await decodeString(body, { decodedLength: 11 })).data.toString()).toBe('hello world');
    });

    it('rejects a shorter body with IncompleteBody', async () => {
      await expect(decodeString(body, { decodedLength: 12 })).rejects.toMatchObject({
        code: 'IncompleteBody',
        message: 'aws-chunked body decodes to 11 bytes, x-amz-decoded-content-length says 12.',
      });
    });

    it('rejects a longer body with IncompleteBody as soon as a chunk size says so', async () => {
      const decoder = new AwsChunkedDecoder({ decodedLength: 10 });
      const failed = new Promise((resolve) => decoder.on('error', resolve));
      decoder.resume();
      decoder.write(Buffer.from('5\r\nhello\r\n6\r\n'));
      expect(await failed).toMatchObject({
        code: 'IncompleteBody',
        message: 'aws-chunked body decodes to more than x-amz-decoded-content-length (10) bytes.',
      });
    });
  });

  describe('chunk signatures', () => {
    it('hashes chunks only for a verifier and passes signatures as sent', async () => {
      const verifier = recordingVerifier();
      await decodeString('5;chunk-signature=sig1\r\nhello\r\n6;chunk-signature=sig2\r\n world\r\n0;chunk-signature=sig3\r\n\r\n', { verifier });
      expect(verifier.calls).toEqual([
        ['sig1', sha256(Buffer.from('hello'))],
        ['sig2', sha256(Buffer.from(' world'))],
        ['sig3', EMPTY_SHA256],
      ]);
    });

    it('passes undefined for chunks without a signature', async () => {
      const verifier = recordingVerifier();
      await decodeString('5\r\nhello\r\n0\r\n\r\n', { verifier });
      expect(verifier.calls).toEqual([
        [undefined, sha256(Buffer.from('hello'))],
        [undefined, EMPTY_SHA256],
      ]);
    });

    it('fails the pipeline with the error the verifier throws', async () => {
      const verifier: ChunkSignatureVerifier = {
        verifyChunk: (signature) => {
          if (signature === 'bad') throw new S3Error('SignatureDoesNotMatch');
        },
      };
      await expect(decodeString('5;chunk-signature=good\r\nhello\r\n5;chunk-signature=bad\r\nworld\r\n0\r\n\r\n', { verifier })).rejects.toMatchObject({
        code: 'SignatureDoesNotMatch',
        status: 403,
      });
    });

    /**
     * The example in "Signature Calculations for the Authorization Header: Transferring Payload
     * in Multiple Chunks" (AWS S3 API reference): 66560 bytes of 'a' in chunks of 64 KiB and 1 KiB,
     * checked with a real SigV4 chunk signature chain.
     */
    describe('AWS documentation example (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
      const seedSignature = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
      const signatures = [
        'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
        '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
        'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
      ];
      const encode = ([first, second, last]: string[]) =>
        Buffer.concat([
          Buffer.from(`10000;chunk-signature=${first}\r\n`),
          Buffer.alloc(65536, 'a'),
          Buffer.from(`\r\n400;chunk-signature=${second}\r\n`),
          Buffer.alloc(1024, 'a'),
          Buffer.from(`\r\n0;chunk-signature=${last}\r\n\r\n`),
        ]);
      const body = encode(signatures);

      /** The chained chunk signature check the gateway's auth layer is to plug in. */
      function sigV4Verifier(): ChunkSignatureVerifier {
        const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
        const signingKey = ['20130524', 'us-east-1', 's3', 'aws4_request'].reduce<Buffer | string>(
          (key, part) => hmac(key, part),
          'AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        );
        let previous = seedSignature;
        return {
          verifyChunk(signature, dataSha256Hex) {
            const stringToSign = [
              'AWS4-HMAC-SHA256-PAYLOAD',
              '20130524T000000Z',
              '20130524/us-east-1/s3/aws4_request',
              previous,
              EMPTY_SHA256,
              dataSha256Hex,
            ].join('\n');
            const expected = hmac(signingKey, stringToSign).toString('hex');
            if (signature === undefined || signature.length !== 64 || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
              throw new S3Error('SignatureDoesNotMatch');
            }
            previous = expected;
          },
        };
      }

      it('is 66824 bytes on the wire and decodes with valid signatures', async () => {
        expect(body).toHaveLength(66824);
        const { data } = await decode(splitAt(body, [1, 90, 65000, 65625, 66700]), { decodedLength: 66560, verifier: sigV4Verifier() });
        expect(data.equals(Buffer.alloc(66560, 'a'))).toBe(true);
      });

      it('fails on a changed data byte', async () => {
        const tampered = Buffer.from(body);
        tampered[66000] = 0x62;
        await expect(decode([tampered], { verifier: sigV4Verifier() })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
      });

      it('fails on reordered signatures', async () => {
        const swapped = encode([signatures[0], signatures[2], signatures[1]]);
        await expect(decode([swapped], { verifier: sigV4Verifier() })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
      });
    });
  });

  describe('what real clients send', () => {
    /** Runs PutObject with a streaming body through the real client and captures the request. */
    async function sdkPutObject(pieces: Buffer[], checksumAlgorithm?: SdkChecksumAlgorithm) {
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
      const sent = { headers: {} as Record<string, string>, body: [] as Buffer[] };
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        requestHandler: {
          handle: async (request: { headers: Record<string, string>; body: Readable }) => {
            sent.headers = request.headers;
            for await (const chunk of request.body as AsyncIterable<Uint8Array>) sent.body.push(Buffer.from(chunk));
            return { response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([]) }) };
          },
        },
      });
      const length = pieces.reduce((sum, p) => sum + p.length, 0);
      await client.send(
        new PutObjectCommand({ Bucket: 'bucket', Key: 'key', Body: Readable.from(pieces), ContentLength: length, ChecksumAlgorithm: checksumAlgorithm }),
      );
      return sent;
    }

    it('decodes @aws-sdk/client-s3 PutObject with its default CRC32 trailer', async () => {
      const pieces = [Buffer.from('hello '), Buffer.alloc(70000, 'x'), Buffer.from('world')];
      const { headers, body } = await sdkPutObject(pieces);
      expect(headers).toMatchObject({
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-trailer': 'x-amz-checksum-crc32',
        'x-amz-decoded-content-length': '70011',
      });
      expect(headers['content-length']).toBeUndefined();
      const decoded = await decode(body, { decodedLength: Number(headers['x-amz-decoded-content-length']) });
      expect(decoded.data).toEqual(Buffer.concat(pieces));
      expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32': digestBase64('CRC32', pieces) });
    });

    it.each(CHECKSUM_ALGORITHMS)('decodes @aws-sdk/client-s3 PutObject with a %s trailer', async (alg) => {
      const pieces = [Buffer.from('The quick brown fox '), Buffer.from('jumps over the lazy dog')];
      const { headers, body } = await sdkPutObject(pieces, alg);
      expect(headers['x-amz-trailer']).toBe(checksumHeader(alg));
      const decoded = await decode(splitAt(Buffer.concat(body), [5, 17, 40, 60]), { decodedLength: Number(headers['x-amz-decoded-content-length']) });
      expect(decoded.data).toEqual(Buffer.concat(pieces));
      expect(decoded.trailers).toEqual({ [checksumHeader(alg)]: digestBase64(alg, pieces) });
    });

    it('decodes @aws-sdk/client-s3 PutObject of an empty stream', async () => {
      const { headers, body } = await sdkPutObject([]);
      expect(Buffer.concat(body).toString()).toBe('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
      expect(await decode(body, { decodedLength: Number(headers['x-amz-decoded-content-length']) })).toEqual({
        data: Buffer.alloc(0),
        trailers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
      });
    });

    it('decodes getAwsChunkedEncodingStream without a checksum, which ends with just "0\\r\\n"', async () => {
      const encoded = getAwsChunkedEncodingStream(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { bodyLengthChecker: calculateBodyLength });
      const body: Buffer[] = [];
      for await (const chunk of encoded as AsyncIterable<Uint8Array>) body.push(Buffer.from(chunk));
      expect(Buffer.concat(body).toString()).toBe('6\r\nhello \r\n5\r\nworld\r\n0\r\n');
      expect(await decode(body, { decodedLength: 11 })).toEqual({ data: Buffer.from('hello world'), trailers: {} });
    });

    it.each([
      // botocore 1.43 AwsChunkedWrapper(BytesIO(body), Crc32Checksum, 'x-amz-checksum-crc32', chunk_size=4).read()
      [
        'botocore, CRC32 trailer',
        '4\r\nhell\r\n4\r\no wo\r\n3\r\nrld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n',
        'hello world',
        { 'x-amz-checksum-crc32': 'DUoRhQ==' },
      ],
      // botocore, same with an empty body
      ['botocore, empty body', '0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n', '', { 'x-amz-checksum-crc32': 'AAAAAA==' }],
      // botocore AwsChunkedWrapper without a checksum
      ['botocore, no checksum', 'b\r\nhello world\r\n0\r\n\r\n', 'hello world', {}],
      [
        'botocore, SHA256 trailer',
        '9\r\n123456789\r\n0\r\nx-amz-checksum-sha256:FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=\r\n\r\n',
        '123456789',
        { 'x-amz-checksum-sha256': 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=' },
      ],
      // aws-sdk-go-v2 service/internal/checksum unit test expectations
      ['aws-sdk-go-v2, no trailer', '8\r\nhello wo\r\n3\r\nrld\r\n0\r\n\r\n', 'hello world', {}],
      ['aws-sdk-go-v2, trailer', 'b\r\nhello world\r\n0\r\nfoo:abc123\r\n\r\n', 'hello world', { foo: 'abc123' }],
      // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER as the AWS SDK for .NET lays it out
      [
        'signed chunks with signed trailer',
        `5;chunk-signature=${'1'.repeat(64)}\r\nhello\r\n0;chunk-signature=${'2'.repeat(64)}\r\nx-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${'3'.repeat(64)}\r\n\r\n`,
        'hello',
        { 'x-amz-checksum-crc32c': 'sOO8/Q==', 'x-amz-trailer-signature': '3'.repeat(64) },
      ],
    ])('decodes %s', async (_client, body, data, trailers) => {
      const whole = Buffer.from(body, 'latin1');
      expect(await decode([whole])).toEqual({ data: Buffer.from(data), trailers });
      expect(await decode([...whole].map((b) => Buffer.of(b)))).toEqual({ data: Buffer.from(data), trailers });
    });
  });
});
