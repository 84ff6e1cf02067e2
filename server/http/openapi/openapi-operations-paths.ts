/**
 * Probes, metrics, the admin API and this description itself in the OpenAPI description
 * (app.ts, readiness.ts, metrics-route.ts, admin-routes.ts).
 */
import { ADMIN_SECURITY, AUTH_RESPONSES, errorResponse, json, NO_SECURITY, answerWith, ref } from './openapi-components.js';
import type { Operation, PathItem } from './openapi-types.js';

const hostNotAllowed = errorResponse('The Host name is not one this server answers to', ['host-not-allowed']);
const notAdmin = errorResponse('The token has no `admin: true` claim, or the Host name is not served', ['not-admin', 'host-not-allowed']);
const authDisabled = errorResponse('Open mode (no auth configured): the admin API needs auth', ['auth-disabled']);

const ADMIN_DESCRIPTION = 'Needs an `admin: true` token in `Authorization: Bearer` (a token in `?token=` or the cookie is ignored: 401).';

function admin(operation: Omit<Operation, 'tags' | 'security'>): Operation {
  return {
    ...operation,
    tags: ['admin'],
    security: ADMIN_SECURITY,
    responses: { ...AUTH_RESPONSES, '403': notAdmin, '409': authDisabled, '500': ref('responses', 'Internal'), ...operation.responses },
  };
}

export const OPERATIONS_PATHS: Readonly<Record<string, PathItem>> = {
  '/healthz': {
    get: {
      operationId: 'getHealth',
      summary: 'Liveness: 200 while the process runs',
      description: 'Answers any Host name.',
      tags: ['operations'],
      security: NO_SECURITY,
      responses: { '200': answerWith('The process runs', json('Health')) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'getReadiness',
      summary: 'Readiness: 200 only while started and the store (and in a cluster Redis) answer',
      description: 'For load balancers; each check runs under a 2 s timeout and concurrent probes share one round. Answers any Host name.',
      tags: ['operations'],
      security: NO_SECURITY,
      responses: {
        '200': answerWith('Ready', json('Ready')),
        '503': answerWith('Starting, stopping, or a dependency does not answer', json('NotReady')),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (text exposition format)',
      description:
        'With auth: an admin token in `Authorization: Bearer` only. In open mode: no token when the server binds a loopback ' +
        'address, 409 otherwise (use the `--metrics-port` listener).',
      tags: ['operations'],
      security: ADMIN_SECURITY,
      responses: {
        '200': answerWith('The metrics', { 'text/plain': { schema: { type: 'string' } } }, { 'Cache-Control': ref('headers', 'NoStore') }),
        ...AUTH_RESPONSES,
        '403': notAdmin,
        '409': errorResponse('Open mode on a non-loopback address', ['auth-disabled']),
        '500': ref('responses', 'Internal'),
      },
    },
  },
  '/api/openapi.json': {
    get: {
      operationId: 'getOpenApiDescription',
      summary: 'This OpenAPI 3.1 description',
      description: 'Needs no token: it is documentation.',
      tags: ['operations'],
      security: NO_SECURITY,
      responses: {
        '200': answerWith('The description', {
          'application/json': {
            schema: {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
            },
          },
        },
        { 'Cache-Control': { description: 'Changes only with a new release.', required: true, schema: { const: 'public, max-age=3600' } } },
        ),
        '403': hostNotAllowed,
      },
    },
  },
  '/api/admin/revoke': {
    post: admin({
      operationId: 'revokeTokens',
      summary: 'Revokes every token of a subject (for a document) issued before now',
      description:
        `${ADMIN_DESCRIPTION} Matching connections are closed with 4409. With PostgreSQL the answer comes once the revocation is ` +
        'stored; in a cluster it is then handed to the other members.',
      requestBody: { description: '`sub`, `doc` or both.', required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RevokeRequest' } } } },
      responses: {
        '200': answerWith('Revoked', json('RevokeAnswer')),
        '400': errorResponse('Neither `sub` nor `doc`, a bad one, or a body that is not JSON', ['bad-request']),
        '413': errorResponse('The body is larger than 16 kB', ['too-large']),
        '415': errorResponse('An unsupported charset or Content-Encoding', ['unsupported-media-type']),
        '503': errorResponse(
          'PostgreSQL did not store it (nothing revoked), the cluster broker did not take it (revoked here only; repeat), or the key set did not answer',
          ['revocation-not-stored', 'revocation-not-propagated', 'auth-unavailable'],
        ),
      },
    }),
  },
  '/api/admin/overview': {
    get: admin({
      operationId: 'getAdminOverview',
      summary: "This process's live documents with their connections and users, totals, store size and recent warnings and errors",
      description: `${ADMIN_DESCRIPTION} Per process: in a cluster each member answers for its own connections and log lines. The store size is re-read at most every 10 s.`,
      responses: { '200': answerWith('The overview', json('AdminOverview'), { 'Cache-Control': ref('headers', 'NoStore') }) },
    }),
  },
  '/api/admin/connections/{id}/close': {
    post: admin({
      operationId: 'closeConnection',
      summary: 'Closes one WebSocket connection of this process with 4205 (a reset: the client reconnects if its token still allows)',
      description: `${ADMIN_DESCRIPTION} Revoke the subject to keep someone out.`,
      parameters: [{ name: 'id', in: 'path', required: true, description: 'A connection id from the overview (`c1`, `c2` …).', schema: { type: 'string', minLength: 1 } }],
      responses: {
        '204': { description: 'Closed' },
        '404': errorResponse('No open connection with that id on this process', ['not-found']),
      },
    }),
  },
  '/api/admin/revocations': {
    get: admin({
      operationId: 'listRevocations',
      summary: 'The revocations in force',
      description: ADMIN_DESCRIPTION,
      responses: { '200': answerWith('The revocations', json('RevocationList')) },
    }),
  },
};
