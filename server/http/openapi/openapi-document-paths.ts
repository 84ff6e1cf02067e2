/**
 * The document API in the OpenAPI description: list, export (GET/HEAD with formats, Accept,
 * ETag and 304), POST …/updates and DELETE (document-*.ts), and the write routes of issue #12
 * being built now (PUT, POST …/append, `format=markdown`), from their agreed contract.
 */
import { AUTH_RESPONSES, errorResponse, json, answerWith, READ_SECURITY, ref, WRITE_SECURITY } from './openapi-components.js';
import type { ErrorCode } from './openapi-schemas.js';
import type { Operation, PathItem, RequestBody, Response } from './openapi-types.js';

const TAGS = ['documents'];
const ETAG = { ETag: ref('headers', 'ETag') };
const NO_STORE = { 'Cache-Control': ref('headers', 'NoStore') };

const forbidden = (needed: 'read' | 'write'): Response =>
  errorResponse(`The token has no ${needed} access to the document, or the Host name is not served (a token revoked for the document is 401 \`revoked-token\`)`, ['forbidden', 'host-not-allowed']);
const badName = (more: ErrorCode[] = []): Response => errorResponse('Bad document name or request', ['invalid-name', ...more]);

const EXPORT_RESPONSES: Operation['responses'] = {
  '200': answerWith(
    'The document in the chosen format, `Vary: Accept`; HTML answers carry a `Content-Security-Policy` that lets nothing run.',
    {
      'application/json': { schema: { $ref: '#/components/schemas/ProseMirrorDocument' } },
      'text/html': { schema: { type: 'string' } },
      'text/plain': { schema: { type: 'string' } },
      'text/markdown': { schema: { type: 'string' } },
      'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The full Yjs state, for `Y.applyUpdate`.' } },
    },
    { ...ETAG, ...NO_STORE },
  ),
  '304': answerWith('`If-None-Match` names the current ETag: no body.', undefined, { ...ETAG, ...NO_STORE }),
  '400': badName(['invalid-format']),
  ...AUTH_RESPONSES,
  '403': forbidden('read'),
  '404': errorResponse('No document by that name (never written, or deleted)', ['not-found']),
  '406': errorResponse('`Accept` allows none of the formats', ['not-acceptable']),
  '500': errorResponse('The document cannot be rendered (e.g. nested deeper than the renderers allow), or another failure', ['render-failed', 'internal']),
};

const EXPORT_PARAMETERS: Operation['parameters'] = [
  {
    name: 'format',
    in: 'query',
    description: 'Wins over `Accept`. `yjs` is the full Yjs state (application/octet-stream); `markdown` is text/markdown.',
    schema: { type: 'string', enum: ['json', 'html', 'text', 'markdown', 'yjs'] },
  },
  ref('parameters', 'IfNoneMatch'),
];

const EXPORT_DESCRIPTION =
  'Without `format=`, the `Accept` header chooses among application/json, text/html, text/plain, text/markdown and ' +
  'application/octet-stream (no header or `*/*`: JSON; none of them: 406). A loaded document is read from its live room ' +
  '(edits not yet stored included), otherwise from the store. The ETag is the same for every format; `If-None-Match` ' +
  'with it answers 304 before anything is rendered.';

/** PUT and POST …/append take the same bodies (the contract of issue #12). */
const CONTENT_BODY: RequestBody = {
  description: 'The new content: HTML, Markdown, or a ProseMirror document of the shared editor schema.',
  required: true,
  content: {
    'text/html': { schema: { type: 'string' } },
    'text/markdown': { schema: { type: 'string' } },
    'application/json': { schema: { $ref: '#/components/schemas/ProseMirrorDocument' } },
  },
};

function contentWrite(operationId: string, summary: string, description: string): Operation {
  return {
    operationId,
    summary,
    description,
    tags: TAGS,
    security: WRITE_SECURITY,
    parameters: [ref('parameters', 'IfMatch')],
    requestBody: CONTENT_BODY,
    responses: {
      '200': answerWith('Applied and durably stored; the body and the ETag header give the new ETag.', json('EtagAnswer'), ETAG),
      '400': badName(['invalid-content', 'bad-request']),
      ...AUTH_RESPONSES,
      '403': forbidden('write'),
      '412': errorResponse('`If-Match` does not name the live ETag', ['precondition-failed']),
      '413': errorResponse('The body is larger than the server accepts', ['too-large']),
      '415': errorResponse('The body is not text/html, text/markdown or application/json', ['unsupported-media-type']),
      '500': ref('responses', 'Internal'),
    },
  };
}

