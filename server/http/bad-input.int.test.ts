/**
 * Every /api route against bad input: bad names, formats and bodies, corrupt Yjs updates, huge
 * bodies, wrong methods, missing, foreign and read-only tokens. Each row must get a 4xx JSON
 * `{ error: { code, message } }`, store nothing (the seeded document keeps its ETag, no other
 * document appears, no revocation is recorded), and two live editors connected throughout must
 * still converge afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';
import { startAuthServer, token } from '../test-support/auth-fixtures.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import type { TestServer } from '../test-support/test-server.js';
import { waitFor } from '../test-support/wait-for.js';

type Caller = 'none' | 'writer' | 'reader' | 'foreign' | 'admin' | 'lister';
type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

interface Row {
  name: string;
  method: Method;
  path: string;
  as: Caller;
  type?: string;
  body?: Uint8Array | string | (() => Uint8Array | string);
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const MAX_BYTES = 65_536;
const SEEDED = 'victim';

/** A Yjs update nesting `levels` XmlElements: more than the 128 levels a document may have. */
function deepUpdate(levels: number): Uint8Array {
  const doc = new Y.Doc();
  let parent: Y.XmlFragment | Y.XmlElement = doc.getXmlFragment(DOCUMENT_FIELD);
  for (let level = 0; level < levels; level++) {
    const child = new Y.XmlElement('blockquote');
    parent.insert(0, [child]);
    parent = child;
  }
  return Y.encodeStateAsUpdate(doc);
}

/** An update from a client the document has never seen, continuing at clock 5. */
function updateWithMissingDependencies(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'abcdefghij');
  return Y.diffUpdate(Y.encodeStateAsUpdate(doc), Y.encodeStateVector(((): Y.Doc => {
    const prefix = new Y.Doc();
    prefix.clientID = doc.clientID;
    prefix.getText('t').insert(0, 'abcde');
    return prefix;
  })()));
}

const json = (value: unknown): string => JSON.stringify(value);
const nestedJson = (levels: number): string =>
  '{"type":"doc","content":[' + '{"type":"blockquote","content":['.repeat(levels - 1) + '{"type":"paragraph"}' + ']}'.repeat(levels - 1) + ']}';
const notUtf8 = new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0xfd]);
const huge = 'x'.repeat(MAX_BYTES + 1024);
const validUpdate = (): Uint8Array => {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'should not land');
  return Y.encodeStateAsUpdate(doc);
};

const MD = 'text/markdown';
const OCTETS = 'application/octet-stream';
const JSON_TYPE = 'application/json';

