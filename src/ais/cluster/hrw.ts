import loadXxhash from 'xxhash-wasm';

/**
 * AIS's placement of objects on storage targets: rendezvous hashing, "highest random weight" (AIS v1.5.0
 * `core/meta/hrw.go` HrwName2T). The object's bucket-qualified name is hashed with xxhash64 (seed MLCG32), each
 * target's id likewise (its `id_digest`), and the target whose digest XOR the name's hash scrambles
 * (xoshiro256**'s splitmix64 seeding, `cmn/xoshiro256`) to the highest value owns the object. Targets in
 * maintenance or being decommissioned are skipped. `hrw.spec.ts` checks every step against answers of AIS's
 * own Go code (`scripts/hrw-fixture`).
 */

/** `cos.MLCG32`, the seed of every xxhash64 in AIS's placement. */
const MLCG32 = 1103515245n;
const MASK_64 = (1n << 64n) - 1n;
/** Snode flags that take a target out of placement (`SnodeMaint | SnodeDecomm`, `core/meta/smap.go`). */
const MAINT_OR_DECOMM = 4 | 8;

/** A target as placement sees it. */
export interface PlacedTarget {
  id: string;
  /** xxhash64 of the id: AIS's `id_digest`. */
  digest: bigint;
  /** The cluster map's `flags` bit field. */
  flags: number;
}

/** `xoshiro256.Hash`: splitmix64 twice over the seed, then xoshiro256**'s output scrambler, all mod 2^64. */
export function xoshiro256Hash(seed: bigint): bigint {
  let z = (seed + 0x9e3779b97f4a7c15n) & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  z = ((z ^ (z >> 31n)) + 0x9e3779b97f4a7c15n) & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  z = ((z ^ (z >> 31n)) * 5n) & MASK_64;
  const rotated = ((z << 7n) | (z >> 57n)) & MASK_64;
  return (rotated * 9n) & MASK_64;
}

/** Whether AIS places objects on a target with these flags. */
export function isPlacementTarget(flags: number): boolean {
  return (flags & MAINT_OR_DECOMM) === 0;
}

/** AIS's "uname" of an object in an `ais://` bucket of the global namespace (`cmn.Bck.MakeUname`). */
export function unameOf(bucket: string, objectName: string): string {
  return `ais/@#/${bucket}/${objectName}`;
}

export interface Hrw {
  /** xxhash64 (seed MLCG32) of a string's UTF-8 bytes: a target's digest, or a uname's hash. */
  hash(text: string): bigint;
  /** The target that owns `objectName` in `bucket`; undefined when no target takes objects. */
  ownerOf<T extends PlacedTarget>(targets: readonly T[], bucket: string, objectName: string): T | undefined;
}

let loaded: Promise<Hrw> | undefined;

/** The placement functions (xxhash64 is WebAssembly, compiled once per process). */
export function loadHrw(): Promise<Hrw> {
  loaded ??= loadXxhash().then((hasher) => {
    const hash = (text: string): bigint => hasher.h64(text, MLCG32);
    return {
      hash,
      ownerOf<T extends PlacedTarget>(targets: readonly T[], bucket: string, objectName: string): T | undefined {
        const digest = hash(unameOf(bucket, objectName));
        let owner: T | undefined;
        let highest = -1n;
        for (const target of targets) {
          if (!isPlacementTarget(target.flags)) continue;
          const weight = xoshiro256Hash(target.digest ^ digest);
          // AIS keeps the last of equal weights in its map's (random) order; 64-bit ties do not happen.
          if (weight > highest) {
            highest = weight;
            owner = target;
          }
        }
        return owner;
      },
    };
  });
  return loaded;
}
