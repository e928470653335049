/** The results as markdown: the ops/s matrix, the goals, and every figure per target and workload. */
import type { GoalResult } from './goals';
import type { Measurement, Workload } from './workloads';
import type { TargetName } from './targets';

export interface RunInfo {
  date: string;
  cpuModel: string;
  cores: number;
  host: string;
  node: string;
  /** The command line that reproduces the run, with the BENCH_* variables it had. */
  command: string;
  settingsLine: string;
  generators: string;
  notes: string[];
  skipped: string[];
}

function num(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function opsCell(m: Measurement | undefined, workload: Workload): string {
  if (m === undefined) return '–';
  if (m.errors > 0 && m.opsPerSec === 0) return 'failed';
  if (workload.kind === 'transfer') return `${num(m.mbPerSec)} MB/s`;
  if (workload.kind === 'list') return `${num(m.p50Ms, 1)} ms/page`;
  const mark = m.errors > 0 ? ' (errors)' : '';
  return (m.mbPerSec >= 100 ? `${num(m.opsPerSec)} (${num(m.mbPerSec)} MB/s)` : num(m.opsPerSec)) + mark;
}

export function matrix(measurements: Measurement[], workloads: Workload[], targets: TargetName[]): string {
  const lines = [`| workload | ${targets.join(' | ')} |`, `|---|${targets.map(() => '---:').join('|')}|`];
  for (const workload of workloads) {
    const cells = targets.map((target) =>
      opsCell(
        measurements.find((m) => m.target === target && m.workload === workload.id),
        workload,
      ),
    );
    lines.push(`| ${workload.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function goalLines(goals: GoalResult[]): string {
  return goals.map((g) => `- ${g.holds === undefined ? '**n/a**' : g.holds ? '**holds**' : '**fails**'} ${g.text}`).join('\n');
}

function details(measurements: Measurement[], workloads: Workload[]): string {
  const lines = [
    '| workload | target | ops/s | MB/s | p50 ms | p99 ms | peak RSS MB | RSS growth MB | server CPU s | ops per CPU-s | others on server core | load generator | note |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const workload of workloads) {
    for (const m of measurements.filter((x) => x.workload === workload.id)) {
      lines.push(
        `| ${workload.label} | ${m.target} | ${num(m.opsPerSec, m.opsPerSec < 10 ? 2 : 0)} | ${num(m.mbPerSec)} | ${num(m.p50Ms, 2)} | ${num(m.p99Ms, 2)} | ${num(m.peakRssMb)} | ${num(m.rssGrowthMb)} | ${num(m.cpuSeconds, 2)} | ${num(m.opsPerCpuSecond)} | ${num(m.othersOnServerCoresPct)}% | ${m.generator} | ${m.note ?? ''} |`,
      );
    }
  }
  return lines.join('\n');
}

export function markdownReport(info: RunInfo, measurements: Measurement[], workloads: Workload[], targets: TargetName[], goals: GoalResult[]): string {
  return [
    `# ais-s3 benchmark, ${info.date}`,
    '',
    `- machine: ${info.cpuModel}, ${info.cores} cores (host \`${info.host}\`), Node ${info.node}`,
    `- command: \`${info.command}\` (${info.settingsLine})`,
    `- load generators: ${info.generators}`,
    ...info.notes.map((note) => `- ${note}`),
    ...(info.skipped.length > 0 ? ['- skipped:', ...info.skipped.map((s) => `  - ${s}`)] : []),
    '',
    '## ops/s per target (transfers: MB/s; listing: time per page, p50)',
    '',
    matrix(measurements, workloads, targets),
    '',
    '## Goals',
    '',
    goalLines(goals),
    '',
    '## All figures',
    '',
    'Server CPU seconds and peak RSS are those of the target\'s own processes over the measured part (AIS rows: the gateway where there is one, plus aisnode proxy and target). "Others on server core" is the share of the server\'s core(s) that other processes (this machine is shared) used meanwhile: rows where it is high are noisy.',
    '',
    details(measurements, workloads),
    '',
  ].join('\n');
}
