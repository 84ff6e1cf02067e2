import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { isValidDocName, MAX_DOC_NAME_LENGTH } from '../../../shared/doc-name.js';
import { findPackageRoot } from '../../package-root.js';
import { startAuthServer } from '../../test-support/auth-fixtures.js';
import { compileEverySchema, compileSchemaAt } from '../../test-support/openapi-checker.js';
import type { TestServer } from '../../test-support/test-server.js';
import type { OpenApiDocument } from './openapi-types.js';

describe('GET /api/openapi.json', () => {
  let server: TestServer;
  let response: Response;
  let served: OpenApiDocument;

  beforeAll(async () => {
    server = await startAuthServer(['--log-level', 'warn']);
    response = await fetch(`${server.url}/api/openapi.json`);
    served = (await response.json()) as OpenApiDocument;
  });
  afterAll(() => server?.dispose());

  it('is served without a token as JSON that caches for an hour, versioned like package.json', async () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    const pkg = JSON.parse(await readFile(path.join(findPackageRoot(), 'package.json'), 'utf8')) as { version: string };
    expect(served.info.version).toBe(pkg.version);
  });

  it('is a valid OpenAPI 3.1 description', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(served) as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('would be refused by the validator with an OpenAPI 2 style body parameter', async () => {
    const broken = structuredClone(served) as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
    broken.paths['/api/docs']!.get!.parameters = [{ name: 'page', in: 'body', schema: { type: 'object' } }];
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has only schemas that compile under strict JSON Schema 2020-12, answered or not', () => {
    expect(compileEverySchema(served)).toEqual([]);
  });

  it('describes document names exactly as shared/doc-name.ts decides them', () => {
    const validate = compileSchemaAt(served, '/components/parameters/DocName/schema');
    const names = ['plan', 'team-1.v2_x', 'a', '.', '..', '...', '', 'a b', 'a/b', 'ü', 'x'.repeat(MAX_DOC_NAME_LENGTH), 'x'.repeat(MAX_DOC_NAME_LENGTH + 1)];
    expect(names.map((name) => [name, validate(name)])).toEqual(names.map((name) => [name, isValidDocName(name)]));
  });
});