/** For every content write route (PUT /:name and POST /:name/append): the same body errors. */
function contentRows(method: 'PUT' | 'POST', suffix: string): Row[] {
  const path = `/api/docs/${SEEDED}${suffix}`;
  const label = `${method} /api/docs/:name${suffix}`;
  return [
    { name: `${label} without a token`, method, path, as: 'none', type: MD, body: 'x', status: 401, code: 'missing-token' },
    { name: `${label} with a garbage token`, method, path, as: 'none', type: MD, body: 'x', headers: { authorization: 'Bearer not.a.jwt' }, status: 401, code: 'invalid-token' },
    { name: `${label} with a read-only token`, method, path, as: 'reader', type: MD, body: 'x', status: 403, code: 'forbidden' },
    { name: `${label} with a token for another document`, method, path, as: 'foreign', type: MD, body: 'x', status: 403, code: 'forbidden' },
    { name: `${label} with a bad name`, method, path: `/api/docs/bad%20name${suffix}`, as: 'writer', type: MD, body: 'x', status: 400, code: 'invalid-name' },
    { name: `${label} with a 129-character name`, method, path: `/api/docs/${'n'.repeat(129)}${suffix}`, as: 'writer', type: MD, body: 'x', status: 400, code: 'invalid-name' },
    { name: `${label} as text/plain`, method, path, as: 'writer', type: 'text/plain', body: 'x', status: 415, code: 'unsupported-media-type' },
    { name: `${label} without a Content-Type`, method, path, as: 'writer', body: () => new Uint8Array([0x78]), status: 415, code: 'unsupported-media-type' },
    { name: `${label} as Markdown in latin1`, method, path, as: 'writer', type: 'text/markdown; charset=latin1', body: 'x', status: 415, code: 'unsupported-media-type' },
    { name: `${label} with a Yjs update`, method, path, as: 'writer', type: OCTETS, body: validUpdate, status: 415, code: 'unsupported-media-type' },
    { name: `${label} with malformed JSON`, method, path, as: 'writer', type: JSON_TYPE, body: '{"type":"doc","content":[', status: 400, code: 'invalid-content' },
    { name: `${label} with JSON that is not a doc`, method, path, as: 'writer', type: JSON_TYPE, body: json({ type: 'paragraph' }), status: 400, code: 'invalid-content' },
    { name: `${label} with JSON null`, method, path, as: 'writer', type: JSON_TYPE, body: 'null', status: 400, code: 'invalid-content' },
    { name: `${label} with an unknown node type`, method, path, as: 'writer', type: JSON_TYPE, body: json({ type: 'doc', content: [{ type: 'iframe' }] }), status: 400, code: 'invalid-content' },
    { name: `${label} with an unknown mark type`, method, path, as: 'writer', type: JSON_TYPE, body: json({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'script' }] }] }] }), status: 400, code: 'invalid-content' },
    { name: `${label} with content the schema forbids there`, method, path, as: 'writer', type: JSON_TYPE, body: json({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'paragraph' }] }] }), status: 400, code: 'invalid-content' },
    { name: `${label} with JSON nested 200 levels`, method, path, as: 'writer', type: JSON_TYPE, body: nestedJson(200), status: 400, code: 'too-deeply-nested' },
    { name: `${label} with HTML nested 200 levels`, method, path, as: 'writer', type: 'text/html', body: '<blockquote>'.repeat(200) + '<p>x</p>', status: 400, code: 'too-deeply-nested' },
    { name: `${label} with Markdown nested 200 levels`, method, path, as: 'writer', type: MD, body: '>'.repeat(200) + ' x', status: 400, code: 'too-deeply-nested' },
    { name: `${label} with Markdown that is not UTF-8`, method, path, as: 'writer', type: MD, body: () => notUtf8, status: 400, code: 'invalid-content' },
    { name: `${label} with HTML that is not UTF-8`, method, path, as: 'writer', type: 'text/html', body: () => notUtf8, status: 400, code: 'invalid-content' },
    { name: `${label} with a body over the limit`, method, path, as: 'writer', type: MD, body: huge, status: 413, code: 'too-large' },
    { name: `${label} with a stale If-Match`, method, path, as: 'writer', type: MD, body: 'x', headers: { 'if-match': '"stale"' }, status: 412, code: 'precondition-failed' },
  ];
}

