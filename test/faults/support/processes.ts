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

/**
 * Runs a client stream against the gateway for `delayMs`, then kills the gateway with SIGKILL while the stream is
 * under way, and waits for the process to end and the stream to notice. `run` gets the flag that tells it to stop.
 */
export async function killMidStream(gateway: RunningGateway, delayMs: number, run: (stopping: () => boolean) => Promise<void>): Promise<void> {
  let stopping = false;
  const running = run(() => stopping);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  stopping = true;
  const exited = new Promise((resolve) => gateway.process.once('exit', resolve));
  gateway.process.kill('SIGKILL');
  await exited;
  await running;
}

/** After a failed cycle: kills the gateway unless it has ended already. */
export function killIfRunning(gateway: RunningGateway): void {
  if (gateway.process.exitCode === null && gateway.process.signalCode === null) gateway.process.kill('SIGKILL');
}
