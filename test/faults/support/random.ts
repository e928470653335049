/**
 * Seeded randomness for the fault tests. The seed comes from FAULTS_SEED, or is drawn and printed, so a
 * failing run can be replayed with the same choices of operations, sizes and kill delays (the interleaving
 * of concurrent clients with a kill still depends on timing, so a replay is close, not identical).
 */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A fresh generator whose seed follows from this one's: one per concurrent client. */
  fork(): Random {
    return new Random(this.int(1, 0xffffffff));
  }
}

/** The run's seed (FAULTS_SEED or a new one), printed with how to replay it. */
export function faultsRandom(test: string): Random {
  const given = process.env.FAULTS_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 0xffffffff) + 1;
  if (!Number.isInteger(seed) || seed <= 0) throw new Error(`FAULTS_SEED=${given}: a positive integer, please`);
  process.stdout.write(`[faults] ${test}: seed ${seed} (replay: FAULTS_SEED=${seed} npm run test:faults)\n`);
  return new Random(seed);
}

/** A positive integer from the environment, or `fallback`. */
export function envCount(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${name}=${value}: a positive integer, please`);
  return parsed;
}