const ROWS: Row[] = [
  // GET/HEAD/other methods on the list.
  { name: 'GET /api/docs without a token', method: 'GET', path: '/api/docs', as: 'none', status: 401, code: 'missing-token' },
  { name: 'GET /api/docs?limit=0', method: 'GET', path: '/api/docs?limit=0', as: 'lister', status: 400, code: 'invalid-limit' },
  { name: 'GET /api/docs?limit=abc', method: 'GET', path: '/api/docs?limit=abc', as: 'lister', status: 400, code: 'invalid-limit' },
  { name: 'GET /api/docs?limit=100000', method: 'GET', path: '/api/docs?limit=100000', as: 'lister', status: 400, code: 'invalid-limit' },
  { name: 'GET /api/docs?cursor=garbage', method: 'GET', path: '/api/docs?cursor=garbage', as: 'lister', status: 400, code: 'invalid-cursor' },
  { name: 'HEAD /api/docs?limit=0', method: 'HEAD', path: '/api/docs?limit=0', as: 'lister', status: 400, code: 'invalid-limit' },
  { name: 'PUT /api/docs (no such route)', method: 'PUT', path: '/api/docs', as: 'writer', type: MD, body: 'x', status: 404, code: 'not-found' },
  { name: 'POST /api/docs (no such route)', method: 'POST', path: '/api/docs', as: 'writer', type: MD, body: 'x', status: 404, code: 'not-found' },
  { name: 'DELETE /api/docs (no such route)', method: 'DELETE', path: '/api/docs', as: 'writer', status: 404, code: 'not-found' },

  // GET/HEAD/DELETE/other methods on a document.
  { name: 'GET /api/docs/:name without a token', method: 'GET', path: `/api/docs/${SEEDED}`, as: 'none', status: 401, code: 'missing-token' },
  { name: 'GET /api/docs/:name with a token for another document', method: 'GET', path: `/api/docs/${SEEDED}`, as: 'foreign', status: 403, code: 'forbidden' },
  { name: 'GET /api/docs/:name with a bad name', method: 'GET', path: '/api/docs/bad%20name', as: 'reader', status: 400, code: 'invalid-name' },
  { name: 'GET /api/docs/:name?format=pdf', method: 'GET', path: `/api/docs/${SEEDED}?format=pdf`, as: 'reader', status: 400, code: 'invalid-format' },
  { name: 'GET /api/docs/:name with two formats', method: 'GET', path: `/api/docs/${SEEDED}?format=json&format=markdown`, as: 'reader', status: 400, code: 'invalid-format' },
  { name: 'GET /api/docs/:name with Accept: image/png', method: 'GET', path: `/api/docs/${SEEDED}`, as: 'reader', headers: { accept: 'image/png' }, status: 406, code: 'not-acceptable' },
  { name: 'GET /api/docs/:name of a document never written', method: 'GET', path: '/api/docs/never-written?format=markdown', as: 'lister', status: 404, code: 'not-found' },
  { name: 'HEAD /api/docs/:name with a bad name', method: 'HEAD', path: '/api/docs/bad%20name', as: 'reader', status: 400, code: 'invalid-name' },
  { name: 'HEAD /api/docs/:name?format=pdf', method: 'HEAD', path: `/api/docs/${SEEDED}?format=pdf`, as: 'reader', status: 400, code: 'invalid-format' },
  { name: 'DELETE /api/docs/:name without a token', method: 'DELETE', path: `/api/docs/${SEEDED}`, as: 'none', status: 401, code: 'missing-token' },
  { name: 'DELETE /api/docs/:name with a read-only token', method: 'DELETE', path: `/api/docs/${SEEDED}`, as: 'reader', status: 403, code: 'forbidden' },
  { name: 'DELETE /api/docs/:name with a bad name', method: 'DELETE', path: '/api/docs/bad%20name', as: 'writer', status: 400, code: 'invalid-name' },
  { name: 'DELETE /api/docs/:name of a document never written', method: 'DELETE', path: '/api/docs/never-written', as: 'lister', status: 403, code: 'forbidden' },
  { name: 'POST /api/docs/:name (no such route)', method: 'POST', path: `/api/docs/${SEEDED}`, as: 'writer', type: MD, body: 'x', status: 404, code: 'not-found' },
  { name: 'PATCH /api/docs/:name (no such route)', method: 'PATCH', path: `/api/docs/${SEEDED}`, as: 'writer', type: MD, body: 'x', status: 404, code: 'not-found' },
  ...contentRows('PUT', ''),

  // POST …/updates and other methods on it.
  { name: 'POST /updates without a token', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'none', type: OCTETS, body: validUpdate, status: 401, code: 'missing-token' },
  { name: 'POST /updates with a read-only token', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'reader', type: OCTETS, body: validUpdate, status: 403, code: 'forbidden' },
  { name: 'POST /updates with a bad name', method: 'POST', path: '/api/docs/bad%20name/updates', as: 'writer', type: OCTETS, body: validUpdate, status: 400, code: 'invalid-name' },
  { name: 'POST /updates with a corrupt update', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01]), status: 400, code: 'invalid-update' },
  { name: 'POST /updates with an empty body', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: () => new Uint8Array(0), status: 400, code: 'invalid-update' },
  { name: 'POST /updates with a truncated update', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: () => validUpdate().subarray(0, 8), status: 400, code: 'invalid-update' },
  { name: 'POST /updates with missing dependencies', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: updateWithMissingDependencies, status: 409, code: 'missing-dependencies' },
  { name: 'POST /updates nesting 200 levels', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: () => deepUpdate(200), status: 400, code: 'too-deeply-nested' },
  { name: 'POST /updates as JSON', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: JSON_TYPE, body: '{}', status: 415, code: 'unsupported-media-type' },
  { name: 'POST /updates over the limit', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: () => new Uint8Array(MAX_BYTES + 1024), status: 413, code: 'too-large' },
  { name: 'POST /updates with a stale If-Match', method: 'POST', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: validUpdate, headers: { 'if-match': '"stale"' }, status: 412, code: 'precondition-failed' },
  { name: 'GET /updates (no such route)', method: 'GET', path: `/api/docs/${SEEDED}/updates`, as: 'reader', status: 404, code: 'not-found' },
  { name: 'HEAD /updates (no such route)', method: 'HEAD', path: `/api/docs/${SEEDED}/updates`, as: 'reader', status: 404, code: 'not-found' },
  { name: 'PUT /updates (no such route)', method: 'PUT', path: `/api/docs/${SEEDED}/updates`, as: 'writer', type: OCTETS, body: validUpdate, status: 404, code: 'not-found' },
  { name: 'DELETE /updates (no such route)', method: 'DELETE', path: `/api/docs/${SEEDED}/updates`, as: 'writer', status: 404, code: 'not-found' },

  // POST …/append and other methods on it.
  ...contentRows('POST', '/append'),
  { name: 'GET /append (no such route)', method: 'GET', path: `/api/docs/${SEEDED}/append`, as: 'reader', status: 404, code: 'not-found' },
  { name: 'HEAD /append (no such route)', method: 'HEAD', path: `/api/docs/${SEEDED}/append`, as: 'reader', status: 404, code: 'not-found' },
  { name: 'PUT /append (no such route)', method: 'PUT', path: `/api/docs/${SEEDED}/append`, as: 'writer', type: MD, body: 'x', status: 404, code: 'not-found' },
  { name: 'DELETE /append (no such route)', method: 'DELETE', path: `/api/docs/${SEEDED}/append`, as: 'writer', status: 404, code: 'not-found' },

  // The admin API.
  { name: 'POST /api/admin/revoke without a token', method: 'POST', path: '/api/admin/revoke', as: 'none', type: JSON_TYPE, body: json({ sub: 'mallory' }), status: 401, code: 'missing-token' },
  { name: 'POST /api/admin/revoke with a writer token', method: 'POST', path: '/api/admin/revoke', as: 'writer', type: JSON_TYPE, body: json({ sub: 'mallory' }), status: 403, code: 'not-admin' },
  { name: 'POST /api/admin/revoke with malformed JSON', method: 'POST', path: '/api/admin/revoke', as: 'admin', type: JSON_TYPE, body: '{"sub":', status: 400, code: 'bad-request' },
  { name: 'POST /api/admin/revoke with neither sub nor doc', method: 'POST', path: '/api/admin/revoke', as: 'admin', type: JSON_TYPE, body: '{}', status: 400, code: 'bad-request' },
  { name: 'POST /api/admin/revoke with a numeric sub', method: 'POST', path: '/api/admin/revoke', as: 'admin', type: JSON_TYPE, body: json({ sub: 42 }), status: 400, code: 'bad-request' },
  { name: 'POST /api/admin/revoke with a bad document name', method: 'POST', path: '/api/admin/revoke', as: 'admin', type: JSON_TYPE, body: json({ doc: '../etc' }), status: 400, code: 'bad-request' },
  { name: 'POST /api/admin/revoke over its body limit', method: 'POST', path: '/api/admin/revoke', as: 'admin', type: JSON_TYPE, body: json({ sub: 'x'.repeat(20_000) }), status: 413, code: 'too-large' },
  { name: 'GET /api/admin/revoke (no such route)', method: 'GET', path: '/api/admin/revoke', as: 'admin', status: 404, code: 'not-found' },
  { name: 'HEAD /api/admin/revoke (no such route)', method: 'HEAD', path: '/api/admin/revoke', as: 'admin', status: 404, code: 'not-found' },
  { name: 'PUT /api/admin/revoke (no such route)', method: 'PUT', path: '/api/admin/revoke', as: 'admin', type: JSON_TYPE, body: json({ sub: 'mallory' }), status: 404, code: 'not-found' },
  { name: 'DELETE /api/admin/revoke (no such route)', method: 'DELETE', path: '/api/admin/revoke', as: 'admin', status: 404, code: 'not-found' },
];

