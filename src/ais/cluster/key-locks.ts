/**
 * One turn at a time per key, inside this process: `run(key, work)` starts `work` once every earlier `run` of
 * the same key has settled, in the order they were called. Keys with no turn waiting hold no memory. This is
 * what makes the cluster store's conditional writes exact in single-writer mode (AIS_SINGLE_WRITER): AIS has
 * no conditional PUT, so the check and the write must not be interleaved with another write of the key.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const tail = previous === undefined ? turn : previous.then(() => turn);
    this.tails.set(key, tail);
    try {
      if (previous !== undefined) await previous;
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a turn running or waiting (for tests and gauges). */
  get size(): number {
    return this.tails.size;
  }
}
