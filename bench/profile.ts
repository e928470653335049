/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, e.g. a gateway's under `BENCH_GATEWAY_NODE_ARGS`): where the
 * busy time went, by package or file and by function (self time), and by function including callees.
 *
 *   node .tmp/bench/bench/profile.js FILE.cpuprofile [--skip SECONDS] [--top N]
 *
 * `--skip`: leave out the first seconds (start-up, seeding, warm-up). Idle samples are left out: shares are of
 * the time the process ran JavaScript, GC or native code on its main thread.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  return url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\//, '')
    .replace(/^.*\/dist\//, 'dist/');
}

/** The package (node_modules), the Node module (`node:...`) or the gateway file a frame belongs to. */
function placeOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName;
  if (frame.url.includes('/node_modules/')) {
    // The package's name, not shortUrl's `dist/` (lmdb and msgpackr ship their code in dist/ too).
    const parts = frame.url.replace(/^.*\/node_modules\//, '').split('/');
    return parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/');
  }
  return shortUrl(frame.url);
}

function functionOf(frame: ProfileNode['callFrame']): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function add(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

function print(title: string, totals: Map<string, number>, busy: number, top: number): void {
  process.stdout.write(`--- ${title}\n`);
  for (const [key, micros] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${key}\n`);
  }
}

function main(argv: string[]): void {
  const file = argv[0];
  if (file === undefined) throw new Error('usage: profile.js FILE.cpuprofile [--skip SECONDS] [--top N]');
  const option = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    return at < 0 ? fallback : Number(argv[at + 1]);
  };
  const skipMicros = option('--skip', 0) * 1e6;
  const top = option('--top', 30);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfById = new Map<number, number>();
  let clock = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    const node = byId.get(profile.samples[i]);
    if (clock < skipMicros || node === undefined || node.callFrame.functionName === '(idle)') continue;
    selfById.set(node.id, (selfById.get(node.id) ?? 0) + delta);
  }

  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of selfById) {
    const frame = byId.get(id)!.callFrame;
    busy += micros;
    add(byPlace, placeOf(frame), micros);
    add(byFunction, functionOf(frame), micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const key = functionOf(byId.get(at)!.callFrame);
      if (!seen.has(key)) add(inclusive, key, micros);
      seen.add(key);
    }
  }
  process.stdout.write(`busy ${(busy / 1000).toFixed(0)} ms\n`);
  print('self time by package or file', byPlace, busy, top);
  print('self time by function', byFunction, busy, top);
  print('time including callees', inclusive, busy, top);
}

main(process.argv.slice(2));
