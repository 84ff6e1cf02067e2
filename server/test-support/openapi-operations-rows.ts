/** Conformance rows for probes, metrics, this description and the admin API (see openapi-live-rows.ts). */
import { expect } from 'vitest';
import { bearer, EVIL_HOST, JSON_BODY, jsonOf, textOf, WRITTEN, type RouteRow, type RowContext } from './openapi-rows.js';

export const PROBE_ROWS: readonly RouteRow[] = [
  { name: 'GET /healthz answers 200 without a token', method: 'get', path: '/healthz', request: () => ({ url: '/healthz' }), status: 200 },
  { name: 'GET /readyz answers 200 with its checks once started', method: 'get', path: '/readyz', request: () => ({ url: '/readyz' }), status: 200 },
  {
    name: 'GET /metrics answers 200 Prometheus text to an admin token in the header',
    method: 'get',
    path: '/metrics',
    request: ({ tokens }) => ({ url: '/metrics', headers: bearer(tokens.admin) }),
    status: 200,
    expectAnswer: (answer) => expect(textOf(answer)).toContain('tandem_http_requests_total'),
  },
  { name: 'GET /metrics answers 401 without a token', method: 'get', path: '/metrics', request: () => ({ url: '/metrics' }), status: 401, code: 'missing-token' },
  {
    name: 'GET /metrics ignores an admin token in ?token= (401)',
    method: 'get',
    path: '/metrics',
    request: ({ tokens }) => ({ url: `/metrics?token=${tokens.admin}` }),
    status: 401,
    code: 'missing-token',
  },
  {
    name: 'GET /metrics answers 403 to a token without the admin claim',
    method: 'get',
    path: '/metrics',
    request: ({ tokens }) => ({ url: '/metrics', headers: bearer(tokens.writer) }),
    status: 403,
    code: 'not-admin',
  },
  {
    name: 'GET /metrics answers 409 in open mode on a non-loopback address',
    method: 'get',
    path: '/metrics',
    server: 'open-public',
    request: () => ({ url: '/metrics' }),
    status: 409,
    code: 'auth-disabled',
  },
  { name: 'GET /metrics answers 200 without a token in open mode on loopback', method: 'get', path: '/metrics', server: 'open', request: () => ({ url: '/metrics' }), status: 200 },
  {
    name: 'GET /api/openapi.json answers 200 without a token',
    method: 'get',
    path: '/api/openapi.json',
    request: () => ({ url: '/api/openapi.json' }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ openapi: string }>(answer).openapi).toBe('3.1.0'),
  },
  {
    name: 'GET /api/openapi.json answers 403 to a Host name the open server does not serve',
    method: 'get',
    path: '/api/openapi.json',
    server: 'open',
    request: () => ({ url: '/api/openapi.json', headers: EVIL_HOST }),
    status: 403,
    code: 'host-not-allowed',
  },
];

interface OverviewJson {
  documents: Array<{ name: string; connections: Array<{ id: string }> }>;
}

/** The id of a live connection to the written document, from a real overview. */
async function liveConnectionId(ctx: RowContext): Promise<string> {
  const answer = await ctx.send('GET', { url: '/api/admin/overview', headers: bearer(ctx.tokens.admin) });
  const id = jsonOf<OverviewJson>(answer).documents.find((doc) => doc.name === WRITTEN.name)?.connections[0]?.id;
  expect(id, 'a connection to the written document').toBeDefined();
  return id!;
}

const overview = (token?: string) => ({ url: '/api/admin/overview', ...(token ? { headers: bearer(token) } : {}) });
const closeUrl = (id: string) => `/api/admin/connections/${id}/close`;

const ADMIN_PAGE_ROWS: readonly RouteRow[] = [
  {
    name: 'GET /api/admin/overview lists the written document with its live connection',
    method: 'get',
    path: '/api/admin/overview',
    request: ({ tokens }) => overview(tokens.admin),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<OverviewJson>(answer).documents.find((doc) => doc.name === WRITTEN.name)?.connections.length).toBeGreaterThan(0),
  },
  { name: 'GET /api/admin/overview without a token answers 401', method: 'get', path: '/api/admin/overview', request: () => overview(), status: 401, code: 'missing-token' },
  { name: 'GET /api/admin/overview with a non-admin token answers 403', method: 'get', path: '/api/admin/overview', request: ({ tokens }) => overview(tokens.writer), status: 403, code: 'not-admin' },
  { name: 'GET /api/admin/overview in open mode answers 409', method: 'get', path: '/api/admin/overview', server: 'open', request: () => overview(), status: 409, code: 'auth-disabled' },
  {
    name: 'POST /api/admin/connections/{id}/close with an unknown id answers 404',
    method: 'post',
    path: '/api/admin/connections/{id}/close',
    request: ({ tokens }) => ({ url: closeUrl('c999999'), headers: bearer(tokens.admin) }),
    status: 404,
    code: 'not-found',
  },
  { name: 'POST /api/admin/connections/{id}/close without a token answers 401', method: 'post', path: '/api/admin/connections/{id}/close', request: () => ({ url: closeUrl('c1') }), status: 401, code: 'missing-token' },
  {
    name: 'POST /api/admin/connections/{id}/close with a non-admin token answers 403',
    method: 'post',
    path: '/api/admin/connections/{id}/close',
    request: ({ tokens }) => ({ url: closeUrl('c1'), headers: bearer(tokens.writer) }),
    status: 403,
    code: 'not-admin',
  },
  { name: 'POST /api/admin/connections/{id}/close in open mode answers 409', method: 'post', path: '/api/admin/connections/{id}/close', server: 'open', request: () => ({ url: closeUrl('c1') }), status: 409, code: 'auth-disabled' },
  {
    name: "POST /api/admin/connections/{id}/close closes the writer's live connection and answers 204",
    method: 'post',
    path: '/api/admin/connections/{id}/close',
    request: async (ctx) => ({ url: closeUrl(await liveConnectionId(ctx)), headers: bearer(ctx.tokens.admin) }),
    status: 204,
  },
];

