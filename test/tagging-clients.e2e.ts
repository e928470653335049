import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { boto3Scenario, run, runOk } from './support/clients';
import { AWS_CLI, BOTO3, useClientGateway } from './support/fixture';

/** Object and bucket tagging through the aws CLI (s3api) and boto3, unmodified. */
describe('tagging through the aws CLI and boto3', () => {
  const fixture = useClientGateway(AWS_CLI, BOTO3);
  const aws = (...args: string[]) =>
    runOk('aws', ['--endpoint-url', fixture.gateway.endpoint, ...args], { env: fixture.sandbox.env, cwd: fixture.sandbox.dir });
  const awsMayFail = (...args: string[]) =>
    run('aws', ['--endpoint-url', fixture.gateway.endpoint, ...args], { env: fixture.sandbox.env, cwd: fixture.sandbox.dir });
  const s3api = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await aws('s3api', ...args, '--output', 'json');
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as Record<string, unknown>;
  };

  it('aws s3api put-object-tagging / get-object-tagging / delete-object-tagging, and put-object --tagging', async () => {
    await fixture.sdk.send(new CreateBucketCommand({ Bucket: 'cli-tags' }));
    await fixture.sdk.send(new PutObjectCommand({ Bucket: 'cli-tags', Key: 'k', Body: 'body' }));
    await s3api('put-object-tagging', '--bucket', 'cli-tags', '--key', 'k', '--tagging', 'TagSet=[{Key=team,Value=data},{Key=stage,Value=raw}]');
    expect(await s3api('get-object-tagging', '--bucket', 'cli-tags', '--key', 'k')).toEqual({
      TagSet: [
        { Key: 'team', Value: 'data' },
        { Key: 'stage', Value: 'raw' },
      ],
    });
    expect((await s3api('head-object', '--bucket', 'cli-tags', '--key', 'k')).TagCount).toBe(2);
    const fetched = await s3api('get-object', '--bucket', 'cli-tags', '--key', 'k', `${fixture.sandbox.dir}/k.out`);
    expect(fetched.TagCount).toBe(2);
    await s3api('delete-object-tagging', '--bucket', 'cli-tags', '--key', 'k');
    expect(await s3api('get-object-tagging', '--bucket', 'cli-tags', '--key', 'k')).toEqual({ TagSet: [] });

    await s3api('put-object', '--bucket', 'cli-tags', '--key', 'with-tags', '--body', fixture.sandbox.write('body.txt', 'x'), '--tagging', 'a=1&b=two%20words');
    expect(await s3api('get-object-tagging', '--bucket', 'cli-tags', '--key', 'with-tags')).toEqual({
      TagSet: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: 'two words' },
      ],
    });
    const refused = await awsMayFail('s3api', 'put-object-tagging', '--bucket', 'cli-tags', '--key', 'with-tags', '--tagging', 'TagSet=[{Key=aws:x,Value=1}]');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('(InvalidTag)');
    expect(refused.stderr).toContain('Your TagKey cannot be prefixed with aws:');
  });

  it('aws s3api put-bucket-tagging / get-bucket-tagging, and NoSuchTagSet without tags', async () => {
    await fixture.sdk.send(new CreateBucketCommand({ Bucket: 'cli-bucket-tags' }));
    const none = await awsMayFail('s3api', 'get-bucket-tagging', '--bucket', 'cli-bucket-tags');
    expect(none.stderr).toContain('(NoSuchTagSet)');
    await s3api('put-bucket-tagging', '--bucket', 'cli-bucket-tags', '--tagging', 'TagSet=[{Key=cost-center,Value=42}]');
    expect(await s3api('get-bucket-tagging', '--bucket', 'cli-bucket-tags')).toEqual({ TagSet: [{ Key: 'cost-center', Value: '42' }] });
  });

  it('boto3: put_object Tagging, put/get/delete_object_tagging, copy_object TaggingDirective, bucket tagging, refusals', async () => {
    const result = await boto3Scenario(fixture.sandbox, fixture.gateway.endpoint, 'tagging', { bucket: 'boto-tags' });
    expect(result).toMatchObject({
      at_put: [
        { Key: 'stage', Value: 'raw' },
        { Key: 'team', Value: 'data science' },
      ],
      retagged: [{ Key: 'owner', Value: 'me@example.com' }],
      count: 1,
      copied: [{ Key: 'copied', Value: 'yes' }],
      refused: { code: 'BadRequest', status: 400 },
      reserved: { code: 'InvalidTag', status: 400 },
      after_refusals: [{ Key: 'owner', Value: 'me@example.com' }],
      deleted: [],
      no_bucket_tags: { code: 'NoSuchTagSet', status: 404 },
      bucket_tags: [{ Key: 'cost-center', Value: '42' }],
    });
  });
});
