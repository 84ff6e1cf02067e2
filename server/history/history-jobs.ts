/**
 * Runs version-history jobs (history-worker.ts: a restore's delta, a diff) in a worker thread of
 * their own (worker/job-worker.ts), so documents of several megabytes never hold the event loop
 * and history jobs never queue behind exports (http/render-document.ts).
 */
import { JobWorker } from '../worker/job-worker.js';
import type { HistoryJob, HistoryJobReply, HistoryJobResult } from './history-worker.js';
import type { VersionDiff } from './version-diff.js';

const JOB_TIMEOUT_MS = 60_000;

export class HistoryJobError extends Error {
  readonly code = 'history-job-failed';
}

const worker = new JobWorker<{ job: HistoryJob }, HistoryJobReply>({
  entry: new URL('./history-worker', import.meta.url),
  label: 'history',
  timeoutMs: JOB_TIMEOUT_MS,
  replyError: (reply) => ('error' in reply ? new HistoryJobError(reply.error) : null),
  failure: (message, cause) => new HistoryJobError(message, { cause }),
});

/** The update that turns `live` (a full state) into `version`'s content, to apply to the live document. */
export async function restoreDeltaInWorker(live: Uint8Array, version: Uint8Array): Promise<Uint8Array> {
  const result = await runJob({ kind: 'restore-delta', live, version });
  if (result.kind !== 'restore-delta') throw new HistoryJobError('unexpected reply');
  return result.delta;
}

/** What changed from `against` to `version` (both full states). */
export async function diffInWorker(version: Uint8Array, against: Uint8Array): Promise<VersionDiff> {
  const result = await runJob({ kind: 'diff', version, against });
  if (result.kind !== 'diff') throw new HistoryJobError('unexpected reply');
  return result.diff;
}

async function runJob(job: HistoryJob): Promise<HistoryJobResult> {
  const reply = await worker.run({ job });
  if ('error' in reply) throw new HistoryJobError(reply.error);
  return reply.result;
}
