import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { backendEnv, emptyBackend } from './backend';

const MAIN = resolve(__dirname, '../../dist/main.js');

export interface RunningGateway {
  /** `http://127.0.0.1:PORT` (`https://` with TLS_CERT_FILE) */
  origin: string;
  /** The S3 endpoint clients are given: origin + S3 prefix. */
  endpoint: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the gateway printed, for assertions on logs. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts the built gateway (`dist/main.js`, as `npm start` runs it) on an ephemeral loopback port, on the
 * pass's backend (backend.ts), and resolves once it logs where it listens. Without `dataDir` it gets a fresh
 * store: its own temporary data directory, or on AIS an emptied cluster; with one it reopens that store.
 */
export async function startGateway(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<RunningGateway> {
  if (options.dataDir === undefined) await emptyBackend();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ais-s3-e2e-'));
  const child = spawn(process.execPath, [MAIN], {
    // The harness finds the port in the info-level "gateway listening" line, so LOG_LEVEL stays at info. One
    // process unless a test asks for WORKERS: `process` is then the gateway itself (its memory, its signals).
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, WORKERS: '1', ...backendEnv(), ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (stream: NodeJS.ReadableStream) => createInterface({ input: stream }).on('line', (line) => output.push(line));
  collect(child.stderr);
  const origin = await new Promise<string>((resolveOrigin, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${output.join('\n')}`));
    }, 20000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const match = /"url":"(https?:\/\/[^"]+)"/.exec(line);
      if (match && line.includes('gateway listening')) {
        clearTimeout(timer);
        resolveOrigin(match[1]);
      }
    });
  });
  const prefix = env.S3_PREFIX ?? '/s3';
  return {
    origin,
    endpoint: prefix === '/' ? origin : origin + prefix,
    dataDir,
    process: child,
    output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
