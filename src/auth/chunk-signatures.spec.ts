import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { awsS3Examples, rawHeadersOf, type S3ChunkedExample } from '../../test/fixtures/sigv4';
import { AwsChunkedDecoder } from '../s3/aws-chunked';
import { S3Error } from '../s3/errors';
import { canonicalRequest, splitTarget } from './canonical-request';
import { canonicalTrailers, chunkSignatureVerifier, chunkStringToSign, EMPTY_SHA256, trailerStringToSign, verifyTrailerSignature } from './chunk-signatures';
import { parseAuthorizationHeader } from './sigv4-parse';
import { stringToSign, type SigV4Context, verifyHeaderAuth } from './sigv4';
import { s3ErrorOf, thrownS3Error } from '../../test/support/rejections';

const examples = awsS3Examples();
const EXAMPLE_TIME = Date.UTC(2013, 4, 24);
const lookup = (id: string) => (id === examples.credentials.accessKeyId ? examples.credentials.secretAccessKey : undefined);
const [plain, withTrailer] = examples.chunked;

function verifySeed(example: S3ChunkedExample): SigV4Context {
  return verifyHeaderAuth({ method: example.method, url: example.target, rawHeaders: rawHeadersOf(example.headers) }, lookup, EXAMPLE_TIME);
}

/** The example's aws-chunked body, with the signatures given (the documented ones by default). */
function body(example: S3ChunkedExample, signatures = example.chunks.map((c) => c.signature), trailer = ''): Buffer {
  const parts: Buffer[] = [];
  example.chunks.forEach((chunk, i) => {
    parts.push(Buffer.from(`${chunk.size.toString(16)};chunk-signature=${signatures[i]}\r\n`));
    if (chunk.size > 0) parts.push(Buffer.alloc(chunk.size, chunk.fill), Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`${trailer}\r\n`));
  return Buffer.concat(parts);
}

async function decode(input: Buffer, decoder: AwsChunkedDecoder, pieceSize = 4096): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += pieceSize) pieces.push(input.subarray(i, i + pieceSize));
  await pipeline(
    Readable.from(pieces),
    decoder,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('AWS example: PUT in 64 KiB chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  it('verifies the seed request', () => {
    const context = verifySeed(plain);
    expect(context.signature).toBe(plain.seedSignature);
    expect(context.payloadHash).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    const { path, query } = splitTarget(plain.target);
    const authorization = parseAuthorizationHeader(plain.headers.find(([n]) => n === 'Authorization')![1]);
    const canonical = canonicalRequest({
      method: 'PUT',
      path,
      query,
      rawHeaders: rawHeadersOf(plain.headers),
      signedHeaders: authorization.signedHeaders,
      payloadHash: context.payloadHash,
    });
    expect(stringToSign(context.amzDate, context.scope, canonical)).toBe(plain.seedStringToSign);
  });

  it('computes each documented chunk signature', () => {
    const context = verifySeed(plain);
    expect(createHash('sha256').update(Buffer.alloc(65536, 'a')).digest('hex')).toBe(plain.chunks[0].sha256);
    const chain = chunkSignatureVerifier(context);
    for (const chunk of plain.chunks) {
      chain.verifyChunk(chunk.signature, createHash('sha256').update(Buffer.alloc(chunk.size, chunk.fill)).digest('hex'));
      expect(chain.lastSignature).toBe(chunk.signature);
    }
    expect(chunkStringToSign(context, plain.seedSignature, plain.chunks[0].sha256!)).toBe(
      `AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${plain.seedSignature}\n${EMPTY_SHA256}\n${plain.chunks[0].sha256}`,
    );
  });

  it.each([1, 7, 4096, 65536, 70000])('decodes the documented body through AwsChunkedDecoder, in %i-byte pieces', async (pieceSize) => {
    const decoder = new AwsChunkedDecoder({ decodedLength: 66560, verifier: chunkSignatureVerifier(verifySeed(plain)) });
    const data = await decode(body(plain), decoder, pieceSize);
    expect(data.equals(Buffer.alloc(66560, 'a'))).toBe(true);
  });

  it('fails with SignatureDoesNotMatch on a changed data byte, a changed or missing signature, or a wrong seed', async () => {
    const good = body(plain);
    const flippedData = Buffer.from(good);
    flippedData[200] = 'b'.charCodeAt(0);
    const flippedLast = Buffer.from(good);
    flippedLast[good.length - 30] ^= 1; // inside the final chunk's signature
    const missing = Buffer.from(good.toString('latin1').replace(`400;chunk-signature=${plain.chunks[1].signature}`, '400'), 'latin1');
    const swapped = body(plain, [plain.chunks[1].signature, plain.chunks[0].signature, plain.chunks[2].signature]);
    for (const input of [flippedData, flippedLast, missing, swapped]) {
      const decoder = new AwsChunkedDecoder({ decodedLength: 66560, verifier: chunkSignatureVerifier(verifySeed(plain)) });
      const error = await s3ErrorOf(decode(input, decoder));
      expect(error.code).toBe('SignatureDoesNotMatch');
    }
    const wrongSeed = chunkSignatureVerifier({ ...verifySeed(plain), signature: withTrailer.seedSignature });
    expect(() => wrongSeed.verifyChunk(plain.chunks[0].signature, plain.chunks[0].sha256!)).toThrow(S3Error);
  });

  it('refuses everything after the first bad chunk', () => {
    const chain = chunkSignatureVerifier(verifySeed(plain));
    expect(() => chain.verifyChunk('0'.repeat(64), plain.chunks[0].sha256!)).toThrow(S3Error);
    const after = (() => {
      try {
        chain.verifyChunk(plain.chunks[0].signature, plain.chunks[0].sha256!);
      } catch (err) {
        return err as S3Error;
      }
      return undefined;
    })();
    expect(after?.code).toBe('SignatureDoesNotMatch');
  });

  it('puts the chunk string to sign in the error only in debug mode', () => {
    const context = verifySeed(plain);
    const quiet = (() => {
      try {
        chunkSignatureVerifier(context).verifyChunk('0'.repeat(64), EMPTY_SHA256);
      } catch (err) {
        return err as S3Error;
      }
    })()!;
    expect(quiet.details.StringToSign).toBeUndefined();
    const loud = (() => {
      try {
        chunkSignatureVerifier(context, { debug: true }).verifyChunk('0'.repeat(64), EMPTY_SHA256);
      } catch (err) {
        return err as S3Error;
      }
    })()!;
    expect(loud.details.StringToSign).toBe(chunkStringToSign(context, plain.seedSignature, EMPTY_SHA256));
  });
});

