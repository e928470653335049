import { Readable } from 'node:stream';
import type { BucketInfo, PartInfo } from '../store';
import { newUploadId } from '../upload-ids';
import type { AisAnswer, AisCall, AisHttp } from './ais-http';
import { AisMultipart, chunkPlan, MAX_AIS_CHUNKS } from './multipart';
import type { AisObjects } from './objects';
import { UploadRecords } from './upload-records';

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

describe('completing an upload whose part is uploaded again meanwhile', () => {
  const LISTED = '11111111111111111111111111111111';
  const NOW_STAGED = '22222222222222222222222222222222';
  afterEach(() => jest.restoreAllMocks());

  /**
   * AIS as a Complete sees it when part 1 was listed with ETag LISTED and replaced (another UploadPart finished)
   * before the Complete read it: a GET of the staged part answers the new bytes and their checksum.
   */
  function aisWithReplacedPart(): { http: AisHttp; calls: AisCall[] } {
    const calls: AisCall[] = [];
    const http = {
      objectText: (call: AisCall) => {
        calls.push(call);
        return Promise.resolve({ status: 200, headers: {}, text: 'native-upload' });
      },
      objectStream: (call: AisCall) => {
        calls.push(call);
        const answer = {
          status: 200,
          headers: { 'ais-checksum-type': 'md5', 'ais-checksum-value': NOW_STAGED },
          body: Readable.from([Buffer.from('new bytes')]),
        };
        return Promise.resolve(answer as unknown as AisAnswer);
      },
      objectCall: async (call: AisCall) => {
        calls.push(call);
        if (call.body instanceof Readable) for await (const piece of call.body) void piece;
        return { status: 200, headers: {} };
      },
    };
    return { http: http as unknown as AisHttp, calls };
  }

  it('is InvalidPart, and writes nothing: the bytes AIS now has are not those of the ETag the client named', async () => {
    const uploadId = newUploadId();
    const listed: PartInfo = { partNumber: 1, etag: LISTED, size: 9, lastModified: new Date(), checksums: {} };
    jest.spyOn(UploadRecords.prototype, 'getCompleted').mockResolvedValue(undefined);
    jest.spyOn(UploadRecords.prototype, 'recordExists').mockResolvedValue(true);
    jest
      .spyOn(UploadRecords.prototype, 'getRecord')
      .mockResolvedValue({ bucket: 'b', key: 'k', uploadId, initiated: Date.now(), attributes: { content: {}, userMetadata: {} } });
    jest.spyOn(UploadRecords.prototype, 'allParts').mockResolvedValue(new Map([[1, listed]]));
    const { http, calls } = aisWithReplacedPart();
    const multipart = new AisMultipart(http, {} as AisObjects, () => Promise.resolve({ name: 'b' } as unknown as BucketInfo));

    await expect(multipart.complete('b', 'k', uploadId, { parts: [{ partNumber: 1, etag: `"${LISTED}"`, checksums: {} }] })).rejects.toMatchObject({
      code: 'InvalidPart',
    });
    const actions = calls.map((call) => (call.json as { action?: string } | undefined)?.action);
    expect(actions).toContain('mpt-abort');
    expect(actions).not.toContain('mpt-complete');
    expect(calls.some((call) => call.method === 'PATCH')).toBe(false);
  });
});
