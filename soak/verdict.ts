/**
 * Whether a soak run passed: no resource grows without bound and at most 0.1% of operations failed.
 *
 * "Grows without bound" is judged on the steady part of the run (after a warm-up of 10% of it, at least a
 * minute: caches fill, LMDB maps its first pages, the JIT settles): the median of its last third may exceed the
 * median of its first third by no more than an allowance per resource, the larger of an absolute and a relative
 * one. A leak that survives a 30-minute run shows up as a steady climb well past those; noise and step-wise
 * allocation (a buffer pool, an LMDB page run) stay within them. The least-squares slope is reported beside it.
 */
import type { Sample } from './sampler';

export const MAX_ERROR_RATE = 0.001;
const WARMUP_SHARE = 0.1;
const WARMUP_MIN_SECONDS = 60;
/** Fewer steady samples than this and growth is not judged (a smoke run). */
const MIN_STEADY_SAMPLES = 9;

interface Allowance {
  series: string;
  unit: string;
  value: (sample: Sample) => number;
  absolute: number;
  relative: number;
}

const ALLOWANCES: Allowance[] = [
  { series: 'RSS', unit: 'MiB', value: (sample) => sample.rssMiB, absolute: 32, relative: 0.25 },
  { series: 'open fds', unit: '', value: (sample) => sample.fds, absolute: 12, relative: 0.25 },
  { series: 'LMDB size', unit: 'MiB', value: (sample) => sample.lmdbMiB, absolute: 16, relative: 0.5 },
  { series: 'event-loop p99', unit: 'ms', value: (sample) => sample.eventLoopP99Ms, absolute: 50, relative: 2 },
];

export interface Verdict {
  passed: boolean;
  lines: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Least-squares slope of `values` over `seconds`, per hour. */
function slopePerHour(seconds: number[], values: number[]): number {
  const n = values.length;
  const meanX = seconds.reduce((sum, x) => sum + x, 0) / n;
  const meanY = values.reduce((sum, y) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < n; i += 1) {
    numerator += (seconds[i] - meanX) * (values[i] - meanY);
    denominator += (seconds[i] - meanX) ** 2;
  }
  return denominator === 0 ? 0 : (numerator / denominator) * 3600;
}

function format(value: number, unit: string): string {
  return `${value.toFixed(unit === '' ? 0 : 1)}${unit === '' ? '' : ` ${unit}`}`;
}

export function judge(samples: Sample[], totals: { operations: number; errors: number }): Verdict {
  const lines: string[] = [];
  let passed = true;
  const rate = totals.operations === 0 ? 1 : totals.errors / totals.operations;
  const rateOk = totals.operations > 0 && rate <= MAX_ERROR_RATE;
  passed &&= rateOk;
  lines.push(
    `${rateOk ? 'ok  ' : 'FAIL'} error rate ${(rate * 100).toFixed(3)}% (${totals.errors} of ${totals.operations} operations; limit ${MAX_ERROR_RATE * 100}%)`,
  );

  const end = samples.length === 0 ? 0 : samples[samples.length - 1].seconds;
  const warmup = Math.max(WARMUP_MIN_SECONDS, end * WARMUP_SHARE);
  const steady = samples.filter((sample) => sample.seconds >= warmup);
  if (steady.length < MIN_STEADY_SAMPLES) {
    lines.push(`--   growth not judged: ${steady.length} samples after the ${Math.round(warmup)} s warm-up (${MIN_STEADY_SAMPLES} needed)`);
    return { passed, lines };
  }
  const third = Math.floor(steady.length / 3);
  for (const allowance of ALLOWANCES) {
    const points = steady.filter((sample) => !Number.isNaN(allowance.value(sample)));
    if (points.length < MIN_STEADY_SAMPLES) continue;
    const values = points.map(allowance.value);
    const first = median(values.slice(0, third));
    const last = median(values.slice(values.length - third));
    const allowed = Math.max(allowance.absolute, allowance.relative * first);
    const ok = last - first <= allowed;
    passed &&= ok;
    const slope = slopePerHour(
      points.map((sample) => sample.seconds),
      values,
    );
    lines.push(
      `${ok ? 'ok  ' : 'FAIL'} ${allowance.series}: ${format(first, allowance.unit)} -> ${format(last, allowance.unit)} ` +
        `(medians of the first and last third after warm-up; allowed +${format(allowed, allowance.unit)}; trend ${format(slope, allowance.unit)}/h)`,
    );
  }
  return { passed, lines };
}
