import { readFileSync, writeFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Resident memory of a process now, in bytes (Linux). */
export function residentBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Starts measuring a process's peak resident memory afresh (Linux: writing 5 to clear_refs resets VmHWM). */
export function resetPeakResident(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Peak resident memory of a process since start or the last reset, in bytes. */
export function peakResidentBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}
