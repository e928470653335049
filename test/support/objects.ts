import { createHash } from 'node:crypto';
import { GetObjectCommand, type GetObjectCommandInput, ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { storeFootprint } from './backend';
import { eventually } from './data-dir';
import { expectS3Error } from './s3-errors';

export function md5Hex(bytes: Buffer | string): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Content-MD5 as S3 wants it: the base64 of the binary digest. */
export function md5Base64(bytes: Buffer | string): string {
  return createHash('md5').update(bytes).digest('base64');
}

/** The ETag S3 gives a single-part object: the quoted hex MD5 of its bytes. */
export function etagOf(bytes: Buffer | string): string {
  return `"${md5Hex(bytes)}"`;
}

/** Reads an object whole; returns the SDK's answer with the bytes. */
export async function getObject(s3: S3Client, input: GetObjectCommandInput) {
  const output = await s3.send(new GetObjectCommand(input));
  const bytes = Buffer.from((await output.Body?.transformToByteArray()) ?? []);
  return { ...output, bytes };
}

export async function expectObjectBytes(s3: S3Client, bucket: string, key: string, expected: Buffer | string): Promise<void> {
  const { bytes } = await getObject(s3, { Bucket: bucket, Key: key });
  expect(bytes.equals(Buffer.from(expected))).toBe(true);
}

export async function expectNoSuchKey(s3: S3Client, bucket: string, key: string): Promise<void> {
  await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })), 'NoSuchKey', 404);
}

export interface ListedObject {
  key: string;
  etag?: string;
  size?: number;
  lastModified?: number;
}

/**
 * Every object of a bucket as ListObjectsV2 shows it (all pages): key, ETag, size and modification time.
 * Taken before and after a failing request, it shows that the request changed nothing.
 */
export async function storeState(s3: S3Client, bucket: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const item of page.Contents ?? []) {
      objects.push({ key: item.Key!, etag: item.ETag, size: item.Size, lastModified: item.LastModified?.getTime() });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Every bucket and every object in it (storeState), as `s3` sees them. */
export async function bucketsState(s3: S3Client): Promise<{ buckets: string[]; objects: Array<[string, ListedObject[]]> }> {
  const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((bucket) => bucket.Name!);
  const objects = await Promise.all(buckets.map(async (bucket): Promise<[string, ListedObject[]]> => [bucket, await storeState(s3, bucket)]));
  return { buckets, objects };
}

/**
 * Runs requests that must all be refused, and shows that they changed nothing: the same buckets and objects
 * (as `s3`, a client the gateway accepts, lists them) and, once spills are cleaned up, the same store footprint.
 */
export async function expectStoreUnchangedBy(s3: S3Client, dataDir: string, refusals: () => Promise<void>): Promise<void> {
  const before = await bucketsState(s3);
  const footprint = await storeFootprint({ dataDir });
  await refusals();
  expect(await bucketsState(s3)).toEqual(before);
  expect(await eventually(async () => (await storeFootprint({ dataDir })) === footprint)).toBe(true);
}

/** Sorts keys the way S3 lists them: by their UTF-8 bytes. */
export function utf8Order(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}
