/**
 * wrk (C, one thread) as the load generator for fixed requests: GET, HEAD and PUT over a list of ready
 * paths (presigned when the target checks signatures), cycled in order. It loads a fast server far harder
 * than a JavaScript client can from one core. Latency percentiles come from wrk's own histogram.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobResult } from './loadgen';

const run = promisify(execFile);

export interface WrkJob {
  origin: string;
  method: 'GET' | 'HEAD' | 'PUT';
  /** Paths with their query, sent in turn (one path: wrk's fast path, the request is built once). */
  paths: string[];
  /** Object size: the PUT body, and what a GET moves (for MB/s). */
  objectSize: number;
  concurrency: number;
  durationMs: number;
}

export async function wrkVersion(): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run('wrk', ['-v']).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }));
    return /wrk (\S+)/.exec(stdout + stderr)?.[1];
  } catch {
    return undefined;
  }
}

function luaString(text: string): string {
  return JSON.stringify(text);
}

function script(job: WrkJob, pathsFile: string): string {
  const put = job.method === 'PUT';
  const lines = [`wrk.method = ${luaString(job.method)}`, `local body = ${put ? `string.rep("x", ${job.objectSize})` : 'nil'}`, 'wrk.body = body'];
  if (put) lines.push('wrk.headers["Content-Type"] = "application/octet-stream"');
  if (job.paths.length > 1) {
    lines.push(
      'local paths = {}',
      `for line in io.lines(${luaString(pathsFile)}) do paths[#paths + 1] = line end`,
      'local n = #paths',
      'local i = 0',
      'request = function()',
      '  i = i + 1',
      '  return wrk.format(nil, paths[(i % n) + 1], nil, body)',
      'end',
    );
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'\\n@@{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d,"status":%d}\\n\',',
    '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),',
    '    e.connect + e.read + e.write + e.timeout, e.status))',
    'end',
  );
  return lines.join('\n');
}

/** Runs wrk pinned to `cpu` for the job's duration. */
export async function runWrk(job: WrkJob, cpu: string, workDir: string): Promise<JobResult> {
  const pathsFile = join(workDir, 'wrk-paths.txt');
  const scriptFile = join(workDir, 'wrk-script.lua');
  writeFileSync(pathsFile, job.paths.join('\n') + '\n');
  writeFileSync(scriptFile, script(job, pathsFile));
  const seconds = Math.max(1, Math.round(job.durationMs / 1000));
  const args = ['-c', cpu, 'wrk', '-t1', `-c${job.concurrency}`, `-d${seconds}s`, '--timeout', '30s', '-s', scriptFile, job.origin + job.paths[0]];
  const { stdout } = await run('taskset', args, { maxBuffer: 16 * 1024 * 1024 });
  const line = stdout.split('\n').find((l) => l.startsWith('@@'));
  if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`);
  const s = JSON.parse(line.slice(2)) as { requests: number; durationUs: number; p50Us: number; p99Us: number; errors: number; status: number };
  const ok = s.requests - s.status;
  const bytes = job.method === 'HEAD' ? 0 : ok * job.objectSize;
  const errors = s.errors + s.status;
  return {
    ops: ok,
    seconds: s.durationUs / 1e6,
    bytes,
    p50Ms: s.p50Us / 1000,
    p99Ms: s.p99Us / 1000,
    errors,
    firstError: errors > 0 ? `wrk: ${s.status} non-2xx answers, ${s.errors} socket errors` : undefined,
  };
}
