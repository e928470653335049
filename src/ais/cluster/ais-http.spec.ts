import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3Error } from '../../s3/errors';
import { AisHttp } from './ais-http';
import { parseClusterMap } from './cluster-map';
import { AisError } from './errors';
import { loadHrw } from './hrw';

/** The primary proxy's id: the fake proxy's redirects and the cluster map name it. */
const PROXY_ID = 'pFAKE';

interface Hit {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Bytes of the request body. */
  bytes: number;
  /** The client's port: one per connection. */
  port: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL) => void;

/** A node of a fake AIS cluster: an HTTP server on loopback that notes every request it answers. */
class FakeNode {
  readonly url: string;

  private constructor(
    private readonly server: Server,
    readonly hits: Hit[],
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(handle: Handler): Promise<FakeNode> {
    const hits: Hit[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('error', () => undefined); // an upload the client aborts
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const body = Buffer.concat(chunks);
        hits.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, bytes: body.length, port: req.socket.remotePort ?? 0 });
        handle(req, res, body, url);
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const node = new FakeNode(server, hits);
    nodes.push(node);
    return node;
  }

  /** The object calls this node answered, as `METHOD path`, marked `(redirected)` when they came by the proxy. */
  objectCalls(): string[] {
    return this.hits
      .filter((hit) => hit.path.startsWith('/v1/objects/'))
      .map((hit) => `${hit.method} ${hit.path}${hit.query.get('sig') === 'proxy' ? ' (redirected)' : ''}`);
  }

  smapReads(): number {
    return this.hits.filter((hit) => hit.path === '/v1/cluster').length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }
}

const nodes: FakeNode[] = [];
const clients: AisHttp[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((http) => http.close()));
  await Promise.all(nodes.splice(0).map((node) => node.stop()));
});

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** AIS's error JSON (v1.5.0 `cmn/err.go` ErrHTTP), as a node answers it. */
function aisError(status: number, message: string, tcode?: string): Record<string, unknown> {
  return { message, status, method: 'GET', url_path: '/v1/x', node: 't[fake]', ...(tcode === undefined ? {} : { tcode }) };
}

interface TargetOptions {
  /** Refuse calls that did not come through the proxy: 400 as AIS does for unsigned direct calls, or 403. */
  refuseDirect?: 400 | 403;
}

/**
 * A storage target: serves the objects it holds (by path), and stores what is PUT. A missing object is 404 with
 * AIS's error JSON, or for a HEAD in the `Hdr-Error` header.
 */
function startTarget(objects: Map<string, string>, options: TargetOptions = {}): Promise<FakeNode> {
  return FakeNode.start((req, res, body, url) => {
    if (options.refuseDirect !== undefined && url.searchParams.get('sig') !== 'proxy') {
      const message = options.refuseDirect === 400 ? `t[fake]: ${req.method} ${url.pathname}: expected to be redirected` : 'access denied';
      sendJson(res, options.refuseDirect, aisError(options.refuseDirect, message));
      return;
    }
    const stored = objects.get(url.pathname);
    const missing = aisError(404, `t[fake]: ${url.pathname} does not exist`, 'ErrNotFound');
    if (req.method === 'PUT') {
      objects.set(url.pathname, body.toString());
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } else if (stored === undefined && req.method === 'HEAD') {
      res.writeHead(404, { 'hdr-error': JSON.stringify(missing) });
      res.end();
    } else if (stored === undefined) {
      sendJson(res, 404, missing);
    } else {
      res.writeHead(200, { 'content-length': Buffer.byteLength(stored) });
      res.end(req.method === 'HEAD' ? undefined : stored);
    }
  });
}

/** A cluster map (`GET /v1/cluster?what=smap`) naming these targets. */
function smapOf(targets: Array<{ id: string; url: string }>): string {
  const tmap = Object.fromEntries(targets.map(({ id, url }) => [id, { daemon_id: id, daemon_type: 'target', flags: 0, public_net: { direct_url: url } }]));
  return JSON.stringify({ version: '3', proxy_si: { daemon_id: PROXY_ID, daemon_type: 'proxy' }, tmap, pmap: {} });
}

