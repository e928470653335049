/** The soak's chart: one line panel per sampled resource over the run's minutes, as a stand-alone SVG. */
import { escapeSvgText } from '../bench/svg-text';
import type { Sample } from './sampler';

type Points = Array<[seconds: number, value: number]>;

interface Panel {
  title: string;
  points: (samples: Sample[]) => Points;
}

/** A sampled value over time. */
function series(value: (sample: Sample) => number): (samples: Sample[]) => Points {
  return (samples) => samples.map((sample) => [sample.seconds, value(sample)]);
}

/** Operations per second between consecutive samples, at the later sample's time. */
function rates(samples: Sample[]): Points {
  return samples.slice(1).map((sample, index) => {
    const before = samples[index];
    const seconds = sample.seconds - before.seconds;
    return [sample.seconds, seconds > 0 ? (sample.operations - before.operations) / seconds : 0];
  });
}

const PANELS: Panel[] = [
  { title: 'gateway RSS (MiB)', points: series((sample) => sample.rssMiB) },
  { title: 'open file descriptors', points: series((sample) => sample.fds) },
  { title: 'event-loop delay p99 (ms)', points: series((sample) => sample.eventLoopP99Ms) },
  { title: 'LMDB files (MiB)', points: series((sample) => sample.lmdbMiB) },
  { title: 'operations per second', points: rates },
];

const WIDTH = 820;
const PANEL_HEIGHT = 150;
const LEFT = 70;
const RIGHT = 20;
const TOP = 50;
const GAP = 40;

function panelSvg(title: string, points: Points, top: number, endSeconds: number): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const shown = points.filter(([, y]) => Number.isFinite(y));
  const max = Math.max(1e-9, ...shown.map(([, y]) => y)) * 1.1;
  const x = (seconds: number): number => LEFT + (plotWidth * seconds) / Math.max(1, endSeconds);
  const y = (value: number): number => top + PANEL_HEIGHT - (PANEL_HEIGHT * value) / max;
  const parts = [
    `<text x="${LEFT}" y="${top - 8}" font-size="13" font-weight="bold">${escapeSvgText(title)}</text>`,
    `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#bbb"/>`,
  ];
  for (const fraction of [0, 0.5, 1]) {
    const value = (max / 1.1) * fraction;
    parts.push(
      `<text x="${LEFT - 6}" y="${y(value) + 4}" font-size="11" text-anchor="end">${value >= 100 ? value.toFixed(0) : value.toFixed(1)}</text>`,
      `<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#eee"/>`,
    );
  }
  for (let minute = 0; minute * 60 <= endSeconds; minute += Math.max(1, Math.ceil(endSeconds / 60 / 10))) {
    parts.push(`<text x="${x(minute * 60)}" y="${top + PANEL_HEIGHT + 14}" font-size="11" text-anchor="middle">${minute}</text>`);
  }
  if (shown.length === 0) {
    parts.push(
      `<text x="${LEFT + plotWidth / 2}" y="${top + PANEL_HEIGHT / 2}" font-size="12" text-anchor="middle" fill="#888">not sampled on this backend</text>`,
    );
  } else {
    const line = shown.map(([seconds, value]) => `${x(seconds).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>`);
  }
  return parts.join('\n');
}

export function soakChart(title: string, samples: Sample[]): string {
  const endSeconds = samples.length === 0 ? 0 : samples[samples.length - 1].seconds;
  const height = TOP + PANELS.length * (PANEL_HEIGHT + GAP) + 10;
  const panels = PANELS.map((panel, index) => panelSvg(panel.title, panel.points(samples), TOP + index * (PANEL_HEIGHT + GAP), endSeconds));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">${escapeSvgText(title)}</text>`,
    `<text x="${WIDTH - RIGHT}" y="24" font-size="11" text-anchor="end">x: minutes since the load started</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
