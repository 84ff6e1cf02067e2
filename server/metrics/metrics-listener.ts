/**
 * The separate metrics listener (--metrics-port / --metrics-host): plain HTTP answering only
 * `GET /metrics`, without a token, for a scraper on a network the editors' port is not on.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { TandemMetrics } from './metrics.js';
import { isLoopbackHost } from '../config.js';
import { isHostAllowed } from '../auth/request-identity.js';

export interface MetricsListener {
  /** http://host:port of the listener. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsListener(options: { metrics: TandemMetrics; host: string; port: number; logger: Logger }): Promise<MetricsListener> {
  const { metrics, logger } = options;
  // On loopback only loopback Host names: a web page whose DNS name was re-pointed at 127.0.0.1
  // (DNS rebinding) must not read the counts. Elsewhere the scraper may use any name.
  const allowedHosts = isLoopbackHost(options.host) ? [] : null;
  const server = createServer((req, res) => {
    if (!isHostAllowed(req, allowedHosts)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('host not allowed: use a loopback name to reach this listener\n');
      return;
    }
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: only GET /metrics is served here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        logger.error({ err: error }, 'rendering metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
