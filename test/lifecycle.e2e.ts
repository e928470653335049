import {
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  GetObjectCommand,
  HeadObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { boto3Scenario } from './support/clients';
import { eventually } from './support/data-dir';
import { BOTO3, useClientGateway, useGateway } from './support/fixture';
import { scrapeMetrics } from './support/prometheus';
import { expectS3Error } from './support/s3-errors';

const RULES: LifecycleRule[] = [
  { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
  {
    ID: 'cold-and-big',
    Status: 'Disabled',
    Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'tier', Value: 'cold' }], ObjectSizeGreaterThan: 1024 } },
    NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 3 },
  },
  { ID: 'uploads', Status: 'Enabled', Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
  { ID: 'markers', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { ExpiredObjectDeleteMarker: true } },
];

describe('bucket lifecycle configuration', () => {
  const fixture = useGateway();

  it('PutBucketLifecycleConfiguration is read back rule for rule; DeleteBucketLifecycle removes it', async () => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: RULES } }));
    const read = await fixture.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(read.Rules).toEqual(RULES);
    const deleted = await fixture.s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(fixture.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })), 'NoSuchLifecycleConfiguration', 404);
  });

  it('a rule without an ID gets one; the legacy rule-level Prefix is given back as it was put', async () => {
    const bucket = await fixture.newBucket();
    const rules: LifecycleRule[] = [{ Status: 'Enabled', Prefix: 'tmp/', Expiration: { Date: new Date('2031-01-01T00:00:00Z') } }];
    await fixture.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
    const [rule] = (await fixture.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!;
    expect(rule.ID).toMatch(/^.{1,255}$/);
    expect(rule).toMatchObject({ Status: 'Enabled', Prefix: 'tmp/', Expiration: { Date: new Date('2031-01-01T00:00:00Z') } });
  });

  it.each([
    ['Days of 0', [{ ID: 'r', Status: 'Enabled', Filter: {}, Expiration: { Days: 0 } }], 'InvalidArgument'],
    ['a Date not at midnight', [{ ID: 'r', Status: 'Enabled', Filter: {}, Expiration: { Date: new Date('2031-01-01T12:00:00Z') } }], 'InvalidArgument'],
    [
      'a Transition to another storage class',
      [{ ID: 'r', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] }],
      'InvalidStorageClass',
    ],
    ['two rules with one ID', [RULES[0], { ...RULES[2], ID: 'logs' }], 'InvalidArgument'],
    ['a rule without an action', [{ ID: 'r', Status: 'Enabled', Filter: {} }], 'InvalidRequest'],
  ] as [string, LifecycleRule[], string][])('refuses %s with the error S3 gives, and the configuration stays as it was', async (_what, rules, code) => {
    const bucket = await fixture.newBucket();
    await fixture.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: RULES } }));
    await expectS3Error(fixture.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } })), code, 400);
    expect((await fixture.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules).toEqual(RULES);
  });

  it('of a bucket that does not exist is NoSuchBucket', async () => {
    await expectS3Error(fixture.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
    await expectS3Error(
      fixture.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'no-such-bucket', LifecycleConfiguration: { Rules: RULES } })),
      'NoSuchBucket',
      404,
    );
  });
});

