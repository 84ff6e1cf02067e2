import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
