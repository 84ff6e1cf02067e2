/** Body schemas of the admin page's routes (shared/admin-overview.ts) in the OpenAPI description. */
import { DOC_NAME_SCHEMA } from './openapi-schemas.js';
import type { JsonSchema } from './openapi-types.js';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const isoTime: JsonSchema = { type: 'string', format: 'date-time' };

export const ADMIN_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ConnectionSummary: {
    type: 'object',
    required: ['id', 'sub', 'name', 'access', 'connectedAt', 'remoteAddress'],
    properties: {
      id: { type: 'string', description: '`c1`, `c2` … the `connId` of its log lines, unique within the process.' },
      sub: { type: 'string', description: 'The token subject; "anonymous" in open mode.' },
      name: { type: ['string', 'null'] },
      access: { enum: ['read-write', 'read-only'] },
      connectedAt: isoTime,
      remoteAddress: { type: 'string' },
    },
    additionalProperties: false,
  },
  DocumentOverview: {
    type: 'object',
    required: ['name', 'loaded', 'connectionCount', 'connections', 'leases'],
    properties: {
      name: DOC_NAME_SCHEMA,
      loaded: { type: 'boolean' },
      connectionCount: { type: 'integer', minimum: 0 },
      connections: { type: 'array', maxItems: 100, items: ref('ConnectionSummary') },
      leases: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
  },
  RecentError: {
    type: 'object',
    required: ['time', 'level', 'msg'],
    properties: {
      time: isoTime,
      level: { enum: ['warn', 'error', 'fatal'] },
      msg: { type: 'string' },
      doc: { type: 'string' },
      connId: { type: 'string' },
      reqId: { type: 'string' },
      code: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
      reason: { type: 'string' },
      error: { type: 'string' },
    },
    additionalProperties: false,
  },
  AdminOverview: {
    type: 'object',
    description: "This process's live documents (the 200 with the most connections), totals, store size and last warn/error log lines.",
    required: ['documents', 'totals', 'store', 'recentErrors'],
    properties: {
      documents: { type: 'array', maxItems: 200, items: ref('DocumentOverview') },
      totals: {
        type: 'object',
        required: ['documents', 'connections'],
        properties: { documents: { type: 'integer', minimum: 0 }, connections: { type: 'integer', minimum: 0 } },
        additionalProperties: false,
      },
      store: {
        oneOf: [
          {
            type: 'object',
            required: ['documents', 'bytes', 'measuredAt'],
            properties: { documents: { type: 'integer', minimum: 0 }, bytes: { type: 'integer', minimum: 0 }, measuredAt: isoTime },
            additionalProperties: false,
          },
          { type: 'null' },
        ],
      },
      storeError: { type: 'string' },
      recentErrors: { type: 'array', maxItems: 100, items: ref('RecentError') },
    },
    additionalProperties: false,
  },
};
