/**
 * Where document events are sent and the secret that signs them (Standard Webhooks). URLs come
 * from repeated --webhook-url flags or the comma-separated TANDEM_WEBHOOK_URLS; the secret only
 * from TANDEM_WEBHOOK_SECRET (it would show in `ps` as a flag).
 */
import { ConfigError } from './config-error.js';
import { readList, readOptional, type ReadOption } from './read-serve-options.js';

export type WebhookConfig = Readonly<{
  /** Receivers of every event; empty: webhooks are off. */
  urls: readonly string[];
  /** `whsec_` + base64 key, or null when no URL is set. */
  secret: string | null;
}>;

/** Standard Webhooks asks for 24 to 64 random bytes. */
const MIN_SECRET_BYTES = 24;

export function parseWebhookConfig(read: ReadOption): WebhookConfig {
  const urls = readList(read, 'webhook-url') ?? [];
  for (const url of urls) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new ConfigError(`invalid TANDEM_WEBHOOK_URLS / --webhook-url: ${JSON.stringify(url)} is not a URL`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new ConfigError(`invalid TANDEM_WEBHOOK_URLS / --webhook-url: ${JSON.stringify(url)} is not http:// or https://`);
    }
  }
  const secret = readOptional(read, 'webhook-secret');
  if (secret !== null) checkSecret(secret);
  if (urls.length > 0 && secret === null) {
    throw new ConfigError('TANDEM_WEBHOOK_URLS / --webhook-url needs TANDEM_WEBHOOK_SECRET: every event is signed');
  }
  return Object.freeze({ urls: Object.freeze([...new Set(urls)]), secret: urls.length > 0 ? secret : null });
}

function checkSecret(secret: string): void {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const bytes = match ? Buffer.from(match[1]!, 'base64').length : 0;
  if (bytes < MIN_SECRET_BYTES) {
    throw new ConfigError(`invalid TANDEM_WEBHOOK_SECRET: expected whsec_ followed by at least ${MIN_SECRET_BYTES} base64-encoded bytes`);
  }
}