describe('x-amz-expiration', () => {
  const fixture = useGateway();

  /** S3's day count: the creation time plus the days, rounded up to the next midnight UTC. */
  const afterDays = (created: Date, days: number) => new Date((Math.floor(created.getTime() / 86_400_000) + days + 1) * 86_400_000);

  it('names the expiry date and the rule on PutObject, GetObject and HeadObject of the objects a rule expires, and nothing on others', async () => {
    const bucket = await fixture.newBucket();
    // Written before the bucket has rules (the gateway then knows it expires nothing): the rules below apply at once.
    expect((await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'logs/a', Body: 'a' }))).Expiration).toBeUndefined();
    expect((await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a' }))).Expiration).toBeUndefined();
    await fixture.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            { ID: 'logs after 30 days', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
            { ID: 'cold', Status: 'Enabled', Filter: { Tag: { Key: 'tier', Value: 'cold' } }, Expiration: { Days: 7 } },
            { ID: 'off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } },
          ],
        },
      }),
    );
    const put = await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'logs/a', Body: 'a' }));
    const head = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a' }));
    const expected = `expiry-date="${afterDays(head.LastModified!, 30).toUTCString()}", rule-id="logs%20after%2030%20days"`;
    expect(put.Expiration).toBe(expected);
    expect(head.Expiration).toBe(expected);
    const got = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/a' }));
    expect(got.Expiration).toBe(expected);
    await got.Body!.transformToString();
    // A tag filter: the tagged object is expired by its rule, the untagged one by none.
    const cold = await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/cold', Body: 'c', Tagging: 'tier=cold' }));
    const coldHead = await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'data/cold' }));
    expect(cold.Expiration).toBe(`expiry-date="${afterDays(coldHead.LastModified!, 7).toUTCString()}", rule-id="cold"`);
    expect(coldHead.Expiration).toBe(cold.Expiration);
    expect((await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/plain', Body: 'p' }))).Expiration).toBeUndefined();
    expect((await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'data/plain' }))).Expiration).toBeUndefined();
    // Without the configuration, no header (a change through this gateway is seen at once).
    await fixture.s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
    expect((await fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a' }))).Expiration).toBeUndefined();
  });
});

describe('lifecycle passes (LIFECYCLE_INTERVAL_MS)', () => {
  const fixture = useGateway({ LIFECYCLE_INTERVAL_MS: '300' });

  it('expire the objects a rule whose Date has passed selects, and leave every other object and upload alone', async () => {
    const bucket = await fixture.newBucket();
    for (const key of ['old/a', 'old/b/c', 'new/d', 'older']) await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    await fixture.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'old/upload' }));
    await fixture.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            { ID: 'old', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } },
            { ID: 'off', Status: 'Disabled', Filter: { Prefix: 'new/' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } },
          ],
        },
      }),
    );
    const keys = async () => ((await fixture.s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
    expect(await eventually(async () => (await keys()).length === 2, 20_000)).toBe(true);
    expect(await keys()).toEqual(['new/d', 'older']);
    // Uploads are only aborted by AbortIncompleteMultipartUpload, which counts days from initiation.
    expect((await fixture.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.map((u) => u.Key)).toEqual(['old/upload']);
    const metrics = await scrapeMetrics(fixture.gateway.origin);
    expect(metrics.value('s3_lifecycle_actions_total', { action: 'expire_current' })).toBe(2);
    expect(metrics.value('s3_lifecycle_last_run_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(fixture.gateway.output.some((line) => line.includes('expire_current 2'))).toBe(true);
  });
});

describe('bucket lifecycle configuration through boto3', () => {
  const fixture = useClientGateway(BOTO3);

  it('put/get/delete_bucket_lifecycle_configuration, Expiration on put_object and head_object, and the refusals that change nothing', async () => {
    const result = await boto3Scenario(fixture.sandbox, fixture.gateway.endpoint, 'lifecycle', { bucket: 'boto-lifecycle' });
    expect(result.missing).toMatchObject({ code: 'NoSuchLifecycleConfiguration', status: 404 });
    expect(result.rules_got).toEqual(result.rules_put);
    expect(result.put_expiration).toMatch(/^expiry-date="[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} 00:00:00 GMT", rule-id="logs"$/);
    expect(result.head_expiration).toBe(result.put_expiration);
    expect(result.size).toBe(1);
    expect(result.transition).toMatchObject({ code: 'InvalidStorageClass', status: 400 });
    expect(result.no_action).toMatchObject({ code: 'InvalidRequest', status: 400 });
    expect(result.unchanged).toBe(true);
    expect(result.deleted).toMatchObject({ code: 'NoSuchLifecycleConfiguration', status: 404 });
  });
});
