import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyStates } from './key-states';
import { MixedStream } from './mixed-stream';

/** Clients of the crash tests' mixed stream. */
export const CRASH_CLIENTS = 4;
/** Low enough that the stream's small bodies (up to 96 KiB) are stored both ways: inline and in a blob. */
export const CRASH_INLINE_MAX_BYTES = 16 * 1024;

/** The crash tests' keys, their states and the stream that writes them: 10 keys in `bucket`. */
export function crashStream(bucket: string): { states: KeyStates; stream: MixedStream } {
  const states = new KeyStates(Array.from({ length: 10 }, (_, i) => `key-${i}`));
  return { states, stream: new MixedStream(bucket, states, 1) };
}

/** A data directory of the enclosing describe block's own, removed after it. */
export function suiteDataDir(prefix: string): string {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}
