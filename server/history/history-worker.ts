/**
 * Worker thread side of history-jobs.ts: the version-history work that runs the editor schema
 * over whole documents (a restore's delta, a diff's block lists), off the server's event loop.
 * A job that fails answers with its error message; the thread carries on.
 */
import { parentPort } from 'node:worker_threads';
import { updateToProseMirror } from '../../shared/document-content.js';
import { computeRestoreDelta } from './restore-delta.js';
import { diffBlocks, documentBlocks, type VersionDiff } from './version-diff.js';

export type HistoryJob =
  | { kind: 'restore-delta'; live: Uint8Array; version: Uint8Array }
  | { kind: 'diff'; version: Uint8Array; against: Uint8Array };

export type HistoryJobResult = { kind: 'restore-delta'; delta: Uint8Array } | { kind: 'diff'; diff: VersionDiff };

export type HistoryJobReply = { id: number; result: HistoryJobResult } | { id: number; error: string };

function run(job: HistoryJob): HistoryJobResult {
  switch (job.kind) {
    case 'restore-delta':
      return { kind: 'restore-delta', delta: computeRestoreDelta(job.live, job.version) };
    case 'diff':
      return { kind: 'diff', diff: diffBlocks(documentBlocks(updateToProseMirror(job.version)), documentBlocks(updateToProseMirror(job.against))) };
  }
}

parentPort?.on('message', ({ id, job }: { id: number; job: HistoryJob }) => {
  let reply: HistoryJobReply;
  try {
    reply = { id, result: run(job) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  parentPort!.postMessage(reply);
});
