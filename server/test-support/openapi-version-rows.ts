/**
 * Conformance rows for the version history routes (openapi-version-paths.ts): every documented
 * status but engine failures. They run after the other rows: the first names a version of the
 * written document, the others find it through the list.
 */
import { expect } from 'vitest';
import { bearer, JSON_BODY, jsonOf, textOf, WRITTEN, type RouteRow, type RowContext } from './openapi-rows.js';

const VERSIONS = `/api/docs/${WRITTEN.name}/versions`;
const LIST_PATH = '/api/docs/{name}/versions';
const VERSION_PATH = '/api/docs/{name}/versions/{id}';
const DIFF_PATH = '/api/docs/{name}/versions/{id}/diff';
const RESTORE_PATH = '/api/docs/{name}/versions/{id}/restore';
const EDIT_PATH = '/api/docs/{name}/versions/{id}/restore-edit';
const APPLIED_PATH = '/api/docs/{name}/versions/{id}/restore-edit/applied';

async function namedId({ tokens, send }: RowContext): Promise<number> {
  const { versions } = jsonOf<{ versions: Array<{ id: number; kind: string }> }>(await send('GET', { url: VERSIONS, headers: bearer(tokens.reader) }));
  const named = versions.find((version) => version.kind === 'named');
  expect(named, 'the version named by the first row').toBeDefined();
  return named!.id;
}

const naming: RouteRow[] = [
  {
    name: 'POST …/versions names the current state and answers 201 with the version',
    method: 'post',
    path: LIST_PATH,
    request: ({ tokens }) => ({ url: VERSIONS, headers: { ...bearer(tokens.writer), ...JSON_BODY }, body: JSON.stringify({ name: 'Spec' }) }),
    status: 201,
    expectAnswer: (answer) => expect(jsonOf<{ kind: string; name: string }>(answer)).toMatchObject({ kind: 'named', name: 'Spec' }),
  },
  { name: 'POST …/versions with an empty name answers 400', method: 'post', path: LIST_PATH, request: ({ tokens }) => ({ url: VERSIONS, headers: { ...bearer(tokens.writer), ...JSON_BODY }, body: '{"name":""}' }), status: 400, code: 'invalid-version-name' },
  { name: 'POST …/versions without a token answers 401', method: 'post', path: LIST_PATH, request: () => ({ url: VERSIONS, headers: JSON_BODY, body: '{"name":"x"}' }), status: 401, code: 'missing-token' },
  { name: 'POST …/versions with a read-only token answers 403', method: 'post', path: LIST_PATH, request: ({ tokens }) => ({ url: VERSIONS, headers: { ...bearer(tokens.reader), ...JSON_BODY }, body: '{"name":"x"}' }), status: 403, code: 'forbidden' },
  {
    name: 'POST …/versions of a document never written answers 404',
    method: 'post',
    path: LIST_PATH,
    request: ({ tokens }) => ({ url: '/api/docs/spec-never/versions', headers: { ...bearer(tokens.writer), ...JSON_BODY }, body: '{"name":"x"}' }),
    status: 404,
    code: 'not-found',
  },
  {
    name: 'POST …/versions with a body over 16 kB answers 413',
    method: 'post',
    path: LIST_PATH,
    request: ({ tokens }) => ({ url: VERSIONS, headers: { ...bearer(tokens.writer), ...JSON_BODY }, body: JSON.stringify({ name: 'x'.repeat(20_000) }) }),
    status: 413,
    code: 'too-large',
  },
];

