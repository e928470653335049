import { ABSENT } from './bodies';

/**
 * For every key, the states (body descriptors, or ABSENT) a client was told or could have been told it is in.
 * Operations on one key never overlap (a client locks the keys it works on), so the model stays exact:
 * an acknowledged write leaves exactly its state; a write that got no answer (the gateway was killed) adds
 * its state to the possible ones, since it either happened whole or not at all. After a restart the test
 * reads every key, checks that what it finds is one of the possible states, and from then on that is the
 * only one.
 */
export class KeyStates {
  private readonly possible = new Map<string, Set<string>>();
  private readonly locked = new Set<string>();

  constructor(readonly keys: readonly string[]) {
    for (const key of keys) this.possible.set(key, new Set([ABSENT]));
  }

  allowed(key: string): ReadonlySet<string> {
    return this.possible.get(key) as Set<string>;
  }

  /** The key's one possible state, or undefined while an unanswered write leaves two. */
  definite(key: string): string | undefined {
    const states = this.allowed(key);
    return states.size === 1 ? [...states][0] : undefined;
  }

  /** Locks all of `keys` for one operation, or none of them if one is taken. */
  tryLock(keys: readonly string[]): boolean {
    if (keys.some((key) => this.locked.has(key))) return false;
    for (const key of keys) this.locked.add(key);
    return true;
  }

  unlock(keys: readonly string[]): void {
    for (const key of keys) this.locked.delete(key);
  }

  acknowledged(key: string, state: string): void {
    this.possible.set(key, new Set([state]));
  }

  unacknowledged(key: string, state: string): void {
    this.possible.get(key)?.add(state);
  }

  /** What a read after a restart found: it must be allowed; it is the key's state from now on. */
  observed(key: string, state: string): void {
    if (!this.allowed(key).has(state)) throw new Error(`${key} is ${state}, not one of the states it may be in: ${[...this.allowed(key)].join(' | ')}`);
    this.acknowledged(key, state);
  }

  /** Keys whose state is still open (an unanswered write): how often the kills caught a write in flight. */
  openKeys(): number {
    return this.keys.filter((key) => this.allowed(key).size > 1).length;
  }
}
