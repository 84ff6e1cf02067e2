import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD, getEditorSchema } from '../../../shared/editor-schema.js';
import { mintToken } from '../../auth/mint-token.js';
import { SECRET, startAuthServer, token } from '../../test-support/auth-fixtures.js';
import { createSpecChecker, type SpecChecker } from '../../test-support/openapi-checker.js';
import { ROUTES } from '../../test-support/openapi-live-rows.js';
import { OPERATIONS_UNDER_CONSTRUCTION, ROUTES_UNDER_CONSTRUCTION } from '../../test-support/openapi-rows-under-construction.js';
import { freshUpdate, jsonOf, MAX_BODY_BYTES, textOf, WRITTEN, type Answer, type RequestSpec, type RowContext, type ServerName } from '../../test-support/openapi-rows.js';
import { connectClient, type TestClient } from '../../test-support/test-client.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { waitFor } from '../../test-support/wait-for.js';
import { HTTP_METHODS, type OpenApiDocument } from './openapi-types.js';

/** Statuses documented for failures of engines these servers do not have or cannot lose here. */
const NOT_REPRODUCED: Readonly<Record<string, string>> = {
  '500': 'an unexpected failure, or a document nested deeper than the renderers allow',
  '503': 'a JWKS key set, PostgreSQL or the cluster broker that does not answer, or a server starting or stopping',
};

/** A raw HTTP request (fetch would not send a chosen Host header). */
function send(base: string, method: string, request: RequestSpec): Promise<Answer> {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(request.url, base), { method, headers: { ...request.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function templateMatches(template: string, url: string): boolean {
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return pattern.test(new URL(url, 'http://localhost').pathname);
}

describe('the OpenAPI description holds for the real answers of every route', () => {
  let authServer: TestServer;
  let openServer: TestServer;
  let publicServer: TestServer;
  let writer: TestClient;
  let spec: OpenApiDocument;
  let checker: SpecChecker;
  let ctx: RowContext;

  beforeAll(async () => {
    authServer = await startAuthServer(['--log-level', 'warn', '--max-message-bytes', String(MAX_BODY_BYTES)]);
    openServer = await startTestServer(['--log-level', 'warn']);
    publicServer = await startTestServer(['--log-level', 'warn', '--host', '0.0.0.0', '--insecure', '--allowed-hosts', 'localhost']);
    const bases: Record<ServerName, string> = { auth: authServer.url, open: openServer.url, 'open-public': `http://127.0.0.1:${publicServer.server.port}` };
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      writer: await token({ docs: ['spec-*:write'] }),
      reader: await token({ docs: ['spec-*:read'] }),
      stranger: await token({ docs: ['elsewhere:read'] }),
      admin: await token({ sub: 'ops', docs: [], admin: true }),
      expired: await mintToken({ secret: SECRET, sub: 'alice', docs: ['spec-*:read'], iat: now - 7200, ttlSeconds: 3600 }),
    };
    writer = connectClient(authServer.wsUrl, WRITTEN.name, { saveAck: true, params: { token: tokens.writer } });
    await writer.synced();
    const content = structuredClone(WRITTEN.content) as unknown as Record<string, unknown>;
    prosemirrorJSONToYXmlFragment(getEditorSchema(), content, writer.doc.getXmlFragment(DOCUMENT_FIELD));
    // A second readable document, so the list has more than one page of one.
    const other = await send(authServer.url, 'POST', {
      url: '/api/docs/spec-other/updates',
      headers: { authorization: `Bearer ${tokens.writer}`, 'content-type': 'application/octet-stream' },
      body: freshUpdate('other'),
    });
    expect(other.status).toBe(200);
    await waitFor(() => writer.savedCount >= writer.sentUpdateMessages && writer.sentUpdateMessages >= 2, { message: 'the written document saved' });
    ctx = {
      tokens,
      send: (method, request, server = 'auth') => send(bases[server], method, request),
      async etag(name) {
        const answer = await send(authServer.url, 'HEAD', { url: `/api/docs/${name}`, headers: { authorization: `Bearer ${tokens.reader}` } });
        expect(answer.status).toBe(200);
        return answer.headers.get('etag')!;
      },
    };
    const served = await send(authServer.url, 'GET', { url: '/api/openapi.json' });
    spec = jsonOf<OpenApiDocument>(served);
    checker = createSpecChecker(spec);
  });

  afterAll(async () => {
    writer?.destroy();
    await authServer?.dispose();
    await openServer?.dispose();
    await publicServer?.dispose();
  });

  for (const row of ROUTES) {
    it(row.name, async () => {
      const request = await row.request(ctx);
      expect(templateMatches(row.path, request.url), `${request.url} is not ${row.path}`).toBe(true);
      const answer = await ctx.send(row.method.toUpperCase(), request, row.server);
      expect(answer.status, textOf(answer).slice(0, 300)).toBe(row.status);
      expect(checker.problems({ method: row.method, path: row.path, status: answer.status, headers: answer.headers, body: answer.body })).toEqual([]);
      if (row.code !== undefined) expect(jsonOf<{ error: { code: string } }>(answer).error.code).toBe(row.code);
      await row.expectAnswer?.(answer, ctx);
    });
  }

  it('has a row for every documented status of every operation the server has (but engine failures)', () => {
    const exercised = new Set(ROUTES.map((row) => `${row.method} ${row.path} ${row.status}`));
    const missing: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (!operation || OPERATIONS_UNDER_CONSTRUCTION.includes(`${method} ${path}`)) continue;
        for (const status of Object.keys(operation.responses)) {
          if (!(status in NOT_REPRODUCED) && !exercised.has(`${method} ${path} ${status}`)) missing.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents the operation and status of every row still under construction (those rows do not run yet)', () => {
    const undocumented = ROUTES_UNDER_CONSTRUCTION.filter((row) => spec.paths[row.path]?.[row.method]?.responses[String(row.status)] === undefined);
    expect(undocumented.map((row) => row.name)).toEqual([]);
  });
});
