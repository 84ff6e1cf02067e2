/**
 * Child process: one writer types a character every `intervalMs` into a document that four
 * readers watch, and the write→receive latencies are sampled. It runs in its own process so its
 * measurements are not delayed by whatever the parent's clients are busy with (a flood's client
 * work would otherwise show up as "server latency"). Driven over IPC, see calm-document-role.ts.
 */
import { connectBenchClient } from '../clients/bench-client.js';
import { LatencyRecorder } from '../lib/latency-recorder.js';
import { sleep, waitFor } from '../lib/wait.js';
import type { CalmCommand, CalmOptions, CalmReport } from './calm-document-role.js';
import { reportToParent, runRole } from './child-role.js';

const READERS = 4;

function send(message: CalmReport): void {
  reportToParent(message);
}

async function main(options: CalmOptions): Promise<void> {
  const connect = (): ReturnType<typeof connectBenchClient> =>
    connectBenchClient(options.kind, options.wsUrl, options.docName, { saveAck: options.saveAck });
  const writer = connect();
  const readers = Array.from({ length: READERS }, connect);
  await waitFor(() => [writer, ...readers].every((client) => client.isSynced), {
    timeoutMs: 20_000,
    message: 'calm-document clients synced',
  });
  const recorder = new LatencyRecorder(writer, readers);
  let running = true;
  let stopped: ((censored: number) => void) | null = null;
  const finished = new Promise<number>((resolve) => (stopped = resolve));

  process.on('message', (command: CalmCommand) => {
    if (command.type === 'measure') recorder.startMeasuring();
    if (command.type === 'stop') {
      running = false;
      stopped?.(recorder.stop());
    }
  });
  send({ type: 'ready' });
  const start = performance.now();
  for (let i = 0; running; i++) {
    const wait = start + i * options.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    if (running) recorder.write();
  }
  const censored = await finished;
  send({ type: 'result', samples: recorder.samples, censored, edits: recorder.edits });
  for (const client of [writer, ...readers]) client.destroy();
  process.disconnect();
}

runRole(main);
