import { isVersionIdOf, newVersionId } from './version-ids';

describe('S3 version ids on the AIS backend', () => {
  it('are 24 URL-safe characters, a new one at every write', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newVersionId('b1', 'k')));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('belong to the bucket and key they were written under, so a copy elsewhere does not claim them', () => {
    const id = newVersionId('b1', 'dir/k');
    expect(isVersionIdOf(id, 'b1', 'dir/k')).toBe(true);
    expect(isVersionIdOf(id, 'b2', 'dir/k')).toBe(false);
    expect(isVersionIdOf(id, 'b1', 'dir/k2')).toBe(false);
    // The bucket and the key are kept apart: moving a character from one to the other is another name.
    expect(isVersionIdOf(newVersionId('b1', 'xk'), 'b1x', 'k')).toBe(false);
  });

  it('anything else is not a version id of the gateway', () => {
    for (const value of [undefined, '', 'null', '1', `${newVersionId('b1', 'k')}x`, newVersionId('b1', 'k').replace(/^./, '+')]) {
      expect(isVersionIdOf(value, 'b1', 'k')).toBe(false);
    }
  });
});
