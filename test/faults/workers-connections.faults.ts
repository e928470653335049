/**
 * WORKERS=2: connections opened while a worker is being killed are all answered, by the other worker or the
 * replacement. With node:cluster's default round-robin scheduling one connection per kill was left open in
 * the primary, unanswered for as long as the client waited (src/workers.ts says why); the gateway now lets
 * the workers accept from the shared socket themselves.
 */
import { get } from 'node:http';
import { eventually } from '../support/data-dir';
import { startGateway } from '../support/gateway';
import { childPids, linesWith } from './support/processes';

const KILLS = 5;
const CONNECTIONS = 60;

/** GET /health/live on a connection of its own: 'answered', 'failed', or 'unanswered' after 10 s. */
function probe(origin: string): Promise<string> {
  return new Promise((resolve) => {
    const request = get(`${origin}/health/live`, { agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200 ? 'answered' : `status ${response.statusCode}`));
      response.on('error', () => resolve('failed'));
    });
    request.on('timeout', () => {
      request.destroy();
      resolve('unanswered');
    });
    request.on('error', () => resolve('failed'));
  });
}

describe('WORKERS=2: new connections while a worker is killed', () => {
  it(`are all answered, over ${KILLS} kills`, async () => {
    const gateway = await startGateway({ WORKERS: '2' });
    try {
      expect(await eventually(() => linesWith(gateway, 'ais-s3 gateway listening') === 2, 20_000)).toBe(true);
      const outcomes: Record<string, number> = {};
      for (let kill = 0; kill < KILLS; kill++) {
        const listening = linesWith(gateway, 'ais-s3 gateway listening');
        const [victim] = childPids(gateway.process.pid as number);
        const probes: Array<Promise<string>> = [];
        // Half the connections open as the kill lands, half while the primary learns of it.
        for (let i = 0; i < CONNECTIONS / 2; i++) probes.push(probe(gateway.origin));
        process.kill(victim, 'SIGKILL');
        for (let i = 0; i < CONNECTIONS / 2; i++) {
          probes.push(probe(gateway.origin));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        for (const outcome of await Promise.all(probes)) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        expect(await eventually(() => linesWith(gateway, 'ais-s3 gateway listening') > listening, 20_000)).toBe(true);
      }
      expect(outcomes).toEqual({ answered: KILLS * CONNECTIONS });
    } finally {
      await gateway.stop();
    }
  });
});
