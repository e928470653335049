/**
 * Fills the listing buckets through the fastest path each target has: the embedded gateway through a
 * throw-away gateway with 2 workers and FSYNC=false on the same data directory, s3rver by writing its
 * files directly (its own layout: `<key>._S3rver_object` and the `.md5` it would otherwise compute on the
 * first listing), AIS through its native API. Every path stores the same keys: `k0000000`, `k0000001`, ...
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Job, JobResult, KeySet } from './loadgen';
import { keyName } from './loadgen';
import type { Endpoint } from './protocol';

export const FILL_OBJECT_BYTES = 16;

export interface FillReport {
  keys: number;
  seconds: number;
  how: string;
}

export async function fillThroughApi(
  loadgen: (job: Job) => Promise<JobResult>,
  endpoint: Endpoint,
  bucket: string,
  keys: KeySet,
  concurrency: number,
  how: string,
): Promise<FillReport> {
  const result = await loadgen({ kind: 'fill', endpoint, bucket, keys, size: FILL_OBJECT_BYTES, concurrency });
  if (result.errors > 0) throw new Error(`filling ${bucket}: ${result.errors} PUTs failed, first: ${result.firstError}`);
  return { keys: keys.count, seconds: result.seconds, how };
}

export async function fillS3rverFiles(dataDir: string, bucket: string, keys: KeySet): Promise<FillReport> {
  const started = performance.now();
  const dir = join(dataDir, bucket);
  await mkdir(dir, { recursive: true });
  const body = Buffer.alloc(FILL_OBJECT_BYTES, 'x');
  const md5 = createHash('md5').update(body).digest('hex');
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < keys.count) {
        const file = join(dir, `${keyName(keys, next++)}._S3rver_object`);
        await writeFile(file, body);
        await writeFile(`${file}.md5`, md5);
      }
    }),
  );
  return { keys: keys.count, seconds: (performance.now() - started) / 1000, how: 'files written into its data directory' };
}
