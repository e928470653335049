/**
 * Typed, validated configuration read once from the environment. Every variable here is documented in
 * README's configuration table; a bad value stops start-up with `Invalid environment variables: X=...`.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_ABANDONED_UPLOAD_MS } from '../ais/multipart-retention';
import { LISTING_SESSION_MS } from '../ais/cluster/listing-sessions';
import { checkAllowedOrigin } from '../cors/cors-configuration';
import type { TlsFiles } from '../tls/tls-files';

export type StoreKind = 'embedded' | 'ais';
export type AuthMode = 'verify' | 'parse';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  port: number;
  /** Processes serving PORT (node:cluster); 1 = a single process, no primary. */
  workers: number;
  host: string;
  /** Path prefix S3 is served under, normalised to start with `/` and not end with one (`''` = root). */
  s3Prefix: string;
  /** Domain for virtual-hosted-style requests (`BUCKET.<domain>`); empty turns them off. */
  s3Domain: string;
  region: string;
  store: StoreKind;
  /** STORE=ais: the AIS proxy's URL (AIS_ENDPOINT), e.g. `http://ais-proxy:51080`. */
  aisEndpoint: string;
  /** STORE=ais: connect, headers and idle-body timeout of every AIS call. */
  aisTimeoutMs: number;
  /** STORE=ais: extra attempts for idempotent AIS calls that failed on the connection. */
  aisRetries: number;
  /**
   * STORE=ais: this gateway process is the only writer to its AIS buckets (WORKERS=1, one replica): writes of a
   * key are serialised in-process, which makes conditional writes exact; without it they answer 501.
   */
  aisSingleWriter: boolean;
  /** STORE=ais: how long the pages of one listing go on with AIS's walk of the bucket (0: every page starts one). */
  aisListSessionMs: number;
  dataDir: string;
  /** Objects up to this size are kept inside their metadata record (one LMDB read per GET). */
  inlineMaxBytes: number;
  /** fsync blobs and metadata before acknowledging a write. */
  fsync: boolean;
  /** Unfinished multipart uploads older than this are aborted in the background. */
  abandonedUploadHours: number;
  /** How often the background sweep runs (abandoned uploads, leftovers); undefined: the store's own default (embedded 10 min, AIS 1 h). */
  sweepIntervalMs?: number;
  /** A CompleteMultipartUpload still working after this long answers 200 and sends a space this often until done. */
  completeKeepAliveMs: number;
  /**
   * A GET whose client has taken none of the body for this long is cut (0: never), so that a reader that stopped
   * reading cannot hold the store's side of the read (an AIS target's object lock, a blob file) for ever.
   */
  stalledReaderTimeoutMs: number;
  /** A request whose headers have not all arrived this long after it started is answered 400 RequestTimeout and closed. */
  headersTimeoutMs: number;
  /** A request body that makes no progress for this long is answered 400 RequestTimeout, closed and nothing of it kept (0: never). */
  bodyTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Below this much free disk under DATA_DIR the embedded store reports not ready. */
  minFreeDiskMb: number;
  /** Also serve /metrics on this port (0: only on PORT). */
  metricsPort: number;
  /** On SIGTERM: how long readiness is false before the server stops accepting. */
  shutdownDelayMs: number;
  /** On SIGTERM: how long in-flight requests may take to finish. */
  shutdownGraceMs: number;
  /** `verify`: SigV4 signatures checked; `parse`: only their form (AIS-compatible, open). */
  auth: AuthMode;
  /** The access key configured directly (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY), if any. */
  accessKey?: { id: string; secret: string };
  /** A file of `ACCESS_KEY_ID:SECRET` lines (a mounted Kubernetes Secret), re-read when it changes. */
  credentialsFile?: string;
  /** Access keys that are admins (S3_ADMIN_KEYS, comma-separated), besides those the credentials file marks `admin`. */
  adminKeys: string[];
  /**
   * Owner of the buckets that record none (S3_DEFAULT_BUCKET_OWNER): an access key id or a canonical id; undefined:
   * the admins (README, "Access control").
   */
  defaultBucketOwner?: string;
  /** SignatureDoesNotMatch errors carry the StringToSign and CanonicalRequest (for debugging clients). */
  authDebug: boolean;
  logLevel: LogLevel;
  /**
   * CORS_ALLOWED_ORIGINS: origins every bucket without a CORS configuration of its own admits (one rule: all five
   * methods, any header); empty: none, as in S3.
   */
  corsAllowedOrigins: string[];
  /** How often a lifecycle pass runs in each process (LIFECYCLE_INTERVAL_MS); 0: never. */
  lifecycleIntervalMs: number;
  /**
   * LIFECYCLE_CLOCK_OFFSET_DAYS: lifecycle passes act as if this many days had passed (tests of Days rules through a
   * running gateway; 0 in production). Only the passes' clock moves: x-amz-expiration and everything else keep the real time.
   */
  lifecycleClockOffsetDays: number;
  /** TLS_CERT_FILE and TLS_KEY_FILE: serve HTTPS with this certificate and key, re-read when they change; undefined: HTTP. */
  tls?: TlsFiles;
}

