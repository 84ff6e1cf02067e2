/**
 * The run's results: one row per metric id, one value per server, plus notes and run facts.
 * Written as bench/results/latest.json and read back by the report and the chart.
 */
import os from 'node:os';
import type { Metric } from '../scenarios/scenario.js';
import { REFERENCE_KINDS, type ServerKind } from '../servers/server-process.js';

export interface MetricRow {
  id: string;
  scenario: string;
  label: string;
  unit: string;
  better: 'lower' | 'higher';
  values: Partial<Record<ServerKind, number | null>>;
  notes: Partial<Record<ServerKind, string>>;
}

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  quick: boolean;
  /** load: 1-minute load average when the run started and ended (absent in older results). */
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string; load?: { atStart: number; atEnd: number } };
  /**
   * clusterMode: how the server's cluster members share documents (cluster scenarios), or null;
   * nodeFlags: the `node` flags its process ran with (absent in results written before they were recorded).
   */
  servers: { kind: ServerKind; label: string; clusterMode?: string | null; nodeFlags?: string[] }[];
  scenarios: string[];
  /** commit: the SHA measured (absent in results written before it was recorded). */
  tandem: { ref: string; commit?: string; env: Record<string, string>; nodeArgs: string[] };
  rows: MetricRow[];
}

export function describeMachine(): BenchResults['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Adds one server's metrics for a scenario, keeping first-seen row order. */
export function addMetrics(rows: MetricRow[], scenario: string, kind: ServerKind, metrics: readonly Metric[]): void {
  for (const metric of metrics) {
    let row = rows.find((r) => r.id === metric.id);
    if (!row) {
      row = { id: metric.id, scenario, label: metric.label, unit: metric.unit, better: metric.better, values: {}, notes: {} };
      rows.push(row);
    }
    row.values[kind] = metric.value;
    if (metric.note) row.notes[kind] = metric.note;
  }
}

/** Best peer value (not Tandem, not a reference) for a row: min or max by `better`; null if no peer has one. */
export function bestPeer(row: MetricRow): { kind: ServerKind; value: number } | null {
  let best: { kind: ServerKind; value: number } | null = null;
  for (const [kind, value] of Object.entries(row.values) as [ServerKind, number | null][]) {
    if (kind === 'tandem' || REFERENCE_KINDS.includes(kind) || value === null || !Number.isFinite(value)) continue;
    if (!best || (row.better === 'lower' ? value < best.value : value > best.value)) best = { kind, value };
  }
  return best;
}

/** Tandem / best peer, or null when either side is missing or the peer's value is 0. */
export function ratioToBestPeer(row: MetricRow): number | null {
  const tandem = row.values.tandem;
  const best = bestPeer(row);
  if (tandem === null || tandem === undefined || !Number.isFinite(tandem) || !best || best.value === 0) return null;
  return tandem / best.value;
}
