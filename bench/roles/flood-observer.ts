/**
 * Child process: one client of the flooded document, reporting when it holds the whole flood.
 * Driven over IPC, see flood-observer-role.ts.
 */
import { connectBenchClient } from '../clients/bench-client.js';
import { waitFor } from '../lib/wait.js';
import { epochNow, reportToParent, runRole } from './child-role.js';
import { type ObserverCommand, type ObserverOptions, type ObserverReport } from './flood-observer-role.js';

function send(report: ObserverReport): void {
  reportToParent(report);
}

async function main(options: ObserverOptions): Promise<void> {
  const client = connectBenchClient(options.kind, options.wsUrl, options.docName, { saveAck: options.saveAck });
  await waitFor(() => client.isSynced, { timeoutMs: 20_000, message: 'flood observer synced' });
  const command = await new Promise<ObserverCommand>((resolve) => {
    process.once('message', (message: ObserverCommand) => resolve(message));
    send({ type: 'ready' });
  });
  const result = await new Promise<ObserverReport>((resolve) => {
    const finish = (completedAt: number | null): void => {
      clearTimeout(timer);
      client.text.unobserve(onChange);
      resolve({ type: 'result', received: client.text.length, completedAt });
    };
    // Checked on every change, so the completion time is when the last keystroke was applied.
    const onChange = (): void => {
      if (client.text.length >= command.length) finish(epochNow());
    };
    const timer = setTimeout(() => finish(null), command.timeoutMs);
    client.text.observe(onChange);
    onChange();
  });
  send(result);
  client.destroy();
  process.disconnect();
}

runRole(main);
