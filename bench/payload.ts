/** The bytes every target stores and serves: a fixed pseudo-random 1 MiB block, repeated. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const BLOCK = randomBytes(1024 * 1024);

/** The first `size` bytes of the pattern, in one buffer. */
export function payload(size: number): Buffer {
  if (size <= BLOCK.length) return BLOCK.subarray(0, size);
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += BLOCK.length) BLOCK.copy(out, at, 0, Math.min(BLOCK.length, size - at));
  return out;
}

/** The same bytes as a stream, for bodies too large to hold. */
export function payloadStream(size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(BLOCK.length, size - sent);
      sent += n;
      this.push(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n));
    },
  });
}