export const DOCUMENT_PATHS: Readonly<Record<string, PathItem>> = {
  '/api/docs': {
    get: {
      operationId: 'listDocuments',
      summary: 'Stored documents the caller may read, newest change first, a page at a time',
      description: 'A document changed between two pages moves to the front, so a walk over all pages may miss or repeat it.',
      tags: TAGS,
      security: READ_SECURITY,
      parameters: [ref('parameters', 'Limit'), ref('parameters', 'Cursor')],
      responses: {
        '200': answerWith('One page', json('DocumentPage'), NO_STORE),
        '400': errorResponse('Bad `limit` or `cursor`', ['invalid-limit', 'invalid-cursor']),
        ...AUTH_RESPONSES,
        '403': errorResponse('The Host name is not served', ['host-not-allowed']),
        '500': ref('responses', 'Internal'),
      },
    },
  },
  '/api/docs/{name}': {
    parameters: [ref('parameters', 'DocName')],
    get: {
      operationId: 'exportDocument',
      summary: 'The document as ProseMirror JSON, HTML, plain text, Markdown, or its Yjs state',
      description: EXPORT_DESCRIPTION,
      tags: TAGS,
      security: READ_SECURITY,
      parameters: EXPORT_PARAMETERS,
      responses: EXPORT_RESPONSES,
    },
    head: {
      operationId: 'headDocument',
      summary: "GET's headers (ETag, Content-Type) without the body",
      description: EXPORT_DESCRIPTION,
      tags: TAGS,
      security: READ_SECURITY,
      parameters: EXPORT_PARAMETERS,
      responses: EXPORT_RESPONSES,
    },
    put: contentWrite(
      'replaceDocument',
      "Replaces the document's content",
      'Applied as one server edit through a lease: live clients see it at once; answered once durably stored.',
    ),
    delete: {
      operationId: 'deleteDocument',
      summary: 'Closes its connections (4404, on every cluster member), unloads and deletes the document',
      tags: TAGS,
      security: WRITE_SECURITY,
      responses: {
        '204': answerWith('Deleted', undefined),
        '400': badName(),
        ...AUTH_RESPONSES,
        '403': forbidden('write'),
        '404': errorResponse('Neither loaded nor stored', ['not-found']),
        '500': ref('responses', 'Internal'),
        '503': errorResponse(
          'In a cluster, Redis did not take the delete for the other members (nothing deleted), or the key set did not answer',
          ['cluster-unavailable', 'auth-unavailable'],
        ),
      },
    },
  },
  '/api/docs/{name}/updates': {
    parameters: [ref('parameters', 'DocName')],
    post: {
      operationId: 'applyUpdate',
      summary: 'Applies a binary Yjs update as a server edit',
      description:
        'Parsed and depth-checked (128 levels) like a WebSocket update before anything is applied; live clients get it at once; ' +
        'answered once durably stored. At most `--max-message-bytes`.',
      tags: TAGS,
      security: WRITE_SECURITY,
      parameters: [ref('parameters', 'IfMatch')],
      requestBody: {
        description: 'A Yjs update (`Y.encodeStateAsUpdate`).',
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
      },
      responses: {
        '200': answerWith('Applied and durably stored; the body and the ETag header give the new ETag.', json('EtagAnswer'), { ...ETAG, ...NO_STORE }),
        '400': badName(['invalid-update', 'too-deeply-nested', 'bad-request']),
        ...AUTH_RESPONSES,
        '403': forbidden('write'),
        '409': errorResponse('The update needs changes the document lacks (it would be held invisibly)', ['missing-dependencies']),
        '412': errorResponse('`If-Match` does not name the live ETag', ['precondition-failed']),
        '413': errorResponse('The body is longer than `--max-message-bytes`', ['too-large']),
        '415': errorResponse('The body is not application/octet-stream, or its Content-Encoding is not supported', ['unsupported-media-type']),
        '500': ref('responses', 'Internal'),
      },
    },
  },
  '/api/docs/{name}/append': {
    parameters: [ref('parameters', 'DocName')],
    post: contentWrite('appendToDocument', 'Appends content at the end of the document', 'Same bodies, conditions and answers as PUT; the content is added after what is there.'),
  },
};
