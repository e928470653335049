/**
 * What one run measures and for how long, from the environment:
 *   BENCH_QUICK=1          short durations and small sizes (a smoke run, or to iterate)
 *   BENCH_DURATION_S       measured seconds per throughput workload (default 8; quick 2)
 *   BENCH_WARMUP_S         warm-up seconds before each (default 2; quick 1)
 *   BENCH_LIST_KEYS        keys in the large listing bucket (default 200000; quick 20000). The issue asks
 *                          for 1000000: filling that many takes about 15 minutes here (AIS takes ~2.2k
 *                          PUTs/s), so the default is smaller; BENCH_LIST_KEYS=1000000 measures it
 *   BENCH_TARGETS          comma-separated target names to run (default: all)
 *   BENCH_WORKLOADS        comma-separated workload ids to run (default: all; see workloads.ts)
 *   BENCH_SKIP_AIS=1       leave out the AIS targets
 *   BENCH_FEATURE_ROUNDS   rounds of the feature-cost rows (default 3; quick 1): gateway-verify, gateway-policy-cors
 *                          and gateway-features take turns on 4 KiB GET and PUT, each row reports its median round
 *   BENCH_AIS_PORT         first of the six ports of the benchmark's own AIS cluster (default 31080)
 *   BENCH_GATEWAY_NODE_ARGS  space-separated Node options for the gateway processes only, e.g.
 *                          `--cpu-prof --cpu-prof-dir=/tmp/prof` (one profile per gateway target, written at its stop)
 */
import { availableParallelism } from 'node:os';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export interface Settings {
  quick: boolean;
  warmupMs: number;
  durationMs: number;
  smallListKeys: number;
  largeListKeys: number;
  hugeObjectBytes: number;
  /** Core the servers run on, and the core the load generator (and this process) run on. */
  serverCpu: string;
  clientCpu: string;
  targets?: Set<string>;
  workloads?: Set<string>;
  skipAis: boolean;
  /** Rounds of the feature-cost comparison (gateway-verify, gateway-policy-cors, gateway-features, 4 KiB GET and PUT). */
  featureRounds: number;
}

function positive(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function listOf(raw: string | undefined): Set<string> | undefined {
  return raw ? new Set(raw.split(',').map((name) => name.trim())) : undefined;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const cores = availableParallelism();
  return {
    quick,
    warmupMs: positive(env.BENCH_WARMUP_S, quick ? 1 : 2) * 1000,
    durationMs: positive(env.BENCH_DURATION_S, quick ? 2 : 8) * 1000,
    smallListKeys: quick ? 2_000 : 10_000,
    largeListKeys: Math.round(positive(env.BENCH_LIST_KEYS, quick ? 20_000 : 200_000)),
    hugeObjectBytes: quick ? 64 * MiB : GiB,
    serverCpu: '0',
    clientCpu: cores > 1 ? '1' : '0',
    targets: listOf(env.BENCH_TARGETS),
    workloads: listOf(env.BENCH_WORKLOADS),
    skipAis: env.BENCH_SKIP_AIS === '1' || env.BENCH_SKIP_AIS === 'true',
    featureRounds: Math.round(positive(env.BENCH_FEATURE_ROUNDS, quick ? 1 : 3)),
  };
}
