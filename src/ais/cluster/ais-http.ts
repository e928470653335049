import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { isS3Error } from '../../s3/errors';
import type { JobReporting } from '../../jobs/background-job';
import { ClusterMapCache, type DirectRoute } from './cluster-map';
import { AisError, type ErrorContext, isObjectMissing, isRetryableNetworkError } from './errors';
import { headerValue } from '../../s3/headers';
import { UploadBody } from './upload-body';

export interface AisHttpOptions {
  /** The AIS proxy, e.g. `http://ais-proxy:51080`. */
  endpoint: string;
  /** Connect, headers and idle-body timeout of every call. */
  timeoutMs: number;
  /** Extra attempts for idempotent calls that failed on the connection (refused, reset). */
  retries: number;
}

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

export interface AisCall {
  method: Method;
  /** Already percent-encoded path, e.g. `/v1/buckets/b1`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string | string[]>;
  /** A JSON control message (`{"action": ...}`); AIS reads it on GET and DELETE too. */
  json?: unknown;
  /**
   * The bytes of an object PUT. A Buffer goes out with its length in one write, and can be sent again (a retry,
   * or the proxy after a failed direct call); a stream is sent chunked, once.
   */
  body?: Buffer | Readable;
  /**
   * For a streamed body: awaited after its last byte was read and before the end of the upload is sent, so a
   * rejection (the body failed its digest) aborts the upload and AIS keeps what it had.
   */
  beforeBodyEnd?: () => Promise<void>;
  /** What the call is about: carried by its AisError, so that the S3 error names that bucket or key. */
  context?: ErrorContext;
}

/** A 2xx answer whose body was read and dropped (AIS's answers to writes, HEADs and deletes carry nothing). */
export interface AisReply {
  status: number;
  headers: IncomingHttpHeaders;
}

/** A 2xx answer with its body read as text. */
export interface AisTextReply extends AisReply {
  text: string;
}

/** A 2xx answer with its body unread, for the caller to stream (or destroy). */
export interface AisAnswer extends AisReply {
  /** Has an 'error' listener: destroyed unread, it does not crash the process; readers see errors through their pipeline. */
  body: Dispatcher.ResponseData['body'];
}

const BACKOFF_MS = 100;
/** How long direct calls stay off after a target refused one (a cluster that signs its redirects). */
const DIRECT_OFF_MS = 60_000;
const OBJECTS_PATH = '/v1/objects/';

/**
 * `?provider=ais` and the call's parameters, percent-encoded as AIS (Go's url.ParseQuery) reads them. Built by
 * hand: URLSearchParams over a spread object cost several µs per call.
 */
function queryString(query: Record<string, string> | undefined): string {
  let text = '?provider=ais';
  if (query === undefined) return text;
  for (const name of Object.keys(query)) text += `&${encodeURIComponent(name)}=${encodeURIComponent(query[name])}`;
  return text;
}

/** The bucket and AIS object name of an object call's path (`/v1/objects/B/NAME`, each segment percent-encoded). */
function objectOfPath(path: string): { bucket: string; name: string } | undefined {
  if (!path.startsWith(OBJECTS_PATH)) return undefined;
  const slash = path.indexOf('/', OBJECTS_PATH.length);
  if (slash < 0) return undefined;
  return { bucket: decodeURIComponent(path.slice(OBJECTS_PATH.length, slash)), name: decodeURIComponent(path.slice(slash + 1)) };
}

let redirectTimeAt = 0;
let redirectTimeText = '';

/**
 * `utm`, the redirect time AIS's proxy adds to a redirect: Unix nanoseconds in base 36 (v1.5.0 `ais/utils.go`
 * unixNano2S), here to the millisecond. Computed once per millisecond: the BigInt arithmetic is not free.
 */
function redirectTime(): string {
  const now = Date.now();
  if (now !== redirectTimeAt) {
    redirectTimeAt = now;
    redirectTimeText = (BigInt(now) * 1_000_000n).toString(36);
  }
  return redirectTimeText;
}

/** What one attempt sends of a call's body: a stream is read through an UploadBody of its own. */
function attemptBody(call: AisCall): Buffer | UploadBody | undefined {
  return call.body instanceof Readable ? new UploadBody(call.body, call.beforeBodyEnd) : call.body;
}

/** The call as an AisError names it: method and path, without the query. */
function callName(call: AisCall): string {
  return `${call.method} ${call.path}`;
}

/** The error an answer that is not 2xx stands for. */
function answerError(call: AisCall, origin: string, status: number, errorText: string): AisError {
  return AisError.answered(callName(call), origin, status, errorText, call.context);
}

/**
 * What a call that got no answer throws: the error of its streamed body when that failed (the client went
 * away, or its digest failed: the caller's), else an AisError saying AIS could not be reached.
 */
