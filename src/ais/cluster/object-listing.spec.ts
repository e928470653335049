import { isDirectoryEntry, parseListedTime, parseListPage } from './object-listing';

const entry = (name: string) => ({ name, size: '1', flags: 64 });
const answer = (entries: Array<{ name: string }> | null, token?: string) =>
  JSON.stringify({ uuid: 'owI-bGVkn', entries, ...(token === undefined ? {} : { continuation_token: token }), flags: 0 });

describe("AIS's list answer", () => {
  it('goes on after a page AIS cut, from its token (the last name)', () => {
    const page = parseListPage(answer([entry('a/1'), entry('a/2')], 'a/2'));
    expect(page.entries.map((listed) => listed.name)).toEqual(['a/1', 'a/2']);
    expect(page.next).toBe('a/2');
  });

  it('goes on after a page that is exactly full: AIS cannot tell yet that nothing follows', () => {
    expect(parseListPage(answer([entry('x'), entry('y')], 'y')).next).toBe('y');
  });

  it('ends with the empty page after it ("entries": null, empty token)', () => {
    expect(parseListPage(answer(null, ''))).toEqual({ entries: [], next: undefined, walk: 'owI-bGVkn' });
  });

  it('ends with a short page, which has no token', () => {
    expect(parseListPage(answer([entry('c')], '')).next).toBeUndefined();
    expect(parseListPage(answer([entry('c')])).next).toBeUndefined();
    expect(parseListPage(JSON.stringify({ entries: [entry('c')], continuation_token: null })).next).toBeUndefined();
  });

  it('goes on after a page with a token, whatever it holds: fewer names than asked for, or none', () => {
    expect(parseListPage(answer([entry('m')], 'm')).next).toBe('m');
    expect(parseListPage(answer(null, 'q'))).toEqual({ entries: [], next: 'q', walk: 'owI-bGVkn' });
    expect(parseListPage(answer([], 'q'))).toEqual({ entries: [], next: 'q', walk: 'owI-bGVkn' });
  });

  it('ends where the token is empty, even after a page with as many names as asked for', () => {
    expect(parseListPage(answer([entry('a'), entry('b')], '')).next).toBeUndefined();
  });

  it('tells virtual directories from objects', () => {
    expect(isDirectoryEntry({ name: 'd/', flags: 256 })).toBe(true);
    expect(isDirectoryEntry({ name: 'd', flags: 64 })).toBe(false);
    expect(isDirectoryEntry({ name: 'd' })).toBe(false);
  });

  it('reads listed times to the millisecond', () => {
    expect(parseListedTime('2026-11-26T13:32:15.051213339Z')).toBe(Date.UTC(2026, 10, 26, 13, 32, 15, 51));
    expect(parseListedTime('not a time')).toBeNaN();
  });
});
