import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { boto3Scenario, type ClientSandbox, patternBytes, runOk, type RunResult, treeDigest } from './support/clients';
import { AWS_CLI, BOTO3, useClientGateway } from './support/fixture';
import { type RunningGateway } from './support/gateway';
import { listedUploads, multipartEtag } from './support/multipart';
import { etagOf, storeState } from './support/objects';
import { peakResidentBytes, residentBytes, resetPeakResident } from './support/process-memory';
import { digestsOf, seededStream } from './support/seeded-stream';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** s3transfer's defaults, in the aws CLI and boto3 alike: multipart above 8 MiB, in 8 MiB parts. */
const TRANSFER_PART = 8 * MiB;

interface SeededFile {
  sha256: string;
  /** Hex MD5 of each TRANSFER_PART piece: what the client's part ETags will be. */
  partMd5s: string[];
}

/** Writes `size` seeded pseudo-random bytes to `path`, streamed, and hashes them on the way. */
async function writeSeededFile(path: string, seed: number, size: number): Promise<SeededFile> {
  const whole = createHash('sha256');
  const partMd5s: string[] = [];
  let part = createHash('md5');
  let inPart = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      whole.update(chunk);
      for (let offset = 0; offset < chunk.length;) {
        const take = Math.min(TRANSFER_PART - inPart, chunk.length - offset);
        part.update(chunk.subarray(offset, offset + take));
        inPart += take;
        offset += take;
        if (inPart === TRANSFER_PART) {
          partMd5s.push(part.digest('hex'));
          part = createHash('md5');
          inPart = 0;
        }
      }
      done(null, chunk);
    },
  });
  mkdirSync(dirname(path), { recursive: true });
  await pipeline(seededStream(seed, size), hashing, createWriteStream(path));
  if (inPart > 0) partMd5s.push(part.digest('hex'));
  return { sha256: whole.digest('hex'), partMd5s };
}

async function sha256OfFile(path: string): Promise<string> {
  return (await digestsOf(createReadStream(path))).sha256;
}

/** Runs `work` and measures its wall time and how far the process's resident memory peaked above where it was. */
async function measured(pid: number, work: () => Promise<unknown>): Promise<{ seconds: number; peakGrowth: number }> {
  const before = residentBytes(pid);
  resetPeakResident(pid);
  const started = performance.now();
  await work();
  return { seconds: (performance.now() - started) / 1000, peakGrowth: peakResidentBytes(pid) - before };
}

function report(label: string, { seconds, peakGrowth }: { seconds: number; peakGrowth: number }): void {
  const growth = Math.round(peakGrowth / MiB);
  console.log(`${label}: ${seconds.toFixed(1)} s, gateway peak RSS ${growth < 0 ? '-' : '+'}${Math.abs(growth)} MiB`);
}

