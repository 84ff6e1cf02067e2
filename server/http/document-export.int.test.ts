import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD, getEditorSchema } from '../../shared/editor-schema.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';

const content = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Minutes' }] },
    { type: 'paragraph', content: [{ type: 'text', text: 'Ship ' }, { type: 'text', text: 'Friday', marks: [{ type: 'bold' }] }] },
  ],
};

describe('GET /api/docs/:name', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    server = await startTestServer(['--log-level', 'warn']);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  async function writeDocument(name: string): Promise<TestClient> {
    const client = connectClient(server.wsUrl, name, { saveAck: true });
    clients.push(client);
    await client.synced();
    prosemirrorJSONToYXmlFragment(getEditorSchema(), content, client.doc.getXmlFragment(DOCUMENT_FIELD));
    await waitFor(() => client.savedCount >= 2, { message: 'saved ack for the content' });
    return client;
  }

  async function get(path: string): Promise<{ status: number; type: string; body: string }> {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  }

  it('renders a live document as JSON, HTML and text', async () => {
    await writeDocument('minutes');
    const json = await get('/api/docs/minutes?format=json');
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body)).toEqual(content);
    expect(await get('/api/docs/minutes')).toMatchObject({ status: 200, body: json.body });
    const html = await get('/api/docs/minutes?format=html');
    expect(html).toMatchObject({ status: 200, body: '<h1>Minutes</h1><p>Ship <strong>Friday</strong></p>' });
    expect(html.type).toMatch(/^text\/html/);
    const text = await get('/api/docs/minutes?format=text');
    expect(text).toMatchObject({ status: 200, body: 'Minutes\nShip Friday' });
    expect(text.type).toMatch(/^text\/plain/);
  });

  it('renders a document that is not loaded from the store', async () => {
    const client = await writeDocument('stored');
    client.destroy();
    clients.length = 0;
    await waitFor(() => server.server.registry.peekLoaded('stored') === null, { message: 'room unloaded' });
    await server.restart();
    expect(await get('/api/docs/stored?format=text')).toMatchObject({ status: 200, body: 'Minutes\nShip Friday' });
    expect(server.server.registry.peekLoaded('stored')).toBeNull();
  });

  it('does not write to the live document it reads', async () => {
    const client = await writeDocument('untouched');
    const room = server.server.registry.peekLoaded('untouched')!;
    const before = Y.encodeStateVector(room.doc);
    await get('/api/docs/untouched?format=html');
    expect(Y.encodeStateVector(room.doc)).toEqual(before);
    expect(client.doc.getXmlFragment(DOCUMENT_FIELD).length).toBe(2);
  });

  it('answers bad names, bad formats and unknown documents with JSON errors', async () => {
    await writeDocument('known');
    const cases: Array<[string, number, string]> = [
      ['/api/docs/bad%20name', 400, 'invalid-name'],
      [`/api/docs/${'x'.repeat(129)}`, 400, 'invalid-name'],
      ['/api/docs/known?format=pdf', 400, 'invalid-format'],
      ['/api/docs/known?format=json&format=html', 400, 'invalid-format'],
      ['/api/docs/never-written?format=text', 404, 'not-found'],
    ];
    for (const [path, status, code] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(status);
      expect(JSON.parse(response.body), path).toMatchObject({ error: { code } });
    }
  });

  it('renders a large document without blocking the event loop', async () => {
    // Root cause: the conversion (Yjs → ProseMirror → JSON/HTML/text) ran on the event loop; a
    // 3.7 MB document held it for about a second per export (0.9-1.3 s measured in this test),
    // stalling every document's edits meanwhile; in the worker, 0.1-0.3 s remain.
    const paragraphs = Array.from({ length: 20_000 }, (_, i) => ({
      type: 'paragraph',
      content: [{ type: 'text', text: `Paragraph ${i} `.padEnd(80, 'x') }, { type: 'text', text: ' bold', marks: [{ type: 'bold' }] }],
    }));
    const client = connectClient(server.wsUrl, 'large', { saveAck: true });
    clients.push(client);
    await client.synced();
    prosemirrorJSONToYXmlFragment(getEditorSchema(), { type: 'doc', content: paragraphs }, client.doc.getXmlFragment(DOCUMENT_FIELD));
    const sent = client.sentUpdateMessages;
    await waitFor(() => client.savedCount >= sent, { timeoutMs: 20_000, message: 'large document saved' });

    // The server runs in this process: its event loop is this one.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const html = await get('/api/docs/large?format=html');
    const text = await get('/api/docs/large?format=text');
    delay.disable();
    expect(html.status).toBe(200);
    expect(html.body.startsWith('<p>Paragraph 0 ')).toBe(true);
    expect(text.body.split('\n')).toHaveLength(20_000);
    // Generous: what is left on the loop is encoding the state for the renderer and the response.
    expect(delay.max / 1e6).toBeLessThan(600);
  });

  it('answers 500 render-failed for a document too deep to render, and keeps serving exports', async () => {
    // Server code is trusted with any depth (the nesting limit applies to clients): built
    // through a lease, 10,000 levels overflow the renderer's stack, in its worker thread.
    const lease = await server.server.registry.open('abyss');
    lease.transact((doc) => {
      let parent: Y.XmlFragment | Y.XmlElement = doc.getXmlFragment(DOCUMENT_FIELD);
      for (let level = 0; level < 10_000; level++) {
        const child = new Y.XmlElement('blockquote');
        parent.insert(0, [child]);
        parent = child;
      }
    });
    const failed = await get('/api/docs/abyss?format=html');
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toMatchObject({ error: { code: 'render-failed' } });
    lease.release();
    await writeDocument('after');
    expect(await get('/api/docs/after?format=text')).toMatchObject({ status: 200, body: 'Minutes\nShip Friday' });
  });
});