function failureOf(err: unknown, call: AisCall, origin: string): unknown {
  if (isS3Error(err)) return err;
  const body = call.body;
  // A body read to its end (and auto-destroyed) did not fail: the connection did.
  if (body instanceof Readable && (body.errored || (body.destroyed && !body.readableEnded))) return body.errored ?? err;
  return AisError.noAnswer(callName(call), origin, err, call.context);
}

/** undici's body emits 'error' when destroyed unread: without a listener that would crash the process. */
function ignoreError(): void {}

/** A target's refusal of a call that did not come through a proxy (v1.5.0 `ais/target.go` checkObjVerb). */
function refusesDirectCall(status: number, message: string): boolean {
  return status === 401 || status === 403 || (status === 400 && /expected to be redirected|direct target access/.test(message));
}

/**
 * The one place that speaks HTTP to AIS: a keep-alive undici Agent with timeouts, retries of idempotent calls
 * on connection failures, and object calls sent to the target that owns the object (by the cluster map, or by
 * following the proxy's redirect: clients never see one). Every answer's body is read, dropped or handed to the
 * caller to stream; every failure is an AisError (ClusterStore turns it into an S3 error).
 */
export class AisHttp {
  private readonly agent: Agent;
  readonly endpoint: string;
  /** The cached cluster map that routes object calls; AisCluster reads it too. */
  readonly clusterMap: ClusterMapCache;
  private directOffUntil = 0;

