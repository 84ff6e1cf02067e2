import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD, getEditorSchema } from '../shared/editor-schema.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';

const content = {
  type: 'doc',
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Before the attack' }] }],
};

/** A bulleted list nested `levels` deep: each item holds a paragraph and the next list. */
function nestedList(levels: number): Record<string, unknown> {
  let list: Record<string, unknown> | null = null;
  for (let level = levels; level >= 1; level--) {
    const paragraph = { type: 'paragraph', content: [{ type: 'text', text: `level ${level}` }] };
    list = { type: 'bulletList', content: [{ type: 'listItem', content: list ? [paragraph, list] : [paragraph] }] };
  }
  return { type: 'doc', content: [list!] };
}

function syncUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

function documentJson(doc: Y.Doc): unknown {
  return yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(DOCUMENT_FIELD), getEditorSchema()).toJSON();
}

describe('nesting depth', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    pool.destroyAll();
    await server.dispose();
  });

  async function get(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: await response.text() };
  }

  it('refuses an update nesting 10,000 blocks with 1007 before applying it; fresh clients and exports still work', async () => {
    // Root cause: nothing bounded how deep Y types nest. Yjs, y-prosemirror and the HTML renderer
    // all recurse per level, so a 10,000-deep document made every export fail with 500 and
    // deleting its outer block threw inside Yjs halfway, leaving the live document half changed.
    const writer = pool.connect('deep', { saveAck: true });
    await writer.synced();
    prosemirrorJSONToYXmlFragment(getEditorSchema(), content, writer.doc.getXmlFragment(DOCUMENT_FIELD));
    const sent = writer.sentUpdateMessages;
    await waitFor(() => writer.savedCount >= sent, { message: 'content saved' });

    // The attacker builds on the real document: a blockquote inside a blockquote, 10,000 times.
    const attack = new Y.Doc();
    Y.applyUpdate(attack, Y.encodeStateAsUpdate(writer.doc));
    const before = Y.encodeStateVector(attack);
    attack.transact(() => {
      let parent: Y.XmlFragment | Y.XmlElement = attack.getXmlFragment(DOCUMENT_FIELD);
      for (let level = 0; level < 10_000; level++) {
        const child = new Y.XmlElement('blockquote');
        parent.insert(parent.length, [child]);
        parent = child;
      }
      parent.insert(0, [new Y.XmlElement('paragraph')]);
    });
    const deep = Y.encodeStateAsUpdate(attack, before);

    const socket = new WebSocket(`${server.wsUrl}/deep`);
    sockets.push(socket);
    socket.on('error', () => undefined);
    let closeCode = 0;
    socket.on('close', (code) => (closeCode = code));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(syncUpdateFrame(deep));
    await waitFor(() => closeCode !== 0, { message: 'attacker closed' });
    expect(closeCode).toBe(1007);
    expect(server.logs.filter((line) => line.doc === 'deep' && line.code === 1007)).toHaveLength(1);

    // Nothing of it reached the document: the writer, a fresh client and the exports agree.
    const fresh = pool.connect('deep');
    await fresh.synced();
    expect(documentJson(fresh.doc)).toEqual(content);
    expect(documentJson(writer.doc)).toEqual(content);
    for (const format of ['json', 'html', 'text']) {
      expect((await get(`/api/docs/deep?format=${format}`)).status).toBe(200);
    }
    expect(JSON.parse((await get('/api/docs/deep?format=json')).body)).toEqual(content);
  });

  it('keeps a bulleted list nested 40 levels deep from an editor client, through a restart', async () => {
    const list = nestedList(40);
    const writer = pool.connect('lists', { saveAck: true });
    await writer.synced();
    prosemirrorJSONToYXmlFragment(getEditorSchema(), list, writer.doc.getXmlFragment(DOCUMENT_FIELD));
    const sent = writer.sentUpdateMessages;
    await waitFor(() => writer.savedCount >= sent, { message: 'list saved' });
    expect(writer.provider.wsconnected).toBe(true);
    pool.destroyAll();
    await server.restart();
    const fresh = pool.connect('lists');
    await fresh.synced();
    expect(documentJson(fresh.doc)).toEqual(list);
    const exported = await get('/api/docs/lists?format=json');
    expect(exported.status).toBe(200);
    expect(JSON.parse(exported.body)).toEqual(list);
  });
});
