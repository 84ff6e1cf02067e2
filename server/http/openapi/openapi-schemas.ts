/**
 * The body schemas of the OpenAPI description (JSON Schema 2020-12, OpenAPI 3.1's dialect). Error
 * codes are the `code`s the server really sends (http-error.ts, auth-error.ts, app.ts
 * `toHttpError`); each response narrows them to the ones its status can carry (errorResponse).
 */
import { DOC_NAME_PATTERN, MAX_DOC_NAME_LENGTH } from '../../../shared/doc-name.js';
import type { JsonSchema } from './openapi-types.js';

/** shared/doc-name.ts as a JSON Schema (`.` and `..` are refused besides the pattern). */
export const DOC_NAME_SCHEMA: JsonSchema = {
  type: 'string',
  pattern: DOC_NAME_PATTERN.source,
  minLength: 1,
  maxLength: MAX_DOC_NAME_LENGTH,
  not: { enum: ['.', '..'] },
};

export const ERROR_CODES = [
  'invalid-name',
  'invalid-format',
  'invalid-limit',
  'invalid-cursor',
  'invalid-update',
  'invalid-content',
  'too-deeply-nested',
  'bad-request',
  'missing-token',
  'invalid-token',
  'expired-token',
  'revoked-token',
  'forbidden',
  'not-admin',
  'host-not-allowed',
  'not-found',
  'not-acceptable',
  'auth-disabled',
  'missing-dependencies',
  'precondition-failed',
  'too-large',
  'unsupported-media-type',
  'internal',
  'render-failed',
  'write-failed',
  'not-ready',
  'auth-unavailable',
  'revocation-not-stored',
  'revocation-not-propagated',
  'cluster-unavailable',
  'document-deleted',
  'server-closing',
  'invalid-version-id',
  'invalid-version-name',
  'version-not-found',
  'diff-failed',
  'restore-failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const revocation: JsonSchema = {
  type: 'object',
  description: 'Tokens of `sub` (every subject when absent) for `doc` (every document when absent) issued before `before` are refused.',
  required: ['before'],
  properties: { sub: { type: 'string' }, doc: DOC_NAME_SCHEMA, before: { type: 'string', format: 'date-time' } },
  additionalProperties: false,
};

export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ErrorCode: { type: 'string', enum: ERROR_CODES, description: 'Stable machine-readable reason; the message is for people and may change.' },
  ErrorBody: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: ref('ErrorCode'), message: { type: 'string' } },
    additionalProperties: false,
  },
  Error: {
    type: 'object',
    description: 'Every 4xx/5xx answer of the API.',
    required: ['error'],
    properties: { error: ref('ErrorBody') },
    additionalProperties: false,
  },
  ReadinessChecks: {
    type: 'object',
    description: "'ok', or why the check failed, by check name (`process`, `store`, and `pubsub` in a cluster).",
    required: ['process'],
    properties: { process: { type: 'string' } },
    additionalProperties: { type: 'string' },
  },
  Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } }, additionalProperties: false },
  Ready: {
    type: 'object',
    required: ['status', 'checks'],
    properties: { status: { const: 'ok' }, checks: ref('ReadinessChecks') },
    additionalProperties: false,
  },
  NotReady: {
    type: 'object',
    required: ['error', 'checks'],
    properties: {
      error: { type: 'object', allOf: [ref('ErrorBody')], properties: { code: { const: 'not-ready' } } },
      checks: ref('ReadinessChecks'),
    },
    additionalProperties: false,
  },
  ProseMirrorMark: {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string' }, attrs: { type: 'object' } },
  },
  ProseMirrorNode: {
    type: 'object',
    description: 'A node of the shared editor schema (shared/editor-schema.ts), as ProseMirror `Node.toJSON()` gives it.',
    required: ['type'],
    properties: {
      type: { type: 'string' },
      attrs: { type: 'object' },
      content: { type: 'array', items: ref('ProseMirrorNode') },
      text: { type: 'string' },
      marks: { type: 'array', items: ref('ProseMirrorMark') },
    },
  },
  ProseMirrorDocument: {
    type: 'object',
    allOf: [ref('ProseMirrorNode')],
    properties: { type: { const: 'doc' } },
  },
  DocumentSummary: {
    type: 'object',
    required: ['name', 'bytes', 'updatedAt', 'connections'],
    properties: {
      name: DOC_NAME_SCHEMA,
      bytes: { type: 'integer', minimum: 0, description: 'Stored size (snapshot plus log).' },
      updatedAt: { type: 'string', format: 'date-time', description: 'Last stored change.' },
      connections: { type: 'integer', minimum: 0, description: 'Live WebSocket connections to it on this server.' },
    },
    additionalProperties: false,
  },
  DocumentPage: {
    type: 'object',
    required: ['documents', 'nextCursor'],
    properties: {
      documents: { type: 'array', items: ref('DocumentSummary'), description: 'Newest change first.' },
      nextCursor: { type: ['string', 'null'], description: 'Pass back as `cursor` for the next page; null on the last.' },
    },
    additionalProperties: false,
  },
  EtagAnswer: {
    type: 'object',
    required: ['etag'],
    properties: { etag: { type: 'string', description: "The document's new ETag, as in the ETag header." } },
    additionalProperties: false,
  },
  RevokeRequest: {
    type: 'object',
    description: 'At least one of `sub` and `doc`.',
    minProperties: 1,
    properties: { sub: { type: 'string', minLength: 1, maxLength: 256 }, doc: DOC_NAME_SCHEMA },
  },
  Revocation: revocation,
  RevokeAnswer: {
    type: 'object',
    required: ['revoked', 'closedConnections'],
    properties: { revoked: ref('Revocation'), closedConnections: { type: 'integer', minimum: 0 } },
    additionalProperties: false,
  },
  RevocationList: {
    type: 'object',
    required: ['revocations'],
    properties: { revocations: { type: 'array', items: ref('Revocation') } },
    additionalProperties: false,
  },
};
