import type { Sample } from './sampler';
import { judge } from './verdict';

/** A 30-minute run sampled every 10 s, each resource given by `value(seconds)`. */
function run(value: (seconds: number) => Partial<Sample>): Sample[] {
  return Array.from({ length: 181 }, (_, index) => {
    const seconds = index * 10;
    return { seconds, rssMiB: 200, fds: 40, eventLoopP99Ms: 20, lmdbMiB: 10, operations: index * 1000, errors: 0, ...value(seconds) };
  });
}

const CLEAN = { operations: 180_000, errors: 0 };

describe('judge', () => {
  it('passes a flat run with noise and a warm-up climb', () => {
    const samples = run((seconds) => ({ rssMiB: seconds < 60 ? 100 + seconds : 200 + (seconds % 70) / 7, fds: 40 + (seconds % 30 === 0 ? 3 : 0) }));
    const verdict = judge(samples, CLEAN);
    expect(verdict.lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(verdict.passed).toBe(true);
  });

  it('fails memory that keeps growing, and names it', () => {
    const verdict = judge(
      run((seconds) => ({ rssMiB: 200 + seconds / 15 })),
      CLEAN,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.lines.filter((line) => line.startsWith('FAIL'))).toEqual([expect.stringMatching(/^FAIL RSS: /)]);
  });

  it('fails file descriptors that leak one a minute', () => {
    const verdict = judge(
      run((seconds) => ({ fds: 40 + Math.floor(seconds / 60) })),
      CLEAN,
    );
    expect(verdict.lines.filter((line) => line.startsWith('FAIL'))).toEqual([expect.stringMatching(/^FAIL open fds: /)]);
  });

  it('fails more than 0.1% failed operations, and a run with no operations', () => {
    expect(
      judge(
        run(() => ({})),
        { operations: 10_000, errors: 11 },
      ).passed,
    ).toBe(false);
    expect(
      judge(
        run(() => ({})),
        { operations: 10_000, errors: 10 },
      ).passed,
    ).toBe(true);
    expect(
      judge(
        run(() => ({})),
        { operations: 0, errors: 0 },
      ).passed,
    ).toBe(false);
  });

  it('does not judge growth on a run too short to have a steady part, and skips what was not sampled', () => {
    const short = judge(run(() => ({})).slice(0, 12), CLEAN);
    expect(short.lines.some((line) => line.includes('growth not judged'))).toBe(true);
    const ais = judge(
      run(() => ({ lmdbMiB: NaN })),
      CLEAN,
    );
    expect(ais.lines.some((line) => line.includes('LMDB'))).toBe(false);
    expect(ais.passed).toBe(true);
  });
});
