/**
 * The version routes over real HTTP with tokens: who may list, preview, diff, name; what bad ids
 * and bad tokens get; previews and diffs of real content written by a real client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { SECRET, token } from '../test-support/auth-fixtures.js';
import { paragraphText, plainText, writeParagraphs } from '../test-support/paragraph-docs.js';

describe('version routes: /api/docs/:name/versions…', () => {
  let server: TestServer;
  let clock: ManualClock;
  let writer: string;
  let reader: string;
  let client: TestClient;

  beforeEach(async () => {
    clock = new ManualClock();
    server = await startTestServer(['--log-level', 'warn'], { TANDEM_AUTH_SECRET: SECRET }, { start: { historyClock: clock } });
    writer = await token({ sub: 'alice', name: 'Alice', docs: ['*:write'] });
    reader = await token({ sub: 'bob', name: 'Bob', docs: ['*:read'] });
    client = connectClient(server.wsUrl, 'notes', { params: { token: writer } });
    await client.synced();
  });
  afterEach(async () => {
    client.destroy();
    await server.dispose();
  });

  function call(path: string, bearer: string | null, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    return fetch(`${server.url}/api/docs/${path}`, { ...init, headers });
  }

  function nameVersion(doc: string, name: unknown, bearer: string | null = writer): Promise<Response> {
    return call(`${doc}/versions`, bearer, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  }

  async function serverHas(text: string): Promise<void> {
    await waitFor(() => {
      const room = server.server.registry.peekLoaded('notes');
      return room !== null && plainText(room.doc) === text;
    }, { message: `the server to hold ${JSON.stringify(text)}` });
  }

  /** v1 named "First draft", then the live text edited into the second state. */
  async function twoStates(): Promise<number> {
    writeParagraphs(client.doc, 'Intro', 'three little pigs', 'Outro');
    await serverHas('Intro\nthree little pigs\nOutro');
    const named = await nameVersion('notes', 'First draft');
    expect(named.status).toBe(201);
    const { id } = (await named.json()) as { id: number };
    expect(named.headers.get('location')).toBe(`/api/docs/notes/versions/${id}`);
    client.doc.transact(() => {
      const pigs = paragraphText(client.doc, 1);
      pigs.delete(6, 6);
      pigs.insert(6, 'big');
      writeParagraphs(client.doc, 'Appendix');
    });
    await serverHas('Intro\nthree big pigs\nOutro\nAppendix');
    return id;
  }

  it('names a version (201) and lists it newest first with its editors; a reader lists it too', async () => {
    const id = await twoStates();
    const named = await call(`notes/versions`, reader);
    expect(named.status).toBe(200);
    const { versions } = (await named.json()) as { versions: Array<Record<string, unknown>> };
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ id, kind: 'named', name: 'First draft', editors: [{ sub: 'alice', name: 'Alice' }] });
    expect(Date.parse(versions[0]!.createdAt as string)).toBe(clock.now());
    expect(versions[0]!.bytes).toBeGreaterThan(0);
    // Naming ended the editing period: 30 quiet seconds cut a version of the later edits only.
    clock.advance(30_000);
    await server.server.history.idle();
    const after = (await (await call('notes/versions', reader)).json()) as { versions: Array<{ kind: string; editors: unknown[] }> };
    expect(after.versions.map((v) => v.kind)).toEqual(['auto', 'named']);
    expect(after.versions[0]!.editors).toEqual([{ sub: 'alice', name: 'Alice' }]);
  });

  it('previews a version as text, HTML, JSON and Yjs, whatever the document became since', async () => {
    const id = await twoStates();
    const text = await call(`notes/versions/${id}?format=text`, reader);
    expect(text.status).toBe(200);
    expect(await text.text()).toBe('Intro\nthree little pigs\nOutro');
    const html = await call(`notes/versions/${id}?format=html`, reader);
    expect(await html.text()).toBe('<p>Intro</p><p>three little pigs</p><p>Outro</p>');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const json = (await (await call(`notes/versions/${id}?format=json`, reader)).json()) as { content: unknown[] };
    expect(json.content).toHaveLength(3);
    const yjs = await call(`notes/versions/${id}?format=yjs`, reader);
    expect(yjs.headers.get('content-type')).toBe('application/octet-stream');
    expect((await yjs.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('diffs a version against the current document and against another version, block by block and word by word', async () => {
    const id = await twoStates();
    const current = await call(`notes/versions/${id}/diff`, reader);
    expect(current.status).toBe(200);
    expect(await current.json()).toEqual({
      version: id,
      against: 'current',
      added: [],
      removed: [{ type: 'paragraph', text: 'Appendix', againstIndex: 3 }],
      changes: [
        {
          index: 1,
          againstIndex: 1,
          type: 'paragraph',
          parts: [
            { text: 'three ', op: 'equal' },
            { text: 'big', op: 'removed' },
            { text: 'little', op: 'added' },
            { text: ' pigs', op: 'equal' },
          ],
        },
      ],
      blocks: { version: 3, against: 4, unchanged: 2 },
    });
    const second = (await (await nameVersion('notes', 'Second')).json()) as { id: number };
    const between = (await (await call(`notes/versions/${second.id}/diff?against=${id}`, reader)).json()) as Record<string, unknown>;
    expect(between).toMatchObject({ version: second.id, against: id, removed: [], added: [{ type: 'paragraph', text: 'Appendix', index: 3 }] });
  });

  it('answers bad ids, unknown versions and bad names with 4xx JSON', async () => {
    const id = await twoStates();
    const cases: Array<[Promise<Response>, number, string]> = [
      [call('notes/versions/abc', reader), 400, 'invalid-version-id'],
      [call('notes/versions/0', reader), 400, 'invalid-version-id'],
      [call('notes/versions/-1/diff', reader), 400, 'invalid-version-id'],
      [call(`notes/versions/${id + 1000}`, reader), 404, 'version-not-found'],
      [call(`other/versions/${id}`, reader), 404, 'version-not-found'],
      [call(`notes/versions/${id}/diff?against=nope`, reader), 400, 'invalid-version-id'],
      [call(`notes/versions/${id}/diff?against=${id + 1000}`, reader), 404, 'version-not-found'],
      [call(`notes/versions/${id}?format=pdf`, reader), 400, 'invalid-format'],
      [call(`notes/versions/${id + 1000}/restore`, writer, { method: 'POST' }), 404, 'version-not-found'],
      [call('notes/versions/x/restore', writer, { method: 'POST' }), 400, 'invalid-version-id'],
      [nameVersion('notes', ''), 400, 'invalid-version-name'],
      [nameVersion('notes', 42), 400, 'invalid-version-name'],
      [nameVersion('notes', 'x'.repeat(201)), 400, 'invalid-version-name'],
      [nameVersion('never-written', 'Nothing'), 404, 'not-found'],
    ];
    for (const [response, status, code] of cases) {
      const answered = await response;
      expect({ url: answered.url, status: answered.status, body: (await answered.json()) as unknown }).toMatchObject({ status, body: { error: { code } } });
    }
  });

  it('refuses without a token (401), a read-only token naming or restoring (403), and a token for other documents (403)', async () => {
    const id = await twoStates();
    const stranger = await token({ sub: 'eve', docs: ['elsewhere:write'] });
    const cases: Array<[Promise<Response>, number]> = [
      [call('notes/versions', null), 401],
      [call(`notes/versions/${id}`, 'not.a.token'), 401],
      [call(`notes/versions/${id}/restore`, null, { method: 'POST' }), 401],
      [nameVersion('notes', 'Mine', reader), 403],
      [call(`notes/versions/${id}/restore`, reader, { method: 'POST' }), 403],
      [call('notes/versions', stranger), 403],
      [call(`notes/versions/${id}/diff`, stranger), 403],
    ];
    for (const [response, status] of cases) {
      const answered = await response;
      expect({ url: answered.url, status: answered.status }).toEqual({ url: answered.url, status });
      expect(((await answered.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
    }
    // Nothing was named or restored.
    expect(plainText(client.doc)).toBe('Intro\nthree big pigs\nOutro\nAppendix');
    const listed = (await (await call('notes/versions', reader)).json()) as { versions: unknown[] };
    expect(listed.versions).toHaveLength(1);
  });

  it('a restore records the person restoring among the editors of the restore version', async () => {
    const id = await twoStates();
    const restored = await call(`notes/versions/${id}/restore`, writer, { method: 'POST' });
    expect(restored.status).toBe(200);
    const { restoredVersion } = (await restored.json()) as { restoredVersion: number };
    await waitFor(() => plainText(client.doc) === 'Intro\nthree little pigs\nOutro', { message: 'the client to receive the restore' });
    const { versions } = (await (await call('notes/versions', reader)).json()) as { versions: Array<{ id: number; kind: string; editors: unknown[] }> };
    expect(versions.find((v) => v.id === restoredVersion)).toMatchObject({ kind: 'restore', editors: [{ sub: 'alice', name: 'Alice' }] });
    expect(versions.map((v) => v.kind)).toEqual(['restore', 'pre-restore', 'named']);
  });

  it('deleting the document deletes its versions', async () => {
    const id = await twoStates();
    client.destroy();
    expect((await call('notes', writer, { method: 'DELETE' })).status).toBeLessThan(300);
    expect((await call(`notes/versions/${id}`, reader)).status).toBe(404);
    expect(await (await call('notes/versions', reader)).json()).toEqual({ versions: [] });
  });
});
