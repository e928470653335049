import { type Bucket, CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, paginateListBuckets, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyBackend } from './support/backend';
import { useGateway } from './support/fixture';
import { startGateway } from './support/gateway';
import { rawRequest, xmlText } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

/** ListBuckets with S3's pagination parameters (S3 API reference, ListBuckets: max-buckets, continuation-token, prefix, bucket-region). */
describe('ListBuckets pages through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  // Created in an order other than the names', so the listing's order is the gateway's doing.
  const NAMES = ['pg-d', 'pg-a', 'other-1', 'pg-e', 'pg-c', 'other-2', 'pg-b', 'pg-f', 'pg-g'];
  const sorted = [...NAMES].sort();

  beforeAll(async () => {
    for (const name of NAMES) await fixture.s3.send(new CreateBucketCommand({ Bucket: name }));
  });

  async function pages(s3: S3Client, input: { Prefix?: string; BucketRegion?: string }, pageSize?: number): Promise<Bucket[][]> {
    const out: Bucket[][] = [];
    for await (const page of paginateListBuckets({ client: s3, pageSize }, input)) out.push(page.Buckets ?? []);
    return out;
  }

  it('without parameters answers every bucket in name order, with its region and no ContinuationToken', async () => {
    const listed = await fixture.s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((bucket) => bucket.Name)).toEqual(sorted);
    expect(listed.Buckets?.every((bucket) => bucket.BucketRegion === 'us-east-1' && bucket.CreationDate instanceof Date)).toBe(true);
    expect(listed.ContinuationToken).toBeUndefined();
    expect(listed.Prefix).toBeUndefined();
    expect(listed.Owner?.ID).toBeDefined();
  });

  it('paginateListBuckets with pageSize 2 walks every bucket once, in order, in pages of 2', async () => {
    const walked = await pages(fixture.s3, {}, 2);
    expect(walked.map((page) => page.length)).toEqual([2, 2, 2, 2, 1]);
    expect(walked.flat().map((bucket) => bucket.Name)).toEqual(sorted);
  });

  it('a page that ends exactly at the last bucket carries no ContinuationToken', async () => {
    const walked = await pages(fixture.s3, {}, 3);
    expect(walked.map((page) => page.length)).toEqual([3, 3, 3]);
    const first = await fixture.s3.send(new ListBucketsCommand({ MaxBuckets: 9 }));
    expect({ count: first.Buckets?.length, token: first.ContinuationToken }).toEqual({ count: 9, token: undefined });
  });

  it('filters by prefix, repeating it in the answer, and pages within it', async () => {
    const walked = await pages(fixture.s3, { Prefix: 'pg-' }, 3);
    expect(walked.map((page) => page.map((bucket) => bucket.Name))).toEqual([['pg-a', 'pg-b', 'pg-c'], ['pg-d', 'pg-e', 'pg-f'], ['pg-g']]);
    const one = await fixture.s3.send(new ListBucketsCommand({ Prefix: 'other-', MaxBuckets: 1 }));
    expect({ names: one.Buckets?.map((bucket) => bucket.Name), prefix: one.Prefix }).toEqual({ names: ['other-1'], prefix: 'other-' });
    expect(one.ContinuationToken).toEqual(expect.any(String));
    const next = await fixture.s3.send(new ListBucketsCommand({ Prefix: 'other-', MaxBuckets: 1, ContinuationToken: one.ContinuationToken }));
    expect({ names: next.Buckets?.map((bucket) => bucket.Name), token: next.ContinuationToken }).toEqual({ names: ['other-2'], token: undefined });
    expect((await fixture.s3.send(new ListBucketsCommand({ Prefix: 'none-' }))).Buckets ?? []).toEqual([]);
  });

  it("filters by bucket-region: the gateway's region has them all, another none", async () => {
    expect((await pages(fixture.s3, { BucketRegion: 'us-east-1' }, 4)).flat().map((bucket) => bucket.Name)).toEqual(sorted);
    const elsewhere = await fixture.s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1', MaxBuckets: 2 }));
    expect({ buckets: elsewhere.Buckets ?? [], token: elsewhere.ContinuationToken }).toEqual({ buckets: [], token: undefined });
  });

  it('a token stays good when its bucket is deleted: the next page starts after where it was', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'tmp-a' }));
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'tmp-b' }));
    const first = await fixture.s3.send(new ListBucketsCommand({ Prefix: 'tmp-', MaxBuckets: 1 }));
    expect(first.Buckets?.map((bucket) => bucket.Name)).toEqual(['tmp-a']);
    await fixture.s3.send(new DeleteBucketCommand({ Bucket: 'tmp-a' }));
    const next = await fixture.s3.send(new ListBucketsCommand({ Prefix: 'tmp-', MaxBuckets: 1, ContinuationToken: first.ContinuationToken }));
    expect(next.Buckets?.map((bucket) => bucket.Name)).toEqual(['tmp-b']);
    await fixture.s3.send(new DeleteBucketCommand({ Bucket: 'tmp-b' }));
  });

  it.each([0, 10001, -3])('refuses max-buckets=%p with InvalidArgument', async (max) => {
    const err = await expectS3Error(fixture.s3.send(new ListBucketsCommand({ MaxBuckets: max })), 'InvalidArgument', 400);
    expect(err.message).toBe('Argument max-buckets must be an integer between 1 and 10000');
  });

  it('refuses a continuation token it did not make with InvalidArgument', async () => {
    const err = await expectS3Error(fixture.s3.send(new ListBucketsCommand({ ContinuationToken: 'bm90LWEtdG9rZW4' })), 'InvalidArgument', 400);
    expect(err.message).toBe('The continuation token provided is incorrect');
  });

  it('answers the document S3 does on the wire: Bucket with BucketRegion, then ContinuationToken and Prefix', async () => {
    const answer = await rawRequest(fixture.gateway.origin, { method: 'GET', path: '/s3/?max-buckets=1&prefix=pg-' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(
      /<ListAllMyBucketsResult[^>]*><Buckets><Bucket><Name>pg-a<\/Name><CreationDate>[^<]+<\/CreationDate><BucketRegion>us-east-1<\/BucketRegion><\/Bucket><\/Buckets><Owner>.*<\/Owner><ContinuationToken>[A-Za-z0-9_-]+<\/ContinuationToken><Prefix>pg-<\/Prefix><\/ListAllMyBucketsResult>/s,
    );
    const bad = await rawRequest(fixture.gateway.origin, { method: 'GET', path: '/s3/?max-buckets=many' });
    expectS3ErrorResponse(bad, 'InvalidArgument', 400);
    expect({ name: xmlText(bad.body, 'ArgumentName'), value: xmlText(bad.body, 'ArgumentValue') }).toEqual({ name: 'max-buckets', value: 'many' });
  });
});

