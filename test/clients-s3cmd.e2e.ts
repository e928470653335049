import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningGateway, startGateway } from './support/gateway';
import { ACCESS_KEY, SECRET_KEY, type ClientSandbox, clientSandbox, md5, patternBytes, requireClient, runOk, type RunResult, sha256 } from './support/clients';

/**
 * s3cmd cannot put a path prefix in `host_base`, so it gets a gateway with S3 at the root (`S3_PREFIX=/`).
 * With `host_bucket` equal to `host_base` (no `%(bucket)s`) it addresses buckets path-style.
 */
const SIGNING = [
  { label: 'signature v4 (signature_v2 = False)', option: 'signature_v2 = False\n', bucket: 's3cmd-v4', signs: 'v4' },
  { label: 'its default signing (no signature option)', option: '', bucket: 's3cmd-default', signs: 'v4' },
  { label: 'signature v2 (signature_v2 = True)', option: 'signature_v2 = True\n', bucket: 's3cmd-v2', signs: 'v2' },
];

describe('s3cmd against the gateway with S3 at the root', () => {
  let gateway: RunningGateway;
  let sandbox: ClientSandbox;

  /** A config file of its own per case, in the sandbox home; nothing is read from ~/.s3cfg. */
  function writeConfig(name: string, option: string): string {
    const hostPort = new URL(gateway.origin).host;
    const path = join(sandbox.home, `s3cfg-${name}`);
    writeFileSync(
      path,
      '[default]\n' +
        `access_key = ${ACCESS_KEY}\n` +
        `secret_key = ${SECRET_KEY}\n` +
        `host_base = ${hostPort}\n` +
        `host_bucket = ${hostPort}\n` +
        'use_https = False\n' +
        'check_ssl_certificate = False\n' +
        'bucket_location = us-east-1\n' +
        option,
    );
    return path;
  }

  beforeAll(async () => {
    sandbox = clientSandbox();
    requireClient('s3cmd', ['--version'], sandbox.env, 'install it with `apt-get install s3cmd` (.ci/run does)');
    gateway = await startGateway({ S3_PREFIX: '/' });
  });
  afterAll(async () => {
    await gateway?.stop();
    sandbox?.cleanup();
  });

  describe.each(SIGNING)('with $label', ({ option, bucket, signs }) => {
    let config: string;
    const s3cmd = (...args: string[]): Promise<RunResult> => runOk('s3cmd', ['-c', config, '--no-progress', ...args], { env: sandbox.env, cwd: sandbox.dir });

    beforeAll(() => {
      config = writeConfig(bucket, option);
    });

    it('mb creates the bucket and ls shows it among the buckets', async () => {
      expect((await s3cmd('mb', `s3://${bucket}`)).stdout).toBe(`Bucket 's3://${bucket}/' created\n`);
      expect((await s3cmd('ls')).stdout).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}\\s+s3://${bucket}$`, 'm'));
    });

    it('put uploads files, ls lists them with sizes and directories, get downloads the same bytes', async () => {
      const small = sandbox.write(`${bucket}/small.txt`, 'hello from s3cmd\n');
      const bigBytes = patternBytes(300 * 1024, 11);
      const big = sandbox.write(`${bucket}/big.bin`, bigBytes);
      // -d: s3cmd's debug log says which signature it used, so this test knows what it covers.
      const upSmall = await s3cmd('-d', 'put', small, `s3://${bucket}/dir/small.txt`);
      expect(upSmall.stdout).toContain(`-> 's3://${bucket}/dir/small.txt'`);
      expect(upSmall.stderr).toContain(`Using signature ${signs}`);
      expect(upSmall.stderr).not.toContain(`Using signature ${signs === 'v4' ? 'v2' : 'v4'}`);
      await s3cmd('put', big, `s3://${bucket}/big file.bin`);

      const top = (await s3cmd('ls', `s3://${bucket}`)).stdout;
      expect(top).toMatch(new RegExp(`^\\s+DIR\\s+s3://${bucket}/dir/$`, 'm'));
      expect(top).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}\\s+${bigBytes.length}\\s+s3://${bucket}/big file\\.bin$`, 'm'));
      const recursive = (await s3cmd('ls', '--recursive', `s3://${bucket}`)).stdout;
      expect(recursive).toMatch(new RegExp(`\\s17\\s+s3://${bucket}/dir/small\\.txt$`, 'm'));

      const downSmall = join(sandbox.dir, `${bucket}/down-small.txt`);
      const downBig = join(sandbox.dir, `${bucket}/down-big.bin`);
      await s3cmd('get', `s3://${bucket}/dir/small.txt`, downSmall);
      await s3cmd('get', `s3://${bucket}/big file.bin`, downBig);
      expect(readFileSync(downSmall, 'utf8')).toBe('hello from s3cmd\n');
      expect(sha256(readFileSync(downBig))).toBe(sha256(bigBytes));
    });

    it('del removes the objects and rb removes the emptied bucket', async () => {
      expect((await s3cmd('del', `s3://${bucket}/dir/small.txt`)).stdout).toBe(`delete: 's3://${bucket}/dir/small.txt'\n`);
      await s3cmd('del', `s3://${bucket}/big file.bin`);
      expect((await s3cmd('ls', '--recursive', `s3://${bucket}`)).stdout).toBe('');
      expect((await s3cmd('rb', `s3://${bucket}`)).stdout).toBe(`Bucket 's3://${bucket}/' removed\n`);
      expect((await s3cmd('ls')).stdout).not.toContain(`s3://${bucket}`);
    });
  });

  describe('sync, info, remote copy and move, recursive delete (default config)', () => {
    let config: string;
    const s3cmd = (...args: string[]): Promise<RunResult> => runOk('s3cmd', ['-c', config, '--no-progress', ...args], { env: sandbox.env, cwd: sandbox.dir });
    const bucket = 's3cmd-more';

    beforeAll(() => {
      config = writeConfig(bucket, '');
    });

    it('sync uploads a tree, and a second sync finds every file unchanged by size and MD5 (the ETag)', async () => {
      await s3cmd('mb', `s3://${bucket}`);
      const files: Record<string, string | Buffer> = {
        'a.txt': 'a',
        'sub/b.txt': 'bb',
        'sub/deeper/c.bin': patternBytes(100 * 1024, 2),
        'sp ace+plus.txt': 'odd',
      };
      for (const [path, content] of Object.entries(files)) {
        const file = sandbox.write(`sync-tree/${path}`, content);
        utimesSync(file, new Date('2022-01-01T00:00:00Z'), new Date('2022-01-01T00:00:00Z'));
      }
      const first = await s3cmd('sync', `${join(sandbox.dir, 'sync-tree')}/`, `s3://${bucket}/tree/`);
      expect(first.stdout.split('\n').filter((line) => line.startsWith('upload: '))).toHaveLength(4);
      const second = await s3cmd('sync', `${join(sandbox.dir, 'sync-tree')}/`, `s3://${bucket}/tree/`);
      expect(second.stdout).not.toMatch(/^upload: /m);
      const md5s = (await s3cmd('ls', '--recursive', '--list-md5', `s3://${bucket}`)).stdout;
      for (const [path, content] of Object.entries(files)) {
        expect(md5s).toMatch(new RegExp(`\\s${md5(content)}\\s+s3://${bucket}/tree/${path.replace(/[.+]/g, '\\$&')}$`, 'm'));
      }
    });

    it('info shows size, MD5 and the s3cmd-attrs metadata of an object, and the bucket with its location', async () => {
      const info = (await s3cmd('info', `s3://${bucket}/tree/a.txt`)).stdout;
      expect(info).toMatch(/File size:\s+1$/m);
      expect(info).toMatch(new RegExp(`MD5 sum:\\s+${md5('a')}$`, 'm'));
      expect(info).toMatch(/x-amz-meta-s3cmd-attrs: .*mtime:1640995200/);
      const bucketInfo = (await s3cmd('info', `s3://${bucket}`)).stdout;
      expect(bucketInfo).toMatch(/Location:\s+us-east-1$/m);
    });

    it('cp copies and mv moves an object server-side', async () => {
      expect((await s3cmd('cp', `s3://${bucket}/tree/a.txt`, `s3://${bucket}/copied.txt`)).stdout).toContain('remote copy:');
      expect((await s3cmd('mv', `s3://${bucket}/copied.txt`, `s3://${bucket}/moved.txt`)).stdout).toContain('move:');
      const listed = (await s3cmd('ls', `s3://${bucket}`)).stdout;
      expect(listed).toMatch(new RegExp(`\\s1\\s+s3://${bucket}/moved\\.txt$`, 'm'));
      expect(listed).not.toContain('copied.txt');
      const out = join(sandbox.dir, 'moved.txt');
      await s3cmd('get', `s3://${bucket}/moved.txt`, out);
      expect(readFileSync(out, 'utf8')).toBe('a');
    });

    it('del --recursive --force empties the bucket so rb can remove it', async () => {
      const deleted = await s3cmd('del', '--recursive', '--force', `s3://${bucket}`);
      expect(deleted.stdout.split('\n').filter((line) => line.startsWith('delete: '))).toHaveLength(5);
      expect((await s3cmd('rb', `s3://${bucket}`)).stdout).toBe(`Bucket 's3://${bucket}/' removed\n`);
    });
  });
});
