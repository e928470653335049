/**
 * S3 flexible checksums (x-amz-checksum-*): names, incremental computation and value syntax.
 * Digests are the bytes AWS puts base64-encoded in the header or trailer: CRCs big-endian.
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** How many bytes a digest of the algorithm has (before base64). */
export function digestBytes(alg: ChecksumAlgorithm): number {
  return DIGEST_BYTES[alg];
}

const BY_NAME = new Map<string, ChecksumAlgorithm>(CHECKSUM_ALGORITHMS.map((alg) => [alg.toLowerCase(), alg]));
const BY_HEADER = new Map<string, ChecksumAlgorithm>(CHECKSUM_ALGORITHMS.map((alg) => [checksumHeader(alg), alg]));

/** The header (and trailer) carrying a checksum, lowercase: 'x-amz-checksum-crc32'. */
export function checksumHeader(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

/** The algorithm whose checksum header this is, any case; undefined for any other header. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  return BY_HEADER.get(name.toLowerCase());
}

/** An algorithm name as sent in x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm, any case. */
export function parseAlgorithm(value: string): ChecksumAlgorithm | undefined {
  return BY_NAME.get(value.toLowerCase());
}

/**
 * True if `base64` is the canonical padded base64 of a digest of the algorithm's size, as AWS
 * clients send it. Anything else cannot match a digest, so callers answer InvalidDigest rather
 * than BadDigest.
 */
export function isValidChecksumValue(alg: ChecksumAlgorithm, base64: string): boolean {
  // Buffer.from skips characters outside the alphabet, so the round trip rejects them and any
  // non-canonical spelling (missing padding, non-zero pad bits).
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length === DIGEST_BYTES[alg] && bytes.toString('base64') === base64;
}

/** An incremental checksum. digest() does not end it: more data may follow and digest() again. */
export interface Checksum {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

export function createChecksum(alg: ChecksumAlgorithm): Checksum {
  switch (alg) {
    case 'CRC32':
      return new Crc32();
    case 'CRC32C':
      return new Crc32c();
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA1':
      return new NodeHash('sha1');
    case 'SHA256':
      return new NodeHash('sha256');
  }
}

/** zlib's native CRC-32 (Node >= 20.15), the fastest by far; its second argument continues a CRC. */
class Crc32 implements Checksum {
  private value = 0;

  update(chunk: Uint8Array): void {
    this.value = crc32(chunk, this.value);
  }

  digest(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out;
  }
}

class NodeHash implements Checksum {
  private readonly hash: Hash;

  constructor(alg: 'sha1' | 'sha256') {
    this.hash = createHash(alg);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  digest(): Buffer {
    // A copy, so that digest() leaves this checksum open like the CRCs.
    return this.hash.copy().digest();
  }
}

/*
 * CRC-32C and CRC-64/NVME are computed here, table-driven (slice-by-8), rather than with the npm
 * packages: @aws-crypto/crc32c walks bytes through an iterator (~70 MB/s, on the event loop) and
 * @aws-sdk/crc64-nvme only has an async digest(). The spec checks both against those packages.
 * Both are reflected CRCs with all-ones init and xorout.
 */

/**
 * Slice-by-8 tables of a reflected CRC, flat: entry k * 256 + b is the CRC register after byte b
 * followed by k zero bytes, so 8 input bytes take 8 independent lookups.
 */
function sliceBy8Tables(reflectedPoly: bigint): bigint[] {
  const tables: bigint[] = [];
  for (let b = 0; b < 256; b++) {
    let c = BigInt(b);
    for (let bit = 0; bit < 8; bit++) c = c & 1n ? (c >> 1n) ^ reflectedPoly : c >> 1n;
    tables.push(c);
  }
  for (let i = 256; i < 8 * 256; i++) {
    const prev = tables[i - 256];
    tables.push((prev >> 8n) ^ tables[Number(prev & 0xffn)]);
  }
  return tables;
}

/** CRC-32C (Castagnoli), polynomial 0x1EDC6F41 reflected. */
const CRC32C_TABLES = Uint32Array.from(sliceBy8Tables(0x82f63b78n), Number);

class Crc32c implements Checksum {
  private crc = 0xffffffff;

  update(data: Uint8Array): void {
    const T = CRC32C_TABLES;
    let crc = this.crc;
    const n = data.length;
    const whole = n - (n % 8);
    let i = 0;
    for (; i < whole; i += 8) {
      const a = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      crc =
        T[1792 + (a & 0xff)] ^
        T[1536 + ((a >>> 8) & 0xff)] ^
        T[1280 + ((a >>> 16) & 0xff)] ^
        T[1024 + (a >>> 24)] ^
        T[768 + data[i + 4]] ^
        T[512 + data[i + 5]] ^
        T[256 + data[i + 6]] ^
        T[data[i + 7]];
    }
    for (; i < n; i++) crc = (crc >>> 8) ^ T[(crc ^ data[i]) & 0xff];
    this.crc = crc;
  }

  digest(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((this.crc ^ 0xffffffff) >>> 0);
    return out;
  }
}

/** CRC-64/NVME, polynomial 0xAD93D23594C93659 reflected; tables split in uint32 halves. */
const CRC64NVME_TABLES = sliceBy8Tables(0x9a6c9329ac4bc9b5n);
const CRC64_HI = Uint32Array.from(CRC64NVME_TABLES, (v) => Number(v >> 32n));
const CRC64_LO = Uint32Array.from(CRC64NVME_TABLES, (v) => Number(v & 0xffffffffn));

/** JS bitwise operators are 32-bit, so the 64-bit register is kept as two halves. */
class Crc64Nvme implements Checksum {
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(data: Uint8Array): void {
    const H = CRC64_HI;
    const L = CRC64_LO;
    let hi = this.hi;
    let lo = this.lo;
    const n = data.length;
    const whole = n - (n % 8);
    let i = 0;
    for (; i < whole; i += 8) {
      // The register xor the next 8 bytes, little-endian, then one lookup per byte.
      const a = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      const b = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
      const k0 = 1792 + (a & 0xff);
      const k1 = 1536 + ((a >>> 8) & 0xff);
      const k2 = 1280 + ((a >>> 16) & 0xff);
      const k3 = 1024 + (a >>> 24);
      const k4 = 768 + (b & 0xff);
      const k5 = 512 + ((b >>> 8) & 0xff);
      const k6 = 256 + ((b >>> 16) & 0xff);
      const k7 = b >>> 24;
      lo = L[k0] ^ L[k1] ^ L[k2] ^ L[k3] ^ L[k4] ^ L[k5] ^ L[k6] ^ L[k7];
      hi = H[k0] ^ H[k1] ^ H[k2] ^ H[k3] ^ H[k4] ^ H[k5] ^ H[k6] ^ H[k7];
    }
    for (; i < n; i++) {
      const k = (lo ^ data[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ L[k];
      hi = (hi >>> 8) ^ H[k];
    }
    this.hi = hi;
    this.lo = lo;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE((this.hi ^ 0xffffffff) >>> 0, 0);
    out.writeUInt32BE((this.lo ^ 0xffffffff) >>> 0, 4);
    return out;
  }
}
