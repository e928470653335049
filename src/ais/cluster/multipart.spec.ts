import { chunkPlan, MAX_AIS_CHUNKS } from './multipart';

const MiB = 1024 * 1024;

function parts(...sizes: number[]) {
  return sizes.map((size, index) => ({ partNumber: index + 1, size }));
}

describe('how S3 parts become chunks of an AIS native multipart upload', () => {
  it('gives each part its own chunk, in order, numbered 1..N without gaps', () => {
    expect(chunkPlan(parts(5 * MiB, 5 * MiB, 7)).map((chunk) => chunk.map((part) => part.partNumber))).toEqual([[1], [2], [3]]);
  });

  it('leaves out empty parts (AIS refuses a chunk of 0 bytes), so an upload of empty parts only has no chunk', () => {
    expect(chunkPlan(parts(5 * MiB, 0)).map((chunk) => chunk.map((part) => part.partNumber))).toEqual([[1]]);
    expect(chunkPlan(parts(0))).toEqual([]);
  });

  it('puts the 9999th and 10000th parts into the last chunk, as AIS numbers chunks up to 9999 only', () => {
    const all = parts(...new Array<number>(10000).fill(5 * MiB));
    const chunks = chunkPlan(all);
    expect(chunks).toHaveLength(MAX_AIS_CHUNKS);
    expect(chunks.slice(0, -1).every((chunk, index) => chunk.length === 1 && chunk[0].partNumber === index + 1)).toBe(true);
    expect(chunks.at(-1)!.map((part) => part.partNumber)).toEqual([9999, 10000]);
    expect(chunkPlan(parts(...new Array<number>(9999).fill(5 * MiB)))).toHaveLength(MAX_AIS_CHUNKS);
  });
});