interface ProxyState {
  /** The cluster map the proxy answers; undefined: it answers 500. */
  smap: string | undefined;
  /** The target the proxy redirects an object call to. */
  ownerOf: (path: string) => FakeNode;
  /** Any other call (bucket calls): 404 unless set. */
  other?: Handler;
}

/**
 * The proxy: answers the cluster map, and redirects object calls (307) to the owner with AIS's markers (`pid`,
 * `utm`) and `sig`, which tells the fake targets that the call came through the proxy.
 */
function startProxy(state: ProxyState): Promise<FakeNode> {
  return FakeNode.start((req, res, body, url) => {
    if (url.pathname === '/v1/cluster' && url.searchParams.get('what') === 'smap') {
      if (state.smap === undefined) sendJson(res, 500, aisError(500, 'not ready'));
      else sendJson(res, 200, JSON.parse(state.smap));
    } else if (url.pathname.startsWith('/v1/objects/')) {
      const query = new URLSearchParams(url.searchParams);
      query.set('pid', PROXY_ID);
      query.set('utm', 'abc');
      query.set('sig', 'proxy');
      res.writeHead(307, { location: `${state.ownerOf(url.pathname).url}${url.pathname}?${query.toString()}`, 'content-length': 0 });
      res.end();
    } else if (state.other !== undefined) {
      state.other(req, res, body, url);
    } else {
      sendJson(res, 404, aisError(404, `unknown path ${url.pathname}`));
    }
  });
}

function client(endpoint: string, retries = 0): AisHttp {
  const http = new AisHttp({ endpoint, timeoutMs: 2000, retries });
  clients.push(http);
  return http;
}

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  const node = await FakeNode.start(() => undefined);
  await node.stop();
  nodes.splice(nodes.indexOf(node), 1);
  return node.url;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; !check(); await sleep(10)) if (Date.now() > end) throw new Error('timed out');
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

const get = (path: string) => ({ method: 'GET' as const, path });

