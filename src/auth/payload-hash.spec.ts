import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { S3Error } from '../s3/errors';
import { isValidPayloadHash, PayloadSha256Check, payloadHashCheck, payloadMode } from './payload-hash';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function run(pieces: Buffer[], check: PayloadSha256Check): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    check,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('payload modes', () => {
  it('knows what x-amz-content-sha256 may say', () => {
    expect(payloadMode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('sha256');
    expect(payloadMode('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855')).toBe('sha256');
    expect(payloadMode('UNSIGNED-PAYLOAD')).toBe('unsigned');
    expect(payloadMode('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')).toBe('streaming-signed');
    expect(payloadMode('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER')).toBe('streaming-signed-trailer');
    expect(payloadMode('STREAMING-UNSIGNED-PAYLOAD-TRAILER')).toBe('streaming-unsigned-trailer');
    for (const bad of ['', 'unsigned-payload', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'e3b0', 'g'.repeat(64)]) {
      expect(payloadMode(bad)).toBeUndefined();
      expect(isValidPayloadHash(bad)).toBe(false);
    }
  });

  it('checks only hex hashes', () => {
    expect(payloadHashCheck('UNSIGNED-PAYLOAD')).toBeUndefined();
    expect(payloadHashCheck('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')).toBeUndefined();
    expect(payloadHashCheck(sha256(Buffer.alloc(0)))).toBeInstanceOf(PayloadSha256Check);
    expect(() => new PayloadSha256Check('nope')).toThrow();
  });
});

describe('PayloadSha256Check', () => {
  it('passes a body whose hash was signed, however it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async (parts) => {
        const pieces = parts.map((p) => Buffer.from(p));
        const whole = Buffer.concat(pieces);
        const out = await run(pieces, new PayloadSha256Check(sha256(whole).toUpperCase()));
        expect(out.equals(whole)).toBe(true);
      }),
    );
  });

  it('fails at the end with XAmzContentSHA256Mismatch on any other body', async () => {
    const signed = Buffer.from('Welcome to Amazon S3.');
    const sent = Buffer.from('Welcome to Amazon S3!');
    let error: unknown;
    try {
      await run([sent], payloadHashCheck(sha256(signed))!);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(S3Error);
    expect(error).toMatchObject({
      code: 'XAmzContentSHA256Mismatch',
      status: 400,
      details: { ClientComputedContentSHA256: sha256(signed), S3ComputedContentSHA256: sha256(sent) },
    });
  });
});
