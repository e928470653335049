import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, Dispatcher } from 'undici';
import { isS3Error } from '../../s3/errors';
import { ErrorContext, isRetryableNetworkError, parseAisError, s3ErrorOf, unreachableError } from './errors';
import { headerValue } from '../../s3/headers';

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
  /** A streamed body (object PUT); never replayed, so never retried. */
  body?: Readable;
  context?: ErrorContext;
}

export interface AisAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Unread; the caller reads or dumps it. */
  body: Dispatcher.ResponseData['body'];
}

const BACKOFF_MS = 100;

function queryString(query: Record<string, string> | undefined): string {
  return new URLSearchParams({ provider: 'ais', ...query }).toString();
}

/**
 * The one place that speaks HTTP to AIS: a keep-alive undici Agent with timeouts, retries of idempotent calls
 * on connection failures, the proxy-to-target redirect followed by the gateway itself (clients never see it),
 * and AIS errors turned into S3 errors.
 */
export class AisHttp {
  private readonly agent: Agent;
  readonly endpoint: string;

  constructor(private readonly options: AisHttpOptions) {
    this.endpoint = new URL(options.endpoint).origin;
    this.agent = new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // AIS closes idle connections after its net.http.idle_conn_time (6 s in the dev cluster): stay below it.
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 4000,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** A call answered by the proxy itself (bucket calls, listing, cluster map); the answer's body is read as text. */
  async proxyCall(call: AisCall): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    return this.nodeCall(this.endpoint, call);
  }

  /** A call to one node (`origin`: its public URL), e.g. a target's health; idempotent calls only. */
  async nodeCall(origin: string, call: AisCall): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    const answer = await this.send(origin, call, true);
    await this.raiseForError(answer, call.context);
    return { status: answer.status, headers: answer.headers, text: await answer.body.text() };
  }

  /**
   * An object call: AIS's proxy redirects it (301/307) to the target that owns the object. The proxy is asked
   * without the body (it never reads one), then the real call, with the streamed body, goes to the Location.
   * Answers 2xx with the body unread; throws S3Error otherwise.
   */
  async objectCall(call: AisCall): Promise<AisAnswer> {
    const location = await this.ownerOf(call);
    const target = new URL(location);
    // The object's path stays ours: AIS writes the decoded name raw into the Location, where a URL parser turns
    // `\` into `/` and drops tabs (docs/ais-native-api.md section 10). Its query carries the redirect's markers.
    const answer = await this.send(target.origin, { ...call, path: call.path + target.search, query: undefined }, call.body === undefined, true);
    await this.raiseForError(answer, call.context);
    return answer;
  }

  /** Like objectCall, but a target's 404 (the object is missing) is answered as `undefined`. */
  async objectCallUnlessMissing(call: AisCall): Promise<AisAnswer | undefined> {
    try {
      return await this.objectCall(call);
    } catch (err) {
      if (isS3Error(err) && err.code === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  /** Asks the proxy where an object call goes: the Location of its redirect, with AIS's redirect markers. */
  private async ownerOf(call: AisCall): Promise<string> {
    // A control message goes along: the proxy reads it to route an object action (`mpt-upload` and the like).
    const ask: AisCall = { ...call, body: undefined };
    if ((call.method === 'PUT' || call.method === 'POST') && call.json === undefined) ask.headers = { ...call.headers, 'content-length': '0' };
    const answer = await this.send(this.endpoint, ask, true);
    const location = headerValue(answer.headers, 'location');
    if ((answer.status === 301 || answer.status === 302 || answer.status === 307 || answer.status === 308) && location) {
      await answer.body.dump();
      return new URL(location, this.endpoint).toString();
    }
    await this.raiseForError(answer, call.context);
    await answer.body.dump();
    throw s3ErrorOf({ status: 500, message: `the proxy answered ${answer.status} instead of redirecting ${call.method} ${call.path}` });
  }

  private async send(origin: string, call: AisCall, retryable: boolean, fullPath = false): Promise<AisAnswer> {
    const path = fullPath ? call.path : `${call.path}?${queryString(call.query)}`;
    const headers: Record<string, string | string[]> = { ...call.headers };
    let body: string | Readable | undefined = call.body;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        const answer = await this.agent.request({ origin, path, method: call.method, headers, body });
        return { status: answer.statusCode, headers: answer.headers, body: answer.body };
      } catch (err) {
        if (isS3Error(err)) throw err;
        // An error of the streamed request body (the client went away, or its digest failed) is the caller's.
        if (call.body !== undefined && (call.body.errored || call.body.destroyed)) throw call.body.errored ?? err;
        if (retryable && attempt < this.options.retries && isRetryableNetworkError(err)) {
          await new Promise((done) => setTimeout(done, BACKOFF_MS * 2 ** attempt));
          continue;
        }
        throw unreachableError(err, origin);
      }
    }
  }

  /** Throws the S3 error for a non-2xx, non-redirect answer (JSON body, or `Hdr-Error` for HEAD). */
  private async raiseForError(answer: AisAnswer, context: ErrorContext | undefined): Promise<void> {
    if (answer.status < 300) return;
    const text = headerValue(answer.headers, 'hdr-error') ?? (await answer.body.text().catch(() => ''));
    await answer.body.dump().catch(() => undefined);
    throw s3ErrorOf(parseAisError(answer.status, text), context);
  }
}
