/**
 * The load generator: its own process (pinned to the core the servers do not use), one undici Pool per
 * origin, `concurrency` request loops. Reads one job as JSON from argv[2], prints one JSON result line.
 *
 * Jobs: `requests` (GET/PUT/HEAD for a fixed time after a warm-up), `transfer` (one large PUT or GET),
 * `list` (ListObjectsV2 pages of 1000, one after the other), `delete` (DeleteObjects of 1000 keys, per round),
 * `fill` (many small PUTs, as fast as the target takes them), `locate` (AIS: where the proxy sends each key).
 */
import { type Dispatcher, Pool } from 'undici';
import type { Readable } from 'node:stream';
import { deleteObjectsRequest, type Endpoint, type HttpRequest, listRequest, objectRequest, parseListPage } from './protocol';
import { payload, payloadStream } from './payload';

export interface KeySet {
  prefix: string;
  count: number;
}

export type Job =
  | {
      kind: 'requests';
      endpoint: Endpoint;
      op: 'GET' | 'PUT' | 'HEAD';
      bucket: string;
      keys: KeySet;
      size: number;
      concurrency: number;
      warmupMs: number;
      durationMs: number;
    }
  | { kind: 'transfer'; endpoint: Endpoint; op: 'GET' | 'PUT'; bucket: string; key: string; size: number }
  | { kind: 'list'; endpoint: Endpoint; bucket: string; startAfter: string; maxPages: number; durationMs: number }
  | { kind: 'delete'; endpoint: Endpoint; bucket: string; keys: KeySet; rounds: number }
  | { kind: 'fill'; endpoint: Endpoint; bucket: string; keys: KeySet; size: number; concurrency: number }
  | { kind: 'locate'; endpoint: Endpoint; method: 'GET' | 'PUT'; bucket: string; keys: KeySet };

export interface JobResult {
  ops: number;
  seconds: number;
  bytes: number;
  /** Latency percentiles in milliseconds (per request, or per page / per delete call). */
  p50Ms?: number;
  p99Ms?: number;
  errors: number;
  firstError?: string;
  /** `locate`: each key's full target URL. */
  urls?: string[];
}

/** The keys one round of the delete workload removes (written beforehand by `fill` jobs). */
export function deleteRoundKeys(keys: KeySet, round: number): KeySet {
  return { prefix: `${keys.prefix}r${round}-`, count: keys.count };
}

export function keyName(keys: KeySet, index: number): string {
  return `${keys.prefix}${String(index % keys.count).padStart(7, '0')}`;
}

const pools = new Map<string, Pool>();

function poolFor(origin: string, connections: number): Pool {
  let pool = pools.get(origin);
  if (pool === undefined) {
    pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 4000, keepAliveMaxTimeout: 4000, headersTimeout: 600_000, bodyTimeout: 600_000 });
    pools.set(origin, pool);
  }
  return pool;
}

interface Answer {
  status: number;
  bytes: number;
  text?: string;
}

async function consume(body: Dispatcher.ResponseData['body'], asText: boolean): Promise<{ bytes: number; text?: string }> {
  if (asText) {
    const text = await body.text();
    return { bytes: Buffer.byteLength(text), text };
  }
  let bytes = 0;
  for await (const chunk of body) bytes += (chunk as Buffer).length;
  return { bytes };
}

/**
 * A HEAD keeps its connection too: undici closes it after every HEAD unless told otherwise (for servers that send
 * a body with one, which none of the targets does), so the HEAD rows measured a TCP connection per request.
 */
function keepAlive(method: string): false | undefined {
  return method === 'HEAD' ? false : undefined;
}

/** Sends one request; AIS object calls ask the proxy first (without the body) and go where it redirects. */
async function send(endpoint: Endpoint, request: HttpRequest, connections: number, body?: Buffer | Readable, asText = false): Promise<Answer> {
  let origin = endpoint.origin;
  let path = request.path;
  if (endpoint.dialect === 'ais' && path.startsWith('/v1/objects/')) {
    const location = await locate(endpoint, request, connections);
    const url = new URL(location);
    origin = url.origin;
    path = url.pathname + url.search;
  }
  const answer = await poolFor(origin, connections).request({
    method: request.method,
    path,
    headers: request.headers,
    body: body ?? request.body,
    reset: keepAlive(request.method),
  });
  const read = await consume(answer.body, asText || answer.statusCode >= 300);
  if (answer.statusCode >= 300) throw new Error(`${request.method} ${path}: ${answer.statusCode} ${(read.text ?? '').slice(0, 300)}`);
  return { status: answer.statusCode, ...read };
}

async function locate(endpoint: Endpoint, request: HttpRequest, connections: number): Promise<string> {
  const ask = { ...request.headers };
  if (request.method === 'PUT') ask['content-length'] = '0';
  const answer = await poolFor(endpoint.origin, connections).request({
    method: request.method,
    path: request.path,
    headers: ask,
    reset: keepAlive(request.method),
  });
  await answer.body.dump();
  const location = answer.headers.location;
  if (answer.statusCode < 300 || answer.statusCode >= 400 || typeof location !== 'string') {
    throw new Error(`${request.method} ${request.path}: the AIS proxy answered ${answer.statusCode} instead of redirecting`);
  }
  return new URL(location, endpoint.origin).toString();
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

class Recorder {
  private latencies: number[] = [];
  ops = 0;
  bytes = 0;
  errors = 0;
  firstError?: string;

  ok(ms: number, bytes: number): void {
    this.ops += 1;
    this.bytes += bytes;
    this.latencies.push(ms);
  }

  failed(err: unknown): void {
    this.errors += 1;
    this.firstError ??= err instanceof Error ? err.message : String(err);
  }

  result(seconds: number): JobResult {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      ops: this.ops,
      seconds,
      bytes: this.bytes,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      errors: this.errors,
      firstError: this.firstError,
    };
  }
}

