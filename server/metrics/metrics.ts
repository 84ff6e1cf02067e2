/**
 * Tandem's Prometheus metrics, in a registry of their own (not prom-client's global one), so tests
 * and several servers in one process never collide. Per-message counts are not incremented here
 * on the hot path: a prom-client increment costs ~100 ns (it hashes its labels every time), so
 * the connection meter adds into plain numbers and hands them over when a scrape collects
 * (`onCollect`). Gauges that mirror state someone else keeps (open documents) are read at scrape
 * time too.
 *
 * Names: tandem_* for ours; process_* and nodejs_* (event-loop lag included) are prom-client's
 * default metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; saved acks and store writes are milliseconds on a healthy disk, seconds when not. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type AccessLabel = 'read-write' | 'read-only';
export type StoreWriteLabel = 'append' | 'compact';

export interface TandemMetrics {
  readonly registry: Registry;
  /** Open WebSocket connections, by access level. */
  readonly connections: Gauge<'access'>;
  readonly messagesIn: Counter<'type'>;
  readonly bytesIn: Counter<'type'>;
  readonly messagesOut: Counter<'type'>;
  readonly bytesOut: Counter<'type'>;
  /** From an update message's arrival to the saved ack that covers it. */
  readonly savedAckSeconds: Histogram;
  readonly storeWriteSeconds: Histogram<'operation'>;
  readonly closes: Counter<'code'>;
  readonly httpRequests: Counter<'route' | 'status'>;
  /** For the webhook sender: one per delivery attempt answered 2xx, one per failed attempt. */
  readonly webhookDeliveries: Counter;
  readonly webhookFailures: Counter;
  /** Runs `flush` before the message and byte counters are read at each scrape. */
  onCollect(flush: () => void): void;
  /** Reports the number of loaded documents at each scrape. */
  countOpenDocumentsWith(source: () => number): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(): TandemMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  let openDocumentsSource: () => number = () => 0;
  const flushes: Array<() => void> = [];
  // Each counter fed by a flush collects through it: a flush drains what is pending, so running it
  // once per counter costs nothing and keeps every counter current whatever order they render in.
  const collect = (): void => {
    for (const flush of flushes) flush();
  };
  new Gauge({
    name: 'tandem_open_documents',
    help: 'Documents loaded in memory',
    registers,
    collect() {
      this.set(openDocumentsSource());
    },
  });
  const byType = { labelNames: ['type'] as const, registers, collect };
  return {
    registry,
    connections: new Gauge({ name: 'tandem_connections', help: 'Open WebSocket connections', labelNames: ['access'], registers }),
    messagesIn: new Counter({ name: 'tandem_messages_received_total', help: 'WebSocket messages received, by message type', ...byType }),
    bytesIn: new Counter({ name: 'tandem_received_bytes_total', help: 'WebSocket message payload bytes received, by message type', ...byType }),
    messagesOut: new Counter({ name: 'tandem_messages_sent_total', help: 'WebSocket messages sent, by message type', ...byType }),
    bytesOut: new Counter({ name: 'tandem_sent_bytes_total', help: 'WebSocket message payload bytes sent, by message type', ...byType }),
    savedAckSeconds: new Histogram({
      name: 'tandem_saved_ack_seconds',
      help: "From an update message's arrival to the saved acknowledgement covering it",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    storeWriteSeconds: new Histogram({
      name: 'tandem_store_write_seconds',
      help: 'Duration of document store writes, by operation',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    closes: new Counter({ name: 'tandem_connection_closes_total', help: 'WebSocket connections closed, by close code', labelNames: ['code'], registers }),
    httpRequests: new Counter({ name: 'tandem_http_requests_total', help: 'HTTP requests answered, by route and status', labelNames: ['route', 'status'], registers }),
    webhookDeliveries: new Counter({ name: 'tandem_webhook_deliveries_total', help: 'Webhook delivery attempts the receiver accepted (2xx)', registers }),
    webhookFailures: new Counter({ name: 'tandem_webhook_failures_total', help: 'Webhook delivery attempts that failed (non-2xx, timeout, network error); each is retried or, past the retry bound, dropped', registers }),
    onCollect(flush) {
      flushes.push(flush);
    },
    countOpenDocumentsWith(source) {
      openDocumentsSource = source;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
