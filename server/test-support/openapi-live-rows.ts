/**
 * Conformance rows for the routes that exist: every operation of the description and every status
 * the server can be brought to answer here (500 and 503 need a failing engine; see the test). The
 * document API's rows are here; probes, metrics and admin in openapi-operations-rows.ts.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';
import { ADMIN_ROWS, PROBE_ROWS } from './openapi-operations-rows.js';
import { CONTENT_ROWS } from './openapi-content-rows.js';
import { VERSION_ROWS } from './openapi-version-rows.js';
import {
  bearer,
  dependentUpdate,
  EVIL_HOST,
  expectBody,
  freshUpdate,
  jsonOf,
  MAX_BODY_BYTES,
  OCTETS,
  WRITTEN,
  type RouteRow,
} from './openapi-rows.js';

const DOC = `/api/docs/${WRITTEN.name}`;
const DOC_PATH = '/api/docs/{name}';
const UPDATES_PATH = '/api/docs/{name}/updates';

const list: RouteRow[] = [
  {
    name: 'GET /api/docs lists the written document to a reader',
    method: 'get',
    path: '/api/docs',
    request: ({ tokens }) => ({ url: '/api/docs', headers: bearer(tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ documents: Array<{ name: string }> }>(answer).documents.map((doc) => doc.name)).toContain(WRITTEN.name),
  },
  {
    name: 'GET /api/docs?limit=1 answers a page with a nextCursor',
    method: 'get',
    path: '/api/docs',
    request: ({ tokens }) => ({ url: `/api/docs?limit=1&token=${tokens.reader}` }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ nextCursor: unknown }>(answer).nextCursor).toEqual(expect.any(String)),
  },
  {
    name: 'GET /api/docs?cursor= answers the next page (token in the cookie)',
    method: 'get',
    path: '/api/docs',
    request: async ({ tokens, send }) => {
      const first = jsonOf<{ nextCursor: string }>(await send('GET', { url: '/api/docs?limit=1', headers: bearer(tokens.reader) }));
      return { url: `/api/docs?limit=1&cursor=${first.nextCursor}`, headers: { cookie: `tandem_token=${tokens.reader}` } };
    },
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ documents: unknown[] }>(answer).documents).toHaveLength(1),
  },
  { name: 'GET /api/docs?limit=0 answers 400', method: 'get', path: '/api/docs', request: ({ tokens }) => ({ url: '/api/docs?limit=0', headers: bearer(tokens.reader) }), status: 400, code: 'invalid-limit' },
  {
    name: 'GET /api/docs with a forged cursor answers 400',
    method: 'get',
    path: '/api/docs',
    request: ({ tokens }) => ({ url: '/api/docs?cursor=bm90LW91cnM', headers: bearer(tokens.reader) }),
    status: 400,
    code: 'invalid-cursor',
  },
  { name: 'GET /api/docs without a token answers 401', method: 'get', path: '/api/docs', request: () => ({ url: '/api/docs' }), status: 401, code: 'missing-token' },
  { name: 'GET /api/docs with a malformed token answers 401', method: 'get', path: '/api/docs', request: () => ({ url: '/api/docs', headers: bearer('not-a-jwt') }), status: 401, code: 'invalid-token' },
  { name: 'GET /api/docs with an expired token answers 401', method: 'get', path: '/api/docs', request: ({ tokens }) => ({ url: '/api/docs', headers: bearer(tokens.expired) }), status: 401, code: 'expired-token' },
  { name: 'GET /api/docs to an unserved Host name answers 403', method: 'get', path: '/api/docs', server: 'open', request: () => ({ url: '/api/docs', headers: EVIL_HOST }), status: 403, code: 'host-not-allowed' },
];

const exportRows: RouteRow[] = [
  {
    name: 'GET ?format=json answers the written ProseMirror document',
    method: 'get',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: `${DOC}?format=json`, headers: bearer(tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf(answer)).toEqual(WRITTEN.content),
  },
  { name: 'GET ?format=html answers its HTML', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: `${DOC}?format=html`, headers: bearer(tokens.reader) }), status: 200, expectAnswer: expectBody(WRITTEN.html) },
  { name: 'GET ?format=text answers its text (token in ?token=)', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: `${DOC}?format=text&token=${tokens.reader}` }), status: 200, expectAnswer: expectBody(WRITTEN.text) },
  {
    name: 'GET ?format=yjs answers a Yjs state holding the document',
    method: 'get',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: `${DOC}?format=yjs`, headers: bearer(tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, answer.body);
      expect(doc.getXmlFragment(DOCUMENT_FIELD).toString()).toContain('Friday');
    },
  },
  {
    name: 'GET with Accept: text/html answers HTML (token in the cookie)',
    method: 'get',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: DOC, headers: { accept: 'text/html', cookie: `tandem_token=${tokens.reader}` } }),
    status: 200,
    expectAnswer: expectBody(WRITTEN.html),
  },
  {
    name: 'GET with If-None-Match of the current ETag answers 304',
    method: 'get',
    path: DOC_PATH,
    request: async ({ tokens, etag }) => ({ url: DOC, headers: { ...bearer(tokens.reader), 'if-none-match': await etag(WRITTEN.name) } }),
    status: 304,
  },
  { name: 'GET ?format=pdf answers 400', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: `${DOC}?format=pdf`, headers: bearer(tokens.reader) }), status: 400, code: 'invalid-format' },
  { name: 'GET of a bad document name answers 400', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: '/api/docs/bad%20name', headers: bearer(tokens.reader) }), status: 400, code: 'invalid-name' },
  { name: 'GET without a token answers 401', method: 'get', path: DOC_PATH, request: () => ({ url: DOC }), status: 401, code: 'missing-token' },
  { name: 'GET with no read access answers 403', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: DOC, headers: bearer(tokens.stranger) }), status: 403, code: 'forbidden' },
  { name: 'GET of an unknown document answers 404', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: '/api/docs/spec-never', headers: bearer(tokens.reader) }), status: 404, code: 'not-found' },
  { name: 'GET with Accept: image/png answers 406', method: 'get', path: DOC_PATH, request: ({ tokens }) => ({ url: DOC, headers: { ...bearer(tokens.reader), accept: 'image/png' } }), status: 406, code: 'not-acceptable' },
  {
    name: 'HEAD answers 200 with the ETag and no body',
    method: 'head',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: DOC, headers: bearer(tokens.reader) }),
    status: 200,
    expectAnswer: async (answer, { etag }) => expect(answer.headers.get('etag')).toBe(await etag(WRITTEN.name)),
  },
  {
    name: 'HEAD with If-None-Match of the current ETag answers 304',
    method: 'head',
    path: DOC_PATH,
    request: async ({ tokens, etag }) => ({ url: DOC, headers: { ...bearer(tokens.reader), 'if-none-match': await etag(WRITTEN.name) } }),
    status: 304,
  },
  { name: 'HEAD ?format=pdf answers 400', method: 'head', path: DOC_PATH, request: ({ tokens }) => ({ url: `${DOC}?format=pdf`, headers: bearer(tokens.reader) }), status: 400 },
  { name: 'HEAD without a token answers 401', method: 'head', path: DOC_PATH, request: () => ({ url: DOC }), status: 401 },
  { name: 'HEAD with no read access answers 403', method: 'head', path: DOC_PATH, request: ({ tokens }) => ({ url: DOC, headers: bearer(tokens.stranger) }), status: 403 },
  { name: 'HEAD of an unknown document answers 404', method: 'head', path: DOC_PATH, request: ({ tokens }) => ({ url: '/api/docs/spec-never', headers: bearer(tokens.reader) }), status: 404 },
  { name: 'HEAD with Accept: image/png answers 406', method: 'head', path: DOC_PATH, request: ({ tokens }) => ({ url: DOC, headers: { ...bearer(tokens.reader), accept: 'image/png' } }), status: 406 },
];

const post = (token: string, headers: Record<string, string> = OCTETS): Record<string, string> => ({ ...bearer(token), ...headers });

const updates: RouteRow[] = [
  {
    name: 'POST …/updates applies an update and answers 200 with the new ETag',
    method: 'post',
    path: UPDATES_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-posted/updates', headers: post(tokens.writer), body: freshUpdate('posted') }),
    status: 200,
    expectAnswer: async (answer, { etag }) => {
      expect(jsonOf<{ etag: string }>(answer).etag).toBe(await etag('spec-posted'));
      expect(answer.headers.get('etag')).toBe(await etag('spec-posted'));
    },
  },
  { name: 'POST …/updates with a corrupt update answers 400', method: 'post', path: UPDATES_PATH, request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: post(tokens.writer), body: Buffer.from([0xff, 0xff, 0xff]) }), status: 400, code: 'invalid-update' },
  { name: 'POST …/updates to a bad name answers 400', method: 'post', path: UPDATES_PATH, request: ({ tokens }) => ({ url: '/api/docs/bad%20name/updates', headers: post(tokens.writer), body: freshUpdate('x') }), status: 400, code: 'invalid-name' },
  {
    name: 'POST …/updates with the token in the cookie only answers 401 (cookies never authorize writes)',
    method: 'post',
    path: UPDATES_PATH,
    request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: { ...OCTETS, cookie: `tandem_token=${tokens.writer}` }, body: freshUpdate('x') }),
    status: 401,
    code: 'missing-token',
  },
  { name: 'POST …/updates with a read-only token answers 403', method: 'post', path: UPDATES_PATH, request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: post(tokens.reader), body: freshUpdate('x') }), status: 403, code: 'forbidden' },
  { name: 'POST …/updates needing unknown changes answers 409', method: 'post', path: UPDATES_PATH, request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: post(tokens.writer), body: dependentUpdate() }), status: 409, code: 'missing-dependencies' },
  {
    name: 'POST …/updates with a stale If-Match answers 412',
    method: 'post',
    path: UPDATES_PATH,
    request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: post(tokens.writer, { ...OCTETS, 'if-match': '"stale"' }), body: freshUpdate('x') }),
    status: 412,
    code: 'precondition-failed',
  },
  {
    name: 'POST …/updates longer than --max-message-bytes answers 413',
    method: 'post',
    path: UPDATES_PATH,
    request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: post(tokens.writer), body: Buffer.alloc(MAX_BODY_BYTES + 1) }),
    status: 413,
    code: 'too-large',
  },
  {
    name: 'POST …/updates with a text/plain body answers 415',
    method: 'post',
    path: UPDATES_PATH,
    request: ({ tokens }) => ({ url: `${DOC}/updates`, headers: post(tokens.writer, { 'content-type': 'text/plain' }), body: 'hello' }),
    status: 415,
    code: 'unsupported-media-type',
  },
];

const deletes: RouteRow[] = [
  {
    name: 'DELETE of a stored document answers 204, and it is gone',
    method: 'delete',
    path: DOC_PATH,
    request: async ({ tokens, send }) => {
      const created = await send('POST', { url: '/api/docs/spec-doomed/updates', headers: post(tokens.writer), body: freshUpdate('doomed') });
      expect(created.status).toBe(200);
      return { url: '/api/docs/spec-doomed', headers: bearer(tokens.writer) };
    },
    status: 204,
    expectAnswer: async (_answer, { tokens, send }) => expect((await send('GET', { url: '/api/docs/spec-doomed', headers: bearer(tokens.reader) })).status).toBe(404),
  },
  { name: 'DELETE of a bad name answers 400', method: 'delete', path: DOC_PATH, request: ({ tokens }) => ({ url: '/api/docs/bad%20name', headers: bearer(tokens.writer) }), status: 400, code: 'invalid-name' },
  { name: 'DELETE without a token answers 401', method: 'delete', path: DOC_PATH, request: () => ({ url: DOC }), status: 401, code: 'missing-token' },
  { name: 'DELETE with a read-only token answers 403', method: 'delete', path: DOC_PATH, request: ({ tokens }) => ({ url: DOC, headers: bearer(tokens.reader) }), status: 403, code: 'forbidden' },
  { name: 'DELETE of an unknown document answers 404', method: 'delete', path: DOC_PATH, request: ({ tokens }) => ({ url: '/api/docs/spec-never', headers: bearer(tokens.writer) }), status: 404, code: 'not-found' },
];

/** Every row of the live table, in the order they run (DELETE after the reads of the same document). */
export const ROUTES: readonly RouteRow[] = [...PROBE_ROWS, ...list, ...exportRows, ...updates, ...CONTENT_ROWS, ...deletes, ...ADMIN_ROWS, ...VERSION_ROWS];