async function timed(work: () => Promise<number>, recorder: Recorder): Promise<void> {
  const started = performance.now();
  try {
    const bytes = await work();
    recorder.ok(performance.now() - started, bytes);
  } catch (err) {
    recorder.failed(err);
  }
}

async function runRequests(job: Extract<Job, { kind: 'requests' }>): Promise<JobResult> {
  const body = job.op === 'PUT' ? payload(job.size) : undefined;
  let next = 0;
  const one = async (): Promise<number> => {
    const key = keyName(job.keys, next++);
    const request = objectRequest(job.endpoint, job.op, job.bucket, key, body ? { 'content-length': String(body.length) } : {});
    const answer = await send(job.endpoint, request, job.concurrency, body);
    return job.op === 'GET' ? answer.bytes : job.op === 'PUT' ? job.size : 0;
  };
  const run = async (ms: number): Promise<{ recorder: Recorder; seconds: number }> => {
    const recorder = new Recorder();
    const started = performance.now();
    const deadline = started + ms;
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (performance.now() < deadline) await timed(one, recorder);
      }),
    );
    return { recorder, seconds: (performance.now() - started) / 1000 };
  };
  await run(job.warmupMs);
  const { recorder, seconds } = await run(job.durationMs);
  return recorder.result(seconds);
}

async function runTransfer(job: Extract<Job, { kind: 'transfer' }>): Promise<JobResult> {
  const recorder = new Recorder();
  const started = performance.now();
  const headers: Record<string, string> = job.op === 'PUT' ? { 'content-length': String(job.size) } : {};
  await timed(async () => {
    const answer = await send(
      job.endpoint,
      objectRequest(job.endpoint, job.op, job.bucket, job.key, headers),
      1,
      job.op === 'PUT' ? payloadStream(job.size) : undefined,
    );
    const bytes = job.op === 'PUT' ? job.size : answer.bytes;
    if (bytes !== job.size) throw new Error(`${job.op} moved ${bytes} bytes, expected ${job.size}`);
    return bytes;
  }, recorder);
  return recorder.result((performance.now() - started) / 1000);
}

async function runList(job: Extract<Job, { kind: 'list' }>): Promise<JobResult> {
  const recorder = new Recorder();
  const started = performance.now();
  let page: { token?: string; startAfter?: string } = { startAfter: job.startAfter };
  for (let n = 0; n < job.maxPages && performance.now() - started < job.durationMs; n++) {
    let token: string | undefined;
    await timed(async () => {
      const answer = await send(job.endpoint, listRequest(job.endpoint, job.bucket, page), 1, undefined, true);
      const parsed = parseListPage(job.endpoint, answer.text ?? '');
      if (parsed.keys === 0) throw new Error('an empty page');
      token = parsed.token;
      return parsed.keys;
    }, recorder);
    // At the end of the listing, from the start again: a small bucket read from its middle holds only a few pages.
    page = token === undefined ? { startAfter: job.startAfter } : { token };
  }
  return recorder.result((performance.now() - started) / 1000);
}

async function runDelete(job: Extract<Job, { kind: 'delete' }>): Promise<JobResult> {
  const recorder = new Recorder();
  let seconds = 0;
  for (let round = 0; round < job.rounds; round++) {
    const keys = deleteRoundKeys(job.keys, round);
    const names = Array.from({ length: keys.count }, (_, i) => keyName(keys, i));
    const started = performance.now();
    await timed(async () => (await send(job.endpoint, deleteObjectsRequest(job.endpoint, job.bucket, names), 1, undefined, true)).bytes, recorder);
    seconds += (performance.now() - started) / 1000;
  }
  return recorder.result(seconds);
}

async function runFill(job: Extract<Job, { kind: 'fill' }>): Promise<JobResult> {
  const recorder = new Recorder();
  const body = payload(job.size);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.keys.count) {
        const key = keyName(job.keys, next++);
        await timed(
          () =>
            send(job.endpoint, objectRequest(job.endpoint, 'PUT', job.bucket, key, { 'content-length': String(body.length) }), job.concurrency, body).then(
              () => body.length,
            ),
          recorder,
        );
      }
    }),
  );
  return recorder.result((performance.now() - started) / 1000);
}

async function runLocate(job: Extract<Job, { kind: 'locate' }>): Promise<JobResult> {
  const started = performance.now();
  const urls: string[] = [];
  for (let i = 0; i < job.keys.count; i++) {
    urls.push(await locate(job.endpoint, objectRequest(job.endpoint, job.method, job.bucket, keyName(job.keys, i)), 8));
  }
  return { ops: urls.length, seconds: (performance.now() - started) / 1000, bytes: 0, errors: 0, urls };
}

export function runJob(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case 'requests':
      return runRequests(job);
    case 'transfer':
      return runTransfer(job);
    case 'list':
      return runList(job);
    case 'delete':
      return runDelete(job);
    case 'fill':
      return runFill(job);
    case 'locate':
      return runLocate(job);
  }
}

if (require.main === module) {
  runJob(JSON.parse(process.argv[2]) as Job)
    .then(async (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      await Promise.all(Array.from(pools.values(), (pool) => pool.close()));
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
