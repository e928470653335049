/**
 * An SVG bar chart of ops/s: one group per workload, one bar per target, each group scaled to its own
 * largest value (the workloads differ by orders of magnitude), the value written beside each bar.
 */
import type { Measurement, Workload } from './workloads';
import type { TargetName } from './targets';
import { escapeSvgText } from './svg-text';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const BAR = 14;
const GAP = 4;
const LABEL_WIDTH = 230;
const PLOT_WIDTH = 520;

function valueOf(m: Measurement, workload: Workload): { value: number; text: string } {
  if (workload.kind === 'transfer') return { value: m.mbPerSec, text: `${m.mbPerSec.toFixed(0)} MB/s` };
  if (workload.kind === 'list') return { value: m.opsPerSec, text: `${m.opsPerSec.toFixed(1)} pages/s` };
  return { value: m.opsPerSec, text: `${Math.round(m.opsPerSec).toLocaleString('en-US')}/s` };
}

export function svgChart(title: string, measurements: Measurement[], workloads: Workload[], targets: TargetName[]): string {
  const parts: string[] = [];
  let y = 56;
  for (const workload of workloads) {
    const rows = targets
      .map((target, index) => ({ target, index, m: measurements.find((x) => x.target === target && x.workload === workload.id) }))
      .filter((row) => row.m !== undefined && row.m.opsPerSec > 0);
    if (rows.length === 0) continue;
    const max = Math.max(...rows.map((row) => valueOf(row.m!, workload).value));
    parts.push(`<text x="10" y="${y + BAR}" font-weight="bold">${escapeSvgText(workload.label)}</text>`);
    for (const row of rows) {
      const { value, text } = valueOf(row.m!, workload);
      const width = Math.max(1, (value / max) * PLOT_WIDTH);
      parts.push(
        `<text x="${LABEL_WIDTH - 6}" y="${y + BAR - 3}" text-anchor="end">${escapeSvgText(row.target)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${COLORS[row.index % COLORS.length]}"/>`,
        `<text x="${(LABEL_WIDTH + width + 4).toFixed(1)}" y="${y + BAR - 3}">${escapeSvgText(text)}</text>`,
      );
      y += BAR + GAP;
    }
    y += 12;
  }
  const height = y + 10;
  const width = LABEL_WIDTH + PLOT_WIDTH + 130;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${escapeSvgText(title)}</text>`,
    `<text x="10" y="42" fill="#555">bars scaled per workload; higher is better</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
