/**
 * `GET /api/openapi.json`: the OpenAPI description, built once with the version of package.json.
 * It needs no token (app.ts mounts it before the /api authentication): it is documentation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import { findPackageRoot } from '../../package-root.js';
import { buildOpenApiDocument } from './openapi-document.js';

export function createOpenApiHandler(): RequestHandler {
  const { version } = JSON.parse(readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8')) as { version: string };
  const body = JSON.stringify(buildOpenApiDocument(version));
  return (_req: Request, res: Response) => {
    // Changes only with a new release: an hour of caching spares tools repeated fetches.
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('json').send(body);
  };
}
