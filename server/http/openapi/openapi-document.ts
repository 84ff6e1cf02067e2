/**
 * The OpenAPI 3.1 description of Tandem's HTTP API, assembled from the per-area modules. Served at
 * `GET /api/openapi.json` (openapi-route.ts); the tests hold the server's real answers to it.
 */
import { COMPONENTS, READ_SECURITY } from './openapi-components.js';
import { DOCUMENT_PATHS } from './openapi-document-paths.js';
import { OPERATIONS_PATHS } from './openapi-operations-paths.js';
import { VERSION_PATHS } from './openapi-version-paths.js';
import type { OpenApiDocument } from './openapi-types.js';

const DESCRIPTION = [
  'The HTTP side of Tandem, a y-websocket compatible collaborative editing server (the WebSocket protocol is not described here).',
  'With auth configured every `/api` route but this description needs a token (JWT), with access to the document for routes',
  'under `/api/docs/{name}`: read for GET/HEAD, write otherwise. Without auth (open mode) no token is needed.',
  'Every request but `/healthz` and `/readyz` must name a Host the server answers to (else 403 `host-not-allowed`).',
  'Errors are JSON `{ "error": { "code", "message" } }`; `code` is stable. Every answer carries `X-Request-Id`.',
].join(' ');

export function buildOpenApiDocument(version: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: 'Tandem', version, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: '/', description: 'The server that serves this description' }],
    security: READ_SECURITY,
    tags: [
      { name: 'documents', description: 'Read, change, list and delete documents' },
      { name: 'versions', description: 'Version history: list, name, preview, diff, restore' },
      { name: 'admin', description: 'Token revocation (admin tokens only)' },
      { name: 'operations', description: 'Probes, metrics and this description' },
    ],
    paths: { ...OPERATIONS_PATHS, ...DOCUMENT_PATHS, ...VERSION_PATHS },
    components: COMPONENTS,
  };
}
