/** Markdown report: every metric row, the servers side by side, and Tandem / best peer. */
import { bestPeer, ratioToBestPeer, type BenchResults, type MetricRow } from './results.js';

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  if (unit === 'count') return String(Math.round(value));
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function ratioCell(row: MetricRow): string {
  const ratio = ratioToBestPeer(row);
  const best = bestPeer(row);
  if (ratio === null || !best) return '—';
  return `${ratio.toFixed(2)}× (vs ${best.kind})`;
}

function valueCell(row: MetricRow, kind: keyof MetricRow['values']): string {
  const note = row.notes[kind];
  const text = formatValue(row.values[kind], row.unit);
  return note ? `${text} ¹` : text;
}

export function renderMarkdown(results: BenchResults): string {
  const kinds = results.servers.map((s) => s.kind);
  const header = ['metric', 'unit', ...results.servers.map((s) => s.label), 'Tandem / best peer'];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const row of results.rows) {
    const arrow = row.better === 'lower' ? '↓' : '↑';
    lines.push(`| ${row.label} ${arrow} | ${row.unit} | ${kinds.map((k) => valueCell(row, k)).join(' | ')} | ${ratioCell(row)} |`);
  }
  const notes = results.rows.flatMap((row) =>
    Object.entries(row.notes).map(([kind, note]) => `- ¹ ${row.label}, ${kind}: ${note}`),
  );
  const { machine } = results;
  const clusterModes = results.rows.some((row) => row.scenario.startsWith('cluster-'))
    ? results.servers.map((s) => `${s.label}: ${s.clusterMode ?? 'no cluster mode'}`)
    : [];
  return [
    `Run ${results.startedAt}${results.quick ? ' (--quick: smaller counts, not comparable to a full run)' : ''}, ` +
      `${results.durationSeconds.toFixed(0)} s; ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}` +
      `${machine.load ? `, load average ${machine.load.atStart.toFixed(1)} at start and ${machine.load.atEnd.toFixed(1)} at end` : ''}` +
      `${results.tandem.commit ? `; Tandem ${results.tandem.ref} = ${results.tandem.commit}` : ''}.`,
    ...(clusterModes.length ? [`Cluster modes — ${clusterModes.join('; ')}.`] : []),
    ...(results.servers.some((s) => s.nodeFlags)
      ? [`Node flags — ${results.servers.map((s) => `${s.label}: ${s.nodeFlags?.length ? s.nodeFlags.join(' ') : 'none'}`).join('; ')}.`]
      : []),
    '↓ lower is better, ↑ higher is better; the ratio is Tandem divided by the best peer on that row.',
    ...(kinds.includes('bare-relay')
      ? ['The bare relay is a reference, not a peer: it forwards messages on plain ws and does nothing else (no Yjs, no storage, no acknowledgements), so its figures are about what ws, Node and the clients cost on their own.']
      : []),
    '',
    ...lines,
    ...(notes.length ? ['', ...notes] : []),
    '',
  ].join('\n');
}
