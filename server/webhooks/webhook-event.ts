/**
 * What a webhook carries: a Standard Webhooks payload `{ type, timestamp, data }`, and one
 * delivery of it to one URL. The event id is assigned once, when the event is recorded, and every
 * attempt (also after a restart) sends the same id, so receivers can drop repeats.
 */
import { randomBytes } from 'node:crypto';

export type WebhookEventType = 'document.created' | 'document.changed' | 'document.deleted';

/** A person (or anonymous client) who edited; both null in open mode. */
export interface WebhookEditor {
  subject: string | null;
  name: string | null;
}

export interface WebhookEventData {
  document: string;
  /** document.changed only: who edited since the previous document.changed of this process. */
  editors?: WebhookEditor[];
  /** document.changed only: edits made by server code (a lease, the HTTP API) in the same period. */
  serverEdits?: number;
  /** document.changed only: ISO time of the first edit in the period. */
  since?: string;
}

export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  /** ISO time the event happened. */
  timestamp: string;
  data: WebhookEventData;
}

/** One event bound for one URL, as stored in the outbox. */
export interface WebhookDelivery {
  /** Outbox key: `<event id> <url>`; event ids sort by creation time, so keys do too. */
  key: string;
  eventId: string;
  url: string;
  /** The JSON body, fixed at recording time so every attempt signs the same bytes. */
  body: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
}

/** `msg_` + time (sortable) + randomness: unique across processes and restarts. */
export function newEventId(now: number): string {
  return `msg_${now.toString(36).padStart(10, '0')}${randomBytes(10).toString('hex')}`;
}

export function createEvent(type: WebhookEventType, data: WebhookEventData, now: number): WebhookEvent {
  return { id: newEventId(now), type, timestamp: new Date(now).toISOString(), data };
}

export function deliveriesOf(event: WebhookEvent, urls: readonly string[], now: number): WebhookDelivery[] {
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  return urls.map((url) => ({ key: `${event.id} ${url}`, eventId: event.id, url, body, createdAt: now, attempts: 0, nextAttemptAt: now }));
}
