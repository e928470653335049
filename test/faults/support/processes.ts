import { readdirSync, readFileSync } from 'node:fs';
import type { RunningGateway } from '../../support/gateway';

/** The processes whose parent is `parent`: a node:cluster primary's workers. */
export function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (command) ": state, then the parent's pid.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // The process ended while the directory was read.
    }
  }
  return pids;
}

/** How many lines the gateway has printed that contain `text`. */
export const linesWith = (gateway: RunningGateway, text: string) => gateway.output.filter((line) => line.includes(text)).length;