describe('ListBuckets on a gateway in eu-west-1', () => {
  const fixture = useGateway({ S3_REGION: 'eu-west-1' });

  it("reports each bucket's region and filters by it", async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'eu-one', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'eu-legacy', CreateBucketConfiguration: { LocationConstraint: 'EU' } }));
    const listed = await fixture.s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((bucket) => [bucket.Name, bucket.BucketRegion])).toEqual([
      ['eu-legacy', 'eu-west-1'],
      ['eu-one', 'eu-west-1'],
    ]);
    expect((await fixture.s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }))).Buckets).toHaveLength(2);
    expect((await fixture.s3.send(new ListBucketsCommand({ BucketRegion: 'us-east-1' }))).Buckets ?? []).toEqual([]);
  });
});

describe('ListBuckets over buckets of two regions (made by gateways in eu-west-1 and us-east-1 on one store)', () => {
  it('bucket-region picks each region out, page by page, and a page is full even when the other region lies in between', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ais-s3-e2e-'));
    await emptyBackend();
    const made = async (region: string, names: string[]) => {
      const gateway = await startGateway({ S3_REGION: region }, { dataDir });
      const s3 = s3ClientFor(gateway.endpoint);
      try {
        for (const name of names) await s3.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        s3.destroy();
        await gateway.stop();
      }
    };
    await made('eu-west-1', ['mix-a', 'mix-c', 'mix-d', 'mix-g']);
    await made('us-east-1', ['mix-b', 'mix-e', 'mix-f']);
    const gateway = await startGateway({ S3_REGION: 'us-east-1' }, { dataDir });
    const s3 = s3ClientFor(gateway.endpoint);
    try {
      const all = await s3.send(new ListBucketsCommand({}));
      expect(all.Buckets?.map((bucket) => `${bucket.Name}@${bucket.BucketRegion}`)).toEqual([
        'mix-a@eu-west-1',
        'mix-b@us-east-1',
        'mix-c@eu-west-1',
        'mix-d@eu-west-1',
        'mix-e@us-east-1',
        'mix-f@us-east-1',
        'mix-g@eu-west-1',
      ]);
      const walk = async (region: string, pageSize: number) => {
        const out: string[][] = [];
        for await (const page of paginateListBuckets({ client: s3, pageSize }, { BucketRegion: region }))
          out.push((page.Buckets ?? []).map((bucket) => bucket.Name ?? ''));
        return out;
      };
      expect(await walk('eu-west-1', 2)).toEqual([
        ['mix-a', 'mix-c'],
        ['mix-d', 'mix-g'],
      ]);
      expect(await walk('us-east-1', 2)).toEqual([['mix-b', 'mix-e'], ['mix-f']]);
      expect(await walk('us-east-1', 1)).toEqual([['mix-b'], ['mix-e'], ['mix-f']]);
    } finally {
      s3.destroy();
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
