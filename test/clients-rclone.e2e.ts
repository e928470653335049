import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningGateway, startGateway } from './support/gateway';
import {
  ACCESS_KEY,
  type ClientSandbox,
  clientSandbox,
  md5,
  patternBytes,
  requireClient,
  run,
  type RunResult,
  runOk,
  SECRET_KEY,
  treeDigest,
} from './support/clients';

/** `rclone ls` output as `path -> size`. */
function parseLs(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+) (.+)$/.exec(line);
    if (match) out[match[2]] = Number(match[1]);
  }
  return out;
}

const BLOB = patternBytes(200 * 1024, 5);
const TREE: Record<string, string | Buffer> = {
  'readme.txt': 'rclone tree\n',
  'empty.txt': '',
  'sub/blob.bin': BLOB,
  'sub/deeper/leaf.txt': 'leaf',
  'with space+plus.txt': 'odd name',
  'ünïcødé/日本語.txt': 'utf-8 names',
};
/** A fixed modification time, so the test can tell rclone's stored mtime from the upload time. */
const MTIME = new Date('2021-02-03T04:05:06Z');

describe('rclone against the gateway', () => {
  let gateway: RunningGateway;
  let sandbox: ClientSandbox;
  let local: string;

  const rcloneArgs = (args: string[]) => ['--retries', '1', '--low-level-retries', '1', ...args];
  const rclone = (...args: string[]): Promise<RunResult> => runOk('rclone', rcloneArgs(args), { env: sandbox.env, cwd: sandbox.dir });
  const rcloneMayFail = (...args: string[]): Promise<RunResult> => run('rclone', rcloneArgs(args), { env: sandbox.env, cwd: sandbox.dir });

  beforeAll(async () => {
    sandbox = clientSandbox();
    requireClient('rclone', ['version'], sandbox.env, 'install it with `apt-get install rclone` (.ci/run does)');
    gateway = await startGateway();
    // An explicit config file (RCLONE_CONFIG in the sandbox points at it), as README shows.
    writeFileSync(
      sandbox.env.RCLONE_CONFIG!,
      '[gw]\n' +
        'type = s3\n' +
        'provider = Other\n' +
        `endpoint = ${gateway.endpoint}\n` +
        `access_key_id = ${ACCESS_KEY}\n` +
        `secret_access_key = ${SECRET_KEY}\n` +
        'region = us-east-1\n' +
        'force_path_style = true\n',
    );
    for (const [path, content] of Object.entries(TREE)) {
      const file = sandbox.write(`tree/${path}`, content);
      utimesSync(file, MTIME, MTIME);
    }
    local = join(sandbox.dir, 'tree');
  });
  afterAll(async () => {
    await gateway?.stop();
    sandbox?.cleanup();
  });

  it('rclone mkdir creates a bucket that rclone lsd lists', async () => {
    await rclone('mkdir', 'gw:rclone-bucket');
    expect((await rclone('lsd', 'gw:')).stdout).toMatch(/^\s+-1 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+-1 rclone-bucket$/m);
  });

  it('rclone copy uploads a small tree and rclone ls lists every file with its size', async () => {
    await rclone('copy', local, 'gw:rclone-bucket/tree');
    const listed = parseLs((await rclone('ls', 'gw:rclone-bucket')).stdout);
    expect(listed).toEqual(Object.fromEntries(Object.entries(TREE).map(([path, content]) => [`tree/${path}`, Buffer.byteLength(content)])));
  });

  it('rclone check finds remote and local identical by size and MD5 (the ETag), and md5sum reports the same hashes', async () => {
    const check = await rclone('check', local, 'gw:rclone-bucket/tree');
    expect(check.stderr).toMatch(/0 differences found/);
    expect(check.stderr).toMatch(/6 matching files/);
    const sums = (await rclone('md5sum', 'gw:rclone-bucket/tree')).stdout;
    for (const [path, content] of Object.entries(TREE)) {
      expect(sums).toContain(`${md5(content)}  ${path}\n`);
    }
  });

  it('rclone lsl shows the local modification time, which rclone keeps in X-Amz-Meta-Mtime', async () => {
    const lsl = (await rclone('lsl', 'gw:rclone-bucket/tree/sub/deeper')).stdout;
    // rclone prints local time; the sandbox runs it with TZ=UTC.
    expect(lsl).toMatch(/^\s+4 2021-02-03 04:05:06\.0+ leaf\.txt$/m);
  });

  it('rclone copy back down reproduces the tree byte for byte', async () => {
    const down = join(sandbox.dir, 'down');
    await rclone('copy', 'gw:rclone-bucket/tree', down);
    expect(treeDigest(down)).toEqual(treeDigest(local));
  });

  it('rclone lists the same tree with ListObjects v1, with ListObjectsV2, and with URL-encoded listings', async () => {
    const expected = parseLs((await rclone('ls', 'gw:rclone-bucket')).stdout);
    expect(Object.keys(expected)).toHaveLength(Object.keys(TREE).length);
    const variants = [
      ['--s3-list-version', '1'],
      ['--s3-list-version', '2'],
      ['--s3-list-version', '1', '--s3-list-url-encode', 'true'],
      ['--s3-list-version', '2', '--s3-list-url-encode', 'true'],
    ];
    for (const flags of variants) {
      expect(parseLs((await rclone('ls', 'gw:rclone-bucket', ...flags)).stdout)).toEqual(expected);
    }
  });

  it('rclone copyto and moveto between paths copy server-side, and rcat / cat stream an object up and down', async () => {
    const copied = await rclone('copyto', 'gw:rclone-bucket/tree/readme.txt', 'gw:rclone-bucket/copies/readme.txt', '-v');
    expect(copied.stderr).toMatch(/Copied \(server-side copy\)/);
    await rclone('copyto', 'gw:rclone-bucket/tree/readme.txt', 'gw:rclone-bucket/copies/to-move.txt');
    const moved = await rclone('moveto', 'gw:rclone-bucket/copies/to-move.txt', 'gw:rclone-bucket/copies/moved.txt', '-v');
    expect(moved.stderr).toMatch(/server-side copy/);
    const copies = parseLs((await rclone('ls', 'gw:rclone-bucket/copies')).stdout);
    expect(copies).toEqual({ 'readme.txt': 12, 'moved.txt': 12 });
    // A server-side copy keeps the source's modification time (X-Amz-Meta-Mtime is copied with the object).
    expect((await rclone('lsl', 'gw:rclone-bucket/copies/readme.txt')).stdout).toMatch(/ 2021-02-03 04:05:06\.0+ readme\.txt$/m);

    await runOk('rclone', rcloneArgs(['rcat', 'gw:rclone-bucket/copies/streamed.txt']), {
      env: sandbox.env,
      cwd: sandbox.dir,
      input: 'piped through rcat',
    });
    expect((await rclone('cat', 'gw:rclone-bucket/copies/streamed.txt')).stdout).toBe('piped through rcat');
    expect((await rclone('cat', 'gw:rclone-bucket/copies/streamed.txt', '--offset', '6', '--count', '7')).stdout).toBe('through');
    await rclone('purge', 'gw:rclone-bucket/copies');
  });

  it('rclone sync uploads only what changed locally and deletes what was removed locally', async () => {
    const changed = sandbox.write('tree/readme.txt', 'rclone tree, edited\n');
    utimesSync(changed, new Date('2021-03-04T05:06:07Z'), new Date('2021-03-04T05:06:07Z'));
    const removed = join(local, 'empty.txt');
    rmSync(removed);
    const synced = await rclone('sync', local, 'gw:rclone-bucket/tree', '-v');
    const transferred = synced.stderr.split('\n').filter((line) => /: (Copied|Updated|Deleted)/.test(line));
    expect(transferred).toHaveLength(2);
    expect(synced.stderr).toMatch(/readme\.txt: Copied \(replaced existing\)/);
    expect(synced.stderr).toMatch(/empty\.txt: Deleted/);
    expect((await rclone('cat', 'gw:rclone-bucket/tree/readme.txt')).stdout).toBe('rclone tree, edited\n');
    const check = await rclone('check', local, 'gw:rclone-bucket/tree');
    expect(check.stderr).toMatch(/0 differences found/);
    // Put the tree back as the later tests expect it.
    writeFileSync(changed, TREE['readme.txt']);
    writeFileSync(removed, TREE['empty.txt']);
    utimesSync(changed, MTIME, MTIME);
    utimesSync(removed, MTIME, MTIME);
    await rclone('sync', local, 'gw:rclone-bucket/tree');
  });

  it('rclone delete removes the files under a path and leaves the rest', async () => {
    await rclone('delete', 'gw:rclone-bucket/tree/sub');
    const listed = Object.keys(parseLs((await rclone('ls', 'gw:rclone-bucket')).stdout)).sort();
    expect(listed).toEqual(['tree/empty.txt', 'tree/readme.txt', 'tree/with space+plus.txt', 'tree/ünïcødé/日本語.txt']);
  });

  it('rclone rmdir refuses a bucket with objects, purge removes it with everything in it, rmdir removes an empty one', async () => {
    const refused = await rcloneMayFail('rmdir', 'gw:rclone-bucket');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/BucketNotEmpty/);

    await rclone('purge', 'gw:rclone-bucket');
    await rclone('mkdir', 'gw:rclone-empty');
    await rclone('rmdir', 'gw:rclone-empty');
    const buckets = (await rclone('lsd', 'gw:')).stdout;
    expect(buckets).not.toMatch(/ rclone-bucket$/m);
    expect(buckets).not.toMatch(/ rclone-empty$/m);
  });
});
