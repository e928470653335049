import { KeyLocks } from './key-locks';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyLocks', () => {
  it('runs the turns of one key one after the other, in call order', async () => {
    const locks = new KeyLocks();
    const events: string[] = [];
    let running = 0;
    let most = 0;
    const work = (name: string) => async (): Promise<string> => {
      running += 1;
      most = Math.max(most, running);
      events.push(`start ${name}`);
      await tick();
      await tick();
      events.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((name) => locks.run('k', work(name))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(locks.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const locks = new KeyLocks();
    let running = 0;
    let most = 0;
    const work = async (): Promise<void> => {
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
    };
    await Promise.all([locks.run('a', work), locks.run('b', work)]);
    expect(most).toBe(2);
  });

  it('passes a failed turn on to the next one and reports the failure only to its caller', async () => {
    const locks = new KeyLocks();
    const failed = locks.run('k', () => Promise.reject(new Error('boom')));
    const next = locks.run('k', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(locks.size).toBe(0);
  });
});
