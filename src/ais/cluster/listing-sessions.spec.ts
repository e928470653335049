import type { AisHttp } from './ais-http';
import { ListingSessions, type SessionPlace } from './listing-sessions';
import { aisLister, type WalkInUse } from './object-listing';

const place = (after: string, more: Partial<SessionPlace> = {}): SessionPlace => ({ bucket: 'b', directory: '', pageSize: 1001, after, ...more });
const walk = (cursor: string, startedAt = 0, generation = 0) => ({ uuid: 'w1', startedAt, generation, cursor });

describe('ListingSessions', () => {
  it('gives a kept walk to the one call at its place, once', () => {
    const sessions = new ListingSessions(5000, () => 100);
    sessions.keep(place('k1000'), walk('k0000'));
    expect(sessions.take(place('k1000', { pageSize: 16 }))).toBeUndefined();
    expect(sessions.take(place('k1000', { directory: 'd/' }))).toBeUndefined();
    expect(sessions.take(place('k1000', { bucket: 'other' }))).toBeUndefined();
    expect(sessions.take(place('k0999'))).toBeUndefined();
    expect(sessions.take(place('k1000'))).toEqual(walk('k0000'));
    expect(sessions.take(place('k1000'))).toBeUndefined();
  });

  it('ends every walk of a bucket written to since it started, and no other', () => {
    const sessions = new ListingSessions(5000, () => 100);
    sessions.keep(place('k1000'), walk('k0000', 0, sessions.generationOf('b')));
    sessions.keep(place('k1000', { bucket: 'c' }), walk('k0000', 0, sessions.generationOf('c')));
    sessions.touch('b');
    expect(sessions.take(place('k1000'))).toBeUndefined();
    expect(sessions.take(place('k1000', { bucket: 'c' }))).toBeDefined();
    // A walk started after the write goes on.
    sessions.keep(place('k2000'), walk('k1000', 0, sessions.generationOf('b')));
    expect(sessions.take(place('k2000'))).toBeDefined();
  });

  it('lets a walk go on for the age it is given at most, from its first page', () => {
    let now = 0;
    const sessions = new ListingSessions(5000, () => now);
    now = 4999;
    sessions.keep(place('k1000'), walk('k0000', 0));
    expect(sessions.take(place('k1000'))).toBeDefined();
    sessions.keep(place('k2000'), walk('k1000', 0));
    now = 5000;
    expect(sessions.take(place('k2000'))).toBeUndefined();
    sessions.keep(place('k3000'), walk('k2000', 0));
    expect(sessions.take(place('k3000'))).toBeUndefined();
  });

  it('never goes on with a walk from its own last cursor or one before it (AIS would answer as if the listing had ended)', () => {
    const sessions = new ListingSessions(5000, () => 0);
    sessions.keep(place('k1000'), walk('k1000'));
    expect(sessions.take(place('k1000'))).toBeUndefined();
    sessions.keep(place('k1000'), walk('k2000'));
    expect(sessions.take(place('k1000'))).toBeUndefined();
  });

  it('keeps nothing when turned off (AIS_LIST_SESSION_MS=0)', () => {
    const sessions = new ListingSessions(0, () => 0);
    sessions.keep(place('k1000'), walk('k0000'));
    expect(sessions.enabled).toBe(false);
    expect(sessions.take(place('k1000'))).toBeUndefined();
  });
});

/** An AIS proxy that answers list calls from `names` as AIS v1.5.0 does, and records each call's `value`. */
function fakeProxy(names: string[], failWalks = false): { http: AisHttp; calls: Array<Record<string, unknown>> } {
  const calls: Array<Record<string, unknown>> = [];
  const proxyCall = (call: { json: { value: Record<string, unknown> } }) => {
    const value = call.json.value;
    calls.push(value);
    if (failWalks && value.uuid !== undefined) return Promise.reject(new Error('walk gone'));
    const after = (value.continuation_token ?? value.start_after ?? '') as string;
    const size = value.pagesize as number;
    const rest = names.filter((name) => name > after && name.startsWith(value.prefix as string));
    const entries = rest.slice(0, size).map((name) => ({ name, size: '1', checksum: 'c', flags: 64 }));
    const token = rest.length >= size ? entries.at(-1)!.name : '';
    return Promise.resolve({
      text: JSON.stringify({ uuid: (value.uuid as string | undefined) ?? `walk-${calls.length}`, entries, continuation_token: token }),
    });
  };
  return { http: { proxyCall } as unknown as AisHttp, calls };
}