const revoke = (token: string, body: string, headers: Record<string, string> = JSON_BODY) => ({ url: '/api/admin/revoke', headers: { ...bearer(token), ...headers }, body });

export const ADMIN_ROWS: readonly RouteRow[] = [
  {
    name: 'POST /api/admin/revoke revokes a subject and answers 200',
    method: 'post',
    path: '/api/admin/revoke',
    request: ({ tokens }) => revoke(tokens.admin, JSON.stringify({ sub: 'mallory' })),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ revoked: { sub: string } }>(answer).revoked.sub).toBe('mallory'),
  },
  { name: 'POST /api/admin/revoke without sub or doc answers 400', method: 'post', path: '/api/admin/revoke', request: ({ tokens }) => revoke(tokens.admin, '{}'), status: 400, code: 'bad-request' },
  { name: 'POST /api/admin/revoke with malformed JSON answers 400', method: 'post', path: '/api/admin/revoke', request: ({ tokens }) => revoke(tokens.admin, '{"sub":'), status: 400, code: 'bad-request' },
  {
    name: 'POST /api/admin/revoke ignores an admin token in ?token= (401)',
    method: 'post',
    path: '/api/admin/revoke',
    request: ({ tokens }) => ({ url: `/api/admin/revoke?token=${tokens.admin}`, headers: JSON_BODY, body: '{"sub":"mallory"}' }),
    status: 401,
    code: 'missing-token',
  },
  { name: 'POST /api/admin/revoke with a non-admin token answers 403', method: 'post', path: '/api/admin/revoke', request: ({ tokens }) => revoke(tokens.writer, '{"sub":"mallory"}'), status: 403, code: 'not-admin' },
  { name: 'POST /api/admin/revoke in open mode answers 409', method: 'post', path: '/api/admin/revoke', server: 'open', request: () => ({ url: '/api/admin/revoke', headers: JSON_BODY, body: '{"sub":"mallory"}' }), status: 409, code: 'auth-disabled' },
  {
    name: 'POST /api/admin/revoke with a body over 16 kB answers 413',
    method: 'post',
    path: '/api/admin/revoke',
    request: ({ tokens }) => revoke(tokens.admin, JSON.stringify({ sub: 'm'.repeat(17_000) })),
    status: 413,
    code: 'too-large',
  },
  {
    name: 'POST /api/admin/revoke in a non-UTF charset answers 415',
    method: 'post',
    path: '/api/admin/revoke',
    request: ({ tokens }) => revoke(tokens.admin, '{"sub":"mallory"}', { 'content-type': 'application/json; charset=latin1' }),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'GET /api/admin/revocations lists the revocation made above',
    method: 'get',
    path: '/api/admin/revocations',
    request: ({ tokens }) => ({ url: '/api/admin/revocations', headers: bearer(tokens.admin) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ revocations: Array<{ sub?: string }> }>(answer).revocations.map((r) => r.sub)).toContain('mallory'),
  },
  { name: 'GET /api/admin/revocations without a token answers 401', method: 'get', path: '/api/admin/revocations', request: () => ({ url: '/api/admin/revocations' }), status: 401, code: 'missing-token' },
  { name: 'GET /api/admin/revocations with a non-admin token answers 403', method: 'get', path: '/api/admin/revocations', request: ({ tokens }) => ({ url: '/api/admin/revocations', headers: bearer(tokens.writer) }), status: 403, code: 'not-admin' },
  { name: 'GET /api/admin/revocations in open mode answers 409', method: 'get', path: '/api/admin/revocations', server: 'open', request: () => ({ url: '/api/admin/revocations' }), status: 409, code: 'auth-disabled' },
  ...ADMIN_PAGE_ROWS,
];
