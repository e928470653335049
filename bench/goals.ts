/** The issue's goals, each a ratio between two measurements of the same run. */
import type { Measurement, WorkloadId } from './workloads';
import type { TargetName } from './targets';

export interface GoalResult {
  text: string;
  ratio?: number;
  holds?: boolean;
}

type Pick = (target: TargetName, workload: WorkloadId) => Measurement | undefined;

function ratioGoal(
  pick: Pick,
  what: string,
  workload: WorkloadId,
  of: TargetName,
  to: TargetName,
  min: number,
  metric: 'opsPerSec' | 'mbPerSec' = 'opsPerSec',
): GoalResult {
  const a = pick(of, workload);
  const b = pick(to, workload);
  const goal = `${what}: ${of} / ${to} ${metric === 'mbPerSec' ? 'MB/s' : 'ops/s'} >= ${min}x`;
  if (!a || !b || b[metric] <= 0 || a.errors > 0) return { text: `${goal}: not measured${a?.errors ? ` (${a.note})` : ''}` };
  const ratio = a[metric] / b[metric];
  return { text: `${goal}: ${ratio.toFixed(2)}x`, ratio, holds: ratio >= min };
}

function memoryGoal(pick: Pick, workload: WorkloadId, label: string): GoalResult {
  const m = pick('gateway', workload);
  const goal = `${label}: gateway RSS growth < 100 MB`;
  if (!m) return { text: `${goal}: not measured` };
  return { text: `${goal}: ${m.rssGrowthMb.toFixed(0)} MB (peak ${m.peakRssMb.toFixed(0)} MB)`, ratio: m.rssGrowthMb, holds: m.rssGrowthMb < 100 };
}

function listGoal(pick: Pick): GoalResult {
  const small = pick('gateway', 'list-small');
  const large = pick('gateway', 'list-large');
  const goal = 'list: a page of the large bucket <= 1.5x a page of the small one (gateway, p50 per page)';
  if (!small?.p50Ms || !large?.p50Ms) return { text: `${goal}: not measured` };
  const ratio = large.p50Ms / small.p50Ms;
  return { text: `${goal}: ${large.p50Ms.toFixed(1)} ms / ${small.p50Ms.toFixed(1)} ms = ${ratio.toFixed(2)}x`, ratio, holds: ratio <= 1.5 };
}

export function evaluateGoals(measurements: Measurement[], hugeLabel: string): GoalResult[] {
  const pick: Pick = (target, workload) => measurements.find((m) => m.target === target && m.workload === workload);
  const goals = [
    ratioGoal(pick, '4 KiB GET c=64', 'get-4k-64', 'gateway', 'ceiling', 0.5),
    ratioGoal(pick, '4 KiB GET c=64', 'get-4k-64', 'gateway', 's3rver', 5),
    ratioGoal(pick, '4 KiB GET c=64 (verify)', 'get-4k-64', 'gateway-verify', 'ceiling', 0.5),
    ratioGoal(pick, '4 KiB PUT c=64', 'put-4k-64', 'gateway', 's3rver', 3),
    ratioGoal(pick, '4 KiB PUT c=64 (verify)', 'put-4k-64', 'gateway-verify', 's3rver', 3),
    ratioGoal(pick, `${hugeLabel} PUT`, 'put-huge', 'gateway', 'ceiling', 0.7, 'mbPerSec'),
    memoryGoal(pick, 'put-huge', `${hugeLabel} PUT`),
    ratioGoal(pick, `${hugeLabel} GET`, 'get-huge', 'gateway', 'ceiling', 0.7, 'mbPerSec'),
    memoryGoal(pick, 'get-huge', `${hugeLabel} GET`),
    listGoal(pick),
    // Issue 18: on the AIS backend, at least as fast as AIS's own /s3 (which goes through AIS's proxy).
    ratioGoal(pick, 'AIS: 4 KiB GET c=64', 'get-4k-64', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, 'AIS: 4 KiB PUT c=64', 'put-4k-64', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, 'AIS: 1 MiB GET c=16', 'get-1m-16', 'gateway-ais', 'ais-s3', 1.0, 'mbPerSec'),
    ratioGoal(pick, 'AIS: 1 MiB PUT c=16', 'put-1m-16', 'gateway-ais', 'ais-s3', 1.0, 'mbPerSec'),
    ratioGoal(pick, 'AIS: 1 MiB GET c=16', 'get-1m-16', 'gateway-ais', 'ais-native', 0.5, 'mbPerSec'),
    ratioGoal(pick, `AIS: ${hugeLabel} GET`, 'get-huge', 'gateway-ais', 'ais-native', 0.8, 'mbPerSec'),
    ratioGoal(pick, `AIS: ${hugeLabel} PUT`, 'put-huge', 'gateway-ais', 'ais-native', 0.8, 'mbPerSec'),
    // Two workers share the machine with the load generator (it has core 1 to itself otherwise): 1.2x is
    // what "both cores used" can show here.
    ratioGoal(pick, 'workers 1 -> 2, 4 KiB GET c=64', 'get-4k-64', 'gateway-2-workers', 'gateway', 1.2),
    // Issue 18: a bucket with versioning and CORS on costs a plain GET or PUT at most 10%.
    ratioGoal(pick, 'versioning + CORS on, 4 KiB GET c=64', 'get-4k-64', 'gateway-features', 'gateway', 0.9),
    ratioGoal(pick, 'versioning + CORS on, 4 KiB PUT c=64', 'put-4k-64', 'gateway-features', 'gateway', 0.9),
  ];
  return goals;
}
