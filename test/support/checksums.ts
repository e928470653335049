import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithmName = (typeof CHECKSUM_ALGORITHMS)[number];
/** The SDK's field of each algorithm: `ChecksumCRC32` and friends. */
export type ChecksumField = `Checksum${ChecksumAlgorithmName}`;

/** The base64 checksum S3 expects, computed with implementations independent of the gateway's. */
export async function checksumOf(algorithm: ChecksumAlgorithmName, bytes: Buffer): Promise<string> {
  const uint32 = (value: number) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value >>> 0);
    return out.toString('base64');
  };
  switch (algorithm) {
    case 'CRC32':
      return uint32(crc32(bytes));
    case 'CRC32C':
      return uint32(crc32c(bytes));
    case 'CRC64NVME': {
      const crc = new Crc64Nvme();
      crc.update(bytes);
      return Buffer.from(await crc.digest()).toString('base64');
    }
    case 'SHA1':
      return createHash('sha1').update(bytes).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(bytes).digest('base64');
  }
}
