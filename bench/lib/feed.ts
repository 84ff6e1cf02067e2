/**
 * Sends a history through a real client with flow control, so setup is as fast as the server
 * accepts it without measuring anything: each update is applied to the client's Y.Doc, which
 * the provider sends as one update message. The window is Tandem's saved acknowledgements, or
 * Hocuspocus's unconfirmed-change count; @y/websocket-server has neither (it is fed offline).
 */
import * as Y from 'yjs';
import type { BenchClient } from '../clients/bench-client.js';
import { isDurable } from './durable.js';
import { waitFor, yieldToLoop } from './wait.js';

export async function feedUpdates(
  client: BenchClient,
  updates: readonly Uint8Array[],
  options: { usesSaveAck: boolean; window: number; timeoutMs: number },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  const outstanding = (): number => (options.usesSaveAck ? client.updatesSent - client.savedCount : client.unconfirmed);
  for (let i = 0; i < updates.length; i++) {
    if (outstanding() >= options.window) {
      await waitFor(() => outstanding() < options.window / 2, {
        timeoutMs: Math.max(1, deadline - performance.now()),
        message: `feeding update ${i}/${updates.length}`,
      });
    } else if (i % 200 === 0) {
      await yieldToLoop();
    }
    Y.applyUpdate(client.doc, updates[i]!);
  }
  await waitFor(() => isDurable(client, options.usesSaveAck), {
    timeoutMs: Math.max(1, deadline - performance.now()),
    message: 'last fed update confirmed',
  });
}
