/**
 * Every route the HTTP app registers is in the OpenAPI description and every operation of the
 * description has a route, so a route added without documentation (or documentation of a route
 * that went away) fails here. The routes are read from the app's own router stack, built with
 * every optional route switched on (`Required<HttpAppOptions>`: a new option must be given here
 * too, or this file does not compile). Nothing is requested: the stand-in functions throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type express from 'express';
import { parseServeConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { VersionHistory } from '../../history/version-history.js';
import { createLeveldbStore } from '../../persistence/leveldb-store.js';
import type { DocumentStore } from '../../persistence/document-store.js';
import { createTokenVerifier } from '../../auth/token-verifier.js';
import { RevocationList } from '../../auth/revocation-list.js';
import { SECRET } from '../../test-support/auth-fixtures.js';
import { OPERATIONS_UNDER_CONSTRUCTION } from '../../test-support/openapi-content-rows.js';
import { createHttpApp, type HttpAppOptions } from '../app.js';
import { createReadinessProbe } from '../readiness.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { HTTP_METHODS } from './openapi-types.js';

/** The router internals this walk reads (express 5 / router 2). */
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

/** `<method> <path template>` of every route, mounted routers included; regexp paths as `/…/`. */
function routesOf(stack: readonly Layer[], prefix = ''): string[] {
  const routes: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const { path: routePath, methods } = layer.route;
      const full = typeof routePath === 'string' ? (prefix + routePath).replace(/:(\w+)/g, '{$1}') : `${prefix}${String(routePath)}`;
      for (const [method, isOn] of Object.entries(methods)) if (isOn) routes.push(`${method} ${full}`);
    } else if (layer.handle.stack) {
      // A mounted router: its routes sit under the mount path.
      if (typeof layer.rawPath !== 'string') throw new Error(`a router mounted at ${String(layer.rawPath)}: teach this walk its path`);
      routes.push(...routesOf(layer.handle.stack, layer.rawPath === '/' ? prefix : prefix + layer.rawPath));
    }
  }
  return routes;
}

/** Routes of the web client (its shell and the placeholder page), not of the API. */
const isClientPage = (route: string): boolean => route === 'get /' || route.startsWith(String.raw`get /^\/(?!api\/`);

const notCalled = (): never => {
  throw new Error('the app is only inspected here');
};

describe('the OpenAPI description and the routes of the HTTP app', () => {
  let dir: string;
  let store: DocumentStore;
  let routes: string[];
  const spec = buildOpenApiDocument('0.0.0');
  const documented = Object.entries(spec.paths).flatMap(([template, item]) =>
    HTTP_METHODS.filter((method) => item[method] !== undefined).map((method) => `${method} ${template}`),
  );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-openapi-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>client</title>');
    const config = parseServeConfig(['--data-dir', dir], { TANDEM_AUTH_SECRET: SECRET });
    store = await createLeveldbStore({ directory: path.join(dir, 'data'), fsync: false });
    const options: Required<HttpAppOptions> = {
      store,
      logger: createLogger('silent'),
      access: { verifier: await createTokenVerifier(config.auth), revocations: await RevocationList.open(null) },
      clientDir: dir,
      readiness: createReadinessProbe({ isStarted: () => true, checks: [] }),
      allowedHosts: null,
      peekLoadedDocument: notCalled,
      openDocument: notCalled,
      liveConnections: notCalled,
      deleteDocument: notCalled,
      maxUpdateBytes: 1024,
      recordRevocation: notCalled,
      publishRevocation: notCalled,
      metrics: createMetrics(),
      isLoopbackOnly: true,
      admin: { loadedDocuments: notCalled, connections: notCalled, closeConnection: notCalled, recentErrors: notCalled },
      history: new VersionHistory({ store, logger: createLogger('silent') }),
    };
    const app: express.Express = createHttpApp(options);
    routes = routesOf((app.router as unknown as { stack: Layer[] }).stack);
  });
  afterAll(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds the routes it must find (the walk reads the router correctly)', () => {
    expect(routes).toEqual(expect.arrayContaining(['get /healthz', 'get /api/docs', 'get /api/docs/{name}', 'post /api/docs/{name}/updates', 'post /api/admin/revoke']));
  });

  it('documents every route of the app but the client pages', () => {
    const undocumented = routes.filter((route) => !isClientPage(route) && !documented.includes(route));
    expect(undocumented).toEqual([]);
  });

  it('has a route for every documented operation (HEAD is served by GET) but those under construction', () => {
    const live = documented.filter((operation) => !OPERATIONS_UNDER_CONSTRUCTION.includes(operation));
    const routeless = live.filter((operation) => !routes.includes(operation.replace(/^head /, 'get ')));
    expect(routeless).toEqual([]);
  });

  it('has no route yet for the operations under construction (when one lands, move its rows into ROUTES)', () => {
    expect(OPERATIONS_UNDER_CONSTRUCTION.filter((operation) => routes.includes(operation))).toEqual([]);
  });
});
