import type { Measurement } from './workloads';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * One measurement per target and workload: where a row was measured in several rounds (the feature-cost rows),
 * the round with the median ops/s stands for it, with the median ops per CPU-second of all rounds, and its note
 * names every round's ops/s. Single measurements pass through unchanged, in their order.
 */
export function medianOfRounds(measurements: Measurement[]): Measurement[] {
  const rounds = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.target}\u0000${m.workload}`;
    const same = rounds.get(key);
    if (same) same.push(m);
    else rounds.set(key, [m]);
  }
  return Array.from(rounds.values(), (all) => {
    if (all.length === 1) return all[0];
    const byOps = [...all].sort((a, b) => a.opsPerSec - b.opsPerSec);
    const chosen = byOps[Math.floor((byOps.length - 1) / 2)];
    const perCpu = all.map((m) => m.opsPerCpuSecond).filter((v): v is number => v !== undefined);
    const each = all.map((m) => m.opsPerSec.toFixed(0)).join(', ');
    const note = `median of ${all.length} rounds (${each} ops/s)`;
    return {
      ...chosen,
      opsPerCpuSecond: perCpu.length === all.length ? median(perCpu) : chosen.opsPerCpuSecond,
      errors: all.reduce((sum, m) => sum + m.errors, 0),
      note: chosen.note ? `${chosen.note}; ${note}` : note,
    };
  });
}
