/**
 * Regression: a second SIGINT/SIGTERM during a graceful stop killed the process mid-flush.
 *
 * Root cause: `tandem serve` listened with process.once, so the second signal (Ctrl-C twice, a
 * supervisor repeating its stop signal) met Node's default handling and ended the process at
 * once: clients got no 1012 and edits not yet written were lost. The second signal now only
 * logs that the server is already stopping (server/shutdown-signals.ts); a third exits at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startChildServer, type ChildServer } from './test-support/child-server.js';
import { connectClient, type TestClient } from './test-support/test-client.js';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType } from '../shared/protocol.js';

const DOCUMENTS = 20;
const PASTE = 'p'.repeat(512 * 1024);
const ALREADY_STOPPING = 'already stopping: waiting for pending writes to be stored; a third signal exits at once and loses them';

/**
 * Calls `react` from inside the handler of the child's log line with this message, so that
 * nothing else (such as the clients answering the server's close frames) runs in between.
 */
function onLogLine(child: ChildServer, msg: string, react: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.process.stdout! });
    const listener = (line: string): void => {
      if ((JSON.parse(line) as { msg?: string }).msg !== msg) return;
      lines.off('line', listener);
      react();
      resolve();
    };
    lines.on('line', listener);
    void child.exited.then((exit) => reject(new Error(`the server exited (${JSON.stringify(exit)}) before logging '${msg}'`)));
  });
}

/**
 * Resolves once the server has answered a sync step 1 sent now: each connection's messages are
 * processed in order, so every edit the client sent before it has been applied by then.
 */
function serverHasApplied(client: TestClient): Promise<void> {
  const timeoutMs = 20_000;
  const { provider } = client;
  const original = provider.messageHandlers[MessageType.sync]!;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to sync step 1 within ${timeoutMs} ms`)), timeoutMs);
    provider.messageHandlers[MessageType.sync] = (...args: Parameters<typeof original>) => {
      original(...args);
      provider.messageHandlers[MessageType.sync] = original;
      clearTimeout(timer);
      resolve();
    };
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep1(encoder, client.doc);
    provider.ws!.send(encoding.toUint8Array(encoder));
  });
}

const contentOf = (client: TestClient): string => `${client.doc.getText('paste').toString()}|${client.doc.getText('t').toString()}`;

describe('signals during a graceful stop', () => {
  let dataDir: string;
  const children: ChildServer[] = [];
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  /** One typist per document: a large paste, then a burst of typing. */
  async function editUnderLoad(
    child: ChildServer,
  ): Promise<{ expected: string[]; firstCloseCodes: (number | undefined)[]; pendingAtSignal: () => number }> {
    // Each client's first close is the server's; the provider then retries, and on a loaded
    // machine a retry can still reach the stopping server and close again.
    const firstCloseCodes: (number | undefined)[] = Array.from({ length: DOCUMENTS }, () => undefined);
    const typists = Array.from({ length: DOCUMENTS }, (_, i) => {
      const typist = connectClient(child.wsUrl, `doc-${i}`, { saveAck: true });
      typist.provider.on('connection-close', (event: { code: number } | null) => {
        if (event) firstCloseCodes[i] ??= event.code;
      });
      clients.push(typist);
      return typist;
    });
    await Promise.all(clients.map((client) => client.synced()));
    // A large paste first (in its own type, so typing after it stays cheap), then typing: the
    // paste's writes are still going when the last keystrokes reach the server.
    for (const typist of typists) typist.doc.getText('paste').insert(0, PASTE);
    for (let n = 0; n < 300; n++) {
      for (const typist of typists) typist.doc.getText('t').insert(typist.doc.getText('t').length, String.fromCharCode(97 + (n % 26)));
      if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const expected = typists.map(contentOf);
    // Then the server holds every edit in memory; some of them are still being written.
    await Promise.all(typists.map(serverHasApplied));
    return {
      expected,
      firstCloseCodes,
      pendingAtSignal: () => typists.filter((typist) => typist.savedCount < typist.sentUpdateMessages).length,
    };
  }

  it('a second SIGINT during the flush does not cut it short: exit 0, 1012 for every client, every edit stored', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-sigint-'));
    const child = await startChildServer(['--data-dir', dataDir, '--fsync']);
    children.push(child);
    const { expected, firstCloseCodes, pendingAtSignal } = await editUnderLoad(child);
    const pending = pendingAtSignal();
    // The second one at once, while the flush and the socket closes are still under way.
    const second = onLogLine(child, 'stopping', () => child.process.kill('SIGINT'));
    child.process.kill('SIGINT');
    await second;
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.logLines.filter((line) => line.includes(ALREADY_STOPPING))).toHaveLength(1);
    expect(firstCloseCodes).toEqual(Array.from({ length: DOCUMENTS }, () => 1012));
    // Throw away every client's state: only the store may bring the edits back.
    for (const client of clients.splice(0)) client.destroy();
    const next = await startChildServer(['--data-dir', dataDir]);
    children.push(next);
    const stored = await Promise.all(
      expected.map(async (_, i) => {
        const fresh = connectClient(next.wsUrl, `doc-${i}`);
        clients.push(fresh);
        await fresh.synced();
        return contentOf(fresh);
      }),
    );
    expect(stored.map((text, i) => text === expected[i])).toEqual(expected.map(() => true));
    // Some of what the flush had to store was still unacknowledged at the first signal.
    expect(pending).toBeGreaterThan(0);
  });

  it('a third signal exits at once with code 1, saying so', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-sigint3-'));
    const child = await startChildServer(['--data-dir', dataDir]);
    children.push(child);
    await editUnderLoad(child);
    // Each signal once the previous one has been handled (pending signals of one kind merge).
    const second = onLogLine(child, 'stopping', () => child.process.kill('SIGTERM'));
    const third = onLogLine(child, ALREADY_STOPPING, () => child.process.kill('SIGTERM'));
    child.process.kill('SIGTERM');
    await Promise.all([second, third]);
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.logLines.some((line) => line.includes('exiting at once'))).toBe(true);
  });
});
