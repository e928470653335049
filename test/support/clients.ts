import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Boto3Scenarios } from './boto3-scenarios';

/** Credentials every client process gets; the gateway (auth mode `parse`) accepts any. */
export const ACCESS_KEY = 'client-e2e-key';
export const SECRET_KEY = 'client-e2e-secret';

/**
 * A throw-away home for command-line clients: its own HOME, AWS config and credentials files, and an
 * environment built from scratch. Nothing from the user's home or the CI environment leaks in
 * (no ~/.aws, ~/.s3cfg, rclone.conf, AWS_PROFILE, AWS_CA_BUNDLE, proxies), credentials are always set,
 * and EC2 instance metadata (169.254.169.254) is switched off so no client ever looks beyond loopback.
 */
export interface ClientSandbox {
  /** Scratch directory for test files; clients run with it as their working directory. */
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Writes a file (creating its directories) under `dir` and returns its absolute path. */
  write(relative: string, content: string | Buffer): string;
  cleanup(): void;
}

export function clientSandbox(extraEnv: Record<string, string> = {}): ClientSandbox {
  const root = mkdtempSync(join(tmpdir(), 'ais-s3-clients-'));
  const home = join(root, 'home');
  const dir = join(root, 'work');
  mkdirSync(join(home, '.aws'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  const awsConfig = join(home, '.aws', 'config');
  const awsCredentials = join(home, '.aws', 'credentials');
  writeFileSync(awsConfig, '[default]\nregion = us-east-1\n');
  writeFileSync(awsCredentials, `[default]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET_KEY}\n`);
  const env: NodeJS.ProcessEnv = {
    // PATH (and pyenv's root, when python comes from pyenv) is all that is taken from the outside.
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
    HOME: home,
    TMPDIR: root,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
    // A failure should show at once, not after minutes of retries with back-off.
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    RCLONE_CONFIG: join(home, 'rclone.conf'),
    ...extraEnv,
  };
  return {
    dir,
    home,
    env,
    write(relative, content) {
      const path = join(dir, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  input?: string;
  timeoutMs?: number;
}

/** Runs a client to completion and collects its output; never throws for a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Like `run`, but a non-zero exit is an error that shows the command and everything it printed. */
export async function runOk(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

/** test/clients/boto3_scenarios.py: its scenarios drive an unmodified boto3 client. */
export const BOTO3_SCENARIOS = join(__dirname, '..', 'clients', 'boto3_scenarios.py');

/** Runs one boto3 scenario in `sandbox` (its credentials) against `endpoint` and returns the JSON it prints. */
export async function boto3Scenario<N extends keyof Boto3Scenarios>(
  sandbox: ClientSandbox,
  endpoint: string,
  name: N,
  params: Record<string, unknown>,
): Promise<Boto3Scenarios[N]> {
  const { stdout } = await runOk('python3', [BOTO3_SCENARIOS, name], {
    env: sandbox.env,
    cwd: sandbox.dir,
    input: JSON.stringify({ endpoint, ...params }),
    timeoutMs: 60000,
  });
  return JSON.parse(stdout) as Boto3Scenarios[N];
}

/**
 * Fails loudly when a client is not installed: these tests are never skipped. `.ci/run` installs the aws
 * CLI and boto3 (pip) and s3cmd and rclone (apt).
 */
export function requireClient(command: string, args: string[], env: NodeJS.ProcessEnv, hint: string): void {
  const probe = spawnSync(command, args, { env, encoding: 'utf8', timeout: 20000 });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `required client "${command} ${args.join(' ')}" is not usable (${probe.error?.message ?? `exit ${probe.status}: ${probe.stderr}`}); ${hint}`,
    );
  }
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export { md5Hex as md5 } from './objects';

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/** Every file under a directory, as `relative/path -> sha256`. */
export function treeDigest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = sha256File(path);
    }
  };
  walk(root);
  return out;
}

/** Deterministic pseudo-random bytes (so a failure reproduces), without pulling in a library. */
export function patternBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}
