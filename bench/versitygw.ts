/**
 * versitygw (Go, github.com/versity/versitygw), the S3 gateway many teams pick over other storage, as a peer:
 * built once with `go install` into the bench's own cache folder, run on its posix backend in a directory on
 * the same disk as the gateway's data, request log off (`--quiet`). It always verifies SigV4, so the bench
 * signs its requests to it (presigned URLs for wrk) with its root key.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startProcess, stopProcess, waitUntilReady } from './processes';
import type { AccessKey } from './sigv4';
import { ROOT, type Target } from './targets';

const run = promisify(execFile);

export const VERSITYGW_VERSION = 'v1.8.0';
const MODULE = 'github.com/versity/versitygw/cmd/versitygw';
const BIN_DIR = join(ROOT, '.tmp/bench/versitygw', VERSITYGW_VERSION);
const KEY: AccessKey = { id: 'AKVERSITY', secret: 'versity-bench-secret' };
const HEALTH_PATH = '/health';

/**
 * The versitygw binary, built if it is not in the cache yet (minutes on a cold Go module cache). Throws with
 * the reason (no Go, or the build's last lines) when it cannot be had.
 */
export async function versitygwBinary(): Promise<string> {
  const binary = join(BIN_DIR, 'versitygw');
  if (existsSync(binary)) return binary;
  try {
    await run('go', ['version']);
  } catch (err) {
    throw new Error(`Go is not installed (needed for go install ${MODULE}@${VERSITYGW_VERSION})`, { cause: err });
  }
  mkdirSync(BIN_DIR, { recursive: true });
  try {
    await run('go', ['install', `${MODULE}@${VERSITYGW_VERSION}`], {
      env: { ...process.env, GOBIN: BIN_DIR },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 30 * 60_000,
    });
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(`go install ${MODULE}@${VERSITYGW_VERSION} failed: ${(stderr || message).trim().split('\n').slice(-3).join(' | ')}`, { cause: err });
  }
  if (!existsSync(binary)) throw new Error(`go install ${MODULE}@${VERSITYGW_VERSION} left no binary in ${BIN_DIR}`);
  return binary;
}

/** versitygw on its posix backend over `dataDir` (each top-level directory a bucket), pinned to `cpu`. */
export async function startVersitygw(binary: string, dataDir: string, cpu: string, logDir: string): Promise<Target> {
  const port = await freePort();
  const args = ['--access', KEY.id, '--secret', KEY.secret, '--port', `127.0.0.1:${port}`, '--quiet', '--health', HEALTH_PATH, 'posix', dataDir];
  const child = startProcess(binary, args, { cpu, logFile: join(logDir, 'versitygw.log') });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${origin}${HEALTH_PATH}`, child, 30_000);
  return { name: 'versitygw', endpoint: { origin, dialect: 's3', prefix: '', key: KEY }, pids: () => [child.pid!], cpu, stop: () => stopProcess(child) };
}
