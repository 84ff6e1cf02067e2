/**
 * Shared pieces of the OpenAPI description: security schemes (the three ways a token travels,
 * auth-middleware.ts), parameters, response headers, the common error answers, and the helpers
 * the path modules build their responses with.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../document-list.js';
import { DOC_NAME_SCHEMA, SCHEMAS, type ErrorCode } from './openapi-schemas.js';
import { ADMIN_SCHEMAS } from './openapi-admin-schemas.js';
import { VERSION_SCHEMAS } from './openapi-version-schemas.js';
import type { Components, Header, Reference, Response, SecurityRequirement } from './openapi-types.js';

export const ref = <T extends string>(section: T, name: string): Reference => ({ $ref: `#/components/${section}/${name}` });

/** Every response carries the request id (request-context.ts). */
const REQUEST_ID_HEADER: Readonly<Record<string, Reference>> = { 'X-Request-Id': ref('headers', 'XRequestId') };

/** A JSON error answer whose `error.code` is one of `codes`. */
export function errorResponse(description: string, codes: readonly ErrorCode[]): Response {
  return {
    description: `${description} (${codes.map((code) => `\`${code}\``).join(', ')})`,
    headers: REQUEST_ID_HEADER,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          allOf: [{ $ref: '#/components/schemas/Error' }],
          properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
        },
      },
    },
  };
}

/** An answer that is not a JSON error: its content by media type (none for 204/304), the request id and extra headers. */
export function answerWith(
  description: string,
  content: Response['content'],
  headers: Readonly<Record<string, Header | Reference>> = {},
): Response {
  return { description, headers: { ...REQUEST_ID_HEADER, ...headers }, ...(content ? { content } : {}) };
}

export const json = (schemaName: string): Response['content'] => ({
  'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } },
});

/** Document routes: a token from the header, the query or (GET/HEAD only) the cookie. */
export const READ_SECURITY: readonly SecurityRequirement[] = [{ bearerToken: [] }, { queryToken: [] }, { cookieToken: [] }];
/** A cookie is never read for state-changing requests (a cross-site form would carry it). */
export const WRITE_SECURITY: readonly SecurityRequirement[] = [{ bearerToken: [] }, { queryToken: [] }];
/** The admin API and /metrics: the header only. */
export const ADMIN_SECURITY: readonly SecurityRequirement[] = [{ bearerToken: [] }];
export const NO_SECURITY: readonly SecurityRequirement[] = [];

/** Answers every authenticated route may give, by status. */
export const AUTH_RESPONSES: Readonly<Record<string, Reference>> = {
  '401': ref('responses', 'Unauthorized'),
  '503': ref('responses', 'AuthUnavailable'),
};

const TOKEN_DESCRIPTION = 'A JWT with the claims `sub`, `exp`, optional `iat`, `name`, `docs` (`<pattern>:<read|write>`) and `admin`.';

export const COMPONENTS: Components = {
  schemas: { ...SCHEMAS, ...ADMIN_SCHEMAS, ...VERSION_SCHEMAS },
  securitySchemes: {
    bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `\`Authorization: Bearer <token>\`. ${TOKEN_DESCRIPTION}` },
    queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'The same token as `?token=`; it wins over the header. Not accepted by the admin API or /metrics.' },
    cookieToken: { type: 'apiKey', in: 'cookie', name: 'tandem_token', description: 'The same token in the `tandem_token` cookie, read for GET and HEAD only.' },
  },
  parameters: {
    DocName: { name: 'name', in: 'path', required: true, description: 'Document name: 1-128 characters of A-Z a-z 0-9 . _ -, not `.` or `..`.', schema: DOC_NAME_SCHEMA },
    Limit: {
      name: 'limit',
      in: 'query',
      description: `Page size (default ${DEFAULT_PAGE_SIZE}).`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    },
    Cursor: { name: 'cursor', in: 'query', description: 'The `nextCursor` of the previous page (opaque).', schema: { type: 'string' } },
    IfNoneMatch: { name: 'If-None-Match', in: 'header', description: 'ETags (or `*`); a match answers 304 without a body.', schema: { type: 'string' } },
    IfMatch: {
      name: 'If-Match',
      in: 'header',
      description: "Apply only if the live document still has this ETag (or `*`); checked in the same turn as the change, else 412.",
      schema: { type: 'string' },
    },
  },
  headers: {
    ETag: { description: "The document's state: a strong validator, the same for every format.", required: true, schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]+"$' } },
    NoStore: { description: 'Answers about live state are never cached.', required: true, schema: { const: 'no-store' } },
    XRequestId: {
      description: "The request's id: the caller's `X-Request-Id` when 1-128 characters of A-Z a-z 0-9 . _ : -, else a new UUID. Every log line about the request carries it.",
      required: true,
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    },
  },
  responses: {
    Unauthorized: errorResponse('No token, or a malformed, expired or revoked one', ['missing-token', 'invalid-token', 'expired-token', 'revoked-token']),
    AuthUnavailable: errorResponse('The JWKS key set (`--auth-jwks-url`) did not answer or is unusable', ['auth-unavailable']),
    Internal: errorResponse('An unexpected failure (logged with the request id)', ['internal']),
  },
};
