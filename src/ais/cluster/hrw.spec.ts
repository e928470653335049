import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Hrw, isPlacementTarget, loadHrw, unameOf, xoshiro256Hash } from './hrw';

/**
 * Expected values come from AIS's own Go packages (github.com/NVIDIA/aistore v1.5.0), written by
 * scripts/hrw-fixture (its main.go says how to regenerate the fixture).
 */
interface Fixture {
  targets: Array<{ id: string; flags: number; digest: string }>;
  placements: Array<{ bucket: string; name: string; uname: string; unameHash: string; owner: string }>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'hrw.fixture.json'), 'utf8')) as Fixture;

describe('HRW placement, as AIS v1.5.0 computes it', () => {
  let hrw: Hrw;
  beforeAll(async () => {
    hrw = await loadHrw();
  });

  it('computes every target digest (id_digest) as AIS does', () => {
    for (const target of fixture.targets) expect(hrw.hash(target.id).toString()).toBe(target.digest);
  });

  it('names objects and hashes the names as AIS does', () => {
    for (const placement of fixture.placements) {
      expect(unameOf(placement.bucket, placement.name)).toBe(placement.uname);
      expect(hrw.hash(placement.uname).toString()).toBe(placement.unameHash);
    }
  });

  it('picks the owning target AIS picks for every object, skipping targets in maintenance or decommissioning', () => {
    const targets = fixture.targets.map((target) => ({ id: target.id, flags: target.flags, digest: BigInt(target.digest) }));
    const owners = fixture.placements.map((placement) => hrw.ownerOf(targets, placement.bucket, placement.name)?.id);
    expect(owners).toEqual(fixture.placements.map((placement) => placement.owner));
    // The fixture spreads its objects over every target that takes objects, and none elsewhere.
    expect(new Set(owners)).toEqual(new Set(fixture.targets.filter((target) => isPlacementTarget(target.flags)).map((target) => target.id)));
  });

  it('has no owner when no target takes objects', () => {
    expect(hrw.ownerOf([], 'b1', 'k')).toBeUndefined();
    expect(hrw.ownerOf([{ id: 't1', flags: 4, digest: hrw.hash('t1') }], 'b1', 'k')).toBeUndefined();
  });

  it('scrambles as xoshiro256.Hash does, modulo 2^64', () => {
    expect(xoshiro256Hash(0n)).toBe(xoshiro256Hash((1n << 64n) + 0n));
    expect(xoshiro256Hash(123n) < 1n << 64n).toBe(true);
  });
});
