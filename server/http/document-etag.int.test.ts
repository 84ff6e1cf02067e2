import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';

describe('GET /api/docs/:name formats, Accept and ETag', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    server = await startTestServer(['--log-level', 'warn']);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  async function writeText(name: string, text: string): Promise<TestClient> {
    const client = connectClient(server.wsUrl, name, { saveAck: true });
    clients.push(client);
    await client.synced();
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText(text)]);
    client.doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph]);
    const sent = client.sentUpdateMessages;
    await waitFor(() => client.savedCount >= sent, { message: 'saved ack for the content' });
    return client;
  }

  function firstText(doc: Y.Doc): Y.XmlText {
    return (doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText;
  }

  it('answers format=yjs with the full binary state, which rebuilds the document', async () => {
    await writeText('binary', 'hello');
    const response = await fetch(`${server.url}/api/docs/binary?format=yjs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const copy = new Y.Doc();
    Y.applyUpdate(copy, new Uint8Array(await response.arrayBuffer()));
    expect(firstText(copy).toString()).toBe('hello');
  });

  it('chooses the format from Accept when format= is absent, and 406 when none fits', async () => {
    await writeText('negotiated', 'hi');
    const cases: Array<[string, number, RegExp]> = [
      ['application/json', 200, /^application\/json/],
      ['text/html', 200, /^text\/html/],
      ['text/plain', 200, /^text\/plain/],
      ['application/octet-stream', 200, /^application\/octet-stream/],
      ['text/html;q=0.5, text/plain', 200, /^text\/plain/],
      ['*/*', 200, /^application\/json/],
      ['image/png', 406, /^application\/json/],
    ];
    for (const [accept, status, type] of cases) {
      const response = await fetch(`${server.url}/api/docs/negotiated`, { headers: { accept } });
      expect(response.status, accept).toBe(status);
      expect(response.headers.get('content-type'), accept).toMatch(type);
      if (status === 406) expect(await response.json()).toMatchObject({ error: { code: 'not-acceptable' } });
      else await response.arrayBuffer();
    }
    const explicit = await fetch(`${server.url}/api/docs/negotiated?format=text`, { headers: { accept: 'text/html' } });
    expect(await explicit.text()).toBe('hi');
  });

  it('gives the same ETag for every format, 304 on If-None-Match, and a new ETag after an insert and after a delete', async () => {
    const client = await writeText('tagged', 'abc');
    const etags = new Set<string>();
    for (const format of ['json', 'html', 'text', 'yjs']) {
      const response = await fetch(`${server.url}/api/docs/tagged?format=${format}`);
      await response.arrayBuffer();
      etags.add(response.headers.get('etag') ?? 'missing');
    }
    expect(etags.size).toBe(1);
    const [first] = [...etags] as [string];
    expect(first).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const cached = await fetch(`${server.url}/api/docs/tagged`, { headers: { 'if-none-match': first } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(first);

    firstText(client.doc).insert(3, 'd');
    await waitFor(() => firstText(server.server.registry.peekLoaded('tagged')!.doc).toString() === 'abcd', { message: 'insert reached the server' });
    const afterInsert = (await fetch(`${server.url}/api/docs/tagged`, { headers: { 'if-none-match': first } }));
    expect(afterInsert.status).toBe(200);
    const insertTag = afterInsert.headers.get('etag')!;
    expect(insertTag).not.toBe(first);

    // A deletion adds no clock to the state vector: the delete set must change the tag.
    const vectorBefore = Y.encodeStateVector(server.server.registry.peekLoaded('tagged')!.doc);
    firstText(client.doc).delete(0, 1);
    await waitFor(() => firstText(server.server.registry.peekLoaded('tagged')!.doc).toString() === 'bcd', { message: 'delete reached the server' });
    expect(Y.encodeStateVector(server.server.registry.peekLoaded('tagged')!.doc)).toEqual(vectorBefore);
    const afterDelete = await fetch(`${server.url}/api/docs/tagged`, { headers: { 'if-none-match': insertTag } });
    expect(afterDelete.status).toBe(200);
    expect(afterDelete.headers.get('etag')).not.toBe(insertTag);
  });

  it('gives a document read from the store the same ETag as when it was live', async () => {
    const client = await writeText('reloaded', 'keep');
    firstText(client.doc).delete(0, 2);
    const sent = client.sentUpdateMessages;
    await waitFor(() => client.savedCount >= sent, { message: 'delete saved' });
    const live = (await fetch(`${server.url}/api/docs/reloaded`)).headers.get('etag');
    client.destroy();
    clients.length = 0;
    await waitFor(() => server.server.registry.peekLoaded('reloaded') === null, { message: 'room unloaded' });
    const stored = await fetch(`${server.url}/api/docs/reloaded`);
    expect(await stored.json()).toMatchObject({ type: 'doc' });
    expect(server.server.registry.peekLoaded('reloaded')).toBeNull();
    expect(stored.headers.get('etag')).toBe(live);
  });
});