describe('AisHttp routing of object calls', () => {
  it('sends each object call straight to the target the cluster map names, with the redirect markers, never to the proxy', async () => {
    const targetA = await FakeNode.start((_req, res) => res.end('A'));
    const targetB = await FakeNode.start((_req, res) => res.end('B'));
    const smap = smapOf([
      { id: 'tA', url: targetA.url },
      { id: 'tB', url: targetB.url },
    ]);
    const hrw = await loadHrw();
    const targets = parseClusterMap(smap, hrw).targets;
    const ownerOf = (name: string): string => (hrw.ownerOf(targets, 'b1', name)?.id === 'tA' ? 'A' : 'B');
    const proxy = await startProxy({ smap, ownerOf: (path) => (ownerOf(path.split('/').at(-1) ?? '') === 'A' ? targetA : targetB) });
    const http = client(proxy.url);
    await http.clusterMap.refresh();

    const names = Array.from({ length: 12 }, (_, at) => `k${at}`);
    const answers: string[] = [];
    for (const name of names) answers.push((await http.objectText(get(`/v1/objects/b1/${name}`))).text);

    expect(answers).toEqual(names.map(ownerOf));
    expect(new Set(answers)).toEqual(new Set(['A', 'B'])); // both targets own some of them
    expect(proxy.objectCalls()).toEqual([]);
    for (const hit of [...targetA.hits, ...targetB.hits]) {
      expect(hit.query.get('pid')).toBe(PROXY_ID);
      expect(hit.query.get('utm')).toMatch(/^[0-9a-z]+$/);
      expect(hit.query.get('provider')).toBe('ais');
    }
  });

  it('asks the proxy while there is no cluster map: it follows the redirect, and a write sends its body to the target only', async () => {
    const objects = new Map([['/v1/objects/b1/k', 'hello']]);
    const target = await startTarget(objects);
    const proxy = await startProxy({ smap: undefined, ownerOf: () => target });
    const http = client(proxy.url);
    await expect(http.clusterMap.refresh()).rejects.toBeInstanceOf(AisError);

    expect((await http.objectText(get('/v1/objects/b1/k'))).text).toBe('hello');
    await http.objectCall({ method: 'PUT', path: '/v1/objects/b1/new', body: Buffer.from('written') });

    expect(objects.get('/v1/objects/b1/new')).toBe('written');
    expect(proxy.objectCalls()).toEqual(['GET /v1/objects/b1/k', 'PUT /v1/objects/b1/new']);
    expect(proxy.hits.find((hit) => hit.method === 'PUT')?.bytes).toBe(0);
    expect(target.objectCalls()).toEqual(['GET /v1/objects/b1/k (redirected)', 'PUT /v1/objects/b1/new (redirected)']);
  });

  it('asks the proxy when the mapped target cannot be reached, reads the map again, and goes direct to where the target moved', async () => {
    const target = await startTarget(new Map([['/v1/objects/b1/k', 'hello']]));
    const state: ProxyState = { smap: smapOf([{ id: 'tA', url: await deadUrl() }]), ownerOf: () => target };
    const proxy = await startProxy(state);
    const http = client(proxy.url);
    await http.clusterMap.refresh();
    await sleep(300); // a failed direct call reads the map again, but not within 250 ms of the last read
    state.smap = smapOf([{ id: 'tA', url: target.url }]);
    const readsBefore = proxy.smapReads();

    expect((await http.objectText(get('/v1/objects/b1/k'))).text).toBe('hello');
    expect(proxy.objectCalls()).toEqual(['GET /v1/objects/b1/k']);
    // Well before the periodic read (every 2 s): this one is the failed call's.
    await until(() => proxy.smapReads() > readsBefore, 1000);
    await sleep(50);

    expect((await http.objectText(get('/v1/objects/b1/k'))).text).toBe('hello');
    expect(proxy.objectCalls()).toEqual(['GET /v1/objects/b1/k']);
    expect(target.objectCalls()).toEqual(['GET /v1/objects/b1/k (redirected)', 'GET /v1/objects/b1/k']);
  });

  it('asks the proxy when the mapped target has no such object: another target may own it now', async () => {
    const stale = await startTarget(new Map());
    const owner = await startTarget(new Map([['/v1/objects/b1/k', 'hello']]));
    const proxy = await startProxy({ smap: smapOf([{ id: 'tA', url: stale.url }]), ownerOf: () => owner });
    const http = client(proxy.url);
    await http.clusterMap.refresh();

    expect((await http.objectText(get('/v1/objects/b1/k'))).text).toBe('hello');
    expect(stale.objectCalls()).toEqual(['GET /v1/objects/b1/k']);
    expect(owner.objectCalls()).toEqual(['GET /v1/objects/b1/k (redirected)']);
  });

  it("keeps the mapped target's 404 when the proxy names that same target: an AisError with AIS's status, tcode and text", async () => {
    const target = await startTarget(new Map());
    const proxy = await startProxy({ smap: smapOf([{ id: 'tA', url: target.url }]), ownerOf: () => target });
    const http = client(proxy.url);
    await http.clusterMap.refresh();

    const fromBody = await failureOf(http.objectText({ ...get('/v1/objects/b1/gone'), context: { bucket: 'b1', key: 'gone' } }));
    expect(fromBody).toBeInstanceOf(AisError);
    expect(fromBody).toMatchObject({
      kind: 'answered',
      call: 'GET /v1/objects/b1/gone',
      node: target.url,
      status: 404,
      tcode: 'ErrNotFound',
      text: 't[fake]: /v1/objects/b1/gone does not exist',
      context: { bucket: 'b1', key: 'gone' },
    });
    // A HEAD answer has no body: AIS puts the error in its Hdr-Error header.
    const fromHeader = await failureOf(http.objectCall({ method: 'HEAD', path: '/v1/objects/b1/gone' }));
    expect(fromHeader).toMatchObject({
      kind: 'answered',
      call: 'HEAD /v1/objects/b1/gone',
      status: 404,
      tcode: 'ErrNotFound',
      text: 't[fake]: /v1/objects/b1/gone does not exist',
    });
    expect(target.objectCalls()).toEqual(['GET /v1/objects/b1/gone', 'HEAD /v1/objects/b1/gone']);
    expect(proxy.objectCalls()).toEqual(['GET /v1/objects/b1/gone', 'HEAD /v1/objects/b1/gone']);
    // Answered as missing where the caller says a missing object is fine.
    expect(await http.objectCallUnlessMissing({ method: 'DELETE', path: '/v1/objects/b1/gone' })).toBeUndefined();
  });

  it.each([400, 403] as const)('stops direct calls for a while once a target refuses one (%d) and lets the proxy route them', async (refusal) => {
    const objects = new Map([['/v1/objects/b1/k', 'hello']]);
    const target = await startTarget(objects, { refuseDirect: refusal });
    const proxy = await startProxy({ smap: smapOf([{ id: 'tA', url: target.url }]), ownerOf: () => target });
    const http = client(proxy.url);
    await http.clusterMap.refresh();

    expect((await http.objectText(get('/v1/objects/b1/k'))).text).toBe('hello');
    await http.objectCall({ method: 'PUT', path: '/v1/objects/b1/k2', body: Buffer.from('again') });

    expect(objects.get('/v1/objects/b1/k2')).toBe('again');
    expect(target.objectCalls()).toEqual(['GET /v1/objects/b1/k', 'GET /v1/objects/b1/k (redirected)', 'PUT /v1/objects/b1/k2 (redirected)']);
    expect(proxy.objectCalls()).toEqual(['GET /v1/objects/b1/k', 'PUT /v1/objects/b1/k2']);
  });

  it("passes the error of the caller's streamed body through as it is, and the target keeps nothing", async () => {
    const objects = new Map<string, string>();
    const target = await startTarget(objects);
    const proxy = await startProxy({ smap: smapOf([{ id: 'tA', url: target.url }]), ownerOf: () => target });
    const http = client(proxy.url);
    await http.clusterMap.refresh();
    const digestFailed = new S3Error('BadDigest');

    const err = await failureOf(
      http.objectCall({
        method: 'PUT',
        path: '/v1/objects/b1/k',
        body: Readable.from([Buffer.from('some bytes')]),
        beforeBodyEnd: () => Promise.reject(digestFailed),
      }),
    );
    expect(err).toBe(digestFailed);
    expect(objects.size).toBe(0);
  });

  it('reads or drops every answer body, error answers included: many calls, HEADs too, share a few kept-alive connections', async () => {
    // 100 kB: more than undici buffers of an unread body (64 KiB), less than dump() reads before it drops the connection.
    const target = await startTarget(new Map([['/v1/objects/b1/k', 'x'.repeat(100_000)]]));
    const proxy = await startProxy({ smap: smapOf([{ id: 'tA', url: target.url }]), ownerOf: () => target });
    const http = client(proxy.url);
    await http.clusterMap.refresh();

    const lengths: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      await http.objectCall(get('/v1/objects/b1/k'));
      await http.objectCall({ method: 'HEAD', path: '/v1/objects/b1/k' });
      await failureOf(http.objectCall(get('/v1/objects/b1/gone')));
      await failureOf(http.objectCall({ method: 'HEAD', path: '/v1/objects/b1/gone' }));
      lengths.push((await http.objectText(get('/v1/objects/b1/k'))).text.length);
      const streamed = await http.objectStream(get('/v1/objects/b1/k'));
      let length = 0;
      for await (const chunk of streamed.body) length += (chunk as Buffer).length;
      lengths.push(length);
    }

    expect(lengths).toEqual(new Array<number>(20).fill(100_000));
    expect(target.hits).toHaveLength(60);
    // A body left unread would hold its connection: each such call would open another; so would a HEAD
    // without `reset: false` (undici closes the connection after a HEAD unless told otherwise).
    expect(new Set(target.hits.map((hit) => hit.port)).size).toBeLessThanOrEqual(3);
  });
});