describe('AWS example: PUT in chunks with a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', () => {
  const trailerLines = (signature: string, value = withTrailer.trailers![0][1]) => `x-amz-checksum-crc32c:${value}\r\nx-amz-trailer-signature:${signature}\r\n`;

  it('verifies the seed request, every chunk and the trailer', async () => {
    const context = verifySeed(withTrailer);
    expect(context.signature).toBe(withTrailer.seedSignature);
    const { path, query } = splitTarget(withTrailer.target);
    const authorization = parseAuthorizationHeader(withTrailer.headers.find(([n]) => n === 'Authorization')![1]);
    const canonical = canonicalRequest({
      method: 'PUT',
      path,
      query,
      rawHeaders: rawHeadersOf(withTrailer.headers),
      signedHeaders: authorization.signedHeaders,
      payloadHash: context.payloadHash,
    });
    expect(stringToSign(context.amzDate, context.scope, canonical)).toBe(withTrailer.seedStringToSign);

    const chain = chunkSignatureVerifier(context);
    const decoder = new AwsChunkedDecoder({ decodedLength: 66560, verifier: chain });
    const data = await decode(body(withTrailer, undefined, trailerLines(withTrailer.trailerSignature!)), decoder);
    expect(data.length).toBe(66560);
    expect(chain.lastSignature).toBe(withTrailer.chunks[2].signature);
    chain.verifyTrailer(decoder.trailers);
    verifyTrailerSignature(context, withTrailer.chunks[2].signature, decoder.trailers);
    expect(canonicalTrailers(decoder.trailers)).toBe('x-amz-checksum-crc32c:sOO8/Q==\n');
    expect(trailerStringToSign(context, withTrailer.chunks[2].signature, decoder.trailers)).toBe(
      `AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${withTrailer.chunks[2].signature}\n${createHash('sha256').update('x-amz-checksum-crc32c:sOO8/Q==\n').digest('hex')}`,
    );
  });

  it('refuses a changed trailer value, a wrong or missing trailer signature', async () => {
    const context = verifySeed(withTrailer);
    const cases = [
      trailerLines(withTrailer.trailerSignature!, 'AAAAAA=='),
      trailerLines('63bddb248ad2590c92712055f51b8e78ab024eead08276b24f010b0efd74843f'),
      'x-amz-checksum-crc32c:sOO8/Q==\r\n',
    ];
    for (const trailer of cases) {
      const chain = chunkSignatureVerifier(context);
      const decoder = new AwsChunkedDecoder({ decodedLength: 66560, verifier: chain });
      await decode(body(withTrailer, undefined, trailer), decoder);
      expect(thrownS3Error(() => chain.verifyTrailer(decoder.trailers))).toMatchObject({ code: 'SignatureDoesNotMatch' });
    }
  });

  it('orders and trims trailers by name, leaving the signature out', () => {
    const trailers = new Map([
      ['x-amz-checksum-sha256', ' abc '],
      ['X-Amz-Checksum-Crc32', 'def'],
      ['x-amz-trailer-signature', 'sig'],
    ]);
    expect(canonicalTrailers(trailers)).toBe('x-amz-checksum-crc32:def\nx-amz-checksum-sha256:abc\n');
  });
});