describe('bad input on every /api route', () => {
  let server: TestServer;
  const tokens = new Map<Caller, string>();
  const editors: TestClient[] = [];
  let seededEtag = '';
  let seededMarkdown = '';

  const authorization = (as: Caller): Record<string, string> => (as === 'none' ? {} : { authorization: `Bearer ${tokens.get(as)!}` });

  async function seededState(): Promise<{ etag: string; markdown: string }> {
    const response = await fetch(`${server.url}/api/docs/${SEEDED}?format=markdown`, { headers: authorization('reader') });
    return { etag: response.headers.get('etag') ?? '', markdown: await response.text() };
  }

  async function storedNames(): Promise<string[]> {
    const response = await fetch(`${server.url}/api/docs`, { headers: authorization('lister') });
    return ((await response.json()) as { documents: Array<{ name: string }> }).documents.map((doc) => doc.name);
  }

  beforeAll(async () => {
    server = await startAuthServer(['--log-level', 'warn', '--max-message-bytes', String(MAX_BYTES)]);
    tokens.set('writer', await token({ sub: 'w', docs: [`${SEEDED}:write`, 'bad*:write', 'n*:write'] }));
    tokens.set('reader', await token({ sub: 'r', docs: [`${SEEDED}:read`, 'bad*:read'] }));
    tokens.set('foreign', await token({ sub: 'f', docs: ['elsewhere:write'] }));
    tokens.set('lister', await token({ sub: 'l', docs: ['*:read'] }));
    tokens.set('admin', await token({ sub: 'root', docs: [], admin: true }));
    const seeded = await fetch(`${server.url}/api/docs/${SEEDED}`, {
      method: 'PUT',
      headers: { 'content-type': MD, ...authorization('writer') },
      body: '# Seeded\n\nkept as is',
    });
    expect(seeded.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const editor = connectClient(server.wsUrl, SEEDED, { params: { token: tokens.get('writer')! } });
      editors.push(editor);
      await editor.synced();
    }
    ({ etag: seededEtag, markdown: seededMarkdown } = await seededState());
    expect(seededMarkdown).toBe('# Seeded\n\nkept as is');
  });

  afterAll(async () => {
    for (const editor of editors) editor.destroy();
    await server.dispose();
  });

  it.each(ROWS)('$name → $status $code, nothing stored', async (row) => {
    const body = typeof row.body === 'function' ? row.body() : row.body;
    const response = await fetch(`${server.url}${row.path}`, {
      method: row.method,
      headers: { ...(row.type ? { 'content-type': row.type } : {}), ...authorization(row.as), ...row.headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : Buffer.from(body) }),
    });
    expect(response.status).toBe(row.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    if (row.method !== 'HEAD') {
      const answer = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      expect(answer.error?.code).toBe(row.code);
      expect(typeof answer.error?.message).toBe('string');
    }
    expect(await seededState()).toEqual({ etag: seededEtag, markdown: seededMarkdown });
    expect(await storedNames()).toEqual([SEEDED]);
  });

  it('recorded no revocation', async () => {
    const response = await fetch(`${server.url}/api/admin/revocations`, { headers: authorization('admin') });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { revocations: unknown[] }).revocations).toEqual([]);
  });

  it('left the live editors connected to the seeded document, unchanged, and converging', async () => {
    const [a, b] = editors as [TestClient, TestClient];
    for (const editor of editors) {
      expect(editor.provider.wsconnected).toBe(true);
      expect(editor.doc.getXmlFragment(DOCUMENT_FIELD).toString()).toBe(
        '<heading level="1">Seeded</heading><paragraph>kept as is</paragraph>',
      );
    }
    const paragraph = a.doc.getXmlFragment(DOCUMENT_FIELD).get(1) as Y.XmlElement;
    (paragraph.get(0) as Y.XmlText).insert(0, 'still live, ');
    await waitFor(() => b.doc.getXmlFragment(DOCUMENT_FIELD).toString().includes('still live, kept as is'), { message: 'edit relayed' });
    await waitFor(async () => (await seededState()).markdown === '# Seeded\n\nstill live, kept as is', { message: 'edit on the server' });
  });
});
