import { afterEach, describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';
import type { DocumentLease } from '../room/document-lease.js';
import { startAuthServer, token } from '../test-support/auth-fixtures.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { waitFor } from '../test-support/wait-for.js';

const HTML = '<h1>Minutes</h1><p>Ship <strong>Friday</strong> with <a href="https://example.com">notes</a></p>';
const MARKDOWN = '# Minutes\n\nShip **Friday** with [notes](https://example.com)';
const JSON_DOC = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Minutes' }] },
    {
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Ship ' },
        { type: 'text', text: 'Friday', marks: [{ type: 'bold' }] },
        { type: 'text', text: ' with ' },
        { type: 'text', text: 'notes', marks: [{ type: 'link', attrs: { href: 'https://example.com' } }] },
      ],
    },
  ],
};

/** Marks compared by type and href only: HTML and Markdown links also carry target/rel defaults. */
function normalised(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (key, value: unknown) => {
    if (key !== 'attrs' || !value || typeof value !== 'object') return value;
    if ('href' in value) return { href: value.href };
    return Object.keys(value).length === 0 ? undefined : value;
  }) as unknown;
}

describe('PUT /api/docs/:name and POST /api/docs/:name/append', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  function connect(name: string): TestClient {
    const client = connectClient(server.wsUrl, name, { saveAck: true });
    clients.push(client);
    return client;
  }

  function send(method: 'PUT' | 'POST', path: string, body: string, type: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.url}/api/docs/${path}`, { method, headers: { 'content-type': type, ...headers }, body });
  }

  const put = (name: string, body: string, type: string, headers?: Record<string, string>) => send('PUT', name, body, type, headers);
  const append = (name: string, body: string, type: string, headers?: Record<string, string>) => send('POST', `${name}/append`, body, type, headers);

  async function get(name: string, format: string): Promise<{ status: number; type: string; etag: string | null; body: string }> {
    const response = await fetch(`${server.url}/api/docs/${name}?format=${format}`);
    return { status: response.status, type: response.headers.get('content-type') ?? '', etag: response.headers.get('etag'), body: await response.text() };
  }

  function editorJson(client: TestClient): unknown {
    return yXmlFragmentToProsemirrorJSON(client.doc.getXmlFragment(DOCUMENT_FIELD));
  }

  it.each([
    ['text/html', HTML],
    ['text/markdown', MARKDOWN],
    ['application/json', JSON.stringify(JSON_DOC)],
  ])('PUT %s stores the content: GET json/html/markdown show it and a connected editor sees it live', async (type, body) => {
    server = await startTestServer(['--log-level', 'warn']);
    const editor = connect('minutes');
    await editor.synced();
    const response = await put('minutes', body, type);
    expect(response.status).toBe(200);
    const { etag } = (await response.json()) as { etag: string };
    expect(response.headers.get('etag')).toBe(etag);

    const json = await get('minutes', 'json');
    expect(json.etag).toBe(etag);
    expect(normalised(JSON.parse(json.body))).toEqual(JSON_DOC);
    expect((await get('minutes', 'html')).body).toBe(
      '<h1>Minutes</h1><p>Ship <strong>Friday</strong> with <a target="_blank" rel="noopener noreferrer nofollow" href="https://example.com">notes</a></p>',
    );
    const markdown = await get('minutes', 'markdown');
    expect(markdown.type).toBe('text/markdown; charset=utf-8');
    expect(markdown.body).toBe(MARKDOWN);
    await waitFor(() => JSON.stringify(normalised(editorJson(editor))) === JSON.stringify(JSON_DOC), { message: 'the editor shows the PUT content' });

    // Durably stored: a restart with no client holding a copy reads it back.
    editor.destroy();
    clients.length = 0;
    await server.restart();
    expect(normalised(JSON.parse((await get('minutes', 'json')).body))).toEqual(JSON_DOC);
  });

  it('answers Accept: text/markdown with the Markdown rendering', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    expect((await put('accept', MARKDOWN, 'text/markdown')).status).toBe(200);
    const response = await fetch(`${server.url}/api/docs/accept`, { headers: { accept: 'text/markdown' } });
    expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await response.text()).toBe(MARKDOWN);
  });

  it('round-trips a representative Markdown document: GET markdown of a PUT markdown equals the input', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const sample = [
      '# Plan',
      '',
      '## Goals',
      '',
      'Some **bold**, *italic*, ***both***, ~~struck~~ and `code` with a [link](https://example.com/a?b=1).',
      '',
      '- first',
      '- second',
      '  - nested',
      '',
      '1. one',
      '2. two',
      '',
      '```ts',
      'const x = 1 < 2;',
      '```',
      '',
      '> A quote',
      '',
      '---',
      '',
      'The end.',
    ].join('\n');
    expect((await put('plan', sample, 'text/markdown; charset=utf-8')).status).toBe(200);
    expect((await get('plan', 'markdown')).body).toBe(sample);
  });

  it('accepts the media type and charset in any case, the charset quoted', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    expect((await put('cased', '# Cased', 'Text/Markdown; Charset="UTF-8"')).status).toBe(200);
    expect((await get('cased', 'markdown')).body).toBe('# Cased');
  });

  it('appends the body’s blocks after the existing ones and keeps them', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const editor = connect('log');
    await editor.synced();
    expect((await put('log', '# Log\n\nfirst entry', 'text/markdown')).status).toBe(200);
    await waitFor(() => editor.doc.getXmlFragment(DOCUMENT_FIELD).length === 2, { message: 'put content' });
    const heading = editor.doc.getXmlFragment(DOCUMENT_FIELD).get(0);

    expect((await append('log', '<p>second <em>entry</em></p><ul><li><p>item</p></li></ul>', 'text/html')).status).toBe(200);
    expect((await append('log', JSON.stringify({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'third' }] }] }), 'application/json')).status).toBe(200);
    expect((await get('log', 'markdown')).body).toBe('# Log\n\nfirst entry\n\nsecond *entry*\n\n- item\n\nthird');
    await waitFor(() => editor.doc.getXmlFragment(DOCUMENT_FIELD).length === 5, { message: 'appended blocks live' });
    // The existing blocks kept their Yjs items (nothing was rewritten).
    expect(editor.doc.getXmlFragment(DOCUMENT_FIELD).get(0)).toBe(heading);

    // An empty body appends nothing.
    const before = await get('log', 'markdown');
    const empty = await append('log', '', 'text/markdown');
    expect(empty.status).toBe(200);
    expect(((await empty.json()) as { etag: string }).etag).toBe(before.etag);
    expect((await get('log', 'markdown')).body).toBe(before.body);
  });

  it('PUT keeps the Yjs items of unchanged blocks, and an empty body clears the document', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const editor = connect('diffed');
    await editor.synced();
    expect((await put('diffed', '# Title\n\nkept\n\nold', 'text/markdown')).status).toBe(200);
    await waitFor(() => editor.doc.getXmlFragment(DOCUMENT_FIELD).length === 3, { message: 'first content' });
    const [title, kept] = editor.doc.getXmlFragment(DOCUMENT_FIELD).toArray();
    expect((await put('diffed', '# Title\n\nkept\n\nnew', 'text/markdown')).status).toBe(200);
    await waitFor(() => JSON.stringify(editorJson(editor)).includes('"new"'), { message: 'second content' });
    const after = editor.doc.getXmlFragment(DOCUMENT_FIELD).toArray();
    expect(after[0]).toBe(title);
    expect(after[1]).toBe(kept);

    expect((await put('diffed', '', 'text/markdown')).status).toBe(200);
    expect(JSON.parse((await get('diffed', 'json')).body)).toEqual({ type: 'doc', content: [{ type: 'paragraph' }] });
  });

  it('runs concurrent writes to one document one after the other: two PUTs leave one body, not both; two appends add both once', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const first = Array.from({ length: 300 }, (_, i) => `first ${i}`).join('\n\n');
    const second = Array.from({ length: 300 }, (_, i) => `second ${i}`).join('\n\n');
    const puts = await Promise.all([put('twice', first, 'text/markdown'), put('twice', second, 'text/markdown')]);
    expect(puts.map((response) => response.status)).toEqual([200, 200]);
    expect([first, second]).toContain((await get('twice', 'markdown')).body);

    const appends = await Promise.all([append('twice', 'tail A', 'text/markdown'), append('twice', 'tail B', 'text/markdown')]);
    expect(appends.map((response) => response.status)).toEqual([200, 200]);
    const blocks = (await get('twice', 'markdown')).body.split('\n\n');
    expect(blocks.slice(-2).sort()).toEqual(['tail A', 'tail B']);
    expect(blocks).toHaveLength(302);
  });

  it('applies a PUT with the current If-Match, refuses a stale one with 412 and changes nothing', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const first = await put('guarded', 'one', 'text/markdown');
    const { etag } = (await first.json()) as { etag: string };
    const current = await put('guarded', 'two', 'text/markdown', { 'if-match': etag });
    expect(current.status).toBe(200);
    const { etag: now } = (await current.json()) as { etag: string };

    for (const refused of [await put('guarded', 'three', 'text/markdown', { 'if-match': etag }), await append('guarded', 'three', 'text/markdown', { 'if-match': etag })]) {
      expect(refused.status).toBe(412);
      expect(await refused.json()).toMatchObject({ error: { code: 'precondition-failed' } });
    }
    const after = await get('guarded', 'markdown');
    expect(after.body).toBe('two');
    expect(after.etag).toBe(now);
    expect((await append('guarded', 'three', 'text/markdown', { 'if-match': now })).status).toBe(200);
    expect((await get('guarded', 'markdown')).body).toBe('two\n\nthree');
  });

  it('refuses a stale If-Match checked at apply time when an editor changed the document while the worker ran', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const editor = connect('late');
    await editor.synced();
    const { etag } = (await (await put('late', 'start', 'text/markdown')).json()) as { etag: string };
    await waitFor(() => editor.doc.getXmlFragment(DOCUMENT_FIELD).length === 1, { message: 'start' });
    // The editor types as soon as the write has taken its snapshot (the lease is opened).
    const registry = server.server.registry;
    const open = registry.open.bind(registry);
    registry.open = async (name: string): Promise<DocumentLease> => {
      const lease = await open(name);
      ((editor.doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(5, ' typed');
      await waitFor(() => JSON.stringify(lease.doc.getXmlFragment(DOCUMENT_FIELD).toJSON()).includes('typed'), { message: 'typing reached the server' });
      return lease;
    };
    const refused = await put('late', 'replaced', 'text/markdown', { 'if-match': etag });
    expect(refused.status).toBe(412);
    expect((await get('late', 'markdown')).body).toBe('start typed');
  });

  it('merges an editor typing continuously during a PUT and an append: text typed during each write survives, the written content is there, and all clients converge', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const typist = connect('race');
    const observer = connect('race');
    await typist.synced();
    await observer.synced();
    expect((await put('race', '# Title\n\ntyping:', 'text/markdown')).status).toBe(200);
    await waitFor(() => typist.doc.getXmlFragment(DOCUMENT_FIELD).length === 2, { message: 'seeded' });

    // Server side: which of the typist's tokens the live document held when each write took its
    // snapshot, and when its update was applied.
    const registry = server.server.registry;
    const open = registry.open.bind(registry);
    const writes: Array<{ atSnapshot: Set<string>; atApply: Set<string> | null }> = [];
    const tokensIn = (doc: Y.Doc): Set<string> => new Set(JSON.stringify(doc.getXmlFragment(DOCUMENT_FIELD).toJSON()).match(/t\d+/g) ?? []);
    registry.open = async (name: string): Promise<DocumentLease> => {
      const lease = await open(name);
      const write = { atSnapshot: tokensIn(lease.doc), atApply: null as Set<string> | null };
      writes.push(write);
      const onBefore = (transaction: Y.Transaction): void => {
        if ((transaction.origin as { lease?: unknown } | null)?.lease !== lease) return;
        write.atApply = tokensIn(lease.doc);
        lease.doc.off('beforeTransaction', onBefore);
      };
      lease.doc.on('beforeTransaction', onBefore);
      return lease;
    };

    // The typist types a token every few milliseconds into its paragraph, for the whole test.
    const paragraph = typist.doc.getXmlFragment(DOCUMENT_FIELD).get(1) as Y.XmlElement;
    let typed = 0;
    let typing = true;
    const typeLoop = (async () => {
      while (typing) {
        const text = paragraph.get(0) as Y.XmlText;
        text.insert(text.length, ` t${typed++}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    // Large enough that the worker runs for a while: typing lands during the write.
    const written = Array.from({ length: 1500 }, (_, i) => `Written paragraph ${i} with **bold** text.`).join('\n\n');
    await waitFor(() => typed >= 20, { message: 'typing started' });
    const replaced = await put('race', `# Title\n\ntyping:\n\n${written}`, 'text/markdown');
    expect(replaced.status).toBe(200);
    const appendedBody = Array.from({ length: 500 }, (_, i) => `Appended ${i}.`).join('\n\n');
    const appended = await append('race', appendedBody, 'text/markdown');
    expect(appended.status).toBe(200);
    const typedBefore = typed;
    await waitFor(() => typed >= typedBefore + 20, { message: 'typing after the writes' });
    typing = false;
    await typeLoop;

    // Settled: every client and the server hold the same document.
    const onServer = async (): Promise<string> => {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, new Uint8Array(await (await fetch(`${server.url}/api/docs/race?format=yjs`)).arrayBuffer()));
      return JSON.stringify(yXmlFragmentToProsemirrorJSON(copy.getXmlFragment(DOCUMENT_FIELD)));
    };
    await waitFor(
      async () => {
        const expected = await onServer();
        return JSON.stringify(editorJson(typist)) === expected && JSON.stringify(editorJson(observer)) === expected;
      },
      { timeoutMs: 20_000, message: 'typist, observer and server converge' },
    );

    expect(writes).toHaveLength(2);
    const [putWrite, appendWrite] = writes as [typeof writes[0], typeof writes[0]];
    // The race really happened: tokens reached the server between snapshot and apply.
    const duringPut = [...putWrite.atApply!].filter((t) => !putWrite.atSnapshot.has(t));
    expect(duringPut.length).toBeGreaterThan(0);
    const final = tokensIn(observer.doc);
    // Every token the PUT's snapshot did not hold survived; the ones it held were replaced, as the PUT asked.
    for (let i = 0; i < typed; i++) {
      const t = `t${i}`;
      if (!putWrite.atSnapshot.has(t)) expect(final.has(t), `${t} typed after the PUT's snapshot`).toBe(true);
    }
    for (const t of appendWrite.atSnapshot) expect(final.has(t), `${t} before the append`).toBe(true);

    const markdown = (await get('race', 'markdown')).body;
    const blocks = markdown.split('\n\n');
    expect(blocks[0]).toBe('# Title');
    expect(blocks[1]).toMatch(/^typing:( t\d+)+$/);
    expect(blocks.slice(2, 2 + 1500)).toEqual(Array.from({ length: 1500 }, (_, i) => `Written paragraph ${i} with **bold** text.`));
    expect(blocks.slice(-500)).toEqual(Array.from({ length: 500 }, (_, i) => `Appended ${i}.`));
    expect(blocks).toHaveLength(2 + 1500 + 500);
  });

  it('drops script, iframe, event attributes and javascript: links from HTML and Markdown, keeping their text', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const html =
      '<p onclick="steal()">a<script>alert(1)</script><img src=x onerror="alert(2)"><iframe src="https://evil.example"></iframe>' +
      '<a href="javascript:alert(3)">bad</a> <a href=" JAVASCRIPT:alert(4)">worse</a> <a href="https://ok.example">ok</a></p>';
    expect((await put('hostile', html, 'text/html')).status).toBe(200);
    const stored = (await get('hostile', 'html')).body;
    expect(stored).toBe('<p>abad worse <a target="_blank" rel="noopener noreferrer nofollow" href="https://ok.example">ok</a></p>');
    expect((await append('hostile', '[md](javascript:alert(5)) and [fine](https://ok.example)', 'text/markdown')).status).toBe(200);
    const json = (await get('hostile', 'json')).body;
    for (const word of ['javascript', 'JAVASCRIPT', 'alert', 'script', 'iframe', 'onerror', 'onclick', 'evil']) expect(json).not.toContain(word);
    expect((await get('hostile', 'markdown')).body).toBe('abad worse [ok](https://ok.example)\n\nmd and [fine](https://ok.example)');
  });

  it('answers 400 invalid-content for malformed or unknown JSON, 415 for other types, 413 for a huge body, and stores nothing', async () => {
    server = await startTestServer(['--log-level', 'warn', '--max-message-bytes', '65536']);
    const cases: Array<[string, string, string, number, string]> = [
      ['malformed JSON', '{"type":"doc",', 'application/json', 400, 'invalid-content'],
      ['not a doc', '{"type":"paragraph"}', 'application/json', 400, 'invalid-content'],
      ['unknown node type', '{"type":"doc","content":[{"type":"video"}]}', 'application/json', 400, 'invalid-content'],
      ['text outside a block', '{"type":"doc","content":[{"type":"text","text":"x"}]}', 'application/json', 400, 'invalid-content'],
      ['plain text type', 'hello', 'text/plain', 415, 'unsupported-media-type'],
      ['a Yjs update type', 'hello', 'application/octet-stream', 415, 'unsupported-media-type'],
      ['another charset', 'hello', 'text/markdown; charset=latin1', 415, 'unsupported-media-type'],
      ['a garbled type', 'hello', ';text/markdown', 415, 'unsupported-media-type'],
      ['huge Markdown', 'x'.repeat(70_000), 'text/markdown', 413, 'too-large'],
    ];
    for (const [label, body, type, status, code] of cases) {
      for (const response of [await put('refused', body, type), await append('refused', body, type)]) {
        expect(response.status, label).toBe(status);
        expect(await response.json(), label).toMatchObject({ error: { code } });
      }
    }
    expect((await get('refused', 'json')).status).toBe(404);
  });

  it('answers 403 to a read-only token for PUT and append and stores nothing; a write token may', async () => {
    server = await startAuthServer(['--log-level', 'warn']);
    const reader = await token({ sub: 'r', docs: ['shared:read'] });
    const writer = await token({ sub: 'w', docs: ['shared:write'] });
    for (const response of [
      await put('shared', 'x', 'text/markdown', { authorization: `Bearer ${reader}` }),
      await append('shared', 'x', 'text/markdown', { authorization: `Bearer ${reader}` }),
    ]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect(server.server.registry.peekLoaded('shared')).toBeNull();
    expect((await fetch(`${server.url}/api/docs/shared`, { headers: { authorization: `Bearer ${writer}` } })).status).toBe(404);
    expect((await put('shared', 'x', 'text/markdown', { authorization: `Bearer ${writer}` })).status).toBe(200);
  });

  it('answers 400 invalid-name for bad names', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    for (const name of ['bad%20name', 'x'.repeat(129), 'bad%2Fname']) {
      for (const response of [await put(name, 'x', 'text/markdown'), await append(name, 'x', 'text/markdown')]) {
        expect(response.status, name).toBe(400);
        expect(await response.json(), name).toMatchObject({ error: { code: 'invalid-name' } });
      }
    }
  });

  it('answers a ~1 MB Markdown PUT with the parse and diff off the event loop (figures for the README)', async () => {
    // No compaction in the window: it re-encodes the whole document on this loop after any large
    // edit (the store writer's cost, not this route's).
    server = await startTestServer(['--log-level', 'warn', '--compact-log-bytes', String(64 * 1024 * 1024)]);
    const paragraphs = Array.from({ length: 12_000 }, (_, i) => `Paragraph ${i} with **bold**, *italic* and a [link](https://example.com/${i}).`);
    const body = paragraphs.join('\n\n');
    expect(body.length).toBeGreaterThan(900_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const response = await put('big', body, 'text/markdown');
    const ms = performance.now() - started;
    delay.disable();
    expect(response.status).toBe(200);
    console.log(`PUT ${(body.length / 1e6).toFixed(2)} MB Markdown: answered in ${ms.toFixed(0)} ms, max event-loop stall ${(delay.max / 1e6).toFixed(0)} ms`);
    expect((await get('big', 'text')).body.split('\n')).toHaveLength(12_000);
    // Parsing and diffing (most of the time) run in the worker; this loop applies the ~4 MB of
    // updates (~150,000 Yjs items) in ~256 KiB chunks, one per turn. On the loop, the write would
    // stall it for about as long as the answer takes.
    expect(delay.max / 1e6).toBeLessThan(Math.min(1000, ms * 0.5));
  });
});