type Env = Record<string, string | undefined>;

class ConfigErrors {
  readonly problems: string[] = [];
  add(name: string, value: string | undefined, why: string): void {
    this.problems.push(`${name}=${value ?? ''} (${why})`);
  }
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number, errors: ConfigErrors): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    errors.add(name, raw, `an integer from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T, errors: ConfigErrors): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  errors.add(name, raw, `one of ${choices.join(', ')}`);
  return fallback;
}

function readBool(env: Env, name: string, fallback: boolean, errors: ConfigErrors): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  errors.add(name, raw, 'true or false');
  return fallback;
}

function readPrefix(env: Env, errors: ConfigErrors): string {
  const raw = env.S3_PREFIX ?? '/s3';
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(raw)) {
    errors.add('S3_PREFIX', raw, 'a URL path such as /s3, or / for the root');
    return '/s3';
  }
  return raw.replace(/\/+$/, '');
}

function readEndpoint(env: Env, required: boolean, errors: ConfigErrors): string {
  const raw = env.AIS_ENDPOINT ?? '';
  if (raw === '') {
    if (required) errors.add('AIS_ENDPOINT', raw, 'required with STORE=ais: the AIS proxy URL, e.g. http://ais-proxy:51080');
    return '';
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') {
    errors.add('AIS_ENDPOINT', raw, 'an http(s) URL of the AIS proxy without a path, e.g. http://ais-proxy:51080');
    return '';
  }
  return url.origin;
}

function readTls(env: Env, errors: ConfigErrors): TlsFiles | undefined {
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    errors.add(certFile === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE', '', 'TLS_CERT_FILE and TLS_KEY_FILE go together');
    return undefined;
  }
  return { certFile, keyFile };
}

function hasCredentials(env: Env): boolean {
  return Boolean((env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY) || env.S3_CREDENTIALS_FILE);
}

function readAccessKey(env: Env, errors: ConfigErrors): AppConfig['accessKey'] {
  const id = env.S3_ACCESS_KEY_ID;
  const secret = env.S3_SECRET_ACCESS_KEY;
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    errors.add(id ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID', '', 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
    return undefined;
  }
  return { id, secret };
}

function readOrigins(env: Env, errors: ConfigErrors): string[] {
  const raw = env.CORS_ALLOWED_ORIGINS ?? '';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    try {
      checkAllowedOrigin(origin);
    } catch (err) {
      errors.add('CORS_ALLOWED_ORIGINS', raw, `comma-separated origins such as https://app.example.com, https://*.example.com or *: ${(err as Error).message}`);
      return [];
    }
  }
  return origins;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const errors = new ConfigErrors();
  const config: AppConfig = {
    port: readInt(env, 'PORT', 8080, 0, 65535, errors),
    // Both stores take several processes: the embedded one is LMDB (multi-process safe) plus immutable blob
    // files, and the AIS one keeps no state in the gateway.
    workers: readInt(env, 'WORKERS', availableParallelism(), 1, 256, errors),
    host: env.HOST || '0.0.0.0',
    s3Prefix: readPrefix(env, errors),
    s3Domain: (env.S3_DOMAIN ?? '').toLowerCase(),
    region: env.S3_REGION || 'us-east-1',
    store: readChoice(env, 'STORE', ['embedded', 'ais'] as const, 'embedded', errors),
    aisEndpoint: readEndpoint(env, env.STORE === 'ais', errors),
    aisTimeoutMs: readInt(env, 'AIS_TIMEOUT_MS', 30_000, 100, 3_600_000, errors),
    aisRetries: readInt(env, 'AIS_RETRIES', 2, 0, 10, errors),
    aisSingleWriter: readBool(env, 'AIS_SINGLE_WRITER', false, errors),
    aisListSessionMs: readInt(env, 'AIS_LIST_SESSION_MS', LISTING_SESSION_MS, 0, 600_000, errors),
    dataDir: env.DATA_DIR || './data',
    inlineMaxBytes: readInt(env, 'INLINE_MAX_BYTES', 64 * 1024, 0, 16 * 1024 * 1024, errors),
    fsync: readBool(env, 'FSYNC', true, errors),
    abandonedUploadHours: readInt(env, 'MULTIPART_ABANDONED_HOURS', DEFAULT_ABANDONED_UPLOAD_MS / 3_600_000, 1, 24 * 365, errors),
    sweepIntervalMs: env.SWEEP_INTERVAL_MS ? readInt(env, 'SWEEP_INTERVAL_MS', 0, 100, 86_400_000, errors) : undefined,
    completeKeepAliveMs: readInt(env, 'COMPLETE_KEEPALIVE_MS', 10_000, 10, 600_000, errors),
    stalledReaderTimeoutMs: readInt(env, 'STALLED_READER_TIMEOUT_MS', 20_000, 0, 3_600_000, errors),
    headersTimeoutMs: readInt(env, 'HEADERS_TIMEOUT_MS', 20_000, 100, 600_000, errors),
    bodyTimeoutMs: readInt(env, 'BODY_TIMEOUT_MS', 60_000, 0, 3_600_000, errors),
    keepAliveTimeoutMs: readInt(env, 'KEEPALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000, errors),
    minFreeDiskMb: readInt(env, 'MIN_FREE_DISK_MB', 256, 0, 1024 * 1024 * 1024, errors),
    metricsPort: readInt(env, 'METRICS_PORT', 0, 0, 65535, errors),
    shutdownDelayMs: readInt(env, 'SHUTDOWN_DELAY_MS', 0, 0, 600_000, errors),
    shutdownGraceMs: readInt(env, 'SHUTDOWN_GRACE_MS', 30_000, 0, 3_600_000, errors),
    auth: readChoice(env, 'S3_AUTH', ['verify', 'parse'] as const, hasCredentials(env) ? 'verify' : 'parse', errors),
    accessKey: readAccessKey(env, errors),
    credentialsFile: env.S3_CREDENTIALS_FILE || undefined,
    adminKeys: (env.S3_ADMIN_KEYS ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
    defaultBucketOwner: env.S3_DEFAULT_BUCKET_OWNER || undefined,
    authDebug: readBool(env, 'S3_AUTH_DEBUG', false, errors),
    logLevel: readChoice(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', errors),
    corsAllowedOrigins: readOrigins(env, errors),
    lifecycleIntervalMs: readInt(env, 'LIFECYCLE_INTERVAL_MS', 3_600_000, 0, 7 * 86_400_000, errors),
    lifecycleClockOffsetDays: readInt(env, 'LIFECYCLE_CLOCK_OFFSET_DAYS', 0, 0, 36_500, errors),
    tls: readTls(env, errors),
  };
  if (config.auth === 'verify' && !hasCredentials(env)) {
    errors.add('S3_AUTH', 'verify', 'needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or S3_CREDENTIALS_FILE');
  }
  // The serialisation AIS_SINGLE_WRITER promises is inside one process: several workers would each have their own.
  if (config.aisSingleWriter && config.workers > 1) {
    errors.add('AIS_SINGLE_WRITER', env.AIS_SINGLE_WRITER ?? '', `valid only with WORKERS=1 (and one gateway replica), not WORKERS=${config.workers}`);
  }
  if (errors.problems.length > 0) {
    throw new Error(`Invalid environment variables: ${errors.problems.join(', ')}`);
  }
  return config;
}
