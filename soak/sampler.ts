/**
 * Samples what a long run could leak, every few seconds: the gateway's resident memory and open file descriptors
 * (from /proc, summed over its processes), its event-loop delay (p99 over the interval, from its own /metrics:
 * prom-client resets the histogram at every scrape), and the size of the embedded store's LMDB files.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rssBytes } from '../bench/proc-stats';

export interface Sample {
  /** Seconds since the load started. */
  seconds: number;
  rssMiB: number;
  fds: number;
  eventLoopP99Ms: number;
  /** NaN on the AIS backend (no LMDB). */
  lmdbMiB: number;
  /** Operations and failed operations so far. */
  operations: number;
  errors: number;
}

export const CSV_HEADER = 'seconds,rss_mib,fds,event_loop_p99_ms,lmdb_mib,operations,errors';

export function csvLine(sample: Sample): string {
  const lmdb = Number.isNaN(sample.lmdbMiB) ? '' : sample.lmdbMiB.toFixed(2);
  return `${sample.seconds},${sample.rssMiB.toFixed(1)},${sample.fds},${sample.eventLoopP99Ms.toFixed(2)},${lmdb},${sample.operations},${sample.errors}`;
}

const MiB = 1024 * 1024;

export function openFds(pids: number[]): number {
  let count = 0;
  for (const pid of pids) {
    try {
      count += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone
    }
  }
  return count;
}

/** Bytes of every `*.mdb` file under `dir` (the embedded store's metadata databases). */
export function lmdbBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.mdb')) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

/** The gateway's event-loop p99 since the last scrape, in ms (prom-client's nodejs_eventloop_lag_p99_seconds). */
export async function eventLoopP99Ms(origin: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const match = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
  return match === null ? NaN : Number(match[1]) * 1000;
}

export async function takeSample(
  target: { origin: string; pids: () => number[]; dataDir?: string },
  startedAt: number,
  counts: { operations: number; errors: number },
): Promise<Sample> {
  const pids = target.pids();
  return {
    seconds: Math.round((Date.now() - startedAt) / 1000),
    rssMiB: rssBytes(pids) / MiB,
    fds: openFds(pids),
    eventLoopP99Ms: await eventLoopP99Ms(target.origin).catch(() => NaN),
    lmdbMiB: target.dataDir === undefined ? NaN : lmdbBytes(target.dataDir) / MiB,
    operations: counts.operations,
    errors: counts.errors,
  };
}
