import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { useGateway } from './support/fixture';
import { multipartEtag } from './support/multipart';
import { getObject, md5Hex } from './support/objects';
import { rawRequest } from './support/raw-http';
import { patternBytes } from './support/clients';

const MiB = 1024 * 1024;

/**
 * On AIS, CompleteMultipartUpload passes every byte once more (the parts are assembled into one AIS object),
 * which takes long enough here that a COMPLETE_KEEPALIVE_MS of 10 ms always sees the answer start early:
 * 200 and the XML declaration at once, spaces, then the result. (On the embedded store completing moves no
 * bytes; its answer is usually ready within the interval.)
 */
describe('CompleteMultipartUpload kept alive while AIS assembles the object', () => {
  const fixture = useGateway({ COMPLETE_KEEPALIVE_MS: '10' });

  async function uploadParts(bucket: string, key: string, parts: Buffer[]): Promise<{ uploadId: string; etags: string[] }> {
    const { UploadId } = await fixture.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const etags: string[] = [];
    for (const [index, body] of parts.entries()) {
      const { ETag } = await fixture.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: index + 1, Body: body }));
      etags.push(ETag!);
    }
    return { uploadId: UploadId!, etags };
  }

  it('gives the SDK its result and the object its bytes', async () => {
    const bucket = await fixture.newBucket();
    const parts = [patternBytes(5 * MiB, 1), patternBytes(5 * MiB, 2), patternBytes(3 * MiB, 3)];
    const { uploadId, etags } = await uploadParts(bucket, 'big', parts);
    const completed = await fixture.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'big',
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    expect(completed.ETag).toBe(multipartEtag(parts.map((part) => md5Hex(part))));
    const read = await getObject(fixture.s3, { Bucket: bucket, Key: 'big' });
    expect(md5Hex(read.bytes)).toBe(md5Hex(Buffer.concat(parts)));
  });

  it('answers 200 with the declaration, spaces, then one CompleteMultipartUploadResult on the wire', async () => {
    const bucket = await fixture.newBucket();
    const parts = [patternBytes(5 * MiB, 4), patternBytes(2 * MiB, 5)];
    const { uploadId, etags } = await uploadParts(bucket, 'wire', parts);
    const body = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const answer = await rawRequest(fixture.gateway.endpoint, { method: 'POST', path: `/s3/${bucket}/wire?uploadId=${encodeURIComponent(uploadId)}`, body });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?> +<CompleteMultipartUploadResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">.*<\/CompleteMultipartUploadResult>$/s,
    );
    expect(answer.body).toContain(`<ETag>${multipartEtag(parts.map((part) => md5Hex(part)))}</ETag>`);
  });
});
