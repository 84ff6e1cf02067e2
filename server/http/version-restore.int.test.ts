/**
 * Restore over real HTTP while real WebsocketProvider clients keep typing: the restore is an edit
 * that merges, so the document ends as the version plus what was typed after the restore began.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { paragraphText, plainText, writeParagraphs } from '../test-support/paragraph-docs.js';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';

interface Typist {
  tokens: string[];
  stop(): Promise<void>;
}

/** Appends `[<prefix><n>]` to `text` every few milliseconds until stopped. */
function startTyping(text: Y.XmlText, prefix: string): Typist {
  const tokens: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const token = `[${prefix}${tokens.length}]`;
      tokens.push(token);
      text.insert(text.length, token);
      await new Promise((resolve) => setTimeout(resolve, 5)); // typing cadence, not a wait for a condition
    }
  })();
  return {
    tokens,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('POST /api/docs/:name/versions/:id/restore', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    // A clock nobody advances: no automatic version gets in the way.
    server = await startTestServer(['--log-level', 'warn'], {}, { start: { historyClock: new ManualClock() } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  async function open(name: string): Promise<TestClient> {
    const client = connectClient(server.wsUrl, name);
    clients.push(client);
    await client.synced();
    return client;
  }

  function serverText(name: string): string | null {
    const room = server.server.registry.peekLoaded(name);
    return room ? plainText(room.doc) : null;
  }

  async function getText(path: string): Promise<string> {
    const response = await fetch(`${server.url}/api/docs/${path}`);
    expect(response.status).toBe(200);
    return response.text();
  }

  it('while two other clients type: the document equals the version plus what they typed after the restore began; every client converges', async () => {
    const [author, bea, cal] = [await open('shared'), await open('shared'), await open('shared')];
    writeParagraphs(author.doc, 'one', 'two', 'three');
    await waitFor(() => serverText('shared') === 'one\ntwo\nthree', { message: 'the first draft on the server' });
    const named = await fetch(`${server.url}/api/docs/shared/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'v1' }) });
    expect(named.status).toBe(201);
    const { id: v1 } = (await named.json()) as { id: number };

    author.doc.transact(() => {
      author.doc.getXmlFragment(DOCUMENT_FIELD).delete(1, 1);
      const three = paragraphText(author.doc, 1);
      three.insert(three.length, ' changed');
      writeParagraphs(author.doc, 'four');
    });
    const changed = 'one\nthree changed\nfour';
    await waitFor(() => [serverText('shared'), plainText(bea.doc), plainText(cal.doc)].every((text) => text === changed), { message: 'everyone to hold the change' });

    // Bea types at the end of "one", Cal at the end of "three changed" (their own Y.XmlTexts, held).
    const beaTyping = startTyping(paragraphText(bea.doc, 0), 'b');
    const calTyping = startTyping(paragraphText(cal.doc, 1), 'c');
    await waitFor(() => (serverText('shared') ?? '').includes('[b2]') && (serverText('shared') ?? '').includes('[c2]'), { message: 'typing to reach the server' });
    const restored = await fetch(`${server.url}/api/docs/shared/versions/${v1}/restore`, { method: 'POST' });
    const answer = (await restored.json()) as { etag: string; preRestoreVersion: number; restoredVersion: number };
    expect(restored.status).toBe(200);
    // Typing goes on after the restore too.
    const afterAnswer = [beaTyping.tokens.length + 3, calTyping.tokens.length + 3];
    await waitFor(() => beaTyping.tokens.length >= afterAnswer[0]! && calTyping.tokens.length >= afterAnswer[1]!, { message: 'typing after the restore' });
    await Promise.all([beaTyping.stop(), calTyping.stop()]);

    const lastB = beaTyping.tokens.at(-1)!;
    const lastC = calTyping.tokens.at(-1)!;
    await waitFor(
      () => {
        const texts = [serverText('shared'), plainText(author.doc), plainText(bea.doc), plainText(cal.doc)];
        return texts.every((text) => text === texts[0]) && texts[0]!.includes(lastB) && texts[0]!.includes(lastC);
      },
      { message: 'every client and the server to converge' },
    );

    // What the restore began from: the pre-restore version. Tokens in it were typed before.
    const before = (await getText(`shared/versions/${answer.preRestoreVersion}?format=text`)).split('\n');
    const typedBefore = (tokens: string[], line: string) => tokens.filter((token) => line.includes(token));
    const beaBefore = typedBefore(beaTyping.tokens, before[0]!);
    const calBefore = typedBefore(calTyping.tokens, before[1]!);
    expect(before).toEqual([`one${beaBefore.join('')}`, `three changed${calBefore.join('')}`, 'four']);
    expect(beaBefore.length).toBeGreaterThanOrEqual(3);
    const beaAfter = beaTyping.tokens.slice(beaBefore.length);
    const calAfter = calTyping.tokens.slice(calBefore.length);
    expect(beaAfter.length).toBeGreaterThan(0);
    expect(calAfter.length).toBeGreaterThan(0);

    const expected = `one${beaAfter.join('')}\ntwo\nthree${calAfter.join('')}`;
    expect(plainText(bea.doc)).toBe(expected);
    expect(plainText(cal.doc)).toBe(expected);
    expect(plainText(author.doc)).toBe(expected);
    expect(await getText('shared?format=text')).toBe(expected);

    const { versions } = (await (await fetch(`${server.url}/api/docs/shared/versions`)).json()) as { versions: Array<{ id: number; kind: string; name: string | null }> };
    expect(versions.map((v) => [v.id, v.kind])).toEqual([
      [answer.restoredVersion, 'restore'],
      [answer.preRestoreVersion, 'pre-restore'],
      [v1, 'named'],
    ]);
    expect(versions[0]!.name).toBe(`Restored version ${v1}`);
    // The restore version holds the version's content plus what had arrived by the time the edit applied.
    const restoredLines = (await getText(`shared/versions/${answer.restoredVersion}?format=text`)).split('\n');
    expect(restoredLines).toHaveLength(3);
    expect(restoredLines[1]).toBe('two');
    expect(expected.startsWith(restoredLines[0]!)).toBe(true);
  });

  it('a restore is undone by restoring its pre-restore version, which every editor receives', async () => {
    const [author, other] = [await open('undo'), await open('undo')];
    writeParagraphs(author.doc, 'draft one');
    await waitFor(() => serverText('undo') === 'draft one', { message: 'the draft on the server' });
    const { id } = (await (await fetch(`${server.url}/api/docs/undo/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'one' }) })).json()) as { id: number };
    writeParagraphs(author.doc, 'more work');
    await waitFor(() => plainText(other.doc) === 'draft one\nmore work', { message: 'the other editor to see the work' });
    const restored = (await (await fetch(`${server.url}/api/docs/undo/versions/${id}/restore`, { method: 'POST' })).json()) as { preRestoreVersion: number };
    await waitFor(() => plainText(other.doc) === 'draft one', { message: 'the restore to reach the other editor' });
    expect((await fetch(`${server.url}/api/docs/undo/versions/${restored.preRestoreVersion}/restore`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => [plainText(other.doc), plainText(author.doc), serverText('undo')].every((text) => text === 'draft one\nmore work'), { message: 'the undo to reach everyone' });
  });

  it('restores a document nobody has open, and the restored content survives a restart', async () => {
    const author = await open('quiet-doc');
    writeParagraphs(author.doc, 'kept', 'draft');
    await waitFor(() => serverText('quiet-doc') === 'kept\ndraft', { message: 'the draft on the server' });
    const { id } = (await (await fetch(`${server.url}/api/docs/quiet-doc/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'draft' }) })).json()) as { id: number };
    author.doc.getXmlFragment(DOCUMENT_FIELD).delete(1, 1);
    await waitFor(() => serverText('quiet-doc') === 'kept', { message: 'the deletion on the server' });
    author.destroy();
    await waitFor(() => server.server.registry.peekLoaded('quiet-doc') === null, { message: 'the document to unload' });

    const restored = await fetch(`${server.url}/api/docs/quiet-doc/versions/${id}/restore`, { method: 'POST' });
    expect(restored.status).toBe(200);
    await server.restart();
    expect(await getText('quiet-doc?format=text')).toBe('kept\ndraft');
    const reader = await open('quiet-doc');
    await waitFor(() => plainText(reader.doc) === 'kept\ndraft', { message: 'a new client to load the restored content' });
  });
});
