/**
 * Version history in the OpenAPI description (document-versions.ts, version-restore.ts): list,
 * name, preview, diff and restore, with their body schemas.
 */
import { AUTH_RESPONSES, answerWith, errorResponse, json, READ_SECURITY, ref, WRITE_SECURITY } from './openapi-components.js';
import type { JsonSchema, Operation, PathItem } from './openapi-types.js';

const TAGS = ['versions'];
const schema = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const VERSION_ID = { name: 'id', in: 'path', required: true, description: 'A version id (a positive integer) of this document.', schema: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } as const;
const forbidden = (needed: 'read' | 'write') => errorResponse(`The token has no ${needed} access to the document, or the Host name is not served`, ['forbidden', 'host-not-allowed']);
const badId = errorResponse('Bad document name or version id', ['invalid-name', 'invalid-version-id']);
const noVersion = errorResponse('The document has no such version', ['version-not-found']);

const preview: Operation = {
  operationId: 'getVersion',
  summary: 'A version as ProseMirror JSON, HTML, Markdown, plain text, or its Yjs state',
  description: '`format=` wins over `Accept`, as for the export. Rendered in a worker thread.',
  tags: TAGS,
  security: READ_SECURITY,
  parameters: [{ name: 'format', in: 'query', description: 'Wins over `Accept`; `yjs` is the full Yjs state.', schema: { type: 'string', enum: ['json', 'html', 'text', 'markdown', 'yjs'] } }],
  responses: {
    '200': answerWith('The version in the chosen format', {
      'application/json': { schema: schema('ProseMirrorDocument') },
      'text/html': { schema: { type: 'string' } },
      'text/plain': { schema: { type: 'string' } },
      'text/markdown': { schema: { type: 'string' } },
      'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
    }),
    '400': errorResponse('Bad name, id or format', ['invalid-name', 'invalid-version-id', 'invalid-format']),
    ...AUTH_RESPONSES,
    '403': forbidden('read'),
    '404': noVersion,
    '406': errorResponse('`Accept` allows none of the formats', ['not-acceptable']),
    '500': errorResponse('The version cannot be rendered, or another failure', ['render-failed', 'internal']),
  },
};

export const VERSION_PATHS: Readonly<Record<string, PathItem>> = {
  '/api/docs/{name}/versions': {
    parameters: [ref('parameters', 'DocName')],
    get: {
      operationId: 'listVersions',
      summary: "The document's versions, newest first",
      tags: TAGS,
      security: READ_SECURITY,
      responses: {
        '200': answerWith('The versions (empty for a document without any)', json('VersionList')),
        '400': badId,
        ...AUTH_RESPONSES,
        '403': forbidden('read'),
        '500': ref('responses', 'Internal'),
      },
    },
    post: {
      operationId: 'nameVersion',
      summary: 'Names the current state: a `named` version, kept by retention',
      tags: TAGS,
      security: WRITE_SECURITY,
      requestBody: { description: 'The name, 1-200 characters.', required: true, content: { 'application/json': { schema: schema('VersionName') } } },
      responses: {
        '201': answerWith('The version, with `Location`', json('Version'), { Location: { description: 'The version: `/api/docs/{name}/versions/{id}`.', schema: { type: 'string' } } }),
        '400': errorResponse('Bad name or version name', ['invalid-name', 'invalid-version-name', 'bad-request']),
        ...AUTH_RESPONSES,
        '403': forbidden('write'),
        '404': errorResponse('No document by that name', ['not-found']),
        '413': errorResponse('The body is too large', ['too-large']),
        '500': ref('responses', 'Internal'),
      },
    },
  },
  '/api/docs/{name}/versions/{id}': {
    parameters: [ref('parameters', 'DocName'), VERSION_ID],
    get: preview,
  },
  '/api/docs/{name}/versions/{id}/diff': {
    parameters: [ref('parameters', 'DocName'), VERSION_ID],
    get: {
      operationId: 'diffVersion',
      summary: 'What changed from `against` (default: the current document) to the version',
      tags: TAGS,
      security: READ_SECURITY,
      parameters: [{ name: 'against', in: 'query', description: 'Another version id, or `current`.', schema: { type: 'string' } }],
      responses: {
        '200': answerWith('The diff', json('VersionDiff')),
        '400': badId,
        ...AUTH_RESPONSES,
        '403': forbidden('read'),
        '404': errorResponse('No such version, or no document to compare with', ['version-not-found', 'not-found']),
        '500': errorResponse('The states could not be compared, or another failure', ['diff-failed', 'internal']),
      },
    },
  },
  '/api/docs/{name}/versions/{id}/restore': {
    parameters: [ref('parameters', 'DocName'), VERSION_ID],
    post: {
      operationId: 'restoreVersion',
      summary: "Makes the live document's content the version's, as an edit that merges",
      description: 'The current state is kept as a `pre-restore` version first, the result as a `restore` version; answered once stored.',
      tags: TAGS,
      security: WRITE_SECURITY,
      responses: {
        '200': answerWith('Restored', json('RestoreAnswer')),
        '400': badId,
        ...AUTH_RESPONSES,
        '403': forbidden('write'),
        '404': noVersion,
        '500': errorResponse('The restore could not be computed, or another failure', ['restore-failed', 'internal']),
      },
    },
  },
  '/api/docs/{name}/versions/{id}/restore-edit': {
    parameters: [ref('parameters', 'DocName'), VERSION_ID],
    post: {
      operationId: 'beginClientRestore',
      summary: 'A restore the restoring editor applies itself (so its own undo can undo it): the edit, not applied',
      description:
        'Stores the current state as a `pre-restore` version and answers the edit that turns it into the version, as a base64 Yjs update; the document is not changed. The editor applies the update as its own edit, waits until the server stored it, then calls `…/restore-edit/applied`.',
      tags: TAGS,
      security: WRITE_SECURITY,
      responses: {
        '200': answerWith('The pre-restore version and the edit', json('ClientRestoreAnswer')),
        '400': badId,
        ...AUTH_RESPONSES,
        '403': forbidden('write'),
        '404': noVersion,
        '500': errorResponse('The restore could not be computed, or another failure', ['restore-failed', 'internal']),
      },
    },
  },
  '/api/docs/{name}/versions/{id}/restore-edit/applied': {
    parameters: [ref('parameters', 'DocName'), VERSION_ID],
    post: {
      operationId: 'recordClientRestore',
      summary: 'Stores the current state as the `restore` version of a restore the editor applied',
      tags: TAGS,
      security: WRITE_SECURITY,
      responses: {
        '201': answerWith('The restore version, with `Location`', json('Version'), { Location: { description: 'The version: `/api/docs/{name}/versions/{id}`.', schema: { type: 'string' } } }),
        '400': badId,
        ...AUTH_RESPONSES,
        '403': forbidden('write'),
        '404': noVersion,
        '500': ref('responses', 'Internal'),
      },
    },
  },
};
