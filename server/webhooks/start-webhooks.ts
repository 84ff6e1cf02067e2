/**
 * Wires webhooks into one server process: the store wrapper reports created and deleted
 * documents, the loader wrapper subscribes each room's debounced change reporter, and the
 * dispatcher delivers from the outbox: a table in PostgreSQL when documents are stored there,
 * else a LevelDB database in `<dataDir>/webhooks`. Nothing here runs on the sync
 * path beyond noting an editor and queuing a record.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config/webhook-config.js';
import type { DocumentStore } from '../persistence/document-store.js';
import type { Room } from '../room/room.js';
import { DEFAULT_CHANGE_DEBOUNCE, reportDocumentChanges, type ChangeDebounce } from './document-change-events.js';
import { observeDocumentStore } from './observe-document-store.js';
import { WebhookDispatcher, type WebhookCounters, type WebhookDeliveryPolicy } from './webhook-dispatcher.js';
import { createEvent, type WebhookEventData, type WebhookEventType } from './webhook-event.js';
import { openLeveldbOutbox, type WebhookOutbox } from './webhook-outbox.js';
import { openPostgresOutbox } from './postgres-outbox.js';

export interface WebhookTuning {
  debounce?: Partial<ChangeDebounce>;
  delivery?: Partial<WebhookDeliveryPolicy>;
}

export interface StartWebhooksOptions {
  config: WebhookConfig;
  dataDir: string;
  /** The PostgreSQL holding documents (schema migrated), or null for LevelDB. */
  database: { url: string; schema: string } | null;
  logger: Logger;
  counters?: WebhookCounters;
  tuning?: WebhookTuning;
}

export interface Webhooks {
  /** Every store call the server makes should go through this wrapper (created and deleted events). */
  wrapStore(store: DocumentStore): DocumentStore;
  wrapLoader(loadRoom: (name: string) => Promise<Room>): (name: string) => Promise<Room>;
  /** Records an event (for callers outside the store and rooms). */
  record(type: WebhookEventType, data: WebhookEventData): void;
  readonly dispatcher: WebhookDispatcher;
  /** After the rooms have closed (their last changes are recorded on unload). */
  close(): Promise<void>;
}

/** Null when no URL is configured. */
export async function startWebhooks(options: StartWebhooksOptions): Promise<Webhooks | null> {
  const { config, logger } = options;
  if (config.urls.length === 0 || config.secret === null) return null;
  const outbox: WebhookOutbox = options.database
    ? openPostgresOutbox({ ...options.database, logger })
    : await openLeveldbOutbox(path.join(options.dataDir, 'webhooks'), logger);
  const dispatcher = new WebhookDispatcher({
    urls: config.urls,
    secret: config.secret,
    outbox,
    logger,
    ...(options.counters ? { counters: options.counters } : {}),
    ...(options.tuning?.delivery ? { policy: options.tuning.delivery } : {}),
  });
  await dispatcher.resume();
  const debounce = { ...DEFAULT_CHANGE_DEBOUNCE, ...options.tuning?.debounce };
  const record = (type: WebhookEventType, data: WebhookEventData): void => dispatcher.record(createEvent(type, data, Date.now()));
  logger.info({ urls: config.urls.length }, 'webhooks: sending document events');
  return {
    wrapStore: (store) =>
      observeDocumentStore(store, {
        created: (document) => record('document.created', { document }),
        deleted: (document) => record('document.deleted', { document }),
      }),
    wrapLoader: (loadRoom) => async (name) => {
      const room = await loadRoom(name);
      reportDocumentChanges(room, debounce, (data) => record('document.changed', data));
      return room;
    },
    record,
    dispatcher,
    close: () => dispatcher.close(),
  };
}
