/**
 * Conformance rows for the routes of issue #12 still being built (PUT /api/docs/{name}, POST
 * /api/docs/{name}/append, `format=markdown`), written from the agreed contract. NOT RUN YET: the
 * description already documents these routes, but the server answers them 404 `no API route` /
 * 400 `invalid-format` until they land. When they do, move these rows into ROUTES
 * (openapi-live-rows.ts) and drop the operations from OPERATIONS_UNDER_CONSTRUCTION
 * (openapi-route-coverage.test.ts); from then on they must pass like every other row.
 */
import { expect } from 'vitest';
import { bearer, JSON_BODY, jsonOf, MAX_BODY_BYTES, textOf, WRITTEN, type RouteRow, type RowContext } from './openapi-rows.js';

const DOC_PATH = '/api/docs/{name}';
const APPEND_PATH = '/api/docs/{name}/append';
const HTML = { 'content-type': 'text/html' };
const MARKDOWN = { 'content-type': 'text/markdown' };

const NEW_CONTENT = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Replaced' }] }] };

async function textNow(ctx: RowContext, name: string): Promise<string> {
  return textOf(await ctx.send('GET', { url: `/api/docs/${name}?format=text`, headers: bearer(ctx.tokens.reader) }));
}

/** Rows a content write (PUT or append) shares: a bad body, no access, a stale ETag, too big, wrong type. */
function contentWriteErrors(method: 'put' | 'post', path: string, url: string, label: string): RouteRow[] {
  return [
    {
      name: `${label} with JSON that is not a document answers 400`,
      method,
      path,
      request: ({ tokens }) => ({ url, headers: { ...bearer(tokens.writer), ...JSON_BODY }, body: '{"type":"no-such-node"}' }),
      status: 400,
      code: 'invalid-content',
    },
    { name: `${label} with a read-only token answers 403`, method, path, request: ({ tokens }) => ({ url, headers: { ...bearer(tokens.reader), ...HTML }, body: '<p>x</p>' }), status: 403, code: 'forbidden' },
    {
      name: `${label} with a stale If-Match answers 412`,
      method,
      path,
      request: ({ tokens }) => ({ url, headers: { ...bearer(tokens.writer), ...HTML, 'if-match': '"stale"' }, body: '<p>x</p>' }),
      status: 412,
      code: 'precondition-failed',
    },
    {
      name: `${label} with a body over the size limit answers 413`,
      method,
      path,
      request: ({ tokens }) => ({ url, headers: { ...bearer(tokens.writer), ...HTML }, body: `<p>${'x'.repeat(MAX_BODY_BYTES)}</p>` }),
      status: 413,
      code: 'too-large',
    },
    { name: `${label} with a text/plain body answers 415`, method, path, request: ({ tokens }) => ({ url, headers: { ...bearer(tokens.writer), 'content-type': 'text/plain' }, body: 'x' }), status: 415, code: 'unsupported-media-type' },
  ];
}

export const ROUTES_UNDER_CONSTRUCTION: readonly RouteRow[] = [
  {
    name: 'GET ?format=markdown answers the document as Markdown',
    method: 'get',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: `/api/docs/${WRITTEN.name}?format=markdown`, headers: bearer(tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => {
      expect(textOf(answer)).toMatch(/^# Minutes$/m);
      expect(textOf(answer)).toContain('**Friday**');
    },
  },
  {
    name: 'GET with Accept: text/markdown answers Markdown',
    method: 'get',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: `/api/docs/${WRITTEN.name}`, headers: { ...bearer(tokens.reader), accept: 'text/markdown' } }),
    status: 200,
    expectAnswer: (answer) => expect(answer.headers.get('content-type')).toMatch(/^text\/markdown/),
  },
  {
    name: 'PUT with an HTML body replaces the content and answers 200 with the new ETag',
    method: 'put',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-put', headers: { ...bearer(tokens.writer), ...HTML }, body: '<h1>Title</h1><p>Body</p>' }),
    status: 200,
    expectAnswer: async (answer, ctx) => {
      expect(jsonOf<{ etag: string }>(answer).etag).toBe(await ctx.etag('spec-put'));
      expect(await textNow(ctx, 'spec-put')).toBe('Title\nBody');
    },
  },
  {
    name: 'PUT with a Markdown body replaces the content',
    method: 'put',
    path: DOC_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-put', headers: { ...bearer(tokens.writer), ...MARKDOWN }, body: '# Other\n\nText' }),
    status: 200,
    expectAnswer: async (_answer, ctx) => expect(await textNow(ctx, 'spec-put')).toBe('Other\nText'),
  },
  {
    name: 'PUT with a ProseMirror JSON body and the current If-Match replaces the content',
    method: 'put',
    path: DOC_PATH,
    request: async ({ tokens, etag }) => ({
      url: '/api/docs/spec-put',
      headers: { ...bearer(tokens.writer), ...JSON_BODY, 'if-match': await etag('spec-put') },
      body: JSON.stringify(NEW_CONTENT),
    }),
    status: 200,
    expectAnswer: async (_answer, ctx) => expect(await textNow(ctx, 'spec-put')).toBe('Replaced'),
  },
  { name: 'PUT to a bad name answers 400', method: 'put', path: DOC_PATH, request: ({ tokens }) => ({ url: '/api/docs/bad%20name', headers: { ...bearer(tokens.writer), ...HTML }, body: '<p>x</p>' }), status: 400, code: 'invalid-name' },
  { name: 'PUT without a token answers 401', method: 'put', path: DOC_PATH, request: () => ({ url: '/api/docs/spec-put', headers: HTML, body: '<p>x</p>' }), status: 401, code: 'missing-token' },
  ...contentWriteErrors('put', DOC_PATH, '/api/docs/spec-put', 'PUT'),
  {
    name: 'POST …/append with an HTML body appends after the content',
    method: 'post',
    path: APPEND_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-put/append', headers: { ...bearer(tokens.writer), ...HTML }, body: '<p>More</p>' }),
    status: 200,
    expectAnswer: async (_answer, ctx) => expect(await textNow(ctx, 'spec-put')).toBe('Replaced\nMore'),
  },
  {
    name: 'POST …/append with a Markdown body appends after the content',
    method: 'post',
    path: APPEND_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-put/append', headers: { ...bearer(tokens.writer), ...MARKDOWN }, body: 'Last' }),
    status: 200,
    expectAnswer: async (_answer, ctx) => expect(await textNow(ctx, 'spec-put')).toBe('Replaced\nMore\nLast'),
  },
  {
    name: 'POST …/append with a ProseMirror JSON body appends and answers the new ETag',
    method: 'post',
    path: APPEND_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-put/append', headers: { ...bearer(tokens.writer), ...JSON_BODY }, body: JSON.stringify(NEW_CONTENT) }),
    status: 200,
    expectAnswer: async (answer, ctx) => expect(answer.headers.get('etag')).toBe(await ctx.etag('spec-put')),
  },
  ...contentWriteErrors('post', APPEND_PATH, '/api/docs/spec-put/append', 'POST …/append'),
];

/** Operations the description documents before the server has them (`<method> <path template>`). */
export const OPERATIONS_UNDER_CONSTRUCTION: readonly string[] = ['put /api/docs/{name}', 'post /api/docs/{name}/append'];