const listing: RouteRow[] = [
  {
    name: 'GET …/versions lists the named version to a reader',
    method: 'get',
    path: LIST_PATH,
    request: ({ tokens }) => ({ url: VERSIONS, headers: bearer(tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ versions: Array<{ name: string | null }> }>(answer).versions.map((v) => v.name)).toContain('Spec'),
  },
  { name: 'GET …/versions of a bad name answers 400', method: 'get', path: LIST_PATH, request: ({ tokens }) => ({ url: '/api/docs/bad%20name/versions', headers: bearer(tokens.reader) }), status: 400, code: 'invalid-name' },
  { name: 'GET …/versions without a token answers 401', method: 'get', path: LIST_PATH, request: () => ({ url: VERSIONS }), status: 401, code: 'missing-token' },
  { name: 'GET …/versions with a token for other documents answers 403', method: 'get', path: LIST_PATH, request: ({ tokens }) => ({ url: VERSIONS, headers: bearer(tokens.stranger) }), status: 403, code: 'forbidden' },
];

const previews: RouteRow[] = [
  {
    name: 'GET …/versions/{id}?format=markdown answers the version as Markdown',
    method: 'get',
    path: VERSION_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}?format=markdown`, headers: bearer(ctx.tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => {
      expect(answer.headers.get('content-type')).toMatch(/^text\/markdown/);
      expect(textOf(answer)).toMatch(/^# Minutes$/m);
    },
  },
  {
    name: 'GET …/versions/{id}?format=text answers the version as text',
    method: 'get',
    path: VERSION_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}?format=text`, headers: bearer(ctx.tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => expect(textOf(answer)).toContain('Minutes'),
  },
  {
    name: 'GET …/versions/{id} answers the version as ProseMirror JSON by default',
    method: 'get',
    path: VERSION_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}`, headers: bearer(ctx.tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ type: string }>(answer).type).toBe('doc'),
  },
  { name: 'GET …/versions/{id} with a bad id answers 400', method: 'get', path: VERSION_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/abc`, headers: bearer(tokens.reader) }), status: 400, code: 'invalid-version-id' },
  { name: 'GET …/versions/{id} without a token answers 401', method: 'get', path: VERSION_PATH, request: () => ({ url: `${VERSIONS}/1` }), status: 401, code: 'missing-token' },
  { name: 'GET …/versions/{id} with a token for other documents answers 403', method: 'get', path: VERSION_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/1`, headers: bearer(tokens.stranger) }), status: 403, code: 'forbidden' },
  { name: 'GET …/versions/{id} of an unknown version answers 404', method: 'get', path: VERSION_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/999999`, headers: bearer(tokens.reader) }), status: 404, code: 'version-not-found' },
  {
    name: 'GET …/versions/{id} with an Accept of none of the formats answers 406',
    method: 'get',
    path: VERSION_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}`, headers: { ...bearer(ctx.tokens.reader), accept: 'image/png' } }),
    status: 406,
    code: 'not-acceptable',
  },
];

const diffs: RouteRow[] = [
  {
    name: 'GET …/versions/{id}/diff against the current document answers the diff',
    method: 'get',
    path: DIFF_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}/diff`, headers: bearer(ctx.tokens.reader) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ against: string }>(answer).against).toBe('current'),
  },
  { name: 'GET …/versions/{id}/diff with a bad against answers 400', method: 'get', path: DIFF_PATH, request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}/diff?against=x`, headers: bearer(ctx.tokens.reader) }), status: 400, code: 'invalid-version-id' },
  { name: 'GET …/versions/{id}/diff without a token answers 401', method: 'get', path: DIFF_PATH, request: () => ({ url: `${VERSIONS}/1/diff` }), status: 401, code: 'missing-token' },
  { name: 'GET …/versions/{id}/diff with a token for other documents answers 403', method: 'get', path: DIFF_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/1/diff`, headers: bearer(tokens.stranger) }), status: 403, code: 'forbidden' },
  { name: 'GET …/versions/{id}/diff against an unknown version answers 404', method: 'get', path: DIFF_PATH, request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}/diff?against=999999`, headers: bearer(ctx.tokens.reader) }), status: 404, code: 'version-not-found' },
];

const restores: RouteRow[] = [
  { name: 'POST …/restore with a bad id answers 400', method: 'post', path: RESTORE_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/x/restore`, headers: bearer(tokens.writer) }), status: 400, code: 'invalid-version-id' },
  { name: 'POST …/restore without a token answers 401', method: 'post', path: RESTORE_PATH, request: () => ({ url: `${VERSIONS}/1/restore` }), status: 401, code: 'missing-token' },
  { name: 'POST …/restore with a read-only token answers 403', method: 'post', path: RESTORE_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/1/restore`, headers: bearer(tokens.reader) }), status: 403, code: 'forbidden' },
  { name: 'POST …/restore of an unknown version answers 404', method: 'post', path: RESTORE_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/999999/restore`, headers: bearer(tokens.writer) }), status: 404, code: 'version-not-found' },
  {
    name: 'POST …/restore of the named version answers 200 with the pre-restore and restore versions',
    method: 'post',
    path: RESTORE_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}/restore`, headers: bearer(ctx.tokens.writer) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ restoredVersion: number; preRestoreVersion: number }>(answer).restoredVersion).toBeGreaterThan(jsonOf<{ preRestoreVersion: number }>(answer).preRestoreVersion),
  },
];

/** The restore an editor applies itself: the edit, then the record of it. */
const clientRestores: RouteRow[] = [
  { name: 'POST …/restore-edit with a bad id answers 400', method: 'post', path: EDIT_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/x/restore-edit`, headers: bearer(tokens.writer) }), status: 400, code: 'invalid-version-id' },
  { name: 'POST …/restore-edit without a token answers 401', method: 'post', path: EDIT_PATH, request: () => ({ url: `${VERSIONS}/1/restore-edit` }), status: 401, code: 'missing-token' },
  { name: 'POST …/restore-edit with a read-only token answers 403', method: 'post', path: EDIT_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/1/restore-edit`, headers: bearer(tokens.reader) }), status: 403, code: 'forbidden' },
  { name: 'POST …/restore-edit of an unknown version answers 404', method: 'post', path: EDIT_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/999999/restore-edit`, headers: bearer(tokens.writer) }), status: 404, code: 'version-not-found' },
  {
    name: 'POST …/restore-edit of the named version answers 200 with the pre-restore version and the edit',
    method: 'post',
    path: EDIT_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}/restore-edit`, headers: bearer(ctx.tokens.writer) }),
    status: 200,
    expectAnswer: (answer) => expect(jsonOf<{ preRestoreVersion: number; update: string }>(answer).update).toMatch(/^[A-Za-z0-9+/]+=*$/),
  },
  { name: 'POST …/restore-edit/applied with a bad id answers 400', method: 'post', path: APPLIED_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/x/restore-edit/applied`, headers: bearer(tokens.writer) }), status: 400, code: 'invalid-version-id' },
  { name: 'POST …/restore-edit/applied without a token answers 401', method: 'post', path: APPLIED_PATH, request: () => ({ url: `${VERSIONS}/1/restore-edit/applied` }), status: 401, code: 'missing-token' },
  { name: 'POST …/restore-edit/applied with a read-only token answers 403', method: 'post', path: APPLIED_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/1/restore-edit/applied`, headers: bearer(tokens.reader) }), status: 403, code: 'forbidden' },
  { name: 'POST …/restore-edit/applied of an unknown version answers 404', method: 'post', path: APPLIED_PATH, request: ({ tokens }) => ({ url: `${VERSIONS}/999999/restore-edit/applied`, headers: bearer(tokens.writer) }), status: 404, code: 'version-not-found' },
  {
    name: 'POST …/restore-edit/applied of the named version answers 201 with a restore version',
    method: 'post',
    path: APPLIED_PATH,
    request: async (ctx) => ({ url: `${VERSIONS}/${await namedId(ctx)}/restore-edit/applied`, headers: bearer(ctx.tokens.writer) }),
    status: 201,
    expectAnswer: (answer) => expect(jsonOf<{ kind: string }>(answer).kind).toBe('restore'),
  },
];

export const VERSION_ROWS: readonly RouteRow[] = [...naming, ...listing, ...previews, ...diffs, ...restores, ...clientRestores];
