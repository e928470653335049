/**
 * Combining CRCs of concatenated data, for S3's FULL_OBJECT multipart checksums: the object's CRC from its
 * parts' CRCs and lengths, without reading the parts again. CRC32, CRC32C and CRC64NVME are all reflected
 * CRCs with all-ones init and xorout, for which crc(A || B) = (crc(A) * x^(8 * |B|) mod P) xor crc(B); this
 * is the GF(2) polynomial arithmetic zlib's crc32_combine uses, written over BigInt for both widths.
 */
export interface CrcParameters {
  width: 32 | 64;
  /** Reflected polynomial. */
  poly: bigint;
}

export const CRC32_PARAMETERS: CrcParameters = { width: 32, poly: 0xedb88320n };
export const CRC32C_PARAMETERS: CrcParameters = { width: 32, poly: 0x82f63b78n };
export const CRC64NVME_PARAMETERS: CrcParameters = { width: 64, poly: 0x9a6c9329ac4bc9b5n };

/** a(x) * b(x) mod P(x), polynomials in reflected bit order (the top bit is x^0). */
function multiplyModP(a: bigint, b: bigint, { width, poly }: CrcParameters): bigint {
  let mask = 1n << BigInt(width - 1);
  let product = 0n;
  while (mask !== 0n) {
    if ((a & mask) !== 0n) product ^= b;
    mask >>= 1n;
    b = (b & 1n) !== 0n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return product;
}

/** x^(8 * bytes) mod P(x), by repeated squaring. */
function shiftOperator(bytes: number, parameters: CrcParameters): bigint {
  // In reflected order x^k is the bit at position width - 1 - k.
  let result = 1n << BigInt(parameters.width - 1); // x^0
  let square = 1n << BigInt(parameters.width - 9); // x^8: one byte
  let remaining = BigInt(bytes);
  while (remaining > 0n) {
    if ((remaining & 1n) !== 0n) result = multiplyModP(square, result, parameters);
    square = multiplyModP(square, square, parameters);
    remaining >>= 1n;
  }
  return result;
}

/** The CRC of A || B from crc(A), crc(B) and the length of B. */
export function combineCrc(crcA: bigint, crcB: bigint, lengthB: number, parameters: CrcParameters): bigint {
  if (lengthB === 0) return crcA;
  return multiplyModP(shiftOperator(lengthB, parameters), crcA, parameters) ^ crcB;
}