describe('aisLister with listing sessions', () => {
  const names = Array.from({ length: 50 }, (_, i) => `k${String(i).padStart(3, '0')}`);

  async function twoPages(http: AisHttp, sessions: ListingSessions) {
    const inUse: { walk?: WalkInUse } = {};
    await aisLister(http, 'b', sessions, inUse)({ directory: '', startAfter: 'k009', limit: 16, recursive: true });
    sessions.keep({ bucket: 'b', directory: '', pageSize: 16, after: 'k024' }, inUse.walk!.session);
    return aisLister(http, 'b', sessions)({ directory: '', startAfter: 'k024', limit: 16, recursive: true });
  }

  it("goes on with the walk AIS gave the page before: its uuid, and the cursor as AIS's continuation token", async () => {
    const { http, calls } = fakeProxy(names);
    const page = await twoPages(http, new ListingSessions(5000));
    expect(calls[0]).toMatchObject({ start_after: 'k009', pagesize: 16 });
    expect(calls[0]).not.toHaveProperty('uuid');
    expect(calls[1]).toMatchObject({ uuid: 'walk-1', continuation_token: 'k024', pagesize: 16 });
    expect(calls[1]).not.toHaveProperty('start_after');
    expect(page.entries[0].name).toBe('k025');
  });

  it('starts a walk again where AIS fails to go on with one', async () => {
    const { http, calls } = fakeProxy(names, true);
    const page = await twoPages(http, new ListingSessions(5000));
    expect(calls.map((call) => [call.uuid, call.start_after])).toEqual([
      [undefined, 'k009'],
      ['walk-1', undefined],
      [undefined, 'k024'],
    ]);
    expect(page.entries.map((entry) => entry.name).slice(0, 2)).toEqual(['k025', 'k026']);
  });

  /** The calls of a second page that asks to go on after `cursor`, with a walk kept for it. */
  async function callsAfter(keys: string[], cursor: string) {
    const { http, calls } = fakeProxy(keys);
    const sessions = new ListingSessions(5000);
    sessions.keep({ bucket: 'b', directory: '', pageSize: 16, after: cursor }, { uuid: 'w', startedAt: Date.now(), generation: 0, cursor: '' });
    await aisLister(http, 'b', sessions)({ directory: '', startAfter: cursor, limit: 16, recursive: true });
    return calls.map((call) => ({ prefix: call.prefix, uuid: call.uuid }));
  }

  it('goes on after a name with a character below / only when no subdirectory of that start clashes with it', async () => {
    // `img` is no directory: AIS's kept names are in byte order around `img.jpg`.
    expect(await callsAfter(['a', 'img.jpg', 'img.png'], 'img.jpg')).toEqual([
      { prefix: 'img/', uuid: undefined },
      { prefix: '', uuid: 'w' },
    ]);
    // `img/` holds objects: AIS walked `img/1` before `img.jpg` although it sorts after it, so a new walk is started.
    expect(await callsAfter(['img.jpg', 'img/1'], 'img.jpg')).toEqual([
      { prefix: 'img/', uuid: undefined },
      { prefix: '', uuid: undefined },
    ]);
  });

  it('starts a new walk after a name in a subdirectory, or with many characters below /', async () => {
    expect(await callsAfter(['d/1', 'd/2'], 'd/1')).toEqual([{ prefix: '', uuid: undefined }]);
    expect(await callsAfter(['a.b.c.d.e'], 'a.b.c.d.e')).toEqual([{ prefix: '', uuid: undefined }]);
  });

  it('never continues a walk for probes (names only, or without recursion)', async () => {
    const { http, calls } = fakeProxy(names);
    const sessions = new ListingSessions(5000);
    sessions.keep({ bucket: 'b', directory: '', pageSize: 16, after: 'k024' }, { uuid: 'w', startedAt: Date.now(), generation: 0, cursor: '' });
    await aisLister(http, 'b', sessions)({ directory: '', startAfter: 'k024', limit: 16, recursive: false, namesOnly: true });
    expect(calls[0]).not.toHaveProperty('uuid');
  });
});
