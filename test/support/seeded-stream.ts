import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK_BYTES = 1024 * 1024;

/**
 * `size` pseudo-random bytes from a seeded xorshift32 generator, produced chunk by chunk on demand:
 * the same seed always gives the same bytes, and no more than one chunk is held at a time.
 */
export function seededStream(seed: number, size: number): Readable {
  let state = seed >>> 0 || 1;
  let remaining = size;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read() {
      if (remaining === 0) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK_BYTES, remaining);
      const words = new Uint32Array(Math.ceil(length / 4));
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state;
      }
      remaining -= length;
      this.push(Buffer.from(words.buffer, 0, length));
    },
  });
}

/** Hex SHA-256 and MD5 of everything a stream yields, in one pass. */
export async function digestsOf(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; md5: string; size: number }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    sha256.update(chunk);
    md5.update(chunk);
    size += chunk.length;
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
}
