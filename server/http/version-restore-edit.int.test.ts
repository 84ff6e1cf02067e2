/**
 * A restore applied by the restoring editor (`…/restore-edit`, then `…/restore-edit/applied`):
 * the server records the pre-restore version and hands out the edit without applying it; the
 * editor applies it as its own tracked edit, so its Yjs undo manager can undo it, and the
 * document still merges with what others type meanwhile.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { paragraphText, plainText, writeParagraphs } from '../test-support/paragraph-docs.js';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';

const LOCAL = Symbol('restoring editor');

describe('POST /api/docs/:name/versions/:id/restore-edit', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
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
  const serverText = (name: string): string | null => {
    const room = server.server.registry.peekLoaded(name);
    return room ? plainText(room.doc) : null;
  };
  const post = (path: string, body?: unknown): Promise<Response> =>
    fetch(`${server.url}/api/docs/${path}`, { method: 'POST', ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });

  it('records the pre-restore version and changes nothing; the applied edit merges with typing, is recorded as a restore version, and the restorer’s undo brings the pre-restore content back everywhere', async () => {
    const [restorer, typist] = [await open('edit'), await open('edit')];
    writeParagraphs(restorer.doc, 'one', 'two');
    await waitFor(() => serverText('edit') === 'one\ntwo', { message: 'the draft on the server' });
    const { id: v1 } = (await (await post('edit/versions', { name: 'v1' })).json()) as { id: number };
    writeParagraphs(typist.doc, 'three');
    const preRestore = 'one\ntwo\nthree';
    await waitFor(() => [serverText('edit'), plainText(restorer.doc)].every((text) => text === preRestore), { message: 'the later work everywhere' });

    const begun = await post(`edit/versions/${v1}/restore-edit`);
    expect(begun.status).toBe(200);
    const { preRestoreVersion, update } = (await begun.json()) as { preRestoreVersion: number; update: string };
    expect(serverText('edit')).toBe(preRestore);

    const undo = new Y.UndoManager(restorer.doc.getXmlFragment(DOCUMENT_FIELD), { trackedOrigins: new Set([LOCAL]) });
    Y.applyUpdate(restorer.doc, new Uint8Array(Buffer.from(update, 'base64')), LOCAL);
    expect(plainText(restorer.doc)).toBe('one\ntwo');
    // Typed after the restore began, concurrently with it.
    const one = paragraphText(typist.doc, 0);
    one.insert(one.length, '!');
    await waitFor(() => [serverText('edit'), plainText(restorer.doc), plainText(typist.doc)].every((text) => text === 'one!\ntwo'), { message: 'the restore and the typing everywhere' });

    const applied = await post(`edit/versions/${v1}/restore-edit/applied`);
    expect(applied.status).toBe(201);
    const restoreVersion = (await applied.json()) as { id: number; kind: string; name: string };
    expect(restoreVersion).toMatchObject({ kind: 'restore', name: `Restored version ${v1}` });
    expect(await (await fetch(`${server.url}/api/docs/edit/versions/${restoreVersion.id}?format=text`)).text()).toBe('one!\ntwo');
    expect(await (await fetch(`${server.url}/api/docs/edit/versions/${preRestoreVersion}?format=text`)).text()).toBe(preRestore);

    expect(undo.undoStack).toHaveLength(1);
    undo.undo();
    await waitFor(() => [serverText('edit'), plainText(restorer.doc), plainText(typist.doc)].every((text) => text === 'one!\ntwo\nthree'), { message: 'the undo everywhere, the typing kept' });
    undo.destroy();
  });

  it('answers 404 for an unknown version and 400 for a bad id, recording nothing', async () => {
    const author = await open('bad');
    writeParagraphs(author.doc, 'text');
    await waitFor(() => serverText('bad') === 'text', { message: 'the text on the server' });
    expect((await post('bad/versions/999/restore-edit')).status).toBe(404);
    expect((await post('bad/versions/x/restore-edit')).status).toBe(400);
    expect((await post('bad/versions/999/restore-edit/applied')).status).toBe(404);
    const { versions } = (await (await fetch(`${server.url}/api/docs/bad/versions`)).json()) as { versions: unknown[] };
    expect(versions).toEqual([]);
  });
});
