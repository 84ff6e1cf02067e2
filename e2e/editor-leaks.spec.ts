/**
 * destroy() frees everything: 50 editors created, connected and destroyed one after another in
 * one page leave no WebSocket open (in the page or on the server), no listener on window or
 * document, and nothing that keeps their Y.Doc, TipTap editor or provider alive: after a forced
 * garbage collection every one of them is collected. A leak of any of these (a listener left on
 * the awareness, a timer of the provider, a global registry) keeps all 50 alive.
 */
import { describe, expect, it } from 'vitest';
import type { CDPSession } from 'playwright-core';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS } from './support/editor-page.js';
import { openLibraryPage, readRecord, recordSockets } from './support/library-page.js';

const h = useHarness();
const CYCLES = 50;

interface LeakWindow {
  tandemLib: typeof import('../client/index.js');
  leakRefs: Array<WeakRef<object>>;
}

/** Listeners on window and document, by CDP (what getEventListeners shows in DevTools). */
async function globalListenerCount(cdp: CDPSession): Promise<number> {
  let total = 0;
  for (const expression of ['window', 'document']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
    total += listeners.length;
  }
  return total;
}

describe('editor lifecycle', () => {
  it(`frees sockets, listeners and memory across ${CYCLES} create/destroy cycles`, async () => {
    const doc = `leaks-${Date.now().toString(36)}`;
    const { page } = await h.newUser('Leak Tester');
    await recordSockets(page);
    await openLibraryPage(page, h.server.url);
    const cdp = await page.context().newCDPSession(page);
    const listenersBefore = await globalListenerCount(cdp);

    await page.evaluate(
      async ({ doc, cycles, deadline }) => {
        const leak = window as unknown as LeakWindow;
        leak.leakRefs = [];
        for (let cycle = 0; cycle < cycles; cycle++) {
          const host = document.createElement('div');
          document.body.append(host);
          const tandem = leak.tandemLib.createEditor({ element: host, serverUrl: location.origin, document: doc, user: { name: `Cycle ${cycle}` } });
          // Really connected and synced, so every part (socket, awareness, IndexedDB) was in use.
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`cycle ${cycle}: not connected within ${deadline} ms`)), deadline);
            const check = (status: { connection: string; save: string }): void => {
              if (status.connection === 'connected' && tandem.provider.synced) {
                clearTimeout(timer);
                stop();
                resolve();
              }
            };
            const stop = tandem.onStatus(check);
            tandem.provider.once('sync', () => check(tandem.status));
            check(tandem.status);
          });
          if (cycle === 0) tandem.editor.commands.insertContent('Written in the first cycle.');
          leak.leakRefs.push(new WeakRef(tandem.ydoc), new WeakRef(tandem.editor), new WeakRef(tandem.provider), new WeakRef(host));
          tandem.destroy();
          host.remove();
        }
      },
      { doc, cycles: CYCLES, deadline: DEADLINE_MS },
    );

    // Sockets: all closed, in the page and on the server.
    await expect.poll(async () => (await readRecord(page)).socketsLive, { timeout: DEADLINE_MS }).toBe(0);
    expect((await readRecord(page)).socketsOpened).toBe(CYCLES);
    await expect.poll(() => h.server.documentText(doc), { timeout: DEADLINE_MS }).toBe('Written in the first cycle.');

    // Listeners on window and document: as many as before the first editor.
    expect(await globalListenerCount(cdp)).toBe(listenersBefore);

    // Memory: nothing keeps a destroyed editor's parts alive. WeakRefs are cleared by a full GC
    // once the task that last touched them is over; IndexedDB closes asynchronously, so allow
    // a few collections.
    let alive = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 10 && alive > 0; attempt++) {
      await cdp.send('HeapProfiler.collectGarbage');
      alive = await page.evaluate(() => (window as unknown as LeakWindow).leakRefs.filter((ref) => ref.deref() !== undefined).length);
    }
    expect(alive).toBe(0);
  });
});
