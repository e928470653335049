import fc from 'fast-check';
import { type ChecksumAlgorithm, createChecksum } from './checksum';
import { combineCrc, CRC32_PARAMETERS, CRC32C_PARAMETERS, CRC64NVME_PARAMETERS, type CrcParameters } from './crc-combine';

const ALGORITHMS: Array<[ChecksumAlgorithm, CrcParameters]> = [
  ['CRC32', CRC32_PARAMETERS],
  ['CRC32C', CRC32C_PARAMETERS],
  ['CRC64NVME', CRC64NVME_PARAMETERS],
];

function crcOf(algorithm: ChecksumAlgorithm, data: Uint8Array): bigint {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return BigInt(`0x${checksum.digest().toString('hex')}`);
}

describe('combineCrc', () => {
  it.each(ALGORITHMS)("gives the %s of concatenated data from the parts' CRCs", (algorithm, parameters) => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }), (parts) => {
        let combined = crcOf(algorithm, parts[0]);
        for (const part of parts.slice(1)) combined = combineCrc(combined, crcOf(algorithm, part), part.length, parameters);
        expect(combined).toBe(crcOf(algorithm, Buffer.concat(parts)));
      }),
      { numRuns: 200 },
    );
  });

  it('combines across a multi-megabyte second part', () => {
    const a = Buffer.from('head');
    const b = Buffer.alloc(5 * 1024 * 1024 + 3, 7);
    for (const [algorithm, parameters] of ALGORITHMS) {
      expect(combineCrc(crcOf(algorithm, a), crcOf(algorithm, b), b.length, parameters)).toBe(crcOf(algorithm, Buffer.concat([a, b])));
    }
  });
});
