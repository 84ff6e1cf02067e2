/**
 * SVG chart of a run: one group of horizontal bars per metric, each group scaled to its own
 * largest value (units differ between rows), with the value printed beside each bar.
 */
import { formatValue } from './report.js';
import type { BenchResults } from './results.js';

const WIDTH = 960;
const LABEL_WIDTH = 360;
const BAR_HEIGHT = 13;
const BAR_GAP = 3;
const GROUP_GAP = 14;
const VALUE_ROOM = 90;
const COLORS: Record<string, string> = { tandem: '#2563eb', 'y-websocket': '#f59e0b', hocuspocus: '#10b981', 'bare-relay': '#9ca3af' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderChart(results: BenchResults): string {
  const servers = results.servers;
  const rows = results.rows.filter((row) => Object.values(row.values).some((v) => v !== null && Number.isFinite(v)));
  const groupHeight = servers.length * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP;
  const top = 56;
  const height = top + rows.length * groupHeight + 10;
  const barMax = WIDTH - LABEL_WIDTH - VALUE_ROOM;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Tandem vs peers — ${escapeXml(results.startedAt.slice(0, 10))}${results.quick ? ' (quick)' : ''}, ${results.machine.cpus} CPUs, Node ${escapeXml(results.machine.node)}</text>`,
    `<text x="10" y="36" fill="#555">Each group is scaled to its largest value; ↓ lower is better, ↑ higher is better.</text>`,
  ];
  servers.forEach((server, i) => {
    const x = 10 + i * 200;
    parts.push(`<rect x="${x}" y="42" width="10" height="10" fill="${COLORS[server.kind] ?? '#888'}"/>`);
    parts.push(`<text x="${x + 14}" y="51">${escapeXml(server.label)}</text>`);
  });
  rows.forEach((row, r) => {
    const y0 = top + r * groupHeight + 6;
    const finite = Object.values(row.values).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    const max = Math.max(...finite, 0);
    const arrow = row.better === 'lower' ? '↓' : '↑';
    parts.push(`<text x="10" y="${y0 + BAR_HEIGHT}" >${escapeXml(`${row.label} (${row.unit}) ${arrow}`)}</text>`);
    servers.forEach((server, i) => {
      const value = row.values[server.kind];
      const y = y0 + i * (BAR_HEIGHT + BAR_GAP);
      const has = value !== null && value !== undefined && Number.isFinite(value);
      const w = has && max > 0 ? Math.max(1, (value / max) * barMax) : 0;
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLORS[server.kind] ?? '#888'}"/>`);
      parts.push(`<text x="${LABEL_WIDTH + w + 4}" y="${y + BAR_HEIGHT - 2}" fill="#222">${escapeXml(formatValue(value, row.unit))}</text>`);
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
