import { createHash } from 'node:crypto';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';

/** The ETag S3 gives a multipart object, quoted: the MD5 of the parts' binary MD5s (given in hex), then `-N`. */
export function multipartEtag(partMd5s: readonly string[]): string {
  const md5 = createHash('md5');
  for (const hex of partMd5s) md5.update(Buffer.from(hex, 'hex'));
  return `"${md5.digest('hex')}-${partMd5s.length}"`;
}

/** Every in-progress upload of a bucket as ListMultipartUploads shows it (all pages): `[key, uploadId]`. */
export async function listedUploads(s3: S3Client, bucket: string, prefix?: string): Promise<Array<[string, string]>> {
  const uploads: Array<[string, string]> = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, ...markers }));
    for (const upload of page.Uploads ?? []) uploads.push([upload.Key!, upload.UploadId!]);
    if (!page.IsTruncated) return uploads;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}