describe('multipart transfers of the aws CLI and boto3', () => {
  const fixture = useClientGateway(AWS_CLI, BOTO3);
  let gateway: RunningGateway;
  let sandbox: ClientSandbox;
  let sdk: S3Client;
  beforeAll(() => {
    ({ gateway, sandbox, sdk } = fixture);
  });

  const aws = (args: string[], timeoutMs?: number): Promise<RunResult> =>
    runOk('aws', ['--endpoint-url', gateway.endpoint, ...args], { env: sandbox.env, cwd: sandbox.dir, timeoutMs });

  it('aws s3 cp uploads a 1 GiB file in 128 parts and downloads it byte-identical, the gateway memory staying flat', async () => {
    await sdk.send(new CreateBucketCommand({ Bucket: 'one-gib' }));
    const source = join(sandbox.dir, 'one-gib.bin');
    const target = join(sandbox.dir, 'one-gib.down');
    try {
      const file = await writeSeededFile(source, 1024, GiB);
      const pid = gateway.process.pid!;

      const upload = await measured(pid, () => aws(['s3', 'cp', source, 's3://one-gib/data/one-gib.bin', '--only-show-errors'], 300_000));
      report('multipart-1GiB upload', upload);
      const head = await sdk.send(new HeadObjectCommand({ Bucket: 'one-gib', Key: 'data/one-gib.bin' }));
      expect({ size: head.ContentLength, etag: head.ETag }).toEqual({ size: GiB, etag: multipartEtag(file.partMd5s) });
      expect(head.ETag).toMatch(/-128"$/);
      expect(await listedUploads(sdk, 'one-gib')).toEqual([]);

      const download = await measured(pid, () => aws(['s3', 'cp', 's3://one-gib/data/one-gib.bin', target, '--only-show-errors'], 300_000));
      report('multipart-1GiB download', download);
      expect(await sha256OfFile(target)).toBe(file.sha256);

      // Buffering the object (or many parts of it) anywhere in the gateway would show here.
      expect(upload.peakGrowth).toBeLessThan(200 * MiB);
      expect(download.peakGrowth).toBeLessThan(200 * MiB);
    } finally {
      rmSync(source, { force: true });
      rmSync(target, { force: true });
    }
  }, 600_000);

  it('aws s3 cp --recursive uploads a tree holding a file above the 8 MiB threshold (sent in parts) and downloads the tree byte-identical', async () => {
    await sdk.send(new CreateBucketCommand({ Bucket: 'tree' }));
    const small: Array<[string, Buffer]> = [
      ['docs/a.json', Buffer.from('{"a":1}')],
      ['docs/deep/b.bin', patternBytes(300 * 1024, 5)],
      ['readme.txt', Buffer.from('a tree\n')],
    ];
    for (const [path, bytes] of small) sandbox.write(`tree/${path}`, bytes);
    const big = await writeSeededFile(join(sandbox.dir, 'tree/data/big.bin'), 20, 20 * MiB + 5);

    const up = await aws(['s3', 'cp', join(sandbox.dir, 'tree'), 's3://tree/up', '--recursive', '--no-progress']);
    expect(up.stdout.split('\n').filter((line) => line.startsWith('upload: '))).toHaveLength(4);
    const stored = (await storeState(sdk, 'tree')).map(({ key, size, etag }) => ({ key, size, etag }));
    expect(stored).toEqual([
      { key: 'up/data/big.bin', size: 20 * MiB + 5, etag: multipartEtag(big.partMd5s) },
      ...small.map(([path, bytes]) => ({ key: `up/${path}`, size: bytes.length, etag: etagOf(bytes) })),
    ]);
    expect(big.partMd5s).toHaveLength(3);
    expect(await listedUploads(sdk, 'tree')).toEqual([]);

    await aws(['s3', 'cp', 's3://tree/up', join(sandbox.dir, 'tree-down'), '--recursive', '--only-show-errors']);
    expect(treeDigest(join(sandbox.dir, 'tree-down'))).toEqual(treeDigest(join(sandbox.dir, 'tree')));
  }, 120_000);

  it('boto3 upload_file and download_file with TransferConfig(max_concurrency=8) round-trip a 100 MiB file byte-identical, in 13 parts sent by several threads', async () => {
    await sdk.send(new CreateBucketCommand({ Bucket: 'boto-transfer' }));
    const source = join(sandbox.dir, 'hundred-mib.bin');
    const target = join(sandbox.dir, 'hundred-mib.down');
    try {
      const file = await writeSeededFile(source, 100, 100 * MiB);
      const result = await boto3Scenario(sandbox, gateway.endpoint, 'transfer_file', {
        bucket: 'boto-transfer',
        key: 'hundred-mib.bin',
        source,
        target,
        concurrency: 8,
      });
      expect(result).toMatchObject({ etag: multipartEtag(file.partMd5s), size: 100 * MiB, part_uploads: 13, ranged_gets: 13 });
      expect(result.part_upload_threads).toBeGreaterThan(1);
      expect(await sha256OfFile(target)).toBe(file.sha256);
      expect(await listedUploads(sdk, 'boto-transfer')).toEqual([]);
    } finally {
      rmSync(source, { force: true });
      rmSync(target, { force: true });
    }
  }, 120_000);
});
