/**
 * What a server process costs, read from /proc: CPU seconds (utime + stime of /proc/PID/stat) and resident
 * memory (VmRSS, sampled; VmHWM, the kernel's peak, reset through /proc/PID/clear_refs before a workload).
 * A target may be several processes (workers, or AIS's proxy and target): figures are summed over them.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** USER_HZ: /proc times are in these ticks (100 on every Linux that Node supports). */
const TICKS_PER_SECOND = 100;

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `pid` and every process below it (workers of a cluster primary, say). */
export function processTree(pid: number): number[] {
  const children = (readProc(`/proc/${pid}/task/${pid}/children`) ?? '').split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...children.flatMap(processTree)];
}

export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readProc(`/proc/${pid}/stat`);
    if (stat === undefined) continue;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

function statusKb(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readProc(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : 0;
}

export function rssBytes(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS') * 1024, 0);
}

/** Samples the summed RSS of a target's processes while a workload runs; `stop` gives the peak. */
export class MemorySampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: () => number[]) {
    for (const pid of pids()) {
      try {
        // "5" resets VmHWM to the current RSS (Linux >= 4.0); without permission the sampled peak is used alone.
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not our process, or not allowed
      }
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, rssBytes(this.pids()));
  }

  /** Peak bytes: the sampled sum, or the kernel's exact peak when the target is one process. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    const pids = this.pids();
    const hwm = pids.length === 1 ? statusKb(pids[0], 'VmHWM') * 1024 : 0;
    return Math.max(this.peak, hwm);
  }
}

/** Busy seconds (everything but idle and iowait) of the given cores so far, from /proc/stat. */
export function coreBusySeconds(cores: number[]): number {
  const stat = readProc('/proc/stat') ?? '';
  let ticks = 0;
  for (const core of cores) {
    const line = new RegExp(`^cpu${core} (.*)$`, 'm').exec(stat);
    if (!line) continue;
    const [user, nice, system, , , irq, softirq, steal] = line[1].trim().split(/\s+/).map(Number);
    ticks += user + nice + system + irq + softirq + steal;
  }
  return ticks / TICKS_PER_SECOND;
}