  /** `jobs`: where the cluster map's periodic reads are reported. */
  constructor(
    private readonly options: AisHttpOptions,
    jobs?: JobReporting,
  ) {
    this.endpoint = new URL(options.endpoint).origin;
    this.agent = new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // AIS closes idle connections after its net.http.idle_conn_time (6 s in the dev cluster): stay below it.
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 4000,
    });
    this.clusterMap = new ClusterMapCache(async () => (await this.proxyCall({ method: 'GET', path: '/v1/cluster', query: { what: 'smap' } })).text, jobs);
  }

  async close(): Promise<void> {
    await this.clusterMap.close();
    await this.agent.close();
  }

  /** A call answered by the proxy itself (bucket calls, listing, cluster map); the answer's body is read as text. */
  async proxyCall(call: AisCall): Promise<AisTextReply> {
    return this.nodeCall(this.endpoint, call);
  }

  /** A call to one node (`origin`: its public URL), e.g. a target's health; idempotent calls only. */
  async nodeCall(origin: string, call: AisCall): Promise<AisTextReply> {
    const answer = await this.send(origin, call, true);
    await this.raiseForError(answer, call, origin);
    return { status: answer.status, headers: answer.headers, text: await answer.body.text() };
  }

  /** An object call (see route()) whose answer's body is dropped: a write, HEAD, delete or other action. */
  async objectCall(call: AisCall): Promise<AisReply> {
    const answer = await this.route(call);
    await answer.body.dump();
    return answer;
  }

  /** An object call (see route()) whose answer's body is read as text. */
  async objectText(call: AisCall): Promise<AisTextReply> {
    const answer = await this.route(call);
    return { status: answer.status, headers: answer.headers, text: await answer.body.text() };
  }

  /** An object call (see route()) whose answer's body the caller streams: it reads it to the end or destroys it. */
  async objectStream(call: AisCall): Promise<AisAnswer> {
    const answer = await this.route(call);
    answer.body.on('error', ignoreError);
    return answer;
  }

  /** Like objectCall, but AIS's 404 for the object (its bucket exists) is answered as `undefined`. */
  async objectCallUnlessMissing(call: AisCall): Promise<AisReply | undefined> {
    try {
      return await this.objectCall(call);
    } catch (err) {
      if (isObjectMissing(err)) return undefined;
      throw err;
    }
  }

  /**
   * An object call, sent to the target that owns the object. The cached cluster map names it (HRW, as AIS's
   * proxy computes it); when there is no map, or the map may be stale (the target cannot be reached, or has no
   * such object), AIS's proxy routes the call: it redirects (301/307) to the owner. Answers 2xx with the body
   * unread; throws AisError otherwise.
   */
  private async route(call: AisCall): Promise<AisAnswer> {
    const object = Date.now() >= this.directOffUntil ? objectOfPath(call.path) : undefined;
    const route = object === undefined ? undefined : this.clusterMap.routeOf(object.bucket, object.name);
    const direct = route === undefined ? undefined : await this.directCall(route, call);
    if (direct?.answer !== undefined) return direct.answer;
    const location = await this.ownerOf(call);
    const sameTarget = route !== undefined && location.origin === new URL(route.target.url).origin;
    if (route !== undefined && !sameTarget) this.clusterMap.refreshSoon();
    // The proxy names the target that already said it has no such object: that answer stands.
    if (sameTarget && direct?.missing !== undefined) throw direct.missing;
    // The object's path stays ours: AIS writes the decoded name raw into the Location, where a URL parser turns
    // `\` into `/` and drops tabs (docs/ais-native-api.md section 10). Its query carries the redirect's markers.
    const answer = await this.send(location.origin, call, !(call.body instanceof Readable), call.path + location.search);
    await this.raiseForError(answer, call, location.origin);
    return answer;
  }

  /**
   * The call straight to the owner by the cached map, with the markers a proxy's redirect adds (`pid`, `utm`):
   * targets refuse writes without them, and accept them unsigned unless the cluster signs its redirects (v1.5.0
   * `ais/target.go` checkObjVerb). No answer when the proxy should route the call instead and can (the body, if
   * any, was not read): the target could not be reached, has no such object (`missing`: it may no longer be the
   * owner), or refuses direct calls.
   */
  private async directCall(route: DirectRoute, call: AisCall): Promise<{ answer?: AisAnswer; missing?: AisError }> {
    const body = attemptBody(call);
    const touched = (): boolean => body instanceof UploadBody && body.touched;
    const path = `${call.path}${queryString(call.query)}&pid=${encodeURIComponent(route.primaryId)}&utm=${redirectTime()}`;
    let answer: AisAnswer;
    try {
      answer = await this.request(route.target.url, call, path, body);
    } catch (err) {
      // A slow target is not a reason to ask the proxy (and wait as long again): only a failed connection is.
      if (touched() || !isRetryableNetworkError(err)) throw failureOf(err, call, route.target.url);
      this.clusterMap.refreshSoon();
      return {};
    }
    if (answer.status < 300) return { answer };
    const text = await this.errorText(answer);
    const error = answerError(call, route.target.url, answer.status, text);
    if (touched()) throw error;
    if (answer.status === 404) return { missing: error };
    if (!refusesDirectCall(answer.status, text)) throw error;
    this.directOffUntil = Date.now() + DIRECT_OFF_MS;
    return {};
  }

  /** Asks the proxy where an object call goes: the Location of its redirect, with AIS's redirect markers. */
  private async ownerOf(call: AisCall): Promise<URL> {
    // A control message goes along: the proxy reads it to route an object action (`mpt-upload` and the like).
    const ask: AisCall = { ...call, body: undefined };
    if ((call.method === 'PUT' || call.method === 'POST') && call.json === undefined) ask.headers = { ...call.headers, 'content-length': '0' };
    const answer = await this.send(this.endpoint, ask, true);
    const location = headerValue(answer.headers, 'location');
    if ((answer.status === 301 || answer.status === 302 || answer.status === 307 || answer.status === 308) && location) {
      await answer.body.dump();
      return new URL(location, this.endpoint);
    }
    await this.raiseForError(answer, call, this.endpoint);
    await answer.body.dump();
    // An answer the gateway cannot use: reported as a failure of AIS's own (500).
    throw answerError(call, this.endpoint, 500, `the proxy answered ${answer.status} instead of redirecting ${callName(call)}`);
  }

  /**
   * One request; a failure of the connection is retried for idempotent calls (`retryable`). `path`: the full
   * path with its query, when not the call's own.
   */
  private async send(origin: string, call: AisCall, retryable: boolean, path?: string): Promise<AisAnswer> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.request(origin, call, path ?? call.path + queryString(call.query), attemptBody(call));
      } catch (err) {
        if (retryable && attempt < this.options.retries && isRetryableNetworkError(err) && !isS3Error(err)) {
          await new Promise((done) => setTimeout(done, BACKOFF_MS * 2 ** attempt));
          continue;
        }
        throw failureOf(err, call, origin);
      }
    }
  }

  /**
   * One request, as undici makes it: its errors are thrown as they are. A HEAD keeps its connection: undici
   * closes it after every HEAD unless told otherwise (`reset`), for servers that send a body anyway, which
   * AIS (Go's net/http) never does; a new connection per HEAD cost a connect and a TIME_WAIT socket each.
   */
  private async request(origin: string, call: AisCall, path: string, body: Buffer | Readable | undefined): Promise<AisAnswer> {
    const reset = call.method === 'HEAD' ? false : undefined;
    const answer =
      call.json === undefined
        ? await this.agent.request({ origin, path, method: call.method, headers: call.headers, body, reset })
        : await this.agent.request({
            origin,
            path,
            method: call.method,
            headers: { ...call.headers, 'content-type': 'application/json' },
            body: JSON.stringify(call.json),
            reset,
          });
    return { status: answer.statusCode, headers: answer.headers, body: answer.body };
  }

  /** Throws the AisError of a non-2xx, non-redirect answer (its body consumed). */
  private async raiseForError(answer: AisAnswer, call: AisCall, origin: string): Promise<void> {
    if (answer.status < 300) return;
    throw answerError(call, origin, answer.status, await this.errorText(answer));
  }

  /** The error an answer carries (JSON body, or `Hdr-Error` for HEAD); the body is consumed. */
  private async errorText(answer: AisAnswer): Promise<string> {
    const text = headerValue(answer.headers, 'hdr-error') ?? (await answer.body.text().catch(() => ''));
    await answer.body.dump().catch(() => undefined);
    return text;
  }
}