describe('AisHttp on connection failures', () => {
  /** A proxy whose bucket list closes the connection on the first `failures` requests. */
  async function flakyProxy(failures: number): Promise<FakeNode> {
    let left = failures;
    return startProxy({
      smap: undefined,
      ownerOf: () => {
        throw new Error('no object calls');
      },
      other: (req, res) => {
        if (left-- > 0) req.socket.destroy();
        else sendJson(res, 200, [{ name: 'b1', provider: 'ais' }]);
      },
    });
  }

  it('retries an idempotent call whose connection failed', async () => {
    const proxy = await flakyProxy(2);
    const http = client(proxy.url, 2);
    const { text } = await http.proxyCall({ method: 'GET', path: '/v1/buckets' });
    expect(JSON.parse(text)).toEqual([{ name: 'b1', provider: 'ais' }]);
    expect(proxy.hits.filter((hit) => hit.path === '/v1/buckets')).toHaveLength(3);
  });

  it('gives up after its retries with an AisError saying which node could not be reached', async () => {
    const proxy = await flakyProxy(2);
    const http = client(proxy.url, 1);
    const err = await failureOf(http.proxyCall({ method: 'GET', path: '/v1/buckets', context: { bucket: 'b1' } }));
    expect(err).toBeInstanceOf(AisError);
    expect(err).toMatchObject({ kind: 'unreachable', call: 'GET /v1/buckets', node: proxy.url, status: 0, tcode: undefined, context: { bucket: 'b1' } });
    expect((err as AisError).text).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(proxy.hits.filter((hit) => hit.path === '/v1/buckets')).toHaveLength(2);

    const nobody = client(await deadUrl(), 1);
    expect(await failureOf(nobody.proxyCall({ method: 'GET', path: '/v1/buckets' }))).toMatchObject({ kind: 'unreachable', text: 'ECONNREFUSED' });
  });

  it('a call the owner took and did not answer in time fails as unanswered, once: no retry and no detour by the proxy', async () => {
    // An AIS target holding the object's lock for a read: the DELETE waits, and no answer comes.
    const target = await FakeNode.start(() => undefined);
    const proxy = await startProxy({ smap: smapOf([{ id: 'tA', url: target.url }]), ownerOf: () => target });
    const http = client(proxy.url, 3);
    await http.clusterMap.refresh();
    const err = await failureOf(http.objectCall({ method: 'DELETE', path: '/v1/objects/b1/k', context: { bucket: 'b1', key: 'k' } }));
    expect(err).toMatchObject({ kind: 'unanswered', call: 'DELETE /v1/objects/b1/k', node: target.url, text: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(target.objectCalls()).toEqual(['DELETE /v1/objects/b1/k']);
    expect(proxy.objectCalls()).toEqual([]);
  });

  it('does not send a streamed body twice: a streamed write whose connection failed is not retried, and fails as unreachable', async () => {
    let puts = 0;
    const target = await FakeNode.start((req, res) => {
      puts += 1;
      req.socket.destroy();
      res.end();
    });
    const proxy = await startProxy({ smap: undefined, ownerOf: () => target });
    const http = client(proxy.url, 3);
    const err = await failureOf(http.objectCall({ method: 'PUT', path: '/v1/objects/b1/k', body: Readable.from([Buffer.from('once')]) }));
    expect(err).toBeInstanceOf(AisError);
    expect(err).toMatchObject({ kind: 'unreachable', call: 'PUT /v1/objects/b1/k', node: target.url });
    expect(puts).toBe(1);
  });

  it('answers an AIS error of a proxy call with its JSON: status, tcode, text and the call', async () => {
    const proxy = await startProxy({
      smap: undefined,
      ownerOf: () => {
        throw new Error('no object calls');
      },
      other: (_req, res) => sendJson(res, 404, aisError(404, 'bucket "ais://nope" does not exist', 'ErrBckNotFound')),
    });
    const http = client(proxy.url);
    const err = await failureOf(http.proxyCall({ method: 'HEAD', path: '/v1/buckets/nope', context: { bucket: 'nope' } }));
    expect(err).toMatchObject({ kind: 'answered', status: 404, call: 'HEAD /v1/buckets/nope', node: proxy.url, context: { bucket: 'nope' } });
    const listed = await failureOf(http.proxyCall({ method: 'GET', path: '/v1/buckets/nope', json: { action: 'list' } }));
    expect(listed).toMatchObject({ status: 404, tcode: 'ErrBckNotFound', text: 'bucket "ais://nope" does not exist', call: 'GET /v1/buckets/nope' });
  });
});
