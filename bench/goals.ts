/** The issue's goals, each a ratio between two measurements of the same run. */
import type { Measurement, WorkloadId } from './workloads';
import type { TargetName } from './targets';

export interface GoalResult {
  text: string;
  ratio?: number;
  holds?: boolean;
}

type Pick = (target: TargetName, workload: WorkloadId) => Measurement | undefined;
type Metric = 'opsPerSec' | 'mbPerSec' | 'opsPerCpuSecond';
/** What each metric is called in a goal's line (a listing's ops are pages, DeleteObjects' are keys). */
const METRIC_UNITS: Record<Metric, string> = { opsPerSec: 'ops/s', mbPerSec: 'MB/s', opsPerCpuSecond: 'ops per CPU-second' };

function ratioGoal(pick: Pick, what: string, workload: WorkloadId, of: TargetName, to: TargetName, min: number, metric: Metric = 'opsPerSec'): GoalResult {
  const a = pick(of, workload);
  const b = pick(to, workload);
  const goal = `${what}: ${of} / ${to} ${METRIC_UNITS[metric]} >= ${min}x`;
  if (!a || !b || !b[metric] || a.errors > 0) return { text: `${goal}: not measured${a?.errors ? ` (${a.note})` : ''}` };
  const ratio = (a[metric] ?? 0) / b[metric];
  return { text: `${goal}: ${ratio.toFixed(2)}x`, ratio, holds: ratio >= min };
}

function memoryGoal(pick: Pick, workload: WorkloadId, label: string): GoalResult {
  const m = pick('gateway', workload);
  const goal = `${label}: gateway RSS growth < 100 MB`;
  if (!m) return { text: `${goal}: not measured` };
  return { text: `${goal}: ${m.rssGrowthMb.toFixed(0)} MB (peak ${m.peakRssMb.toFixed(0)} MB)`, ratio: m.rssGrowthMb, holds: m.rssGrowthMb < 100 };
}

function listGoal(pick: Pick, target: TargetName): GoalResult {
  const small = pick(target, 'list-small');
  const large = pick(target, 'list-large');
  const goal = `list: a page of the large bucket <= 1.5x a page of the small one (${target}, p50 per page)`;
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
    listGoal(pick, 'gateway'),
    listGoal(pick, 'gateway-ais'),
    // Issue 18: beside versitygw (Go, posix backend), the peer many teams pick. A listing's ops are pages.
    ratioGoal(pick, 'list page, small bucket', 'list-small', 'gateway', 'versitygw', 5),
    ratioGoal(pick, 'list page, large bucket', 'list-large', 'gateway', 'versitygw', 5),
    ratioGoal(pick, '1 MiB GET c=16', 'get-1m-16', 'gateway', 'versitygw', 0.6, 'opsPerCpuSecond'),
    ratioGoal(pick, '4 KiB GET c=64', 'get-4k-64', 'gateway', 'versitygw', 2),
    ratioGoal(pick, '4 KiB PUT c=64', 'put-4k-64', 'gateway', 'versitygw', 2),
    // Issue 18: on the AIS backend, at least as fast as AIS's own /s3 (which goes through AIS's proxy).
    ratioGoal(pick, 'AIS: 4 KiB GET c=64', 'get-4k-64', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, 'AIS: 4 KiB PUT c=64', 'put-4k-64', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, 'AIS: 1 MiB GET c=16', 'get-1m-16', 'gateway-ais', 'ais-s3', 1.0, 'mbPerSec'),
    ratioGoal(pick, 'AIS: 1 MiB PUT c=16', 'put-1m-16', 'gateway-ais', 'ais-s3', 1.0, 'mbPerSec'),
    ratioGoal(pick, 'AIS: 1 MiB GET c=16', 'get-1m-16', 'gateway-ais', 'ais-native', 0.5, 'mbPerSec'),
    ratioGoal(pick, 'AIS: list page, small bucket', 'list-small', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, 'AIS: list page, large bucket', 'list-large', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, 'AIS: DeleteObjects 1000 keys', 'delete-1000', 'gateway-ais', 'ais-s3', 1.0),
    ratioGoal(pick, `AIS: ${hugeLabel} GET`, 'get-huge', 'gateway-ais', 'ais-native', 0.8, 'mbPerSec'),
    ratioGoal(pick, `AIS: ${hugeLabel} PUT`, 'put-huge', 'gateway-ais', 'ais-native', 0.8, 'mbPerSec'),
    // Two workers share the machine with the load generator (it has core 1 to itself otherwise): 1.2x is
    // what "both cores used" can show here.
    ratioGoal(pick, 'workers 1 -> 2, 4 KiB GET c=64', 'get-4k-64', 'gateway-2-workers', 'gateway', 1.2),
    // Issue 18: a bucket with a policy, versioning and CORS on costs a plain GET or PUT at most 10% (both verify
    // signatures: the policy is evaluated only then).
    ratioGoal(pick, 'policy + versioning + CORS on, 4 KiB GET c=64', 'get-4k-64', 'gateway-features', 'gateway-verify', 0.9),
    ratioGoal(pick, 'policy + versioning + CORS on, 4 KiB PUT c=64', 'put-4k-64', 'gateway-features', 'gateway-verify', 0.9),
    // The same per CPU-second of the gateway: steadier than ops/s when other jobs share the machine.
    ratioGoal(pick, 'policy + versioning + CORS on, 4 KiB GET c=64', 'get-4k-64', 'gateway-features', 'gateway-verify', 0.9, 'opsPerCpuSecond'),
    ratioGoal(pick, 'policy + versioning + CORS on, 4 KiB PUT c=64', 'put-4k-64', 'gateway-features', 'gateway-verify', 0.9, 'opsPerCpuSecond'),
    // The same without versioning: what the policy and CORS cost alone (a versioned PUT also keeps the version it replaces).
    ratioGoal(pick, 'policy + CORS on, 4 KiB GET c=64', 'get-4k-64', 'gateway-policy-cors', 'gateway-verify', 0.9, 'opsPerCpuSecond'),
    ratioGoal(pick, 'policy + CORS on, 4 KiB PUT c=64', 'put-4k-64', 'gateway-policy-cors', 'gateway-verify', 0.9, 'opsPerCpuSecond'),
  ];
  return goals;
}
