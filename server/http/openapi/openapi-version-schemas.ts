/** Body schemas of the version history routes (openapi-version-paths.ts) in the OpenAPI description. */
import type { JsonSchema } from './openapi-types.js';

const schema = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const block = (position: 'index' | 'againstIndex'): JsonSchema => ({
  type: 'object',
  required: ['type', 'text', position],
  properties: { type: { type: 'string' }, text: { type: 'string' }, [position]: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
});

export const VERSION_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Version: {
    type: 'object',
    required: ['id', 'kind', 'name', 'createdAt', 'bytes', 'storedBytes', 'editors'],
    properties: {
      id: { type: 'integer', minimum: 1, description: 'Ascending per document, never reused for it.' },
      kind: { enum: ['auto', 'named', 'pre-restore', 'restore'] },
      name: { type: ['string', 'null'], description: 'Given to a named version; `Restored version <id>` for a restore.' },
      createdAt: { type: 'string', format: 'date-time' },
      bytes: { type: 'integer', minimum: 0, description: 'The Yjs state, uncompressed.' },
      storedBytes: { type: 'integer', minimum: 0, description: 'As stored (gzip when smaller).' },
      editors: {
        type: 'array',
        description: 'Who edited since the previous version (token `sub` and `name`; "anonymous" in open mode).',
        items: { type: 'object', required: ['sub', 'name'], properties: { sub: { type: 'string' }, name: { type: ['string', 'null'] } }, additionalProperties: false },
      },
    },
    additionalProperties: false,
  },
  VersionList: { type: 'object', required: ['versions'], properties: { versions: { type: 'array', items: schema('Version') } }, additionalProperties: false },
  VersionName: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
  VersionDiff: {
    type: 'object',
    required: ['version', 'against', 'added', 'removed', 'changes', 'blocks'],
    description: 'From `against` to the version, by block (text blocks in document order); `index` is a position in the version, `againstIndex` in the other state.',
    properties: {
      version: { type: 'integer' },
      against: { oneOf: [{ type: 'integer' }, { type: 'string', const: 'current' }] },
      added: { type: 'array', description: 'Blocks the version has and `against` lacks.', items: block('index') },
      removed: { type: 'array', description: 'Blocks `against` has and the version lacks.', items: block('againstIndex') },
      changes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'againstIndex', 'type', 'parts'],
          properties: {
            index: { type: 'integer', minimum: 0 },
            againstIndex: { type: 'integer', minimum: 0 },
            type: { type: 'string' },
            parts: { type: 'array', items: { type: 'object', required: ['text', 'op'], properties: { text: { type: 'string' }, op: { enum: ['equal', 'added', 'removed'] } } } },
          },
        },
      },
      blocks: { type: 'object', required: ['version', 'against', 'unchanged'], properties: { version: { type: 'integer' }, against: { type: 'integer' }, unchanged: { type: 'integer' } } },
    },
  },
  RestoreAnswer: {
    type: 'object',
    required: ['etag', 'preRestoreVersion', 'restoredVersion'],
    properties: { etag: { type: 'string' }, preRestoreVersion: { type: 'integer' }, restoredVersion: { type: 'integer' } },
    additionalProperties: false,
  },
  ClientRestoreAnswer: {
    type: 'object',
    required: ['preRestoreVersion', 'update'],
    properties: { preRestoreVersion: { type: 'integer' }, update: { type: 'string', contentEncoding: 'base64', description: 'A Yjs update (base64).' } },
    additionalProperties: false,
  },
};
