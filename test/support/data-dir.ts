import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How many files the embedded store holds under `dataDir/blobs` (blob files and any temporary ones). */
export function countBlobFiles(dataDir: string): number {
  return readdirSync(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
}

/** Polls until `condition` holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
