/** The soak's settings, from SOAK_* environment variables (README, "Soak"). */
import { join } from 'node:path';

export interface SoakSettings {
  /** How long the load runs (SOAK_MINUTES, default 30). */
  minutes: number;
  /** Seconds between two samples of the gateway's resources (SOAK_SAMPLE_SECONDS, default 10). */
  sampleSeconds: number;
  /** Clients running the mixed stream of S3 operations, each on keys of its own (SOAK_CLIENTS, default 6). */
  clients: number;
  /** Slow clients: half trickle PUT bodies, half read GETs slowly (SOAK_SLOW_CLIENTS, default 4). */
  slowClients: number;
  /** The backend under the gateway (SOAK_STORE, `embedded` or `ais`; `ais` starts a dev cluster of its own). */
  store: 'embedded' | 'ais';
  /** Where the CSV, the chart and the summary go (SOAK_OUT, default soak/results). */
  outDir: string;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: a positive number is expected`);
  return value;
}

export function readSoakSettings(root: string, env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const store = env.SOAK_STORE ?? 'embedded';
  if (store !== 'embedded' && store !== 'ais') throw new Error(`SOAK_STORE=${store}: embedded or ais`);
  return {
    minutes: positive(env, 'SOAK_MINUTES', 30),
    sampleSeconds: positive(env, 'SOAK_SAMPLE_SECONDS', 10),
    clients: Math.floor(positive(env, 'SOAK_CLIENTS', 6)),
    slowClients: Math.floor(env.SOAK_SLOW_CLIENTS === '0' ? 0 : positive(env, 'SOAK_SLOW_CLIENTS', 4)),
    store,
    outDir: env.SOAK_OUT ?? join(root, 'soak/results'),
  };
}
