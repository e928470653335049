import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Boto3Scenarios } from './support/boto3-scenarios';
import { boto3Scenario, type ClientSandbox, clientSandbox, requireClient } from './support/clients';
import { useGateway } from './support/fixture';
import { storeState } from './support/objects';

/** Keys a bucket can hold that an XML request body must carry exactly: whitespace only, edged with spaces, markup, unicode. */
const ODD_KEYS = [' ', '  ', '\t', ' \t ', '  leading', 'trailing  ', ' both ', 'new\nline', '\n', 'cr\r\nlf', 'a & b', 'a<b>c', 'a&amp;b', 'ünï cødé 日本 😀'];

/**
 * @aws-sdk/client-s3's XML parser reads whitespace-only text that contains a line feed as empty (against AWS too), so
 * it cannot name such a key in a response; boto3 can, and is tested with every key.
 */
const SDK_ODD_KEYS = ODD_KEYS.filter((key) => !(key.trim() === '' && key.includes('\n')));

describe('S3 exactness', () => {
  const fixture = useGateway();
  let sandbox: ClientSandbox;
  beforeAll(() => {
    sandbox = clientSandbox();
    requireClient('python3', ['-c', 'import boto3'], sandbox.env, 'install boto3 with `python3 -m pip install boto3` (.ci/run does)');
  });
  afterAll(() => sandbox?.cleanup());

  const scenario = <N extends keyof Boto3Scenarios>(name: N, params: Record<string, unknown>): Promise<Boto3Scenarios[N]> =>
    boto3Scenario(sandbox, fixture.gateway.endpoint, name, params);
  const keysIn = async (bucket: string) => (await storeState(fixture.s3, bucket)).map((item) => item.key);

  describe('DeleteObjects keeps every key exactly as sent', () => {
    it('deletes keys of every odd shape through @aws-sdk/client-s3 and names each exact key in its result', async () => {
      const bucket = await fixture.newBucket();
      for (const key of [...SDK_ODD_KEYS, 'keep']) await fixture.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
      expect((await keysIn(bucket)).sort()).toEqual([...SDK_ODD_KEYS, 'keep'].sort());
      const objects = SDK_ODD_KEYS.map((Key) => ({ Key }));
      const result = await fixture.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
      expect(result.Errors ?? []).toEqual([]);
      expect((result.Deleted ?? []).map((entry) => entry.Key).sort()).toEqual([...SDK_ODD_KEYS].sort());
      expect(await keysIn(bucket)).toEqual(['keep']);
    });

    it('empties a bucket of such keys with boto3, whose results name the exact keys', async () => {
      const result = await scenario('delete_odd_keys', { bucket: 'boto-odd-keys', keys: ODD_KEYS });
      expect(result.listed_before.sort()).toEqual([...ODD_KEYS].sort());
      expect(result.errors).toEqual([]);
      expect(result.deleted.sort()).toEqual([...ODD_KEYS].sort());
      expect(result.remaining).toEqual([]);
    });
  });
});
