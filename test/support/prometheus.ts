import { rawRequest } from './raw-http';

/** One sample line of the Prometheus text exposition format: `name{label="value",...} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let at = 1; // after '{'
  for (;;) {
    if (text[at] === '}') return { labels, rest: text.slice(at + 1) };
    const name = LABEL_NAME.exec(text.slice(at))?.[0];
    if (name === undefined || text.slice(at + name.length, at + name.length + 2) !== '="') throw new Error(`bad label in: ${line}`);
    at += name.length + 2;
    let value = '';
    for (;;) {
      const char = text[at];
      if (char === undefined) throw new Error(`unterminated label value in: ${line}`);
      at += 1;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[at];
        at += 1;
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new Error(`bad escape in: ${line}`);
      } else {
        value += char;
      }
    }
    labels[name] = value;
    if (text[at] === ',') at += 1;
    else if (text[at] !== '}') throw new Error(`bad label list in: ${line}`);
  }
}

/** A value as Prometheus reads it (Go's ParseFloat): a number, or NaN / ±Inf in any letter case (prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  const raw = text.trim().split(/\s+/)[0] ?? '';
  const special = /^([+-]?)(inf|infinity)$/i.exec(raw);
  if (special !== null) return special[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

/**
 * Parses Prometheus text format 0.0.4 strictly enough to fail on anything a scraper would reject: every
 * sample must belong to a family declared by a preceding `# TYPE` line (histograms by their `_bucket`,
 * `_sum`, `_count` series), label syntax and escapes must be right, and values must be numbers.
 */
export function parsePrometheusText(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type !== null) types.set(type[1], type[2]);
      else if (!/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) throw new Error(`bad comment line: ${line}`);
      continue;
    }
    const name = NAME.exec(line)?.[0];
    if (name === undefined) throw new Error(`bad sample line: ${line}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    if (!rest.startsWith(' ')) throw new Error(`no value in: ${line}`);
    const family = types.has(name)
      ? name
      : HISTOGRAM_SUFFIXES.map((suffix) => name.endsWith(suffix) && name.slice(0, -suffix.length)).find((base) => base && types.has(base));
    if (!family) throw new Error(`sample of an undeclared metric: ${line}`);
    samples.push({ name, labels, value: parseValue(rest, line) });
  }
  return samples;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** A parsed scrape of `/metrics`. */
export class Scrape {
  constructor(readonly samples: Sample[]) {}

  /** The samples of one metric (a histogram's `_bucket`, `_sum` and `_count` are metrics of their own here). */
  series(name: string): Sample[] {
    return this.samples.filter((sample) => sample.name === name);
  }

  /** The value of the series with exactly these labels; 0 when it does not exist (a counter not yet moved). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.series(name).filter((sample) => sameLabels(sample.labels, labels));
    if (found.length > 1) throw new Error(`${name}${JSON.stringify(labels)} appears ${found.length} times`);
    return found[0]?.value ?? 0;
  }

  /** How each series of `name` moved since `before`, keyed by labelKey; series that did not move are left out. */
  changes(before: Scrape, name: string): Record<string, number> {
    const moved: Record<string, number> = {};
    for (const sample of this.series(name)) {
      const delta = sample.value - before.value(name, sample.labels);
      if (delta !== 0) moved[labelKey(sample.labels)] = delta;
    }
    return moved;
  }
}

/** The key `changes` uses for a label set: `name=value` pairs sorted by label name, comma-joined. */
export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`)
    .join(',');
}

/** GETs `path` (default `/metrics`) from `origin` with no credentials, checks it is Prometheus text, and parses it. */
export async function scrapeMetrics(origin: string, path = '/metrics'): Promise<Scrape> {
  const response = await rawRequest(origin, { method: 'GET', path });
  if (response.status !== 200) throw new Error(`${origin}${path} answered ${response.status}: ${response.body}`);
  const type = String(response.headers['content-type']);
  if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`${origin}${path} is not Prometheus text: ${type}`);
  return new Scrape(parsePrometheusText(response.body));
}
